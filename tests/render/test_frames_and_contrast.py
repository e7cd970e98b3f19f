"""Node frames and text contrast, read from the SVG Graphviz really draws.

* Every component is a visible frame, and every arrowhead ends on the frame of the component it points at (or,
  for a grouped edge, on a cluster's frame), not inside it on the label text: arrow tips against the frames'
  geometry.
* Every text is readable on what it can sit on: WCAG contrast (AA for text, 4.5:1) of each text colour the SVG
  writes against its node's fill, its cluster's fill, or, for a flow's label, which can sit anywhere, against
  the page and every cluster fill of the picture.

Each check is shown to fail on a picture made to break it (arrows not clipped; the old light telemetry label).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.blueprint.models import Blueprint
from mlsd_diagram.outputs.diagram import finish_svg, render_svg_text, run_dot
from mlsd_diagram.outputs.dot import to_dot

ROOT = Path(__file__).resolve().parent.parent.parent
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
AA_TEXT = 4.5
NAMED = {"white": "#ffffff", "black": "#000000"}
# The legend's line samples are pictures of a flow's line drawn with characters, in the line's own colour.
LINE_SAMPLE = re.compile(r"[\s\u2501\u2500\u2574\u2550\u254d\u00b7\u00a0]*")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")

# A custom group (the neutral colours) and every flow mode, so every fill and every label colour is drawn.
EVERY_COLOUR = Blueprint.model_validate(
    {
        "mlsd": 1,
        "name": "every colour",
        "summary": "A small design that draws every cluster fill and every flow mode.",
        "components": {
            "app": {"kind": "client_app"},
            "api": {"kind": "online_service", "tech": "go"},
            "ranker": {"kind": "ranking_service", "tech": "pytorch on triton"},
            "fallback": {"kind": "fallback_ranker", "tech": "redis"},
            "store": {"kind": "feature_store", "tech": "feast + redis"},
            "log": {"kind": "event_logging", "tech": "kafka"},
            "train": {"kind": "training_pipeline", "tech": "kubeflow"},
            "registry": {"kind": "model_registry", "tech": "mlflow"},
            "metrics": {"kind": "monitoring", "tech": "prometheus"},
            "review": {"kind": "online_service", "group": "human review", "tech": "in-house"},
        },
        "flows": [
            {"from": "app", "to": "api", "mode": "request", "data": "query"},
            {"from": "api", "to": "ranker", "mode": "request", "data": "candidates"},
            {"from": "ranker", "to": "fallback", "mode": "fallback", "data": "popular items"},
            {"from": "ranker", "to": "store", "mode": "request", "data": "features"},
            {"from": "api", "to": "log", "mode": "stream", "data": "events"},
            {"from": "log", "to": "train", "mode": "batch", "data": "training set"},
            {"from": "train", "to": "registry", "mode": "batch", "data": "model"},
            {"from": "registry", "to": "ranker", "mode": "deploy", "data": "approved model"},
            {"from": "api", "to": "metrics", "mode": "telemetry", "data": "latency"},
            {"from": "ranker", "to": "metrics", "mode": "telemetry", "data": "scores"},
            {"from": "api", "to": "review", "mode": "stream", "data": "reports"},
        ],
    }
)


# ---- reading the SVG -------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[float, float, float] | None:
    colour = NAMED.get(colour.lower(), colour.lower())
    if colour in ("none", "transparent"):
        return None
    match = re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", colour)
    assert match, f"a colour this test cannot read: {colour!r}"
    return tuple(int(h, 16) / 255 for h in match.groups())  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text: str, fill: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = _rgb(text), _rgb(fill)
    assert a is not None and b is not None
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _shape(group: ET.Element) -> ET.Element | None:
    """The first drawn shape of a node or cluster group (its frame)."""
    for element in group.iter():
        if element.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"):
            return element
    return None


def _points(shape: ET.Element) -> list[tuple[float, float]]:
    text = shape.get("d") or shape.get("points") or ""
    numbers = [float(n) for n in NUMBER.findall(text)]
    return list(zip(numbers[0::2], numbers[1::2]))


def _box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _title(group: ET.Element) -> str:
    title = group.find(f"{SVG}title")
    return "" if title is None else (title.text or "")


def text_on_fills(svg: str) -> list[tuple[str, str, str, str]]:
    """(where, text, text colour, fill colour) for every visible text and every fill it can sit on."""
    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    page = next(el for el in graph if el.tag == f"{SVG}polygon").get("fill", "white")
    clusters = [g for g in graph.iter(f"{SVG}g") if g.get("class") == "cluster"]
    cluster_fills = [s.get("fill", "none") for g in clusters if (s := _shape(g)) is not None]
    cluster_fills = [f for f in cluster_fills if _rgb(f) is not None]
    owner: dict[ET.Element, tuple[str, list[str]]] = {}
    for group in graph.iter(f"{SVG}g"):
        kind = (group.get("class") or "-").split()[0]  # a grouped edge's class also names its flows
        if kind == "node":
            shape = _shape(group)
            fill = shape.get("fill", "none") if shape is not None else "none"
            # a node drawn without a fill shows what is behind it: the page or any cluster
            fills = [fill] if _rgb(fill) is not None else [page, *cluster_fills]
        elif kind == "cluster":
            fills = [_shape(group).get("fill", "none")]  # type: ignore[union-attr]
        elif kind == "edge":
            fills = [page, *cluster_fills]  # a flow's label can land anywhere
        else:
            continue
        for text in group.iter(f"{SVG}text"):
            owner[text] = (f"{kind} {group.get('id')}", fills)
    found = []
    for text in graph.iter(f"{SVG}text"):
        words = "".join(text.itertext())
        if LINE_SAMPLE.fullmatch(words):
            continue
        where, fills = owner.get(text, ("title or legend", [page]))
        colour = text.get("fill", "black")
        found.extend((where, words, colour, fill) for fill in fills)
    return found


def low_contrast(svg: str) -> list[str]:
    """Each (text, fill) pair of ``svg`` below WCAG AA, described."""
    return [
        f"{where}: {words!r} {colour} on {fill}: {contrast(colour, fill):.2f}"
        for where, words, colour, fill in text_on_fills(svg)
        if contrast(colour, fill) < AA_TEXT
    ]


def _distance_to_frame(point: tuple[float, float], box: tuple[float, float, float, float]) -> float:
    """Distance from ``point`` to the sides of the rectangle ``box`` (inside or outside it)."""
    x, y = point
    x0, y0, x1, y1 = box
    if x0 <= x <= x1 and y0 <= y <= y1:
        return min(x - x0, x1 - x, y - y0, y1 - y)
    return math.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1))


def arrow_tips(svg: str) -> list[tuple[str, tuple[float, float], float, float]]:
    """(edge id, arrow tip, distance to the nearest frame it may end on, distance to its node's centre) per
    arrowhead. An edge ends on its end components' frames; a grouped edge (``flows-N``) on a cluster's."""
    root = ET.fromstring(svg)
    nodes = {_title(g): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    frames = {name: _box(_points(shape)) for name, g in nodes.items() if (shape := _shape(g)) is not None}
    cluster_frames = [
        _box(_points(shape))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "cluster" and (shape := _shape(g)) is not None
    ]
    tips = []
    for edge in (g for g in root.iter(f"{SVG}g") if (g.get("class") or "-").split()[0] == "edge"):
        tail, head = _title(edge).split("->")
        line = [p for path in edge.iter(f"{SVG}path") for p in _points(path)]
        ends = [line[0], line[-1]]
        allowed = [frames[tail], frames[head]] + (cluster_frames if edge.get("id", "").startswith("flows-") else [])
        for arrow in edge.iter(f"{SVG}polygon"):
            corners = _points(arrow)
            end = min(ends, key=lambda e: min(math.dist(e, c) for c in corners))
            tip = max(corners, key=lambda c: math.dist(c, end))  # the point farthest from where the line stops
            node = min((frames[tail], frames[head]), key=lambda b: _distance_to_frame(tip, b))
            centre = ((node[0] + node[2]) / 2, (node[1] + node[3]) / 2)
            tips.append(
                (edge.get("id", ""), tip, min(_distance_to_frame(tip, b) for b in allowed), math.dist(tip, centre))
            )
    return tips


def frames_missing(svg: str) -> list[str]:
    """Components drawn without a visible frame around a filled box."""
    root = ET.fromstring(svg)
    missing = []
    for group in (g for g in root.iter(f"{SVG}g") if g.get("class") == "node"):
        shape = _shape(group)
        if shape is None or _rgb(shape.get("stroke", "none")) is None or _rgb(shape.get("fill", "none")) is None:
            missing.append(group.get("id", ""))
    return missing


# ---- the checks ------------------------------------------------------------------------------------------------


def _pictures() -> list:
    return list(_each_picture())


def _each_picture():
    for path in BUNDLED:
        for view in ("all", "serving", "overview"):
            yield pytest.param(path, view, "grouped", id=f"{path.stem}-{view}")
    yield pytest.param(None, "all", "grouped", id="every_colour-all")
    yield pytest.param(None, "all", "full", id="every_colour-all-full")
    yield pytest.param(None, "overview", "grouped", id="every_colour-overview")


@pytest.fixture(scope="module")
def drawn() -> dict:
    return {}


def _svg(drawn: dict, path: Path | None, view: str, detail: str) -> str:
    key = (path, view, detail)
    if key not in drawn:
        blueprint = EVERY_COLOUR if path is None else load(path)
        drawn[key] = render_svg_text(blueprint, view=view, detail=detail)
    return drawn[key]


@pytest.mark.parametrize(("path", "view", "detail"), _pictures())
def test_every_text_reads_on_every_fill_it_can_sit_on(drawn, path, view, detail):
    svg = _svg(drawn, path, view, detail)
    pairs = text_on_fills(svg)
    assert len({fill for *_, fill in pairs}) >= 2 and len(pairs) > 20  # the check saw texts on fills
    assert low_contrast(svg) == []


def test_every_colour_blueprint_draws_every_cluster_fill_and_label_colour(drawn):
    from mlsd_diagram.outputs.dot import MODE_STYLES, NEUTRAL_COLOURS, STAGE_COLOURS

    pairs = text_on_fills(_svg(drawn, None, "all", "full"))
    fills = {fill.lower() for *_, fill in pairs}
    colours = {colour.lower() for _, _, colour, _ in pairs}
    assert {c[0].lower() for c in [*STAGE_COLOURS.values(), NEUTRAL_COLOURS]} <= fills
    assert {style.text.lower() for style in MODE_STYLES.values()} <= colours


def test_the_contrast_check_fails_on_the_old_light_telemetry_label(drawn):
    from mlsd_diagram.outputs.dot import MODE_STYLES

    svg = _svg(drawn, None, "all", "full")
    light = svg.replace(f'fill="{MODE_STYLES["telemetry"].text.lower()}"', 'fill="#9aa3ab"')
    assert light != svg
    assert any("'latency' #9aa3ab on" in line for line in low_contrast(light))
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # WCAG's darkest grey that fails AA


@pytest.mark.parametrize(
    ("path", "view"), [(p, v) for p in BUNDLED if p.stem == "news_feed" for v in ("all", "serving")] + [(None, "all")]
)
def test_arrowheads_end_on_a_frame_not_on_the_label(drawn, path, view):
    svg = _svg(drawn, path, view, "grouped")
    assert frames_missing(svg) == []
    tips = arrow_tips(svg)
    assert len(tips) >= 10
    off = [(edge, tip, round(gap, 2)) for edge, tip, gap, _ in tips if gap > 1.0]
    assert off == [], off


def test_the_arrowhead_check_fails_when_arrows_run_into_the_box():
    text = to_dot(EVERY_COLOUR, detail="full").replace(
        "digraph mlsd {\n", "digraph mlsd {\n\tedge [headclip=false tailclip=false]\n", 1
    )
    svg = run_dot(text, ["svg"], finish_svg)["svg"]
    assert isinstance(svg, str)
    tips = arrow_tips(svg)
    assert tips and all(gap > 5.0 and centre < 3.0 for _, _, gap, centre in tips)  # at the centres, on the text
