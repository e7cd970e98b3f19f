"""Layouts that never crash: random clustered blueprints, laid out by the real Graphviz.

Graphviz 2.43 aborts ("trouble in init_rank", "lost ... edge") on clustered graphs
whose flows run in cycles between clusters. The DOT we write must never meet those
cases, whatever the groups, the modes, the directions and the view.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsd_diagram.blueprint.kinds import kind_names
from mlsd_diagram.blueprint.models import Blueprint, Mode
from mlsd_diagram.outputs.diagram import run_dot
from mlsd_diagram.outputs.dot import group_of, to_dot
from mlsd_diagram.outputs.style import ENTRY_ROOM
from mlsd_diagram.outputs.views import VIEWS, borrowed, framed_groups, overview, select_view

MODES = [m.value for m in Mode]
GROUPS = [None, "online", "offline", "shared", "ops"]  # None: the kind's stage is the cluster


@st.composite
def clustered_blueprints(draw) -> Blueprint:
    """Up to 24 components in a few shared clusters, flows of every mode in both directions
    (request flows only forward, since a request cycle is a validation error, some with steps), parallel flows
    too."""
    count = draw(st.integers(2, 24))
    ids = [f"c{i}" for i in range(count)]
    components = {}
    for cid in ids:
        component = {"kind": draw(st.sampled_from(kind_names()))}
        group = draw(st.sampled_from(GROUPS))
        if group:
            component["group"] = group
        components[cid] = component
    flows = []
    stepped: dict[str, bool] = {}
    for _ in range(draw(st.integers(1, 3 * count))):
        i, j = sorted(draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=2, unique=True)))
        mode = draw(st.sampled_from(MODES))
        source, target = ids[i], ids[j]
        if mode != "request" and draw(st.booleans()):
            source, target = target, source
        flow = {"from": source, "to": target, "mode": mode}
        # a caller's calls all in steps or none (validation): the serving view draws a stepped fan-out in order
        if mode == "request" and stepped.setdefault(source, draw(st.booleans())):
            flow["step"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            flow["data"] = draw(
                st.sampled_from(
                    ["events", "features -> scores", "model v2", "a much longer label that wraps over several lines"]
                )
            )
        flows.append(flow)
    return Blueprint.model_validate({"mlsd": 1, "name": "random layout", "components": components, "flows": flows})


def _laid_out(dot_text: str) -> dict:
    """Graphviz's own account of the graph it laid out (``-Tjson0``); raises RenderError if Graphviz fails."""
    return json.loads(run_dot(dot_text, ["json0"])["json0"])


CLUSTERED_VIEWS = [v for v in VIEWS if v != "overview"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    clustered_blueprints(),
    st.sampled_from(CLUSTERED_VIEWS),
    st.sampled_from(["LR", "TB"]),
    st.sampled_from(["grouped", "full"]),
)
def test_graphviz_lays_out_every_random_clustered_blueprint(bp, view, direction, detail):
    """Graphviz lays out exactly the view's components, in their groups, and its flows between the right ends;
    a flow of a group (detail "grouped") is drawn by its group's edge, once, which names it in its class."""
    selected = select_view(bp.graph, view, detail)
    graph = _laid_out(to_dot(bp, view=view, direction=direction, detail=detail))
    objects = graph.get("objects", [])
    # the components, and in a serving view the invisible room for the labels of its stacked way in
    nodes = {o["_gvid"]: o for o in objects if "nodes" not in o and "subgraphs" not in o and o["name"] != ENTRY_ROOM}
    assert sorted(o["name"] for o in nodes.values()) == sorted(selected.components)
    assert all(o["id"] == f"component-{o['name']}" and "pos" in o for o in nodes.values())  # each one placed
    clusters = {
        o["id"]: sorted(nodes[i]["name"] for i in o.get("nodes", []))
        for o in objects
        if o.get("name", "").startswith("cluster")
    }
    groups: dict[str, list[str]] = {}
    for cid in selected.components:
        groups.setdefault(group_of(bp, cid), []).append(cid)
    # a stage the view only borrows from (the data view's producers and consumers) is drawn without a frame
    framed = framed_groups(groups, borrowed(bp.graph, selected))
    assert clusters == {f"group-{g}": sorted(groups[g]) for g in framed}
    drawn = []
    for edge in graph.get("edges", []):
        if "id" not in edge:  # the invisible chain that keeps a serving view's fan-out in step order, or the room
            assert view == "serving" and edge["style"] == "invis", edge
            continue
        tail, head = nodes[edge["tail"]]["name"], nodes[edge["head"]]["name"]
        if edge.get("dir") == "back":  # a back flow, written reversed: drawn from head to tail
            tail, head = head, tail
        assert "pos" in edge, edge  # routed
        if edge["id"].startswith("flows-"):  # a group: its member flows, each with its own ends
            members = [int(c[len("flow-") :]) for c in edge["class"].split()]
            assert edge["id"] == f"flows-{members[0]}" and len(members) >= 2
            drawn += [(f"flow-{i}", bp.flows[i].source, bp.flows[i].target) for i in members]
            assert {group_of(bp, nodes[edge[end]]["name"]) for end in ("tail", "head")} == {
                group_of(bp, bp.flows[members[0]].source),
                group_of(bp, bp.flows[members[0]].target),
            }
        else:
            drawn.append((edge["id"], tail, head))
    expected = [(f"flow-{i}", bp.flows[i].source, bp.flows[i].target) for i in selected.flows]
    assert sorted(drawn) == sorted(expected)
    if detail == "full":
        assert not any(e.get("id", "").startswith("flows-") for e in graph.get("edges", []))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clustered_blueprints(), st.sampled_from(["LR", "TB"]))
def test_graphviz_lays_out_every_random_overview(bp, direction):
    """The overview: one node per stage, one edge per pair of stages with flows between them (both directions
    on it), whose classes name exactly the flows between the two stages and whose arrowheads point where flows
    arrive."""
    graph = _laid_out(to_dot(bp, view="overview", direction=direction))
    objects = graph.get("objects", [])
    nodes = {o["_gvid"]: o["id"][len("stage-") :] for o in objects if "pos" in o}
    stages = {group_of(bp, cid) for cid in bp.components}
    assert sorted(nodes.values()) == sorted(stages)
    expected = {}
    for i, flow in enumerate(bp.flows):
        a, b = group_of(bp, flow.source), group_of(bp, flow.target)
        if a != b:
            expected.setdefault((a, b), []).append(i)
    drawn = {}
    for edge in graph.get("edges", []):
        if edge.get("style") == "invis":  # the grid's scaffolding
            continue
        tail, head = nodes[edge["tail"]], nodes[edge["head"]]
        pair = frozenset((tail, head))
        assert pair not in drawn  # one edge per pair of stages
        drawn[pair] = sorted(int(c[len("flow-") :]) for c in edge["class"].split())
        arrows = {"forward": {(tail, head)}, "back": {(head, tail)}, "both": {(tail, head), (head, tail)}}
        assert arrows[edge.get("dir", "forward")] == {key for key in expected if frozenset(key) == pair}
    merged: dict[frozenset, list[int]] = {}
    for (a, b), flows in expected.items():
        merged.setdefault(frozenset((a, b)), []).extend(flows)
    assert drawn == {pair: sorted(flows) for pair, flows in merged.items()}
    assert {k: list(v) for k, v in overview(bp.graph).links.items()} == expected
