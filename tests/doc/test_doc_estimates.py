"""The doc's Estimates section (step 1): figures with formulas, read as GitHub shows the doc."""

from __future__ import annotations

from pathlib import Path

from docmarkdown import STEP_TITLES, doc_for, sections, table_after

TINY = Path(__file__).parent.parent / "estimate" / "tiny_search.yaml"


def test_estimates_table_holds_the_hand_computed_figures_with_formulas():
    markdown = doc_for(TINY.read_text(encoding="utf-8"), "tiny_search.yaml")
    rows = {row[0]: row[1:] for row in table_after(markdown, "Estimates")}
    assert rows["index (`index`): index memory"] == [
        "960 MB",
        "`items x embedding_dim x bytes_per_value x index_overhead` = 10,000,000 x 64 x 1 x 1.5",
    ]
    assert rows["api (`api`): replicas needed"] == [
        "6 replicas",
        "`ceil(peak QPS / (capacity_qps x utilization))` = ceil(1,000 / (300 x 0.6)) (4 declared: 2 under the 60% target)",
    ]
    assert rows["index (`index`): peak QPS"][0] == "3k QPS"
    assert rows["log (`log`): log volume per day"][0] == "10 GB/day"
    assert rows["trainer (`trainer`): training set per run"][0] == "40 GB"
    part = sections(markdown)[STEP_TITLES[0]]
    assert "### Estimates" in part
    assert "- features, replicas needed: `components.features.capacity_qps`" in part.splitlines()
    assert "> Decide:" not in part.split("### Estimates")[1].split("###")[0]  # facts to add, not prompts


def test_without_scale_the_section_says_what_to_add():
    text = TINY.read_text(encoding="utf-8").replace("peak_qps: 1000", "videos: 3")
    part = sections(doc_for(text, "t.yaml"))[STEP_TITLES[0]]
    estimates = part.split("### Estimates")[1].split("\n### ")[0]
    assert "peak QPS per component: `requirements.scale.peak_qps`" in estimates
    assert "QPS |" not in estimates


def test_doc_with_estimates_is_the_same_bytes_twice():
    text = TINY.read_text(encoding="utf-8")
    assert doc_for(text, "tiny_search.yaml") == doc_for(text, "tiny_search.yaml")
