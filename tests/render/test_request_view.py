"""The request view (`mlsd render --view request`): the slowest entry point's p99 as a waterfall.

Positions and widths are read from the SVG the real Graphviz draws and checked against latencies computed
by hand on a small blueprint; the p50s against the serving model; the Mermaid sequence diagram is parsed and
drawn by the real Mermaid library; the PNG is decoded by Chromium; the CLI is run for the option and errors.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import mermaid_client
import pytest
from click.testing import CliRunner

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.serving import request_latency
from mlsd_diagram.cli import main
from mlsd_diagram.outputs.diagram import draw, run_dot
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.request_view import CRITICAL, OTHER, SLO_INK, text_width, waterfall

ROOT = Path(__file__).resolve().parents[2]
NEWS = ROOT / "blueprints" / "news_feed.yaml"

# svc: own 10 ms; step 1: a (20 ms) beside b (30 ms, cut by its 25 ms timeout); step 2: c (40 ms).
# By hand: step 1 costs max(20, min(30, 25)) = 25, step 2 costs 40, svc 10 + 25 + 40 = 75 ms; the SLO is 100 ms.
SMALL = textwrap.dedent(
    """\
    mlsd: 1
    name: Small request
    requirements:
      slo: {latency_p99_ms: 100}
    components:
      app: {kind: client_app, label: App}
      svc: {kind: inference_service, label: Scorer, latency_p99_ms: 10}
      a: {kind: feature_store, label: Features, latency_p99_ms: 20}
      b: {kind: embedding_service, label: Embedder, latency_p99_ms: 30}
      c: {kind: ann_index, label: Index, latency_p99_ms: 40}
    flows:
      - {from: app, to: svc, mode: request, data: score}
      - {from: svc, to: a, mode: request, step: 1, data: features}
      - {from: svc, to: b, mode: request, step: 1, timeout_ms: 25, on_failure: skip, data: embedding}
      - {from: svc, to: c, mode: request, step: 2, data: neighbours}
    """
)
# (row, component, start ms, p99 ms) by hand
EXPECTED = [(0, "app", 0, 75), (1, "svc", 0, 75), (2, "a", 0, 20), (3, "b", 0, 25), (4, "c", 25, 40)]

HOSTILE = 'Sc\\o"rer <b>&amp; ]; x --> end'
NO_REQUEST = textwrap.dedent(
    """\
    mlsd: 1
    name: Offline only
    components:
      lake: {kind: data_lake}
      etl: {kind: etl_job}
    flows:
      - {from: lake, to: etl, mode: batch, data: rows}
    """
)


def _shapes(svg: str) -> dict[str, dict]:
    """Each node's id -> {"x0", "x1", "y", "fill", "stroke"} from its polygon, in the SVG's (point) coordinates."""
    out = {}
    for match in re.finditer(r'<g id="([^"]+)" class="node">(.*?)</g>\n(?=<!--|</g>)', svg, re.S):
        poly = re.search(r'<polygon fill="([^"]+)" stroke="([^"]+)"[^>]* points="([^"]+)"', match.group(2))
        if not poly:
            continue
        xs = [float(p.split(",")[0]) for p in poly.group(3).split()]
        ys = [float(p.split(",")[1]) for p in poly.group(3).split()]
        name = match.group(1).replace("&#45;", "-")
        out[name] = {"x0": min(xs), "x1": max(xs), "y": (min(ys) + max(ys)) / 2, "fill": poly.group(1)}
        out[name]["stroke"] = poly.group(2)
    return out


def _texts(svg: str) -> dict[str, str]:
    out = {}
    for match in re.finditer(r'<g id="(row-\d+)" class="node">.*?<text[^>]*>([^<]*)</text>', svg, re.S):
        out[match.group(1).replace("&#45;", "-")] = match.group(2)
    return out


def test_bars_sit_where_the_hand_computed_latencies_put_them():
    bp = loads(SMALL)
    svg = str(draw(bp, "svg", view="request"))
    shapes = _shapes(svg)
    origin = shapes["bar-0"]["x0"]
    per_ms = (shapes["bar-0"]["x1"] - origin) / 75
    assert per_ms > 3  # the axis spans the SLO (100 ms) over 7 in: about 5 pt per ms
    for row, _, start, p99 in EXPECTED:
        bar = shapes[f"bar-{row}"]
        assert bar["x0"] - origin == pytest.approx(start * per_ms, abs=1.5), row
        assert bar["x1"] - bar["x0"] == pytest.approx(p99 * per_ms, abs=1.5), row
    rows = [shapes[f"bar-{row}"]["y"] for row, *_ in EXPECTED]
    assert rows == sorted(rows) and len(set(rows)) == len(rows)  # a row per call, top to bottom in call order
    # parallel calls overlap: a and b start together; the step after starts when the slower (cut) one ends
    assert shapes["bar-2"]["x0"] == pytest.approx(shapes["bar-3"]["x0"], abs=0.5)
    assert shapes["bar-4"]["x0"] == pytest.approx(shapes["bar-3"]["x1"], abs=1.5)
    # b's timeout is marked where it cuts the call; only b has one
    assert (shapes["timeout-3"]["x0"] + shapes["timeout-3"]["x1"]) / 2 - origin == pytest.approx(25 * per_ms, abs=1.5)
    assert [k for k in shapes if k.startswith("timeout-")] == ["timeout-3"]
    assert shapes["bar-3"]["stroke"] != "transparent" and "stroke-dasharray" in svg  # the cut call is dashed
    # the SLO as a vertical line at 100 ms, across the rows
    slo = shapes["slo"]
    assert (slo["x0"] + slo["x1"]) / 2 - origin == pytest.approx(100 * per_ms, abs=1.5)
    assert slo["stroke"].lower() == SLO_INK.lower()
    # the critical path (svc, then the slowest call of each step: b, c) is highlighted; a is not on it
    fills = {row: shapes[f"bar-{row}"]["fill"].lower() for row, *_ in EXPECTED}
    assert fills[1] == fills[3] == fills[4] == CRITICAL[0].lower()
    assert fills[2] == OTHER[0].lower()
    texts = _texts(svg)
    assert [texts[f"row-{row}"].strip() for row, *_ in EXPECTED] == [
        "App",
        "1 Scorer",
        "1 Features",
        "1 Embedder",
        "2 Index",
    ]
    assert "timeout 25 ms (cut)" in svg


def test_p50_bars_are_the_serving_models_medians():
    bp = load(NEWS)
    fall = waterfall(bp)
    figures = request_latency(bp)[fall.entry]
    assert fall.p99_ms == pytest.approx(figures["p99_ms"], abs=1e-3)
    assert fall.p50_ms == pytest.approx(figures["p50_ms"], abs=1e-3)
    shapes = _shapes(str(draw(bp, "svg", view="request")))
    medians = [row for row, bar in enumerate(fall.bars) if bar.p50_ms is not None]
    assert len(medians) == len(fall.bars)  # every call of the news feed has a latency distribution
    for row in medians:
        p99 = shapes[f"bar-{row}"]["x1"] - shapes[f"bar-{row}"]["x0"]
        p50 = shapes[f"p50-{row}"]["x1"] - shapes[f"p50-{row}"]["x0"]
        assert shapes[f"p50-{row}"]["x0"] == pytest.approx(shapes[f"bar-{row}"]["x0"], abs=1)
        assert p50 < p99 or p99 < 2, row
        assert p50 / p99 == pytest.approx(fall.bars[row].p50_ms / fall.bars[row].p99_ms, abs=0.05) or p99 < 10


def test_same_blueprint_same_bytes():
    bp = load(NEWS)
    assert draw(bp, "svg", view="request") == draw(load(NEWS), "svg", view="request")
    assert draw(bp, "mermaid", view="request") == draw(load(NEWS), "mermaid", view="request")


_SEQUENCE = """async ([text, id]) => {
    await mermaid.parse(text);
    const {svg} = await mermaid.render(id, text);
    const host = document.createElement('div');
    host.innerHTML = svg;
    document.body.appendChild(host);
    const texts = sel => [...host.querySelectorAll(sel)].map(e => e.textContent);
    const result = {messages: texts('.messageText'), actors: texts('text.actor'), notes: texts('.noteText'),
                    loops: texts('.loopText'), labels: texts('.labelText')};
    host.remove();
    return result;
}"""


@pytest.mark.browser
def test_mermaid_sequence_parses_with_steps_and_timeouts(browser):
    page = mermaid_client.open_page(browser)
    try:
        small = page.evaluate(_SEQUENCE, [draw(loads(SMALL), "mermaid", view="request"), "seq1"])
        hostile_text = SMALL.replace("label: Scorer", f"label: {json.dumps(HOSTILE)}")
        hostile = page.evaluate(_SEQUENCE, [draw(loads(hostile_text), "mermaid", view="request"), "seq3"])
        news_text = str(draw(load(NEWS), "mermaid", view="request"))
        news = page.evaluate(_SEQUENCE, [news_text, "seq2"])
    finally:
        page.close()
    assert "1. score: p99 75 ms · p50 75 ms" in small["messages"]
    assert "1. features: p99 20 ms · p50 20 ms" in small["messages"]
    assert "1. embedding: p99 25 ms · p50 25 ms · timeout 25 ms (cut)" in small["messages"]
    assert "2. neighbours: p99 40 ms · p50 40 ms" in small["messages"]
    assert "timeout 25 ms cuts it" in small["notes"]
    assert {"App", "Scorer", "Features", "Embedder", "Index"} <= set(small["actors"])
    assert "par" in small["labels"] and "[step 1]" in small["loops"]  # step 1's two calls side by side
    assert hostile["actors"].count(HOSTILE) == 2 and "1. score: p99 75 ms · p50 75 ms" in hostile["messages"]
    fall = waterfall(load(NEWS))
    calls = [m for m in news["messages"] if "p99" in m]
    assert len(calls) == len(fall.bars) - 1  # one message per call
    assert [int(m.split(".")[0]) for m in calls[2:4]] == [1, 1]  # steps in order under the feed service


def test_png_and_pdf_are_drawn_through_graphviz(browser, tmp_path):
    result = CliRunner().invoke(
        main, ["render", str(NEWS), "--view", "request", "-f", "png", "-f", "pdf", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    png, pdf = tmp_path / "news_feed-request.png", tmp_path / "news_feed-request.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    page = browser.new_page()
    try:
        page.goto(png.as_uri())
        seen = page.evaluate("""() => {
            const img = document.querySelector('img');
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            let critical = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i] === 0xD5 && d[i + 1] === 0x5E && d[i + 2] === 0x00) critical++;
            return {width: img.naturalWidth, height: img.naturalHeight, critical};
        }""")
    finally:
        page.close()
    assert seen["width"] > seen["height"] > 300 and seen["critical"] > 1000, seen


def test_cli_offers_the_request_view_and_refuses_a_blueprint_without_a_request(tmp_path):
    runner = CliRunner()
    assert "request" in runner.invoke(main, ["render", "--help"]).output
    path = tmp_path / "offline.yaml"
    path.write_text(NO_REQUEST)
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(path), "--view", "request", "-f", "svg", "-f", "png", "-o", str(out)])
    assert result.exit_code == 2
    assert "offline.yaml" in result.output and "no request to draw" in result.output
    assert "Traceback" not in result.output and not (out.exists() and any(out.iterdir()))
    for fmt in ("excalidraw", "drawio"):  # the editable exports too: no request, no chart
        refused = runner.invoke(main, ["render", str(path), "--view", "request", "-f", fmt, "-o", str(out)])
        assert refused.exit_code == 2 and "no request to draw" in refused.output, fmt
        assert "Traceback" not in refused.output and not (out.exists() and any(out.iterdir()))
    # a blueprint with a request: the editable exports draw its waterfall (they were refused as a time chart)
    drawn = runner.invoke(
        main, ["render", str(NEWS), "--view", "request", "-f", "excalidraw", "-f", "drawio", "-o", str(out)]
    )
    assert drawn.exit_code == 0, drawn.output
    assert sorted(p.name for p in out.iterdir()) == ["news_feed-request.drawio", "news_feed-request.excalidraw"]
    assert (out / "news_feed-request.drawio").read_text() == str(draw(load(NEWS), "drawio", view="request"))


def test_a_request_thousands_of_calls_deep_is_drawn_without_recursion():
    n = 2500  # deeper than Python's recursion limit
    components = "\n".join(f"  s{i}: {{kind: online_service, latency_p99_ms: 1}}" for i in range(n))
    flows = "\n".join(f"  - {{from: s{i}, to: s{i + 1}, mode: request}}" for i in range(n - 1))
    text = f"mlsd: 1\nname: Chain\ncomponents:\n  app: {{kind: client_app}}\n{components}\nflows:\n"
    text += f"  - {{from: app, to: s0, mode: request}}\n{flows}\n"
    bp = loads(text)
    fall = waterfall(bp)
    assert len(fall.bars) == n + 1 and fall.bars[-1].depth == n and fall.bars[-1].start_ms == 0
    assert fall.p99_ms == n  # each of the n services adds its 1 ms
    text = str(draw(bp, "mermaid", view="request"))
    assert text.count("-->>") == n and text.count("->>") == 2 * n  # a call and its reply each


def test_the_request_view_s_dot_export_comes_without_an_empty_icon_folder(tmp_path):
    """The waterfall uses no icons: its DOT is written alone (an empty ``.icons`` folder came with it),
    while a component view's DOT still brings the icons it names."""
    written = CliRunner().invoke(main, ["render", str(NEWS), "--view", "request", "-f", "dot", "-o", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news_feed-request.dot"]
    full = CliRunner().invoke(main, ["render", str(NEWS), "--view", "serving", "-f", "dot", "-o", str(tmp_path)])
    assert full.exit_code == 0, full.output
    assert any((tmp_path / "news_feed-serving.icons").glob("*.png"))


BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml"))


def _text_boxes(graph: dict) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every text Graphviz draws (graph title, node labels) with its box: (text, (x0, y0, x1, y1)) in points,
    from the T operations' anchor, alignment and measured width, the font's descent and ascent around the
    baseline."""
    found = []
    for obj in [graph, *graph.get("objects", [])]:
        size = 14.0
        for op in obj.get("_ldraw_", []):
            if op["op"] == "F":
                size = float(op["size"])
            elif op["op"] == "T" and op["text"].strip():
                x, y = op["pt"]
                left = {"l": x, "r": x - op["width"]}.get(op["align"], x - op["width"] / 2)
                found.append((op["text"], (left, y - 0.25 * size, left + op["width"], y + 0.8 * size)))
    return found


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_no_text_is_drawn_across_the_slo_line(path):
    """The figures beside each bar stop short of the dashed SLO line or start after it (they ran across it
    where a call's timeout sat just before the SLO); measured on Graphviz's own layout of the real drawing."""
    bp = load(path)
    graph = json.loads(run_dot(to_dot(bp, view="request"), ["json"])["json"])
    slo = next(o for o in graph["objects"] if o["name"] == "slo")
    points = [p for op in slo["_draw_"] if op["op"] in ("p", "P") for p in op["points"]]
    line = (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points))
    texts = _text_boxes(graph)
    assert len(texts) > len(waterfall(bp).bars) * 2  # a name and the figures per row, the ticks, the title
    beside = [t for t, box in texts if box[1] < line[3] and box[3] > line[1]]
    assert any(t.startswith("p99") for t in beside)  # the figures share the line's height: the check has teeth
    crossing = [
        t for t, box in texts if box[0] < line[2] and box[2] > line[0] and box[1] < line[3] and box[3] > line[1]
    ]
    assert crossing == []
    # a figure moved past the line is still on its row, right of it
    right = [box for t, box in texts if t.startswith("p99") and box[0] > line[2]]
    assert all(box[0] - line[2] < 10 for box in right)
    # the width the layout gives each figure holds the text Graphviz measures, and not much more (so a figure
    # that fits before the line is not moved past it)
    for text, box in texts:
        if text.startswith("p99") or text.startswith("SLO"):
            size = 8 if text.startswith("p99") else 9
            assert box[2] - box[0] <= text_width(text, size) <= (box[2] - box[0]) * 1.1, text


def test_direction_is_refused_for_the_request_view_and_honoured_elsewhere(tmp_path):
    runner = CliRunner()
    help_text = " ".join(runner.invoke(main, ["render", "--help"]).output.split())
    assert "request view is a time chart drawn left to right only: TB is refused" in help_text
    out = tmp_path / "out"
    refused = runner.invoke(main, ["render", str(NEWS), "--view", "request", "--direction", "tb", "-o", str(out)])
    assert refused.exit_code == 2, refused.output
    assert refused.output.startswith("mlsd: error: ") and "--direction TB does not apply" in refused.output
    assert "Traceback" not in refused.output and not out.exists()
    to_stdout = runner.invoke(
        main, ["render", str(NEWS), "--view", "request", "--direction", "TB", "-f", "mermaid", "-o", "-"]
    )
    assert to_stdout.exit_code == 2 and "does not apply" in to_stdout.output
    drawn = runner.invoke(
        main, ["render", str(NEWS), "--view", "request", "--direction", "LR", "-f", "svg", "-o", str(out)]
    )
    assert drawn.exit_code == 0, drawn.output
    assert (out / "news_feed-request.svg").read_text() == str(draw(load(NEWS), "svg", view="request"))
    serving = runner.invoke(
        main, ["render", str(NEWS), "--view", "serving", "--direction", "TB", "-f", "dot", "-o", str(out)]
    )
    assert serving.exit_code == 0 and "rankdir=TB" in (out / "news_feed-serving.dot").read_text()


# The partner's 2 qps overload c0 (capacity 1 qps, no shedding): c0 hangs, and both entry points wait on it
# without a timeout. The serving model writes "never answers" as the largest float.
HANGS = textwrap.dedent(
    """\
    mlsd: 1
    name: Hangs
    components:
      app: {kind: client_app}
      partner: {kind: client_app, peak_qps: 2}
      c0: {kind: online_service, replicas: 1, capacity_qps: 1}
      c1: {kind: online_service, replicas: 1, latency_p99_ms: 0}
    flows:
      - {from: app, to: c0, mode: request, data: x}
      - {from: partner, to: c0, mode: request, data: x}
      - {from: c0, to: c1, mode: request, data: x, on_failure: fail}
    """
)


def test_an_entry_point_that_never_answers_is_said_so_not_drawn_nor_printed_as_309_digits(tmp_path):
    path = tmp_path / "hangs.yaml"
    path.write_text(HANGS)
    assert request_latency(loads(HANGS))["app"]["p99_ms"] == sys.float_info.max
    runner = CliRunner()
    out = tmp_path / "out"
    refused = runner.invoke(main, ["render", str(path), "--view", "request", "-f", "svg", "-o", str(out)])
    assert refused.exit_code == 2, refused.output
    assert "hangs.yaml" in refused.output and "'app', never answers" in refused.output
    assert "Traceback" not in refused.output and not out.exists()
    # the doc and the report leave the chart out (they crashed on the infinite time axis) ...
    doc = runner.invoke(main, ["doc", str(path), "-o", str(tmp_path / "doc.md")])
    assert doc.exit_code == 0, doc.output
    text = (tmp_path / "doc.md").read_text()
    assert "request.svg" not in text and "request.png" not in text
    # ... and write the time as infinite, where it printed 309 digits
    assert "p99 \u221e ms" in text and "1797693" not in text and "e+308" not in text
    report = runner.invoke(main, ["report", str(path), "-o", str(tmp_path / "report.html")])
    assert report.exit_code == 0, report.output
    page = (tmp_path / "report.html").read_text()
    assert '"request_svg":""' in page and "e+308" in page  # no chart; the JSON keeps the largest float
    simulated = runner.invoke(main, ["simulate", str(path)])
    assert "app: \u221e ms (no SLO declared)" in simulated.output and "e+308" not in simulated.output
