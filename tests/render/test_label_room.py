"""Every edge label is readable: after the layout, a label that another edge's line strikes through (or a
cluster's frame cuts) is moved to an end of its edge, or the layout shifted, when that leaves nothing worse
(issue 29, :mod:`mlsd_diagram.outputs.label_room`). The measures are checked on hand-made layouts; the
settling on the real ``dot -Tjson`` layouts of the bundled blueprints and starters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_layout_properties import clustered_blueprints

from mlsd_diagram import load
from mlsd_diagram.outputs import label_room
from mlsd_diagram.outputs.diagram import draw, render, run_dot
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.label_room import Score, move_edge, settle
from mlsd_diagram.outputs.legibility import label_faults

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
)


def _lay_out(text: str) -> dict:
    return json.loads(run_dot(text, ["json"])["json"])


# --- the measures, on layouts written by hand (points, y up, as -Tjson gives them)


def _label(x: float, y: float, text: str = "words", size: float = 10.0, width: float = 40.0) -> list[dict]:
    """An ``_ldraw_`` list drawing ``text`` centred at (x, y): its box is x +- 20, y - 2.5 .. y + 8."""
    return [
        {"op": "F", "size": size, "face": "x"},
        {"op": "T", "pt": [x, y], "align": "c", "width": width, "text": text},
    ]


def _line(*points: tuple[float, float]) -> list[dict]:
    """A ``_draw_`` list drawing a straight polyline as cubic Bezier pieces (control points on the line)."""
    spline = [list(points[0])]
    for a, b in zip(points, points[1:], strict=False):
        for t in (1 / 3, 2 / 3, 1):
            spline.append([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])])
    return [{"op": "b", "points": spline}]


def _graph(edges: list[dict], objects: list[dict] | None = None) -> dict:
    return {"bb": "0,0,400,300", "objects": objects or [], "edges": edges}


def test_a_line_through_the_words_strikes_them_and_one_beside_them_does_not() -> None:
    labelled = {
        "_gvid": 0,
        "id": "flow-0",
        "tail": 0,
        "head": 1,
        "_draw_": _line((0, 0), (0, 300)),
        "_ldraw_": _label(100, 100),
    }
    # the words' box is x 80..120, y 97.5..108 (shrunk by 1 pt before the test): x = 100 runs through it
    through = {"_gvid": 1, "id": "flow-1", "tail": 2, "head": 3, "_draw_": _line((100, 0), (100, 300))}
    beside = {"_gvid": 2, "id": "flow-2", "tail": 2, "head": 3, "_draw_": _line((125, 0), (125, 300))}
    assert label_faults(_graph([labelled, beside])) == []
    [fault] = label_faults(_graph([labelled, through, beside]))
    assert (fault.edge, fault.struck_by, fault.on_frame, fault.covers) == ("flow-0", ("flow-1",), False, False)


def test_words_across_a_frame_or_over_a_node_or_other_words_are_faults() -> None:
    labelled = {
        "_gvid": 0,
        "id": "flow-0",
        "tail": 0,
        "head": 1,
        "_draw_": _line((0, 0), (0, 300)),
        "_ldraw_": _label(100, 100),
    }
    frame = {"_gvid": 5, "name": "cluster_0", "bb": "110,0,300,300", "nodes": []}  # its left side at x = 110
    [fault] = label_faults(_graph([labelled], [frame]))
    assert fault.on_frame and not fault.covers and fault.struck_by == ()
    inside = {"_gvid": 5, "name": "cluster_0", "bb": "50,50,300,300", "nodes": []}
    assert label_faults(_graph([labelled], [inside])) == []
    # a node 0.5 x 0.5 in (36 x 36 pt) centred at (130, 100): x 112..148 overlaps the words' 80..120
    node = {"_gvid": 7, "name": "n", "pos": "130,100", "width": "0.5", "height": "0.5"}
    [fault] = label_faults(_graph([labelled], [node]))
    assert fault.covers and not fault.on_frame
    hidden = dict(node, style="invis")  # an invisible spacer covers nothing
    assert label_faults(_graph([labelled], [hidden])) == []
    other = {
        "_gvid": 1,
        "id": "flow-1",
        "tail": 2,
        "head": 3,
        "_draw_": _line((0, 0), (0, 1)),
        "_ldraw_": _label(110, 104),
    }
    assert [f.edge for f in label_faults(_graph([labelled, other])) if f.covers] == ["flow-0", "flow-1"]


def test_a_label_is_struck_by_its_own_line_too() -> None:
    """Words moved to an end of their edge, or the label of an edge between two stages of one rank (the
    overview's columns), can sit on their own line: a reader sees them struck all the same."""
    own = _line((0, 100), (300, 100))  # runs through the words' box x 80..120, y 97.5..108
    for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
        labelled = {"_gvid": 0, "id": "flow-0", "tail": 0, "head": 1, "_draw_": own, key: _label(100, 100)}
        assert [f.struck_by for f in label_faults(_graph([labelled]))] == [("flow-0",)]
    below = {"_gvid": 0, "id": "flow-0", "tail": 0, "head": 1, "_draw_": own, "_ldraw_": _label(100, 110)}
    assert label_faults(_graph([below])) == []  # its box from y 107.5 up: clear of the line at 100


def test_a_tail_or_head_label_is_measured_too() -> None:
    labelled = {
        "_gvid": 0,
        "id": "flow-0",
        "tail": 0,
        "head": 1,
        "_draw_": _line((0, 0), (0, 300)),
        "_tldraw_": _label(100, 100),
    }
    through = {"_gvid": 1, "id": "flow-1", "tail": 2, "head": 3, "_draw_": _line((100, 0), (100, 300))}
    assert [f.struck_by for f in label_faults(_graph([labelled, through]))] == [("flow-1",)]


# --- the moves and the score


def test_moves_put_the_words_at_an_end_or_change_the_span() -> None:
    attrs = {"label": "<words>", "minlen": "2"}
    assert move_edge(attrs, "tail") and attrs == {"taillabel": "<words>", "minlen": "2"}
    attrs = {"xlabel": "<words>"}
    assert move_edge(attrs, "head-flip") and attrs == {"headlabel": "<words>", "labelangle": "25"}
    attrs = {"label": "<words>"}
    assert move_edge(attrs, "tail-out") and attrs == {"taillabel": "<words>", "labelangle": "-75", "labeldistance": "4"}
    attrs = {"minlen": "2"}
    assert not move_edge(attrs, "tail") and attrs == {"minlen": "2"}  # no words to move
    assert move_edge(attrs, "shorter") and attrs == {"minlen": "1"}
    assert not move_edge(attrs, "shorter") and attrs == {"minlen": "1"}  # minlen 0 aborts Graphviz 2.43
    attrs = {}
    assert move_edge(attrs, "longer") and attrs == {"minlen": "2"}  # from Graphviz's default of 1


def test_a_move_is_kept_only_when_fewer_labels_are_faulty_and_nothing_is_worse() -> None:
    now = Score(struck=2, on_frame=1, covering=0, crossings=20, through=1)
    assert Score(1, 1, 0, 20, 1).better_than(now)
    assert Score(2, 0, 0, 19, 0).better_than(now)
    assert not Score(1, 1, 0, 21, 1).better_than(now)  # one more crossing
    assert not Score(1, 2, 0, 20, 1).better_than(now)  # struck traded for a frame
    assert not Score(0, 1, 1, 20, 1).better_than(now)  # ... or for a covered node
    assert not Score(2, 1, 0, 10, 0).better_than(now)  # fewer crossings alone: no label was the matter
    assert not now.better_than(now)


# --- on the real layouts


@pytest.mark.parametrize("view", ["all", "serving"])
@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.stem)
def test_no_label_is_struck_in_the_drawn_diagram(path: Path, view: str) -> None:
    """What ``mlsd render`` draws (its DOT, settled) has no struck label in the all and serving views."""
    bp = load(path)
    graph = _lay_out(str(draw(bp, "dot", view=view)))
    assert [f for f in label_faults(graph) if f.struck_by] == []


def test_the_news_feed_label_graphviz_strikes_is_moved_to_its_arrow() -> None:
    """Graphviz's own layout of the bundled news feed runs the ranker's event-log stream through the words
    "trending post counters by region"; the drawn diagram has them at the arrow's end, and nothing else
    moved or got worse."""
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    plain = _lay_out(to_dot(bp))
    struck = {f.edge: f.struck_by for f in label_faults(plain) if f.struck_by}
    assert struck == {"flow-29": ("flow-18",)}
    moves = settle(lambda m: to_dot(bp, moves=m), _lay_out, plain)
    assert moves == {"flow-29": "tail"}
    drawn = str(draw(bp, "dot"))
    assert drawn == to_dot(bp, moves=moves)
    [edge] = [line for line in drawn.splitlines() if 'id="flow-29"' in line]
    assert "taillabel=<" in edge and "trending post counters by" in edge and not re.search(r"(?<![a-z])label=<", edge)
    settled = _lay_out(drawn)
    assert label_room.score(settled).better_than(label_room.score(plain))
    assert label_room.score(settled).crossings == label_room.score(plain).crossings


def test_settling_stops_at_its_budget_and_skips_large_diagrams() -> None:
    bp = load(ROOT / "blueprints" / "event_recommendation.yaml")
    calls: list[str] = []

    def counted(text: str) -> dict:
        calls.append(text)
        return _lay_out(text)

    # the data view keeps one struck label whatever is tried: every try is one layout, up to the budget
    first = _lay_out(to_dot(bp, view="data"))
    assert [f.edge for f in label_faults(first) if f.struck_by] == ["flow-30"]
    settle(lambda m: to_dot(bp, view="data", moves=m), counted, first)
    edges = len(first["edges"])
    assert 0 < len(calls) <= min(label_room.MOST_LAYOUTS, label_room.EDGE_LAYOUTS // edges)
    calls.clear()
    many = dict(first, edges=first["edges"] * (label_room.SETTLE_UP_TO_EDGES // edges + 1))
    assert settle(lambda m: to_dot(bp, view="data", moves=m), counted, many) == {} and calls == []


def test_a_moved_label_keeps_its_words_in_the_editable_exports(tmp_path: Path) -> None:
    """Excalidraw and draw.io read the label of a moved edge from its tail label's place and words."""
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    written = render(bp, ["excalidraw", "drawio"], tmp_path)
    texts = json.loads(written[0].read_text())["elements"]
    words = [e["text"] for e in texts if e.get("type") == "text"]
    assert any("trending post counters by" in w and "region" in w for w in words)
    assert "trending post counters by" in written[1].read_text()


def test_the_dot_file_alone_is_the_settled_text(tmp_path: Path) -> None:
    """``-f dot`` writes the text the pictures are drawn from, so plain ``dot`` draws the same picture."""
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    alone = str(draw(bp, "dot"))
    written = {p.suffix: p for p in render(bp, ["svg", "dot"], tmp_path)}
    with_pictures = written[".dot"].read_text()
    for text in (alone, with_pictures):
        [edge] = [line for line in text.splitlines() if 'id="flow-29"' in line]
        assert "taillabel=<" in edge


def test_without_graphviz_the_dot_file_is_written_as_built(tmp_path: Path) -> None:
    """Settling needs a layout: with no ``dot`` on the PATH, ``-f dot`` still writes the DOT, unsettled, and
    says nothing (it did before settling existed)."""
    import subprocess
    import sys

    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "mlsd_diagram", "render", str(bp.file), "-f", "dot", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={"PATH": str(empty), "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "out" / "news_feed.dot").read_text()
    [edge] = [line for line in written.splitlines() if 'id="flow-29"' in line]
    assert re.search(r"(?<![a-z])label=<", edge) and "taillabel" not in edge


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clustered_blueprints(), st.sampled_from(["all", "serving", "data", "overview"]), st.sampled_from(["LR", "TB"]))
def test_settling_random_designs_never_crashes_graphviz_nor_makes_anything_worse(bp, view, direction) -> None:
    """Every layout a move asks for (a label at an end, a span one rank shorter or longer) is one Graphviz 2.43
    lays out on random clustered designs, and the settled layout is no worse than Graphviz's own on any
    measure, with fewer faulty labels whenever a move was kept."""
    laid: list[dict] = []

    def lay_out(text: str) -> dict:
        laid.append(_lay_out(text))  # a Graphviz abort raises RenderError here
        return laid[-1]

    moves = settle(lambda m: to_dot(bp, view=view, direction=direction, moves=m), lay_out)
    before = label_room.score(laid[0])
    after = label_room.score(_lay_out(to_dot(bp, view=view, direction=direction, moves=moves)))
    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after, moves)
    assert (after.faults < before.faults) == bool(moves)
    assert len(laid) <= 1 + label_room.MOST_LAYOUTS
