"""Hostile text in every field changes what is shown, never the structure or script of an output.

Each output of a blueprint full of markup, quotes, DOT, Mermaid and Markdown
syntax is read by its real client (Graphviz, an XML parser, the Mermaid
library, markdown-it, json, an HTML parser) and compared with a twin blueprint
whose texts are plain words: the same nodes, edges, tables and tags.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import mermaid_client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from strategies import TEXT

import mlsd_diagram
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.outputs.diagram import render_svg_text, run_dot
from mlsd_diagram.outputs.doc import doc_context, render_markdown
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.findings_json import findings_json
from mlsd_diagram.outputs.mermaid import to_mermaid
from mlsd_diagram.outputs.report import render_report
from mlsd_diagram.outputs.sarif import sarif_text

ROOT = Path(__file__).resolve().parent.parent.parent

HOSTILE = [
    "<script>alert(1)</script>",
    "\"quoted\" & 'single'",
    "<<TABLE><TR><TD>x</TD></TR></TABLE>>",
    "a -> b; node [shape=box]",
    "}} digraph x { a",
    "A-->B; click A callback",
    "end",
    "subgraph X",
    "| pipe | table |",
    "# heading",
    "`code` *em*",
    "[link](javascript:alert(1))",
    "مرحبا RTL \u202e flip",
    "&amp; &lt; &#x3C;",
    "</textarea><img src=x onerror=alert(1)>",
    "%%{init: {'theme':'dark'}}%%",
    "\\l\\n\\G",
    "line1\nline2",
]

SHAPE = [  # (id, kind): a small but complete design, so every output has content
    ("app", "client_app"),
    ("gateway", "api_gateway"),
    ("ranker", "ranking_service"),
    ("popular", "fallback_ranker"),
    ("features", "feature_store"),
    ("events", "event_logging"),
    ("lake", "data_lake"),
    ("trainer", "training_pipeline"),
    ("gate", "offline_evaluation"),
    ("registry", "model_registry"),
    ("metrics", "monitoring"),
    ("drift", "drift_detector"),
    ("alerts", "alerting"),
    ("scheduler", "orchestrator"),
]
FLOWS = [
    ("app", "gateway", "request"),
    ("gateway", "ranker", "request"),
    ("ranker", "features", "request"),
    ("ranker", "popular", "fallback"),
    ("ranker", "events", "stream"),
    ("events", "lake", "stream"),
    ("lake", "trainer", "batch"),
    ("features", "trainer", "batch"),
    ("trainer", "gate", "batch"),
    ("gate", "registry", "deploy"),
    ("registry", "ranker", "deploy"),
    ("ranker", "metrics", "telemetry"),
    ("metrics", "drift", "telemetry"),
    ("drift", "alerts", "telemetry"),
    ("alerts", "scheduler", "batch"),
    ("scheduler", "trainer", "batch"),
]


def blueprint(texts: list[str]):
    pick = lambda i: json.dumps(texts[i % len(texts)], ensure_ascii=False)  # noqa: E731 - JSON is valid YAML
    lines = [
        "mlsd: 1",
        f"name: {pick(0)}",
        f"summary: {pick(1)}",
        f"requirements: {{objective: {pick(2)}, ml_task: {pick(3)}, slo: {{latency_p99_ms: 300}}, "
        f"constraints: [{pick(4)}]}}",
        f"metrics: {{offline: [{pick(5)}], online: [{pick(6)}]}}",
        "components:",
    ]
    for i, (cid, kind) in enumerate(SHAPE):
        lines.append(
            f"  {cid}: {{kind: {kind}, label: {pick(i)}, tech: {pick(i + 1)}, notes: {pick(i + 2)}, "
            f"task: binary_classification, model: {pick(i + 4)}, group: {pick(i % 3)}, replicas: 2, "
            f"latency_p99_ms: 5}}"
        )
    lines.append("flows:")
    for i, (source, target, mode) in enumerate(FLOWS):
        loop = ", loop: feedback" if (source, target) in {("alerts", "scheduler"), ("lake", "trainer")} else ""
        lines.append(
            f"  - {{from: {source}, to: {target}, mode: {mode}, data: {pick(i + 5)}, tags: [{pick(i)}]{loop}}}"
        )
    return mlsd_diagram.loads("\n".join(lines) + "\n", name="hostile.yaml")


@pytest.fixture(scope="module")
def pair():
    return blueprint(HOSTILE), blueprint([f"plain words {i}" for i in range(len(HOSTILE))])


def _dot_json(dot_text: str) -> dict:
    return json.loads(run_dot(dot_text, ["json0"])["json0"])


def test_dot_keeps_nodes_edges_and_clusters(pair):
    hostile, twin = (_dot_json(to_dot(bp)) for bp in pair)
    assert len(hostile["objects"]) == len(twin["objects"])
    assert len(hostile["edges"]) == len(twin["edges"])
    names = {o["name"] for o in hostile["objects"]}
    assert {cid for cid, _ in SHAPE} <= names or {f"component-{cid}" for cid, _ in SHAPE} <= names | {
        o.get("id") for o in hostile["objects"]
    }


def _svg_structure(svg: str) -> Counter:
    root = ET.fromstring(svg)
    counts = Counter()
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        counts[tag if tag != "g" else f"g.{element.get('class')}"] += 1
        assert tag not in ("script", "foreignObject", "iframe")
        assert not any(name.lower().startswith("on") for name in element.attrib), element.attrib
    return counts


def test_svg_has_the_same_structure_and_no_script(pair):
    hostile_svg, twin_svg = (render_svg_text(bp) for bp in pair)
    hostile, twin = _svg_structure(hostile_svg), _svg_structure(twin_svg)
    for key in ("g.node", "g.edge", "g.cluster", "image", "a"):
        assert hostile[key] == twin[key], key
    assert hostile["g.node"] >= len(SHAPE)
    assert "&lt;script&gt;" in hostile_svg and "<script>" not in hostile_svg


@pytest.fixture(scope="module")
def mermaid_page(browser):
    page = mermaid_client.open_page(browser)
    yield page
    page.close()


def test_mermaid_shows_every_label_as_written(pair, mermaid_page):
    """Mermaid in Chromium draws the same structure for both, and every hostile label as written."""
    shown = [mermaid_client.shown(mermaid_page, to_mermaid(bp)) for bp in pair]
    for bp, seen in zip(pair, shown):
        assert seen == mermaid_client.expected(bp), to_mermaid(bp)
    hostile, twin = shown
    assert len(hostile["nodes"]) == len(twin["nodes"]) >= len(SHAPE) and hostile["links"] == twin["links"]
    assert hostile["scripts"] == 0


LABEL_TEXT = TEXT.filter(lambda t: "\ufb02\u00b0" not in t and "\u00b6\u00df" not in t)  # Mermaid's placeholders


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LABEL_TEXT, min_size=len(SHAPE) + len(FLOWS), max_size=len(SHAPE) + len(FLOWS)))
def test_mermaid_shows_random_labels_as_written(mermaid_page, texts):
    """Random text of every script, with the characters that mean something to Mermaid, HTML or YAML."""
    bp = blueprint(texts)
    seen = mermaid_client.shown(mermaid_page, to_mermaid(bp))
    assert seen == mermaid_client.expected(bp), to_mermaid(bp)


def _markdown_structure(text: str) -> Counter:
    counts = Counter()
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        counts[token.type] += 1
    return counts


def test_design_doc_keeps_headings_tables_and_no_html(pair):
    docs = [render_markdown(doc_context(bp, stem="hostile", image=False)) for bp in pair]
    hostile, twin = (_markdown_structure(d) for d in docs)
    for key in (
        "heading_open",
        "table_open",
        "tr_open",
        "th_open",
        "td_open",
        "html_block",
        "html_inline",
        "fence",
        "link_open",
        "bullet_list_open",
    ):
        assert hostile[key] == twin[key], key
    html = MarkdownIt("commonmark").enable("table").render(docs[0])
    assert "<script>" not in html and "<img" not in html and 'href="javascript:' not in html


def test_findings_json_and_sarif_round_trip(pair):
    for bp in pair:
        findings = lint(bp)
        data = json.loads(findings_json(findings, [bp.file]))
        assert len(data["findings"]) == len(findings)
        sarif = json.loads(sarif_text(findings))
        assert len(sarif["runs"][0]["results"]) == len(findings)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.counts = Counter()
        self.handlers = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] += 1
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def test_html_report_has_only_its_own_script(pair):
    parsed = []
    for bp in pair:
        parser = _Tags()
        parser.feed(render_report(bp))
        parsed.append(parser)
    hostile, twin = parsed
    for tag in ("script", "img", "iframe", "textarea", "object", "embed", "link", "meta", "style", "a"):
        assert hostile.counts[tag] == twin.counts[tag], tag
    assert hostile.counts["script"] == 2  # the JSON data island and the page's own script
    assert hostile.handlers == twin.handlers == []
    text = render_report(pair[0])
    data = re.search(r'<script type="application/json" id="mlsd-data">(.*?)</script>', text, re.S).group(1)
    assert "</script" not in data.lower() and "<!--" not in data
