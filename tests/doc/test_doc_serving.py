"""The design doc's serving section: latency steps and the load table, read as GitHub shows them.

The numbers in ``data/serving.yaml`` are chosen to add up by hand:

- latency: features 8 ms, cut to 5 ms by its timeout; model 30 + 5 = 35 ms; step 1 of the
  gateway runs ab (1 ms) and model (35 ms) in parallel, step 2 the re-ranker (4 ms): gateway
  5 + 35 + 4 = 44 ms; app 44 ms of a 60 ms SLO.
- load at 1,000 qps: gateway 1,000 / (2 x 1,000) = 50 %; model 1,000 / (2 x 750) = 66.7 %;
  features 3 calls per request: 3,000 / (2 x 2,000) = 75 %; re-ranker 1,000 / (2 x 600) = 83.3 %;
  ab has no capacity. Headroom min(2, 1.5, 1.333, 1.2) = 1.2x, the re-ranker first.
"""

from __future__ import annotations

import re

import pytest
from docmarkdown import DATA, doc_for, parser, table_after

from mlsd_diagram import load
from mlsd_diagram.analyses.serving import latency_breakdown

SERVING = (DATA / "serving.yaml").read_text(encoding="utf-8")
NEWS_FEED = DATA.parents[2] / "blueprints" / "news_feed.yaml"
NEWS_FEED_CONSTANT = DATA.parents[2] / "tests" / "lint" / "data" / "news_feed_constant.yaml"
STEPS = "Latency steps from App (`app`)"


def bullets_after(markdown: str, heading: str) -> list[str]:
    """The text of the list items under the `###` heading ``heading``."""
    tokens = parser().parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and tokens[i + 1].content == heading)
    items = []
    for i, token in enumerate(tokens[start + 1 :], start + 1):
        if token.type == "heading_open":
            break
        if token.type == "list_item_open":
            items.append(tokens[i + 2].content)
    return items


def paragraphs_after(markdown: str, heading: str) -> list[str]:
    tokens = parser().parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and tokens[i + 1].content == heading)
    found = []
    for i, token in enumerate(tokens[start + 1 :], start + 1):
        if token.type == "heading_open":
            break
        if token.type == "paragraph_open" and tokens[i - 1].type != "list_item_open":
            found.append(tokens[i + 1].content)
    return found


def test_latency_steps_show_each_step_its_parallel_calls_and_the_sum():
    markdown = doc_for(SERVING)
    assert table_after(markdown, STEPS) == [
        ["App (`app`)", "own p99", "", "", "0 ms (not declared)"],
        ["", "step 1", "`gateway` 44 ms (no timeout)", "`gateway`", "44 ms"],
        ["", "p99", "0 + 44", "", "44 ms"],
        ["Gateway (`gateway`)", "own p99", "", "", "5 ms"],
        ["", "step 1", "`ab` 1 ms (timeout 5 ms), `model` 35 ms (timeout 50 ms)", "`model`", "35 ms"],
        ["", "step 2", "`reranker` 4 ms (timeout 20 ms)", "`reranker`", "4 ms"],
        ["", "p99", "5 + 35 + 4", "", "44 ms"],
        ["Model (`model`)", "own p99", "", "", "30 ms"],
        [
            "",
            "step 1",
            "`features` 5 ms (p99 8 ms, cut by its timeout: the call counts as failed, then what answers for it)",
            "`features`",
            "5 ms",
        ],
        ["", "p99", "30 + 5", "", "35 ms"],
    ]
    assert "44 ms from `app`, within the 60 ms SLO (16 ms to spare)." in paragraphs_after(markdown, STEPS)


def test_latency_steps_say_when_the_slo_is_missed_and_which_latencies_are_unknown():
    markdown = doc_for(
        SERVING.replace("latency_p99_ms: 60", "latency_p99_ms: 40").replace(
            "reranker: {kind: reranking_service, label: Re-ranker, replicas: 2, latency_p99_ms: 4,",
            "reranker: {kind: reranking_service, label: Re-ranker, replicas: 2,",
        )
    )
    rows = table_after(markdown, STEPS)
    assert ["", "step 2", "`reranker` unknown (0 ms)", "`reranker`", "0 ms"] in rows
    assert ["", "p99", "5 + 35 + 0", "", "40 ms"] in rows
    text = paragraphs_after(markdown, STEPS)
    assert text[0].startswith("40 ms from `app`, within the 40 ms SLO (0 ms to spare).")
    assert "Unknown latency, counted as 0 ms: `reranker`." in text[0]
    over = doc_for(SERVING.replace("latency_p99_ms: 60", "latency_p99_ms: 30"))
    assert "44 ms from `app`, over the 30 ms SLO by 14 ms." in paragraphs_after(over, STEPS)


def test_load_table_at_peak():
    markdown = doc_for(SERVING)
    assert table_after(markdown, "Load at peak") == [
        ["Gateway (`gateway`)", "1,000", "2 x 1,000 = 2,000", "50%", "ok"],
        ["A/B arms (`ab`)", "1,000", "no capacity declared", "", "ok"],
        ["Model (`model`)", "1,000", "2 x 750 = 1,500", "66.7%", "ok"],
        ["Features (`features`)", "3,000", "2 x 2,000 = 4,000", "75%", "ok"],
        ["Re-ranker (`reranker`)", "1,000", "2 x 600 = 1,200", "83.3%", "ok"],
    ]
    # The features call is cut by its 5 ms timeout (p99 8 ms): it counts as failed, and with on_failure
    # defaults the model answers with default features, so the app is degraded at every load and no
    # load factor serves it fully (issue 12: "a slower or stuck callee counts as failed after it").
    assert bullets_after(markdown, "Load at peak") == [
        "At peak: App (`app`) degraded.",
        "Headroom: none: an entry point is not fully served even without load (a call that always times out or fails).",
        "Without `capacity_qps`, so never saturating in this model: A/B arms (`ab`).",
    ]


def test_load_table_shows_overload_and_the_cascade_it_causes():
    # 1,300 qps: the re-ranker gets 1,300 of its 1,200 and queues (no load shedding); the gateway's
    # call to it times out and fails it (on_failure: fail, no fallback), so the app is down.
    markdown = doc_for(SERVING.replace("peak_qps: 1000", "peak_qps: 1300"))
    rows = {row[0]: row[1:] for row in table_after(markdown, "Load at peak")}
    assert rows["Re-ranker (`reranker`)"] == ["1,300", "2 x 600 = 1,200", "108.3%", "overloaded"]
    assert rows["Gateway (`gateway`)"] == ["1,300", "2 x 1,000 = 2,000", "65%", "failed"]
    assert rows["Features (`features`)"] == ["3,900", "2 x 2,000 = 4,000", "97.5%", "ok"]
    items = bullets_after(markdown, "Load at peak")
    assert items[:2] == [
        "At peak: App (`app`) down.",
        "Headroom: none: an entry point is not fully served even without load (a call that always times out or fails).",
    ]
    # With the features call in time (timeout 10 ms > 8 ms) the app is served at peak and the headroom
    # is the first saturation: min(2, 1.5, 1.333, 1.2) = 1.2x, the re-ranker (0.923x at 1,300 qps).
    in_time = SERVING.replace(
        "on_failure: defaults,\n     timeout_ms: 5}", "on_failure: defaults,\n     timeout_ms: 10}"
    )
    assert in_time != SERVING
    assert bullets_after(doc_for(in_time), "Load at peak")[:2] == [
        "At peak: App (`app`) served.",
        "Headroom: 1.2x peak; the first component to saturate is Re-ranker (`reranker`).",
    ]
    assert bullets_after(doc_for(in_time.replace("peak_qps: 1000", "peak_qps: 1300")), "Load at peak")[1] == (
        "Headroom: 0.923x peak; the first component to saturate is Re-ranker (`reranker`)."
    )


def test_peak_qps_per_replica_counts_calls_per_request():
    rows = {row[0]: row for row in table_after(doc_for(SERVING), "Request path")}
    assert rows["Features (`features`)"][4] == "1,500"  # 3 calls per request x 1,000 qps / 2 replicas
    assert rows["Model (`model`)"][4] == "500"
    assert rows["A/B arms (`ab`)"][4] == "1,000"  # no replicas declared: one
    assert rows["App (`app`)"][4] == ""


def test_without_a_peak_there_is_no_load_to_show():
    markdown = doc_for(SERVING.replace("  scale: {peak_qps: 1000}\n", ""))
    assert table_after(markdown, "Load at peak") == []
    assert paragraphs_after(markdown, "Load at peak")[0].startswith("No peak qps is declared")
    assert all(row[4] == "" for row in table_after(markdown, "Request path"))


def test_news_feed_doc_shows_its_real_sequential_steps():
    # service times constant at their p99 (the copy without latency_p50_ms and workers): exact sums
    markdown = doc_for(NEWS_FEED_CONSTANT.read_text(encoding="utf-8"), name="news_feed.yaml")
    rows = table_after(markdown, "Latency steps from Mobile and web app (`app`)")
    start = rows.index(["Feed service (`feed_service`)", "own p99", "", "", "15 ms"])
    assert rows[start + 1 : start + 6] == [
        [
            "",
            "step 1",
            "`ab_assignment` 2 ms (timeout 10 ms), `feed_cache` 3 ms (timeout 10 ms)",
            "`feed_cache`",
            "3 ms",
        ],
        [
            "",
            "step 2",
            "`inbox` 8 ms (timeout 15 ms), `candidate_gen` 30 ms (timeout 45 ms)",
            "`candidate_gen`",
            "30 ms",
        ],
        ["", "step 3", "`ranker` 53 ms (timeout 80 ms)", "`ranker`", "53 ms"],
        ["", "step 4", "`reranker` 23 ms (timeout 40 ms)", "`reranker`", "23 ms"],
        ["", "p99", "15 + 3 + 30 + 53 + 23", "", "124 ms"],
    ]
    assert "129 ms from `app`, within the 200 ms SLO (71 ms to spare)." in paragraphs_after(
        markdown, "Latency steps from Mobile and web app (`app`)"
    )
    load_rows = {row[0]: row[1:] for row in table_after(markdown, "Load at peak")}
    # 20% of requests miss the embedding cache and reach the user tower
    assert load_rows["User tower (`user_encoder`)"] == ["24,000", "6 x 6,400 = 38,400", "62.5%", "ok"]


def _ms(cell: str) -> float:
    return float(re.match(r"([\d.,]+) ms", cell).group(1).replace(",", ""))


@pytest.mark.parametrize("path", sorted((DATA.parents[2] / "blueprints").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_doc_adds_up(path):
    """Own p99 plus the steps is each component's p99, and the doc says what the engine computes."""
    markdown = doc_for(path.read_text(encoding="utf-8"), name=path.name)
    breakdown = latency_breakdown(load(path))
    assert breakdown
    for entry, info in breakdown.items():
        heading = next(
            t.content
            for t in parser().parse(markdown)
            if t.type == "inline" and t.content.startswith("Latency steps from ") and t.content.endswith(f"(`{entry}`)")
        )
        rows = table_after(markdown, heading)
        components, total = [], 0.0
        for row in rows:
            if row[0]:
                components.append(row[0])
                total = 0.0 if row[4].startswith("0 ms") else _ms(row[4])
            elif row[1] == "p99":
                if row[2].startswith("p99 of the whole response"):  # tails: the p99 of a sum is not the sum
                    assert _ms(row[4]) <= total + 0.5, (path.name, components[-1])
                else:
                    assert _ms(row[4]) == pytest.approx(total), (path.name, components[-1])
            else:
                total += _ms(row[4])
        assert [c.rsplit("(`", 1)[1][:-2] for c in components] == [p["component"] for p in info["parts"]]


def test_without_an_slo_the_doc_gives_the_served_headroom():
    no_slo = (
        "mlsd: 1\nname: No SLO\ncomponents:\n  app: {kind: client_app, peak_qps: 100}\n"
        "  api: {kind: online_service, capacity_qps: 300, latency_p99_ms: 20}\n"
        "flows:\n  - {from: app, to: api, mode: request}\n"
    )
    assert paragraphs_after(doc_for(no_slo), "Latency under load")[-1] == (
        "Served headroom (no SLO declared): 3x peak, the largest load at which every entry point is served "
        "(then `api` saturates)."
    )
    with_slo = no_slo.replace("name: No SLO\n", "name: SLO\nrequirements:\n  slo: {latency_p99_ms: 100}\n")
    assert paragraphs_after(doc_for(with_slo), "Latency under load")[-1].startswith(
        "SLO headroom: 3x peak, the largest load at which every entry point is served and within its SLO"
    )
