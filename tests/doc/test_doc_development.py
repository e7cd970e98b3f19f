"""What a reviewer grades reaches the doc: every note, model development, labels, value model, context."""

from __future__ import annotations

import collections
import re

import pytest
from docmarkdown import STEP_TITLES, doc_for, parser, sections
from mlsd_testing import BLUEPRINTS

from mlsd_diagram import loads
from mlsd_diagram.analyses.design import Design
from mlsd_diagram.outputs.doc.development import is_trained
from mlsd_diagram.outputs.doc.markdown import escape_inline
from mlsd_diagram.starters import starters

S2, S3, S4 = STEP_TITLES[1], STEP_TITLES[2], STEP_TITLES[3]
DESIGNS = {f"starter {s.name}": (s.text, f"{s.name}.yaml") for s in starters()} | {
    f"bundled {p.stem}": (p.read_text(encoding="utf-8"), p.name) for p in BLUEPRINTS
}


@pytest.fixture(scope="module")
def docs():
    return {key: (loads(text, name), doc_for(text, name)) for key, (text, name) in DESIGNS.items()}


@pytest.mark.parametrize("key", sorted(DESIGNS))
def test_every_component_note_is_in_the_doc_once(key, docs):
    bp, markdown = docs[key]
    for cid, component in bp.components.items():
        if component.notes:
            assert markdown.count(escape_inline(component.notes)) == 1, (cid, component.notes)


@pytest.mark.parametrize("key", sorted(DESIGNS))
def test_no_prompt_is_asked_twice(key, docs):
    _, markdown = docs[key]
    prompts = [line for line in markdown.splitlines() if line.startswith("> Decide:")]
    assert [p for p, n in collections.Counter(prompts).items() if n > 1] == []
    open_questions = markdown.split("### Open questions")[1].split("## Appendix")[0]
    checklist = [line for line in open_questions.splitlines() if line.startswith("- [ ] ")]
    assert len(checklist) == len(prompts)


@pytest.mark.parametrize("key", sorted(DESIGNS))
def test_model_development_prompts_only_for_trained_models(key, docs):
    bp, markdown = docs[key]
    d = Design(bp)
    asked = set(re.findall(r"`components\.([A-Za-z0-9_-]+)\.", sections(markdown)[S4]))
    assert all(is_trained(d, c) for c in asked), asked
    # and a trained model shows a subsection of its own in step 4
    for c in bp.components:
        if is_trained(d, c):
            assert f" (`{c}`)\n" in sections(markdown)[S4].split("### Training pipelines")[0]


def test_automated_action_is_shown(docs):
    _, markdown = docs["starter harmful_content_detection"]
    line = next(x for x in sections(markdown)[S2].splitlines() if x.startswith("Acted on with no human in between"))
    assert "(`enforcement`)" in line


def test_model_facts_are_in_step_4(ranker_text):
    markdown = doc_for(ranker_text, "ranker.yaml")
    step4 = sections(markdown)[S4]
    ranker = step4.split("#### ranker (`ranker`)")[1].split("####")[0]
    for fact in (
        "- **Model**: gradient-boosted trees, 500 trees",
        "- **Alternatives considered**: a deep cross network, no gain offline at ten times the serving cost",
        "- **Loss**: binary cross-entropy per head",
        "- **Positives**: impressions followed by a purchase within 7 days",
        "- **Class imbalance**: 2% positives; downsampling",
        "- **Split**: time (eval)",
        "- **Calibration**: sampling correction",
        "- **Position debiasing**: position feature",
        "- **Training set-up**: data-parallel on 8 CPU workers",
        "- **Tuning**: Bayesian optimization over depth and learning rate",
        "- **Compression**: none needed, trees serve within 40 ms",
        "Ranker note about the heads.",
    ):
        assert fact in ranker, fact
    retrieval = step4.split("#### retrieval (`retrieval`)")[1].split("####")[0]
    assert "- **Negative sampling**: in-batch negatives with a log-frequency correction" in retrieval


def test_value_model_and_labels_and_context_are_where_a_reader_looks(ranker_text):
    parts = sections(doc_for(ranker_text, "ranker.yaml"))
    assert "0.2 x p(click) + 0.8 x p(purchase) x price" in parts[S2].split("### Value model")[1]
    labels = parts[S3].split("### Labels")[1].split("###")[0]
    row = next(line for line in labels.splitlines() if "purchases as labels" in line)
    assert [cell.strip() for cell in row.strip("|").split("|")][3:] == [
        "7d",
        "1d",
        "orders joined to impressions",
        "window closed",
    ]
    privacy = parts[S3].split("### Privacy")[1]
    # the redactor hashes ids: what it writes is still personal data, kept longer than the 30-day promise
    assert (
        "| lake (`lake`) | `data_lake` | yes, from `redactor` | 400d (longer than the 30-day erasure promise: "
        "a deletion must reach it) | nothing declared (a flow tagged `erasure`) |"
    ) in privacy
    assert "Deleting an account removes its events" in privacy
    assert "Home page conversion has been flat" in parts[STEP_TITLES[0]].split("### Motivation")[1]
    assert "- search ranking" in parts[STEP_TITLES[0]].split("Out of scope:")[1]
    assert "- checkout service owned by the payments team" in parts[STEP_TITLES[5]].split("### Integration points")[1]
    plan = parts["Cost, security and milestones"]
    assert "1. popularity baseline\n2. two-stage ranker behind an A/B test" in plan
    assert "Only the shop backend may call the ranker" in plan and "40 GPU hours" in plan
    assert "- sellers game the ranker" in parts["Risks and open questions"].split("### Risks")[1]


def test_context_text_is_escaped(ranker_data):
    import yaml

    ranker_data["context"]["motivation"] = "# not a heading\n- nor a list <b>"
    ranker_data["context"]["milestones"] = ["1. first", "| cell |"]
    markdown = doc_for(yaml.safe_dump(ranker_data, sort_keys=False))
    html = parser().render(markdown)
    assert "<h1>not a heading" not in html and "<b>" not in html
    assert "&lt;b&gt;" in html


def test_a_priced_ranker_is_judged_by_classification_metrics(docs, ranker_data):
    """Ad click's CTR model prices an auction: its defaults are calibration, log loss and ROC-AUC, not nDCG
    (nor precision and recall at a threshold nobody applies)."""
    import yaml

    _, markdown = docs["starter ad_click_prediction"]
    offline = sections(markdown)["5. Evaluation"].split("### Offline metrics")[1].split("###")[0]
    assert "| calibrated probability |" in offline and "| ranking |" not in offline
    assert "| classification |" not in offline
    ranker_data["components"]["ranker"]["score_use"] = "ranking"  # the order is what users see
    offline = doc_for(yaml.safe_dump(ranker_data, sort_keys=False)).split("### Offline metrics")[1].split("###")[0]
    assert "| ranking | precision@k" in offline and "ranker (`ranker`)" in offline.split("| ranking |")[1]


def test_practice_facts_of_other_components_are_shown(ranker_data):
    import yaml

    ranker_data["components"]["batch_features"].update(cadence="1d", write_mode="overwrite_partition")
    ranker_data["components"]["ab"]["exploration_share"] = 0.05
    ranker_data["components"]["ranker"]["capabilities"] = ["shadow", "canary"]
    ranker_data["components"]["retrieval"]["deployed_with"] = "ranker"
    parts = sections(doc_for(yaml.safe_dump(ranker_data, sort_keys=False)))
    assert "- batch_features (`batch_features`): every 1d; writes by overwrite partition" in parts[S3]
    assert "- ab (`ab`): explores on 5% of requests" in parts["5. Evaluation"]
    serving = parts["6. Deployment and serving"]
    assert "- ranker (`ranker`): rolls out by shadow, canary" in serving
    assert "- retrieval (`retrieval`): released together with ranker (`ranker`)" in serving


def test_rollout_built_into_serving_answers_the_rollout_question(ranker_data):
    import yaml

    del ranker_data["components"]["rollout"]
    ranker_data["flows"] = [f for f in ranker_data["flows"] if "rollout" not in (f["from"], f["to"])]
    assert "(a `deployment_controller`)" in doc_for(yaml.safe_dump(ranker_data, sort_keys=False))
    ranker_data["components"]["ranker"]["capabilities"] = ["canary"]
    assert "(a `deployment_controller`)" not in doc_for(yaml.safe_dump(ranker_data, sort_keys=False))


@pytest.mark.parametrize("key", sorted(DESIGNS))
def test_framing_prompts_only_for_models(key, docs):
    """No ML task, inputs or outputs asked of a gateway, a store or a service without a model."""
    bp, markdown = docs[key]
    d = Design(bp)
    asked = set(re.findall(r"`components\.([A-Za-z0-9_-]+)\.(?:task|inputs|outputs)`", sections(markdown)[S2]))
    assert all(d.is_model(c) for c in asked), asked


def test_value_model_is_not_asked_of_outputs_used_one_by_one(ranker_data):
    """A multi-label classifier thresholds each head: there is no one score to combine into."""
    import yaml

    del ranker_data["components"]["ranker"]["value_model"]
    assert "`components.ranker.value_model`" in doc_for(yaml.safe_dump(ranker_data, sort_keys=False))
    ranker_data["components"]["ranker"]["score_use"] = "threshold"
    assert "`components.ranker.value_model`" not in doc_for(yaml.safe_dump(ranker_data, sort_keys=False))


def test_erasure_flows_and_retention_reach_the_privacy_table(ranker_data):
    import yaml

    ranker_data["components"]["erasure_job"] = {"kind": "etl_job", "label": "Account deletion"}
    ranker_data["components"]["features"]["retention"] = "90d"
    ranker_data["flows"].append(
        {"from": "erasure_job", "to": "lake", "mode": "batch", "data": "deleted accounts", "tags": ["erasure"]}
    )
    privacy = sections(doc_for(yaml.safe_dump(ranker_data, sort_keys=False)))[S3].split("### Privacy")[1]
    rows = {
        r.split("|")[1].strip(): [c.strip() for c in r.strip("|").split("|")]
        for r in privacy.splitlines()
        if r.startswith("| ")
    }
    promise = " (longer than the 30-day erasure promise: a deletion must reach it)"
    assert rows["lake (`lake`)"][3:] == ["400d" + promise, "Account deletion (`erasure_job`)"]
    assert rows["features (`features`)"][3:] == ["90d" + promise, "nothing declared (a flow tagged `erasure`)"]
    assert rows["log (`log`)"][2:4] == ["yes", "not declared"]  # the app's pii flow lands there
