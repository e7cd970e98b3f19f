"""Blueprint -> DOT text, through the ``diagrams`` model (Diagram, Cluster, Node; flows as its edges).

``diagrams`` gives the model and the icons; this module is a thin adapter that
fixes what a design document needs from it:

* deterministic: node ids are component ids, clusters and edges come in
  blueprint order, icons are referred to by paths relative to an icon root
  (resolved through Graphviz's ``imagepath`` at render time), so the same
  blueprint gives the same DOT bytes on every machine;
* robust layout: Graphviz 2.43 aborts on upstream ``diagrams``' clustered graphs
  with cycles between clusters, and whenever ``constraint=false`` or
  ``minlen=0`` edges cross clusters. None of those is used here. Ranking is
  Graphviz's global one, ``newrank=true`` (2.43 reads ``newrank`` by presence:
  ``newrank=false`` would turn it on as well). The flows that close a cycle, between
  clusters in an order chosen to put the fewest request flows backwards and
  inside each cluster by a depth-first search, are written reversed with ``dir=back``
  (drawn the same, ranked the other way), so the ranking graph is acyclic in
  the chosen order; request flows weigh more than the others, so the layout
  reads left to right along a straight request path; in the serving view each caller's stepped calls
  share a rank in step order (:func:`fan_outs`), and the request's way in (client, gateway, the service that
  fans out) stands top to bottom in the first column (:func:`entry_chain`). The render tests lay out
  random clustered blueprints with the real Graphviz to hold this;
* spline edges with real labels (``ortho`` detaches labels), icons with a small
  tech badge, tooltips, ``id`` attributes (``component-<id>``, ``flow-<n>``,
  ``group-<name>``) that the SVG keeps, a title, the summary and a legend.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping

from ..blueprint.models import Blueprint
from . import DETAILS, icons
from .dot_labels import Overlay, edge_label, node_label, node_tooltip, normalise, small_node_label, title_label
from .label_room import move_edge
from .overview_dot import overview_dot
from .plan import (
    FlowGroup,
    UnknownDetail,
    UnknownDirection,
    check_direction,
    flow_ends,
    flow_groups,
    group_label,
    group_of,
    layout_plan,
)
from .style import (
    CLUSTER_ATTRS,
    DIRECTIONS,
    EDGE_ATTRS,
    ENTRY_ROOM,
    FONT,
    GRAPH_ATTRS,
    GROUPED_MODES,
    LABELLED_MINLEN,
    MODE_STYLES,
    NEUTRAL_COLOURS,
    NODE_ATTRS,
    PAGE_INCHES,
    PNG_DPI,
    REQUEST_WEIGHT,
    SERVING_CLUSTER_MARGIN,
    SERVING_ENTRY_CHAR_EM,
    SERVING_ENTRY_ROOM_PT,
    SERVING_LABEL_CHARS,
    SERVING_LABEL_WRAP,
    SERVING_MINLEN,
    SERVING_TEXT_PT,
    SERVING_TITLE_CHARS,
    STAGE_COLOURS,
    STAGE_ORDER,
    THOROUGH_MCLIMIT,
    THOROUGH_UP_TO,
    VIEW_DIRECTIONS,
    ModeStyle,
    frame_colour,
    wrap_words,
)
from .style import escape as _esc
from .style import tooltip_text as _tooltip_text
from .views import View, borrowed, framed_groups, left_out_feeders, select_view

# Names that have long been imported from here; they live in .style and .plan now.
__all__ = [
    "CLUSTER_ATTRS",
    "DIRECTIONS",
    "EDGE_ATTRS",
    "FONT",
    "GRAPH_ATTRS",
    "GROUPED_MODES",
    "LABELLED_MINLEN",
    "MODE_STYLES",
    "NEUTRAL_COLOURS",
    "NODE_ATTRS",
    "PAGE_INCHES",
    "PNG_DPI",
    "STAGE_COLOURS",
    "STAGE_ORDER",
    "VIEW_DIRECTIONS",
    "FlowGroup",
    "ModeStyle",
    "Overlay",
    "UnknownDetail",
    "UnknownDirection",
    "flow_ends",
    "flow_groups",
    "frame_colour",
    "group_label",
    "group_of",
    "layout_plan",
    "overview_dot",
    "to_dot",
    "with_icons_in",
]


def to_dot(
    blueprint: Blueprint,
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
    overlay: Overlay | None = None,
    detail: str = "grouped",
    moves: Mapping[str, str] | None = None,
) -> str:
    """The diagram of ``blueprint`` as deterministic DOT text.

    ``view`` picks the components shown (see :mod:`.views`; ``overview`` draws one node per
    stage, see :func:`overview_dot`), ``direction`` is LR or TB (``None``: LR), ``scale`` multiplies the PNG
    resolution, ``overlay`` restyles single components and flows and adds a legend row
    (:class:`Overlay`), ``detail`` is ``grouped`` (fanned telemetry and deploy flows drawn as
    one edge each group, :func:`flow_groups`) or ``full`` (every flow). ``moves`` (edge id -> move) places
    single labels elsewhere, as :func:`.label_room.settle` found room for them. Icons are paths relative to
    :func:`icons.icon_roots`; pass those as ``-Gimagepath`` to run ``dot`` on it.
    """
    from diagrams import Cluster, Diagram, Node, setcluster, setdiagram

    if view == "request":  # a time chart, not a selection of components (see .request_view)
        from .request_view import check_request_direction, request_dot

        check_request_direction(direction)
        return request_dot(blueprint, scale)
    rankdir = check_direction(direction, view)
    if detail not in DETAILS:
        raise UnknownDetail(f"unknown detail {detail!r}; expected one of: {', '.join(DETAILS)}")
    if view == "overview":
        return overview_dot(blueprint, rankdir, scale, moves)
    selected = select_view(blueprint.graph, view, detail)
    if overlay is not None and overlay.scope is not None:
        selected = _scoped(blueprint, selected, overlay.scope)
    order, members, backs = layout_plan(blueprint, selected)
    ends = flow_ends(blueprint)
    modes_used = {ends[i][2] for i in selected.flows}
    page_w, page_h = PAGE_INCHES
    graph_attr = dict(
        GRAPH_ATTRS,
        rankdir=rankdir,
        label=title_label(
            blueprint, selected, modes_used, overlay, caption=_fed_by_caption(blueprint, selected, detail)
        ),
        id="diagram",
        size=f"{page_w:g},{page_h:g}",
        dpi=f"{PNG_DPI * scale:g}",
    )
    if len(selected.components) <= THOROUGH_UP_TO:
        graph_attr["mclimit"] = THOROUGH_MCLIMIT
    grouped = flow_groups(blueprint, selected) if detail == "grouped" else []
    if grouped:
        graph_attr["compound"] = "true"  # edges clipped at cluster frames (ltail / lhead)
    first_of = {g.flows[0]: g for g in grouped}  # a group is drawn where its first flow would be
    in_group = {i for g in grouped for i in g.flows}
    # the serving view is read along the request: each caller's calls in step order (see fan_outs)
    fans = fan_outs(blueprint, selected) if view == "serving" else {}
    # ... and goes on a page 6.5 in wide: its way in is stacked in the first column, not spread over three
    chain, chain_flows = entry_chain(blueprint, selected, backs) if view == "serving" and rankdir == "LR" else ((), ())
    # the serving view goes on a design doc page: larger small text, narrower names and labels (SERVING_*)
    page = view == "serving"
    tech_size, title_width = (SERVING_TEXT_PT, SERVING_TITLE_CHARS) if page else ("9", 22)
    edge_attrs = dict(EDGE_ATTRS, fontsize=SERVING_TEXT_PT) if page else EDGE_ATTRS
    # a view about some stages draws what it borrows from the others small, by name, without their frames
    small = borrowed(blueprint.graph, selected)
    framed = set(framed_groups(members, small))
    cluster_name = {g: f"cluster_{k}" for k, g in enumerate(order) if g in framed}
    if fans:  # Graphviz's second crossing reduction over the clusters (on by default) ignores the rows' order
        graph_attr["remincross"] = "false"

    class _Canvas(Diagram):  # a diagrams Diagram that only builds the graph; rendering happens once, elsewhere
        def __exit__(self, *exc):
            setdiagram(None)

    with _Canvas(
        name="mlsd",
        filename="diagram",
        direction=rankdir,
        curvestyle="curved",
        show=False,
        graph_attr=graph_attr,
        node_attr=NODE_ATTRS,
        edge_attr=edge_attrs,
    ) as canvas:
        # diagrams' node defaults (fixed 1.4 in boxes, image scaling) would clip HTML labels: use ours only
        canvas.dot.node_attr.clear()
        canvas.dot.node_attr.update(NODE_ATTRS)
        for position, group in _declared(order, [group_of(blueprint, c) for c in chain]):
            fill, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
            attrs = dict(
                CLUSTER_ATTRS,
                fillcolor=fill,
                color=border,
                fontcolor=ink,
                id=_tooltip_text(f"group-{group}"),
                label=f"<<B>{_esc(group_label(group))}</B>>",
            )
            if page:
                attrs["margin"] = SERVING_CLUSTER_MARGIN
            # The cluster's DOT name is its position: a group text (quotes, a trailing backslash) never
            # reaches DOT syntax; its label above is an escaped HTML label.
            # a stage the view only borrows from has no frame: its small nodes sit where their flows put them
            with Cluster(str(position), graph_attr=attrs) if group in framed else contextlib.nullcontext() as cluster:
                if cluster is not None:
                    cluster.dot.graph_attr.pop("rankdir", None)
                    cluster.dot.graph_attr.pop("shape", None)
                    cluster.dot.graph_attr.pop("bgcolor", None)
                    cluster.dot.graph_attr.pop("pencolor", None)
                for cid in members[group]:
                    attrs = {
                        "id": f"component-{cid}",
                        "tooltip": node_tooltip(blueprint, cid),
                        "color": frame_colour(group),
                    }
                    if overlay is not None:
                        attrs.update(overlay.component(cid))
                    badge = overlay.badges.get(cid) if overlay is not None else None
                    if cid in small:
                        attrs.setdefault("style", "rounded,filled,dashed")
                        Node(small_node_label(blueprint, cid, badge), nodeid=cid, **attrs)
                    else:
                        Node(node_label(blueprint, cid, badge, tech_size, title_width), nodeid=cid, **attrs)
                for row in fans.get(group, ()):
                    _fan_out_row(canvas.dot if cluster is None else cluster.dot, row, rankdir)
                if chain and group == group_of(blueprint, chain[-1]):
                    _entry_room(canvas.dot if cluster is None else cluster.dot, blueprint, chain[-1], chain_flows)
            setcluster(None)
        if chain:
            with canvas.dot.subgraph() as same:
                same.attr(rank="same")
                for cid in chain:
                    same.node(cid)
        current_mode = None
        for index in by_step(blueprint, selected.flows):
            if index in in_group and index not in first_of:
                continue
            u, v, mode = ends[index]
            flow = blueprint.flows[index]
            if mode != current_mode:  # the mode's look as edge defaults, set once per run of same-mode flows
                style = MODE_STYLES[mode]
                canvas.dot.attr(
                    "edge", color=style.line, style=style.style, penwidth=style.penwidth, fontcolor=style.text
                )
                current_mode = mode
            if index in first_of:
                _group_edge(canvas.dot, blueprint, first_of[index], cluster_name, index in backs, moves)
                continue
            attrs = {
                "id": f"flow-{index}",
                "tooltip": _tooltip_text(f"{u} \u2192 {v} ({mode})" + (f": {flow.data}" if flow.data else "")),
            }
            label = edge_label(
                _shortened(flow.data, SERVING_LABEL_CHARS) if page else flow.data,
                overlay.flow_badges.get(index) if overlay is not None else None,
                flow.step if mode == "request" else None,
                SERVING_LABEL_WRAP if page else 26,
            )
            if label and index in chain_flows:
                attrs["xlabel"] = label  # beside the stacked edge (see _entry_room); a label would sit on it
            elif label:
                attrs["label"] = label
                attrs["minlen"] = SERVING_MINLEN if page else LABELLED_MINLEN
            if mode == "request":
                attrs["weight"] = REQUEST_WEIGHT
            if overlay is not None:
                attrs.update(overlay.flow(index))
            if moves and attrs["id"] in moves:
                move_edge(attrs, moves[attrs["id"]])
            # A back flow is written target -> source with the arrow at the tail: drawn the same, ranked
            # the other way. (constraint=false would do, but it aborts Graphviz 2.43 when clusters exist.)
            # Flows go straight into the diagram's graph, the call diagrams' Edge makes, without an Edge
            # object per flow: at hundreds of flows those objects cost a fifth of the DOT build.
            if index in backs or (index in chain_flows and group_of(blueprint, u) == group_of(blueprint, v)):
                canvas.dot.edge(v, u, dir="back", **attrs)
            else:
                canvas.dot.edge(u, v, **attrs)
    return normalise(canvas.dot.source)


def _shortened(data: str | None, limit: int) -> str | None:
    """``data`` cut at a word boundary to at most ``limit`` characters, ending in an ellipsis when cut (the flow's
    tooltip keeps the whole text)."""
    if not data or len(data) <= limit:
        return data
    cut = data[: limit - 1]
    if " " in cut and not data[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    # never end on a dangling arrow or separator ("user context ->...")
    return (cut.rstrip(" ,;:->") or cut) + "\u2026"


def _fed_by_caption(blueprint: Blueprint, view: View, detail: str) -> str:
    """The serving view's line naming what feeds its components from outside it (left out at ``grouped``)."""
    if view.name != "serving" or detail != "grouped":
        return ""
    fed = left_out_feeders(blueprint.graph, view.components)
    if not fed:
        return ""

    def name(cid: str) -> str:
        return blueprint.components[cid].label or cid

    parts = [f"{name(v)} \u2190 {', '.join(name(u) for u in feeders)}" for v, feeders in fed.items()]
    return "Fed from outside this view (--view all draws them): " + "; ".join(parts) + "."


def by_step(blueprint: Blueprint, flows: Iterable[int]) -> list[int]:
    """``flows`` in drawing order: blueprint order, except that each component's request calls with a
    ``step`` are put in step order among the places they hold, so Graphviz fans them out in that order."""
    flows = list(flows)
    stepped: dict[str, list[int]] = {}
    for index in flows:
        flow = blueprint.flows[index]
        if flow.mode.value == "request" and flow.step is not None:
            stepped.setdefault(flow.source, []).append(index)
    queues = {
        source: iter(sorted(indices, key=lambda i: (blueprint.flows[i].step, i))) for source, indices in stepped.items()
    }
    out = []
    for index in flows:
        flow = blueprint.flows[index]
        is_stepped = flow.mode.value == "request" and flow.step is not None
        out.append(next(queues[flow.source]) if is_stepped else index)
    return out


def fan_outs(blueprint: Blueprint, view: View) -> dict[str, list[tuple[str, ...]]]:
    """The callers' stepped request calls in ``view`` as rows to draw side by side in step order: cluster ->
    rows, a row the callees of one caller in that cluster, in step order (ties in blueprint order), two or more.

    Graphviz places the heads of a caller's edges where its crossing reduction likes (``ordering=out`` is
    ignored in clusters); nodes of one ``rank=same`` group joined by edges it keeps in the edges' order. A callee
    that another component of its own cluster flows into is left out (that flow would be a flat edge against the
    row's order, or pull the rank on), and a callee is in one row at most (a node has one rank). O(F).
    """
    shown = set(view.components)
    callers: dict[str, set[str]] = {}
    for index in view.flows:
        flow = blueprint.flows[index]
        callers.setdefault(flow.target, set()).add(flow.source)
    calls: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    placed: set[str] = set()
    for index in view.flows:
        flow = blueprint.flows[index]
        if flow.mode.value != "request" or flow.step is None or flow.target not in shown:
            continue
        group = group_of(blueprint, flow.target)
        if flow.target in placed or any(
            c != flow.source and group_of(blueprint, c) == group for c in callers[flow.target]
        ):
            continue
        placed.add(flow.target)
        calls.setdefault((flow.source, group), []).append((flow.step, index, flow.target))
    rows: dict[str, list[tuple[str, ...]]] = {}
    for (_, group), callees in calls.items():
        if len(callees) > 1:
            rows.setdefault(group, []).append(tuple(target for _, _, target in sorted(callees)))
    return rows


def entry_chain(blueprint: Blueprint, view: View, backs: set[int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The request's way in, to stack in the serving view's first column: its components and the flows between
    them, or two empty tuples.

    It starts at the view's one entry point (the one component that sends requests and gets none) and follows
    its one request call while the callee has no other flow into it, up to the first component that calls two
    or more (the hub, whose fan-out goes on to the right): "app -> gateway -> feed service". Drawn left to right
    it took three columns (two of them flow labels) of a page-wide picture whose left half was empty around
    it. Graphviz stacks whole clusters, so the chain is cut from the front until every cluster it passes before
    the hub's holds nothing else and it never comes back to a cluster it left. No chain when the path never fans
    out (a straight line reads best as it is), when a flow of it closes a cycle (a back flow), when another flow
    joins two of its components, or when one component is left. O(C + F).
    """
    requests: dict[str, list[int]] = {}
    into: dict[str, list[int]] = {}
    for index in view.flows:
        flow = blueprint.flows[index]
        into.setdefault(flow.target, []).append(index)
        if flow.mode.value == "request":
            requests.setdefault(flow.source, []).append(index)
    called = {blueprint.flows[i].target for calls in requests.values() for i in calls}
    entries = [c for c in view.components if c in requests and c not in called]
    if len(entries) != 1:
        return (), ()
    chain, flows = [entries[0]], []
    while len(requests.get(chain[-1], ())) == 1:
        index = requests[chain[-1]][0]
        callee = blueprint.flows[index].target
        if callee in chain or len(into.get(callee, ())) != 1 or index in backs:
            break
        chain.append(callee)
        flows.append(index)
    if len(requests.get(chain[-1], ())) < 2 or any(blueprint.flows[i].source in chain for i in into.get(chain[0], ())):
        return (), ()
    members: dict[str, set[str]] = {}
    for cid in view.components:
        members.setdefault(group_of(blueprint, cid), set()).add(cid)
    while len(chain) >= 2:
        groups = list(dict.fromkeys(group_of(blueprint, c) for c in chain))
        runs = sum(1 for a, b in zip(chain, chain[1:]) if group_of(blueprint, a) != group_of(blueprint, b)) + 1
        if runs == len(groups) and all(members[g] <= set(chain) for g in groups[:-1]):
            return tuple(chain), tuple(flows)
        chain, flows = chain[1:], flows[1:]
    return (), ()


def _declared(order: list[str], chain_groups: list[str]) -> list[tuple[int, str]]:
    """The clusters with their layout positions, in the order to write them: the clusters the entry chain passes
    through before its hub's last, the first of them at the end. Graphviz stacks clusters that share a rank in
    the order it meets them, the first at the bottom when the diagram reads left to right, so the client is
    written after the serving cluster to stand above it."""
    before = list(dict.fromkeys(g for g in chain_groups[:-1] if g != chain_groups[-1])) if chain_groups else []
    placed = [(k, g) for k, g in enumerate(order) if g not in before]
    return placed + [(order.index(g), g) for g in reversed(before)]


def _entry_room(dot, blueprint: Blueprint, hub: str, flows: Iterable[int]) -> None:
    """Room on the left of the stacked entry chain, inside the hub's cluster, for its flows' labels.

    The stacked flows are edges within one rank; Graphviz 2.43 puts such an edge's label across the edge when
    the diagram reads left to right (it moves the label aside by the label's height, not its width), so they get
    an ``xlabel``, which is placed beside the edge where there is room but is given none: this invisible node, a
    rank to the left of the hub, makes room for the widest of them (see SERVING_ENTRY_CHAR_EM)."""
    widest = 0
    for index in flows:
        flow = blueprint.flows[index]
        step = f"{flow.step} " if flow.mode.value == "request" and flow.step is not None else ""
        text = step + (_shortened(flow.data, SERVING_LABEL_CHARS) or "")
        widest = max([widest, *(len(line) for line in wrap_words(text, SERVING_LABEL_WRAP))])
    # the label's cell padding (3 pt a side) and a gap of 4 pt to the edge, less the room there anyway
    width_pt = max(widest * SERVING_ENTRY_CHAR_EM * float(SERVING_TEXT_PT) + 10 - SERVING_ENTRY_ROOM_PT, 1.0)
    dot.node(
        ENTRY_ROOM, label="", shape="box", style="invis", fixedsize="true", width=f"{width_pt / 72:.2f}", height="0.1"
    )
    dot.edge(ENTRY_ROOM, hub, style="invis")


def _fan_out_row(dot, row: tuple[str, ...], rankdir: str) -> None:
    """One rank holding ``row`` in order: left to right (TB), top to bottom (LR), by invisible edges.

    Graphviz lays LR out as TB turned a quarter, so an invisible edge's tail lands below its head: the chain
    is written from the last callee to the first there."""
    chain = row if rankdir == "TB" else tuple(reversed(row))
    with dot.subgraph() as same:
        same.attr(rank="same")
        for a, b in zip(chain, chain[1:]):
            same.edge(a, b, style="invis")


def _scoped(blueprint: Blueprint, view: View, scope: frozenset[str]) -> View:
    """``view`` cut down to the components of ``scope`` and the flows between them."""
    ends = flow_ends(blueprint)
    return View(
        view.name,
        tuple(c for c in view.components if c in scope),
        tuple(i for i in view.flows if ends[i][0] in scope and ends[i][1] in scope),
    )


def _group_edge(
    dot,
    blueprint: Blueprint,
    group: FlowGroup,
    cluster_name: dict[str, str],
    back: bool,
    moves: Mapping[str, str] | None = None,
) -> None:
    """Write one :class:`FlowGroup` edge: ``id="flows-<first index>"``, class ``flow-N`` per member flow."""
    ends = flow_ends(blueprint)
    tail_cluster = cluster_name.get(group_of(blueprint, group.tail))  # None: drawn without a frame
    head_cluster = cluster_name.get(group_of(blueprint, group.head))
    what = "telemetry" if group.mode == "telemetry" else "deploys"
    label = f"{what} \u00d7{len(group.flows)}"
    lines = [f"{len(group.flows)} {group.mode} flows:"]
    for i in group.flows:
        u, v, _ = ends[i]
        data = blueprint.flows[i].data
        lines.append(f"{u} \u2192 {v}" + (f": {data}" if data else ""))
    attrs = {
        "id": f"flows-{group.flows[0]}",
        "class": " ".join(f"flow-{i}" for i in group.flows),
        "tooltip": _tooltip_text("\n".join(lines)),
        "label": edge_label(label) or "",
        "minlen": LABELLED_MINLEN,
        "penwidth": str(float(MODE_STYLES[group.mode].penwidth) + 0.6),
    }
    if moves and attrs["id"] in moves:
        move_edge(attrs, moves[attrs["id"]])
    # clipped at the target cluster's frame, and at the source cluster's for telemetry: "cluster -> cluster"
    tail_clip = tail_cluster if group.whole_tail else None
    if back:  # written reversed, as a back flow is (see to_dot); the clipping follows the written ends
        attrs["dir"] = "back"
        attrs.update(_clipped(ltail=head_cluster, lhead=tail_clip))
        dot.edge(group.head, group.tail, **attrs)
    else:
        attrs.update(_clipped(lhead=head_cluster, ltail=tail_clip))
        dot.edge(group.tail, group.head, **attrs)


def _clipped(**ends: str | None) -> dict[str, str]:
    """The ``lhead``/``ltail`` attributes of the ends that have a frame to clip at."""
    return {name: cluster for name, cluster in ends.items() if cluster is not None}


_IMG_SRC = re.compile(r'<IMG SRC="([^"]+)"')


def with_icons_in(dot_text: str, folder: str) -> tuple[str, dict[str, str]]:
    """DOT text that plain ``dot`` renders when the icons it uses are copied into ``folder``.

    Returns the text, each icon referred to as ``folder/<name>`` (relative, so it resolves from
    the DOT file's folder or through ``-Gimagepath``), and ``{name: icon reference}`` of the icons
    used, in order of first use. Only :func:`node_label` writes ``<IMG``: label text is escaped.
    """
    used: dict[str, str] = {}

    def relocate(match: re.Match) -> str:
        name = icons.exported_name(match.group(1))
        used.setdefault(name, match.group(1))
        return f'<IMG SRC="{_esc(folder)}/{_esc(name)}"'

    return _IMG_SRC.sub(relocate, dot_text), used
