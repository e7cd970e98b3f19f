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
  share a rank in step order (:func:`fan_outs`). The render tests lay out
  random clustered blueprints with the real Graphviz to hold this;
* spline edges with real labels (``ortho`` detaches labels), icons with a small
  tech badge, tooltips, ``id`` attributes (``component-<id>``, ``flow-<n>``,
  ``group-<name>``) that the SVG keeps, a title, the summary and a legend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..blueprint.models import Blueprint
from . import DETAILS, icons
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
    FONT,
    GRAPH_ATTRS,
    GROUPED_MODES,
    LABELLED_MINLEN,
    MODE_STYLES,
    NEUTRAL_COLOURS,
    NODE_ATTRS,
    OVERVIEW_ATTRS,
    OVERVIEW_FONTSIZE,
    OVERVIEW_NODE_NAMES,
    OVERVIEW_SUMMARY_WIDTH,
    PAGE_INCHES,
    PNG_DPI,
    REQUEST_WEIGHT,
    SERVING_CLUSTER_MARGIN,
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
)
from .style import escape as _esc
from .style import tooltip_text as _tooltip_text
from .style import wrap as _wrap
from .style import wrap_words as _wrap_words
from .views import View, left_out_feeders, overview, select_view, stage_pairs

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


@dataclass(frozen=True)
class Overlay:
    """Looks drawn over the usual diagram, by component id and flow index: the diff diagram's hook.

    ``components`` and ``flows`` map to DOT attributes that replace the defaults of that node
    or edge (``color``, ``style``, ``penwidth``, ``fontcolor``, ``class``, ``id``, ...); a
    ``tooltip`` is plain text, escaped here. ``legend`` rows ``(colour, sample, meaning)`` are
    shown under the flow legend after ``legend_title``; ``heading`` follows the diagram's name.
    ``badges`` put a short mark ``(text, colour)`` in a component's top-left corner, ``flow_badges``
    before a flow's label; ``scope``, when given, keeps only those components (and the flows between them).
    """

    components: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    flows: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    legend_title: str = ""
    legend: tuple[tuple[str, str, str], ...] = ()
    heading: str = ""
    badges: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    flow_badges: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    scope: frozenset[str] | None = None

    def component(self, cid: str) -> dict[str, str]:
        return self._attrs(self.components.get(cid))

    def flow(self, index: int) -> dict[str, str]:
        return self._attrs(self.flows.get(index))

    @staticmethod
    def _attrs(given: Mapping[str, str] | None) -> dict[str, str]:
        attrs = dict(given or {})
        if "tooltip" in attrs:
            attrs["tooltip"] = _tooltip_text(attrs["tooltip"])
        return attrs


# A stage's tooltip names at most this many members (then "... and N more"), and a merged edge carries
# at most this many ``flow-N`` classes: Graphviz refuses a quoted string over 16,384 bytes, which the
# whole lists pass on designs of thousands of components.
MAX_LISTED = 50
MAX_FLOW_CLASSES = 1_000


def _listed(items: Sequence[str], limit: int = MAX_LISTED) -> list[str]:
    """``items``, the first ``limit`` of them and a count of the others when there are more."""
    if len(items) <= limit:
        return list(items)
    return [*items[:limit], f"\u2026 and {len(items) - limit:,} more"]


def _badge(badge: tuple[str, str] | None) -> str:
    return f'<FONT POINT-SIZE="14" COLOR="{badge[1]}"><B>{_esc(badge[0])}</B></FONT>' if badge else " "


def _lines(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width``: the usual width (22 or more) as it always was, a narrower one (the serving
    view's) without breaking a word."""
    return _wrap(text, width) if width >= 22 else _wrap_words(text, width)


def _node_label(
    blueprint: Blueprint, cid: str, mark: tuple[str, str] | None = None, tech_size: str = "9", title_width: int = 22
) -> str:
    component = blueprint.components[cid]
    badge = icons.tech_icon(component.tech)
    icon = icons.component_icon(blueprint, cid)
    title = "<BR/>".join(_esc(line) for line in _lines(component.label or cid, title_width))
    badge_cell = (
        f'<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18" VALIGN="BOTTOM"><IMG SRC="{badge}" SCALE="TRUE"/></TD>'
        if badge
        else '<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18"> </TD>'
    )
    rows = [
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18">{_badge(mark)}</TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="40" HEIGHT="40"><IMG SRC="{icon}" SCALE="TRUE"/></TD>{badge_cell}</TR>',
        f'<TR><TD COLSPAN="3">{title}</TD></TR>',
    ]
    if component.tech:
        tech = "<BR/>".join(_esc(line) for line in _lines(component.tech, 26 if title_width >= 22 else title_width + 4))
        rows.append(f'<TR><TD COLSPAN="3"><FONT POINT-SIZE="{tech_size}" COLOR="#607080">{tech}</FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def _node_tooltip(blueprint: Blueprint, cid: str) -> str:
    component = blueprint.components[cid]
    kind = blueprint.kind_of(cid)
    lines = [f"{component.label or cid} ({cid})", f"kind: {kind.name}"]
    if component.tech:
        lines.append(f"tech: {component.tech}")
    for name in ("replicas", "latency_p99_ms", "task", "model"):
        value = getattr(component, name)
        if value is not None:
            lines.append(f"{name}: {value}")
    if component.notes:
        lines.append(f"notes: {component.notes}")
    return _tooltip_text("\n".join(lines))


def _edge_label(
    data: str | None, badge: tuple[str, str] | None = None, step: int | None = None, width: int = 26
) -> str | None:
    if step is not None:  # the call's place in its caller's order, in bold before its data
        text = "<BR/>".join(_esc(line) for line in _lines(data, width)) if data else ""
        return (
            f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
            f"{_badge(badge) + ' ' if badge else ''}<B>{step}</B>{' ' if text else ''}{text}</TD></TR></TABLE>>"
        )
    if badge is not None:
        text = "<BR/>".join(_esc(line) for line in _lines(data, width)) if data else ""
        return (
            f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
            f"{_badge(badge)}{' ' if text else ''}{text}</TD></TR></TABLE>>"
        )
    if not data:
        return None
    # A padded one-cell table: labels of neighbouring flows in one rank keep a visible gap instead of reading
    # as one run of text.
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
        f"{'<BR/>'.join(_esc(line) for line in _lines(data, width))}</TD></TR></TABLE>>"
    )


def _title_label(
    blueprint: Blueprint,
    view: View,
    modes: Iterable[str],
    overlay: Overlay | None = None,
    summary_width: int = 110,
    summary_size: str = "11",
    caption: str = "",
) -> str:
    name = blueprint.name + ("" if view.name == "all" else f" \u2014 {view.name} view")
    if overlay is not None and overlay.heading:
        name += f" \u2014 {overlay.heading}"
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="20"><B>{_esc(name)}</B></FONT></TD></TR>']
    if blueprint.summary:
        summary = _wrap(" ".join(blueprint.summary.split()), summary_width)
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in summary)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{summary_size}" COLOR="#455A64">{lines}</FONT></TD></TR>')
    if caption:
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in _wrap(caption, summary_width))
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{summary_size}" COLOR="#607080"><I>{lines}</I></FONT></TD></TR>'
        )
    cells = "".join(
        f'<TD><FONT COLOR="{MODE_STYLES[m].color}"><B>{MODE_STYLES[m].sample}</B></FONT> '
        f"{_esc(MODE_STYLES[m].meaning)}   </TD>"
        for m in MODE_STYLES
        if m in modes
    )
    if cells:
        rows.append(
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLPADDING="3" CELLSPACING="0"><TR>'
            f'<TD><FONT COLOR="#455A64">Flows:</FONT></TD>{cells}</TR></TABLE></TD></TR>'
        )
    if overlay is not None and overlay.legend:
        cells = "".join(
            f'<TD><FONT COLOR="{colour}"><B>{_esc(sample)}</B></FONT> {_esc(meaning)}   </TD>'
            for colour, sample, meaning in overlay.legend
        )
        rows.append(
            f'<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLPADDING="3" CELLSPACING="0"><TR>'
            f'<TD><FONT COLOR="#455A64">{_esc(overlay.legend_title)}</FONT></TD>{cells}</TR></TABLE></TD></TR>'
        )
    return f'<<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0">{"".join(rows)}</TABLE>>'


def to_dot(
    blueprint: Blueprint,
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
    overlay: Overlay | None = None,
    detail: str = "grouped",
) -> str:
    """The diagram of ``blueprint`` as deterministic DOT text.

    ``view`` picks the components shown (see :mod:`.views`; ``overview`` draws one node per
    stage, see :func:`overview_dot`), ``direction`` is LR or TB (``None``: LR), ``scale`` multiplies the PNG
    resolution, ``overlay`` restyles single components and flows and adds a legend row
    (:class:`Overlay`), ``detail`` is ``grouped`` (fanned telemetry and deploy flows drawn as
    one edge each group, :func:`flow_groups`) or ``full`` (every flow). Icons are paths relative to
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
        return overview_dot(blueprint, rankdir, scale)
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
        label=_title_label(
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
    cluster_name = {g: f"cluster_{k}" for k, g in enumerate(order)}
    # the serving view is read along the request: each caller's calls in step order (see fan_outs)
    fans = fan_outs(blueprint, selected) if view == "serving" else {}
    # the serving view goes on a design doc page: larger small text, narrower names and labels (SERVING_*)
    page = view == "serving"
    tech_size, title_width = (SERVING_TEXT_PT, SERVING_TITLE_CHARS) if page else ("9", 22)
    edge_attrs = dict(EDGE_ATTRS, fontsize=SERVING_TEXT_PT) if page else EDGE_ATTRS
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
        for position, group in enumerate(order):
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
            with Cluster(str(position), graph_attr=attrs) as cluster:
                cluster.dot.graph_attr.pop("rankdir", None)
                cluster.dot.graph_attr.pop("shape", None)
                cluster.dot.graph_attr.pop("bgcolor", None)
                cluster.dot.graph_attr.pop("pencolor", None)
                for cid in members[group]:
                    attrs = {
                        "id": f"component-{cid}",
                        "tooltip": _node_tooltip(blueprint, cid),
                        "color": frame_colour(group),
                    }
                    if overlay is not None:
                        attrs.update(overlay.component(cid))
                    badge = overlay.badges.get(cid) if overlay is not None else None
                    Node(_node_label(blueprint, cid, badge, tech_size, title_width), nodeid=cid, **attrs)
                for row in fans.get(group, ()):
                    _fan_out_row(cluster.dot, row, rankdir)
            setcluster(None)
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
                _group_edge(canvas.dot, blueprint, first_of[index], cluster_name, index in backs)
                continue
            attrs = {
                "id": f"flow-{index}",
                "tooltip": _tooltip_text(f"{u} \u2192 {v} ({mode})" + (f": {flow.data}" if flow.data else "")),
            }
            label = _edge_label(
                _shortened(flow.data, SERVING_LABEL_CHARS) if page else flow.data,
                overlay.flow_badges.get(index) if overlay is not None else None,
                flow.step if mode == "request" else None,
                SERVING_LABEL_WRAP if page else 26,
            )
            if label:
                attrs["label"] = label
                attrs["minlen"] = SERVING_MINLEN if page else LABELLED_MINLEN
            if mode == "request":
                attrs["weight"] = REQUEST_WEIGHT
            if overlay is not None:
                attrs.update(overlay.flow(index))
            # A back flow is written target -> source with the arrow at the tail: drawn the same, ranked
            # the other way. (constraint=false would do, but it aborts Graphviz 2.43 when clusters exist.)
            # Flows go straight into the diagram's graph, the call diagrams' Edge makes, without an Edge
            # object per flow: at hundreds of flows those objects cost a fifth of the DOT build.
            if index in backs:
                canvas.dot.edge(v, u, dir="back", **attrs)
            else:
                canvas.dot.edge(u, v, **attrs)
    return _normalise(canvas.dot.source)


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


def _group_edge(dot, blueprint: Blueprint, group: FlowGroup, cluster_name: dict[str, str], back: bool) -> None:
    """Write one :class:`FlowGroup` edge: ``id="flows-<first index>"``, class ``flow-N`` per member flow."""
    ends = flow_ends(blueprint)
    tail_cluster = cluster_name[group_of(blueprint, group.tail)]
    head_cluster = cluster_name[group_of(blueprint, group.head)]
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
        "label": _edge_label(label) or "",
        "minlen": LABELLED_MINLEN,
        "penwidth": str(float(MODE_STYLES[group.mode].penwidth) + 0.6),
    }
    # clipped at the target cluster's frame, and at the source cluster's for telemetry: "cluster -> cluster"
    tail_clip = {"ltail": tail_cluster} if group.whole_tail else {}
    if back:  # written reversed, as a back flow is (see to_dot); the clipping follows the written ends
        attrs.update(dir="back", ltail=head_cluster)
        if tail_clip:
            attrs["lhead"] = tail_cluster
        dot.edge(group.head, group.tail, **attrs)
    else:
        attrs.update(lhead=head_cluster, **tail_clip)
        dot.edge(group.tail, group.head, **attrs)


def _stage_label(blueprint: Blueprint, stage: str, ids: tuple[str, ...], inner: int) -> str:
    _, _, ink = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
    names = [blueprint.components[cid].label or cid for cid in ids]
    shown = names[:OVERVIEW_NODE_NAMES] if len(names) <= OVERVIEW_NODE_NAMES + 1 else names[: OVERVIEW_NODE_NAMES - 1]
    lines = [_esc(line) for name in shown for line in _wrap(name, 18)]
    if len(shown) < len(names):
        lines.append(f"+ {len(names) - len(shown)} more")
    count = f"{len(ids)} component{'s' if len(ids) != 1 else ''}" + (f"<BR/>{inner} flows inside" if inner else "")
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD><FONT POINT-SIZE="15" COLOR="{ink}"><B>{_esc(group_label(stage))}</B></FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}" COLOR="#455A64">{count}</FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}">{"<BR/>".join(lines)}</FONT></TD></TR></TABLE>>'
    )


def overview_grid(order: list[str]) -> list[list[str]]:
    """The overview's stages in columns, left to right: up to three stages in one row; more in two rows that
    read as a U (the first half left to right on top, the rest right to left below), so the picture has a
    slide's proportions and each stage sits next to the one it feeds."""
    if len(order) <= 3:
        return [[stage] for stage in order]
    columns = (len(order) + 1) // 2
    grid = [[stage] for stage in order[:columns]]
    for i, stage in enumerate(order[columns:]):
        grid[columns - 1 - i].append(stage)
    return grid


def overview_dot(blueprint: Blueprint, rankdir: str = "LR", scale: float = 1.0) -> str:
    """The overview (:func:`.views.overview`) as DOT: one box per stage (``id="stage-<name>"``), one edge per
    pair of stages with flows between them, both directions on it (``id="stage-flows-<n>"``, the member flows
    as classes ``flow-N``), labelled with the count of each mode. Stages sit in the grid of
    :func:`overview_grid` (invisible edges rank the columns; the flows do not, ``constraint=false``). No
    clusters, so nothing here can meet Graphviz 2.43's cluster aborts."""
    import graphviz

    summary = overview(blueprint.graph)
    ends = flow_ends(blueprint)
    order, _, _ = layout_plan(blueprint, select_view(blueprint.graph, "all"))
    position = {g: k for k, g in enumerate(order)}
    view = View("overview", tuple(blueprint.components), tuple(range(len(blueprint.flows))))
    page_w, page_h = PAGE_INCHES
    dot = graphviz.Digraph("mlsd")
    dot.graph_attr.update(
        GRAPH_ATTRS,
        **OVERVIEW_ATTRS,
        rankdir=rankdir,
        id="diagram",
        size=f"{page_w:g},{page_h:g}",
        dpi=f"{PNG_DPI * scale:g}",
        label=_title_label(blueprint, view, (), summary_width=OVERVIEW_SUMMARY_WIDTH, summary_size=OVERVIEW_FONTSIZE),
    )
    dot.node_attr.update(NODE_ATTRS, shape="box", style="rounded,filled", margin="0.12,0.06", penwidth="1.4")
    dot.edge_attr.update(EDGE_ATTRS, fontsize=OVERVIEW_FONTSIZE)
    for stage in order:
        fill, border, _ = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
        ids = summary.stages[stage]
        tooltip = f"{group_label(stage)}: " + ", ".join(_listed(ids))
        dot.node(
            f"stage{position[stage]}",
            _stage_label(blueprint, stage, ids, summary.inner[stage]),
            id=_tooltip_text(f"stage-{stage}"),
            fillcolor=fill,
            color=border,
            tooltip=_tooltip_text(tooltip),
        )
    grid = overview_grid(order)
    # ranks: the top row on even ranks, the bottom row half a column further on odd ones, so no two stages
    # share a rank (a labelled edge within a rank bends out to a label rank of its own)
    rank = {stage: 2 * k + row for k, column in enumerate(grid) for row, stage in enumerate(column)}
    for row in (0, 1):
        cells = [column[row] for column in grid if len(column) > row]
        for left, right in zip(cells, cells[1:]):
            dot.edge(
                f"stage{position[left]}",
                f"stage{position[right]}",
                style="invis",
                weight="8",
                minlen=str(rank[right] - rank[left]),
            )
    if len(grid[0]) > 1:  # the rows' first stages, so the bottom row starts half a column on
        dot.edge(f"stage{position[grid[0][0]]}", f"stage{position[grid[0][1]]}", style="invis")
    pairs = stage_pairs(summary)
    for n, ((a, b), (forward, backward)) in enumerate(pairs.items()):
        flows = tuple(sorted(forward + backward))
        counts: dict[str, int] = {}
        for i in flows:
            counts[ends[i][2]] = counts.get(ends[i][2], 0) + 1
        modes = [m for m in MODE_STYLES if m in counts]
        style = MODE_STYLES[modes[0]]  # the edge looks like its most online mode (request first)
        label = "<BR/>".join(f'<FONT COLOR="{MODE_STYLES[m].text}">{_esc(m)} \u00d7{counts[m]}</FONT>' for m in modes)
        tooltip = "\n".join(_listed([f"{ends[i][0]} \u2192 {ends[i][1]} ({ends[i][2]})" for i in flows]))
        attrs = {
            "id": f"stage-flows-{n}",
            # the page highlights a flow by its class; Graphviz reads no quoted string over 16,384 bytes
            "class": " ".join(f"flow-{i}" for i in flows[:MAX_FLOW_CLASSES]),
            "label": f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD>{label}</TD></TR>'
            f"</TABLE>>",
            "tooltip": _tooltip_text(tooltip),
            "color": style.line,
            "style": style.style,
            "penwidth": f"{min(1.0 + 0.5 * len(flows), 4.0):g}",
            "fontcolor": style.text,
        }
        # arrowheads where flows arrive: both ends when they go both ways
        arrows = ("both" if backward else "forward") if forward else "back"
        tail, head = a, b
        if rank[a] > rank[b]:  # written along the ranks so it ranks with the grid, drawn the same
            tail, head = b, a
            arrows = {"forward": "back", "back": "forward"}.get(arrows, arrows)
        if arrows != "forward":
            attrs["dir"] = arrows
        dot.edge(f"stage{position[tail]}", f"stage{position[head]}", **attrs)
    return _normalise(dot.source)


_IMG_SRC = re.compile(r'<IMG SRC="([^"]+)"')


def with_icons_in(dot_text: str, folder: str) -> tuple[str, dict[str, str]]:
    """DOT text that plain ``dot`` renders when the icons it uses are copied into ``folder``.

    Returns the text, each icon referred to as ``folder/<name>`` (relative, so it resolves from
    the DOT file's folder or through ``-Gimagepath``), and ``{name: icon reference}`` of the icons
    used, in order of first use. Only :func:`_node_label` writes ``<IMG``: label text is escaped.
    """
    used: dict[str, str] = {}

    def relocate(match: re.Match) -> str:
        name = icons.exported_name(match.group(1))
        used.setdefault(name, match.group(1))
        return f'<IMG SRC="{_esc(folder)}/{_esc(name)}"'

    return _IMG_SRC.sub(relocate, dot_text), used


def _normalise(source: str) -> str:
    # diagrams names the graph after the blueprint and sets a plain label first; keep one stable header.
    lines = source.splitlines()
    lines[0] = "digraph mlsd {"
    return "\n".join(lines) + "\n"
