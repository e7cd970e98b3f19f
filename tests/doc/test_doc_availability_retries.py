"""The design doc's availability budget and retry amplification tables, read as GitHub shows them.

Every figure is worked out by hand in the comments of ``data/availability.yaml`` and
``data/retries.yaml``; the doc takes them from the analyses (availability, retries), never
recomputes them.
"""

from __future__ import annotations

import math

from docmarkdown import DATA, doc_for, parser

from mlsd_diagram import loads
from mlsd_diagram.analyses.retries import retry_layers

AVAILABILITY = (DATA / "availability.yaml").read_text(encoding="utf-8")
RETRIES = (DATA / "retries.yaml").read_text(encoding="utf-8")
BUDGET = "Availability budget"
AMPLIFICATION = "Retry amplification per layer"


def section(markdown: str, heading: str) -> tuple[list[dict], list[str], list[str]]:
    """Under the `###` ``heading``: its tables (``{"head", "body"}``, cell text), list items and quotes."""
    tokens = parser().parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and tokens[i + 1].content == heading)
    tables: list[dict] = []
    items: list[str] = []
    quotes: list[str] = []
    part, row = None, None
    for i, token in enumerate(tokens[start + 2 :], start + 2):
        if token.type == "heading_open":
            break
        if token.type == "table_open":
            tables.append({"head": [], "body": []})
        elif token.type in ("thead_open", "tbody_open"):
            part = "head" if token.type == "thead_open" else "body"
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            tables[-1][part].append(row)
        elif token.type == "inline" and row is not None and tokens[i - 1].type in ("th_open", "td_open"):
            row.append(token.content)
        elif token.type == "list_item_open":
            items.append(tokens[i + 2].content)
        elif token.type == "blockquote_open":
            quotes.append(tokens[i + 2].content)
    return tables, items, quotes


def test_availability_budget_has_every_term_by_hand():
    tables, items, quotes = section(doc_for(AVAILABILITY), BUDGET)
    assert len(tables) == 2
    summary, terms = tables
    assert summary["head"] == [
        ["entry point", "availability", "SLO", "unavailability", "budget (1 - SLO)", "dominated by"]
    ]
    # 1 - 0.0005 - 0.001 x 0.01 = 0.99949; 0.00051 x 43,200 min = 22.03 min; 0.001 x 43,200 = 43.2 min
    assert summary["body"] == [["App (`app`)", "99.949 %", "99.9 %", "0.00051 (22 min)", "0.001 (43.2 min)", "`api`"]]
    assert terms["head"] == [["lost", "order", "unavailability", "downtime per 30 days", "of the budget"]]
    assert terms["body"] == [
        ["API (`api`)", "first (critical alone)", "0.0005", "21.6 min", "50%"],
        ["Ranker (`ranker`) and Popular items (`popular`)", "second (only together)", "0.00001", "0.4 min", "1%"],
    ]
    assert items == [
        "`app`: 99.949 %, within the 99.9 % SLO.",
        "Relied on by `app` without an `availability`, so counted as always up (the estimate is optimistic): "
        "Features (`features`).",
    ]
    assert quotes == []


def test_availability_below_the_slo_says_so_with_the_same_terms():
    text = AVAILABILITY.replace("availability: 99.9}", "availability: 99.95}")
    tables, items, _ = section(doc_for(text), BUDGET)
    # the budget shrinks to 0.0005 (21.6 min): api alone spends all of it, the pair 2 %
    assert tables[0]["body"] == [
        ["App (`app`)", "99.949 %", "99.95 %", "0.00051 (22 min)", "0.0005 (21.6 min)", "`api`"]
    ]
    assert [row[-1] for row in tables[1]["body"]] == ["100%", "2%"]
    assert items[0].startswith("`app`: 99.949 %, below the 99.95 % SLO (lint `availability-below-slo`)")


def test_retry_amplification_per_layer_by_hand():
    tables, items, quotes = section(doc_for(RETRIES), AMPLIFICATION)
    assert len(tables) == 1
    (table,) = tables
    assert table["head"] == [
        [
            "layer",
            "retried by",
            "calls per request",
            "worst-case attempts per request",
            "offered at peak / capacity",
            "reject share",
        ]
    ]
    # O = 1,000 + sqrt(200,000) = 1,447.2 qps at ranker, 1,447.2 / 800 = 180.9 %, f = 1 / sqrt(5) = 44.7 %
    assert table["body"] == [
        ["Ranker (`ranker`)", "`api`: 1 retry, no budget", "1", "2", "1,447.2 / 800 qps (180.9%)", "44.7%"],
        ["Features (`features`)", "amplified above", "1", "2", "800 / 10,000 qps (8%)", "0%"],
    ]
    assert items == ["User requests failing at peak: `app` 20%."]  # f^2 = 1/5
    assert quotes == []


def test_retry_figures_are_the_analysis_figures():
    layers = retry_layers(loads(RETRIES, name="retries.yaml"))
    ranker = layers["layers"][0]
    assert math.isclose(ranker["offered_qps"], 1000 + math.sqrt(200_000), rel_tol=1e-6)
    assert math.isclose(ranker["reject_share"], 1 / math.sqrt(5), rel_tol=1e-6)
    assert math.isclose(layers["entry_failure"]["app"], 0.2, rel_tol=1e-6)
    assert ranker["worst_qps"] == 2000 and ranker["retried_by"][0]["retries"] == 1
    assert layers["converged"]


def test_a_retry_budget_caps_the_worst_case():
    text = RETRIES.replace("replicas: 2, capacity_qps: 5000}", "replicas: 2, capacity_qps: 5000, retry_budget: 0.1}", 1)
    tables, _, _ = section(doc_for(text), AMPLIFICATION)
    # 1 + 0.1 attempts per call at most: 1,100 qps at ranker in the worst case, 1.1 per request
    assert [row[:4] for row in tables[0]["body"]] == [
        ["Ranker (`ranker`)", "`api`: 1 retry, budget 10%", "1", "1.1"],
        ["Features (`features`)", "amplified above", "1", "1.1"],
    ]


SILENT = """\
mlsd: 1
name: silent
requirements: {scale: {peak_qps: 1000}, slo: {availability: 99.9}}
components:
  app: {kind: client_app}
  api: {kind: online_service, replicas: 2, capacity_qps: 800}
flows:
  - {from: app, to: api, mode: request}
"""


def test_without_declared_facts_the_tables_are_absent_with_a_prompt():
    markdown = doc_for(SILENT)
    for heading, prompt in (
        (BUDGET, "Decide: how available each request-path component is (`components.ID.availability`"),
        (AMPLIFICATION, "Decide: which calls retry a failed attempt (`retries` on a request flow"),
    ):
        tables, items, quotes = section(markdown, heading)
        assert tables == [] and items == []
        assert len(quotes) == 1 and quotes[0].startswith(prompt)
    open_questions = markdown.split("### Open questions", 1)[1]
    assert "how available each request-path component is" in open_questions
    assert "which calls retry a failed attempt" in open_questions


def test_retries_without_a_peak_say_there_is_no_load():
    text = RETRIES.replace("requirements:\n  scale: {peak_qps: 1000}\n", "")
    tables, _, quotes = section(doc_for(text), AMPLIFICATION)
    assert tables == [] and quotes == []
    assert "Calls declare `retries`, but no peak qps is declared" in doc_for(text)


TIED = """\
mlsd: 1
name: tied
requirements: {slo: {availability: 99.9}}
components:
  app: {kind: client_app}
  api: {kind: online_service, availability: 0.9999}
  db: {kind: feature_store, availability: 0.9999}
flows:
  - {from: app, to: api, mode: request}
  - {from: api, to: db, mode: request}
"""


def test_terms_tied_for_the_largest_all_dominate():
    tables, items, _ = section(doc_for(TIED), BUDGET)
    # 1 - 0.0001 - 0.0001 = 99.98 %; each term 0.0001 x 43,200 = 4.32 min, 10 % of the 0.001 budget
    assert tables[0]["body"] == [
        ["app (`app`)", "99.98 %", "99.9 %", "0.0002 (8.6 min)", "0.001 (43.2 min)", "`api`, `db`"]
    ]
    assert tables[1]["body"] == [
        ["api (`api`)", "first (critical alone)", "0.0001", "4.3 min", "10%"],
        ["db (`db`)", "first (critical alone)", "0.0001", "4.3 min", "10%"],
    ]
    assert items == ["`app`: 99.98 %, within the 99.9 % SLO."]
