"""The serving view's way in (client, gateway, the service that fans out) stands top to bottom in its first column,
so the picture is as wide as the fan-out's depth, not the whole request path's (issue 29: the serving view's
smallest text at a 6.5 in page width). Checked on the real Graphviz layout of every bundled blueprint and starter
and of random designs shaped like a serving path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd_diagram import load
from mlsd_diagram.blueprint.kinds import kind_names
from mlsd_diagram.blueprint.models import Blueprint, Mode
from mlsd_diagram.outputs.diagram import run_dot
from mlsd_diagram.outputs.dot import entry_chain, to_dot
from mlsd_diagram.outputs.plan import layout_plan
from mlsd_diagram.outputs.style import ENTRY_ROOM
from mlsd_diagram.outputs.views import select_view

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
)
SAMPLES = 12  # points per cubic piece when a drawn curve is flattened


def _chain(bp: Blueprint, detail: str = "grouped") -> tuple[tuple[str, ...], tuple[int, ...]]:
    view = select_view(bp.graph, "serving", detail)
    return entry_chain(bp, view, layout_plan(bp, view)[2])


def _layout(bp: Blueprint, detail: str = "grouped", direction: str | None = None) -> dict:
    return json.loads(run_dot(to_dot(bp, view="serving", detail=detail, direction=direction), ["json"])["json"])


def _centres(graph: dict) -> dict[str, tuple[float, float]]:
    return {o["name"]: tuple(map(float, o["pos"].split(","))) for o in graph["objects"] if "pos" in o}


def _curve(edge: dict) -> list[tuple[float, float]]:
    """The first Bezier line an edge draws, flattened."""
    points = next(op["points"] for op in edge["_draw_"] if op["op"] in ("b", "B"))
    out = [tuple(points[0])]
    for k in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[k : k + 4]
        for step in range(1, SAMPLES + 1):
            t = step / SAMPLES
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append(tuple(a * p0[i] + b * p1[i] + c * p2[i] + d * p3[i] for i in (0, 1)))
    return out


def _text_box(edge: dict) -> tuple[float, float, float, float]:
    """The box around the label text an edge draws (Graphviz's -Tjson puts an xlabel in ``_ldraw_``)."""
    boxes = []
    size = 14.0
    for op in edge["_ldraw_"]:
        if op["op"] == "F":
            size = float(op["size"])
        elif op["op"] == "T":
            x, y = op["pt"]
            left = x if op["align"] == "l" else x - op["width"] / 2 if op["align"] == "c" else x - op["width"]
            boxes.append((left, y - 0.25 * size, left + op["width"], y + 0.8 * size))
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def _assert_stacked(bp: Blueprint, graph: dict, chain: tuple[str, ...], flows: tuple[int, ...]) -> None:
    """The chain in one column, first on top; each of its flows labelled beside its line, not across it."""
    at = _centres(graph)
    assert len({round(at[c][0], 1) for c in chain}) == 1, [at[c] for c in chain]
    heights = [at[c][1] for c in chain]
    assert heights == sorted(heights, reverse=True), list(zip(chain, heights))
    edges = {e.get("id"): e for e in graph["edges"]}
    for index in flows:
        edge = edges[f"flow-{index}"]
        if not bp.flows[index].data:
            continue
        left, bottom, right, top = _text_box(edge)
        line = _curve(edge)
        # the line runs down the column; the label stands clear of it, on one side
        assert all(x <= left - 1 or x >= right + 1 for x, y in line if bottom <= y <= top), (index, line)


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: ("t-" if "starters" in p.parts else "") + p.stem)
def test_the_way_in_stands_in_the_first_column(path: Path) -> None:
    """Every bundled design but the blank starter (a straight line, nothing fans out) has a way in to stack."""
    bp = load(path)
    chain, flows = _chain(bp)
    if path.stem == "blank":
        assert chain == () and flows == ()
        return
    assert chain[0] == "app" and len(chain) >= 2 and len(flows) == len(chain) - 1
    graph = _layout(bp)
    _assert_stacked(bp, graph, chain, flows)
    at = _centres(graph)
    # everything else stands to the right of the column, the room for its labels (invisible) to the left
    column = at[chain[0]][0]
    assert at[ENTRY_ROOM][0] < column
    assert all(x > column for name, (x, _) in at.items() if name not in chain and name != ENTRY_ROOM)


def test_no_way_in_to_stack_top_to_bottom_or_without_a_fan_out() -> None:
    """Read top to bottom the request path is a column already; a path that never fans out stays one line."""
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    dot_text = to_dot(bp, view="serving", direction="TB")
    assert ENTRY_ROOM not in dot_text and "xlabel" not in dot_text
    blank = load(ROOT / "mlsd_diagram" / "starters" / "blueprints" / "blank.yaml")
    assert ENTRY_ROOM not in to_dot(blank, view="serving")
    assert ENTRY_ROOM not in to_dot(bp, view="all")


def _path_design(
    stages: int, callees: int, stepped: bool, path_groups: list, callee_groups: list, extras: list
) -> dict:
    """An entry point, ``stages`` components in a line after it, the last calling ``callees`` others; groups
    (None: the kind's stage) and the flows of ``extras`` (callee, callee, mode) among the callees."""
    path = ["entry"] + [f"hop{i}" for i in range(stages)]
    components: dict[str, dict] = {"entry": {"kind": "client_app"}}
    for cid in path[1:]:
        components[cid] = {"kind": "model_server" if cid == path[-1] else "api_gateway"}
    for cid, group in zip(path, path_groups):
        if group:
            components[cid]["group"] = group
    for i in range(callees):
        components[f"callee{i}"] = {"kind": "feature_store"}  # a stage no component of the line has
        if callee_groups[i]:
            components[f"callee{i}"]["group"] = callee_groups[i]
    flows = [{"from": a, "to": b, "mode": "request", "data": "the request"} for a, b in zip(path, path[1:])]
    for i in range(callees):
        flow = {"from": path[-1], "to": f"callee{i}", "mode": "request", "data": "features -> scores"}
        if stepped:
            flow["step"] = 1 + i // 2
        flows.append(flow)
    for a, b, mode in extras:
        if a != b:
            flows.append({"from": f"callee{a}", "to": f"callee{b}", "mode": mode, "data": "a longer label here"})
    return {"mlsd": 1, "name": "random path", "components": components, "flows": flows}


@st.composite
def serving_paths(draw) -> Blueprint:
    """An entry point calling one to three components in a line, the last of which calls two to five others
    (in steps or not), the line's components in groups of their own, the callees in another stage, with flows of
    any mode among the callees: every such design has a way in to stack."""
    stages = draw(st.integers(1, 3))
    callees = draw(st.integers(2, 5))
    # the line's groups in runs: the entry point's (its stage, or the edge's), then the edge's, then the last
    cut = draw(st.integers(0, stages))
    last = draw(st.sampled_from([None, "online"]))
    path_groups = [draw(st.sampled_from([None, "edge"]))] + ["edge"] * cut + [last] * (stages - cut)
    callee_groups = draw(st.lists(st.sampled_from([None, "shared", "backend"]), min_size=5, max_size=5))
    modes = [m.value for m in Mode if m.value != "request"]
    pair = st.tuples(st.integers(0, callees - 1), st.integers(0, callees - 1), st.sampled_from(modes))
    extras = draw(st.lists(pair, max_size=4))
    design = _path_design(stages, callees, draw(st.booleans()), path_groups, callee_groups, extras)
    return Blueprint.model_validate(design)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(serving_paths(), st.sampled_from(["grouped", "full"]))
def test_random_ways_in_stand_in_one_column_top_to_bottom(bp: Blueprint, detail: str) -> None:
    chain, flows = _chain(bp, detail)
    hub = max(c for c in bp.components if c.startswith("hop"))
    assert len(chain) >= 2 and chain[-1] == hub and len(flows) == len(chain) - 1, chain
    _assert_stacked(bp, _layout(bp, detail), chain, flows)


def test_kinds_used_by_the_random_paths_exist() -> None:
    assert {"client_app", "api_gateway", "model_server", "feature_store"} <= set(kind_names())


def test_the_way_in_is_cut_where_graphviz_cannot_stack_it() -> None:
    """A cluster before the hub's that holds more than the way in would stack with all of it: the way in starts
    after it. Two entry points have no one way in."""
    design = _path_design(2, 3, True, [None, None, None], [None, None, None], [])
    bp = Blueprint.model_validate(design)
    assert _chain(bp)[0] == ("entry", "hop0", "hop1")
    design["components"]["review"] = {"kind": "human_review"}  # a client-stage component the hub calls
    design["flows"].append({"from": "hop1", "to": "review", "mode": "request", "step": 3})
    bp = Blueprint.model_validate(design)
    chain, flows = _chain(bp)
    assert chain == ("hop0", "hop1") and [bp.flows[i].source for i in flows] == ["hop0"]
    _assert_stacked(bp, _layout(bp), chain, flows)
    design["components"]["partner"] = {"kind": "client_app"}
    design["flows"].append({"from": "partner", "to": "hop0", "mode": "request"})
    assert _chain(Blueprint.model_validate(design)) == ((), ())
