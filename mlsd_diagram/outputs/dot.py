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
  reads left to right along a straight request path. The render tests lay out
  random clustered blueprints with the real Graphviz to hold this;
* spline edges with real labels (``ortho`` detaches labels), icons with a small
  tech badge, tooltips, ``id`` attributes (``component-<id>``, ``flow-<n>``,
  ``group-<name>``) that the SVG keeps, a title, the summary and a legend.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..blueprint.kinds import Stage
from ..blueprint.models import Blueprint
from . import DETAILS, icons
from .fonts import FONTNAME
from .views import View, overview, select_view

DIRECTIONS = ("LR", "TB")
FONT = FONTNAME  # DejaVu Sans, the bundled font dot lays out with (see .fonts), with fallbacks for the SVG

STAGE_ORDER = [
    s.value for s in (Stage.CLIENT, Stage.SERVING, Stage.FEATURES, Stage.DATA, Stage.TRAINING, Stage.MONITORING)
]
# cluster fill, border and label colours per stage; custom groups take the neutral one
STAGE_COLOURS = {
    "client": ("#F4F6F8", "#B0BEC5", "#37474F"),
    "serving": ("#EEF5FD", "#90B4DD", "#0D47A1"),
    "features": ("#F6F0FB", "#C3A6DB", "#4A148C"),
    "data": ("#EFF8F0", "#9CCB9F", "#1B5E20"),
    "training": ("#FEF4EA", "#F0BE8C", "#BF360C"),
    "monitoring": ("#FDF0F0", "#E3A5A5", "#B71C1C"),
}
NEUTRAL_COLOURS = ("#F7F7F5", "#BDBDBD", "#424242")


def _halfway(a: str, b: str) -> str:
    """The colour halfway between two ``#RRGGBB`` colours."""
    return "#" + "".join(f"{(int(a[k : k + 2], 16) + int(b[k : k + 2], 16) + 1) // 2:02X}" for k in (1, 3, 5))


# A component's frame: halfway between its cluster's border and label colours, so it stands out against the
# white inside it and the cluster's fill around it (3:1 or more on white).
def frame_colour(group: str) -> str:
    """The frame colour of the components of cluster ``group``."""
    _, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
    return _halfway(border, ink)


@dataclass(frozen=True)
class ModeStyle:
    """How a flow mode is drawn, and how the legend shows it."""

    color: str
    style: str
    penwidth: str
    sample: str
    meaning: str
    ink: str = ""  # the label text's colour where the line's own is too light for text

    @property
    def text(self) -> str:
        """The colour of the flow's label: readable (WCAG AA, 4.5:1) on white and on every cluster fill."""
        return self.ink or self.color


MODE_STYLES = {
    "request": ModeStyle("#0B3C78", "bold", "2.4", "\u2501\u2501\u2501", "request (online call)"),
    "stream": ModeStyle("#2E7D32", "solid", "1.3", "\u2500\u2500\u2500", "stream"),
    "batch": ModeStyle("#8D5A2B", "dashed", "1.3", "\u2574 \u2574 \u2574", "batch"),
    "deploy": ModeStyle("#6A1B9A", "dotted", "2.0", "\u00b7\u00b7\u00b7\u00b7\u00b7", "deploy (artifact)"),
    "fallback": ModeStyle("#D32F2F", "dotted", "2.0", "\u00b7\u00b7\u00b7\u00b7\u00b7", "fallback", ink="#C62828"),
    "telemetry": ModeStyle("#9AA3AB", "solid", "1.0", "\u2500\u2500\u2500", "telemetry", ink="#5E6A72"),
}
# the modes whose flows between clusters decide the cluster order, so the request path reads left to right
ORDERING_MODES = frozenset({"request"})
# modes that never decide which flow of a cycle inside a cluster is turned around (Graphviz breaks a cycle
# they close itself), so a telemetry flow never turns a data flow around
LOOSE_MODES = frozenset({"telemetry"})
# request flows pull their ends into a straight line harder than other flows (Graphviz's default is 1),
# so the request path reads as one left-to-right line
REQUEST_WEIGHT = "4"

# polyline splines, wide node gaps and close ranks: measured with benchmarks/layout.py on every bundled
# blueprint and starter (default and serving views): nodesep 0.85 / ranksep 0.3 keeps crossings, labels
# struck by edges, labels on frames and the aspect within their targets; 0.7 / 0.4 struck 14 labels once the
# starters grew, and neighbouring values swing each figure by a few (the layouts are sensitive)
GRAPH_ATTRS = {
    "splines": "polyline",
    "nodesep": "0.85",
    "ranksep": "0.3",
    "pad": "0.25",
    "fontname": FONT,
    "fontsize": "11",
    "fontcolor": "#263238",
    "outputorder": "edgesfirst",
    "labelloc": "t",
    "labeljust": "l",
    "bgcolor": "white",
    "mclimit": "0.5",
    "remincross": "true",
    "newrank": "true",
}
# A component is a white rounded box holding its icon, badge and label: edges clip to (and arrowheads end on)
# its frame, and its text reads on white whatever the cluster's fill. The frame takes the cluster's label colour.
NODE_ATTRS = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "white",
    "penwidth": "1.0",
    "fontname": FONT,
    "fontsize": "11",
    "fontcolor": "#263238",
    "margin": "0.06,0.03",
}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"}
CLUSTER_ATTRS = {
    "style": "rounded,filled",
    "fontname": FONT,
    "fontsize": "12",
    "labeljust": "l",
    "margin": "24",  # room between the frame and the labels of edges passing inside it
    "penwidth": "1.2",
}
# A labelled flow spans two ranks or more, so its label gets a rank of its own, clear of the other edges'
# bends (measured: labels struck by another edge 19 -> 7 over the bundled diagrams, with the margin above).
LABELLED_MINLEN = "2"

# Flows of these modes that fan between two clusters are drawn as one edge with their count (detail
# "grouped"): telemetry per (source cluster, target cluster), deploys per (source component, target cluster).
# They are the long loops back across the canvas; the request path is never grouped.
GROUPED_MODES = ("telemetry", "deploy")

# The overview: one box per stage, with bigger text, so the picture reads at 8 pt or more on a page.
OVERVIEW_NODE_NAMES = 3  # component names listed in a stage's box before "+ N more"
OVERVIEW_FONTSIZE = "12"
OVERVIEW_ATTRS = {"nodesep": "0.2", "ranksep": "0.45"}
# A view's direction when none is asked for: the overview's stages stack top to bottom, so it fits a page width.
VIEW_DIRECTIONS = {"overview": "TB"}

# Default PNG canvas: at most this many inches on each side at this resolution (3840 px: a 4K-wide
# image that stays sharp when a document page or slide scales it down); larger layouts are scaled down
# to fit, smaller ones stay at their natural size.
PAGE_INCHES = (40.0, 40.0)
PNG_DPI = 96.0


@dataclass(frozen=True)
class Overlay:
    """Looks drawn over the usual diagram, by component id and flow index: the diff diagram's hook.

    ``components`` and ``flows`` map to DOT attributes that replace the defaults of that node
    or edge (``color``, ``style``, ``penwidth``, ``fontcolor``, ``class``, ``id``, ...); a
    ``tooltip`` is plain text, escaped here. ``legend`` rows ``(colour, sample, meaning)`` are
    shown under the flow legend after ``legend_title``; ``heading`` follows the diagram's name.
    """

    components: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    flows: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    legend_title: str = ""
    legend: tuple[tuple[str, str, str], ...] = ()
    heading: str = ""

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


class UnknownDirection(ValueError):
    """A layout direction other than LR or TB."""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


_PLAIN_LINE = re.compile(r"\S(?:[^\t\n\r\v\f]*\S)?")


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width and _PLAIN_LINE.fullmatch(text):  # most labels: one line, nothing to wrap
        return [text]
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def _tooltip_text(text: str) -> str:
    # Graphviz reads backslash escapes in tooltips; keep user backslashes literal. nohtml: a text that
    # happens to look like <...> must stay a quoted string, not become an HTML label. '&' is written
    # '&amp;': Graphviz decodes character references in quoted strings (`&#1;`, `&#xD800;` gave bytes
    # that are not UTF-8) and copies entity-like text into the SVG as is (`&nbsp;` is not XML).
    from graphviz import nohtml  # here, not at the top: `mlsd lint` must not load Graphviz bindings

    return nohtml(text.replace("&", "&amp;").replace("\\", "\\\\").replace("\n", "\\n"))


def group_of(blueprint: Blueprint, component_id: str) -> str:
    """The diagram cluster of a component: its ``group`` or else its kind's stage."""
    return blueprint.components[component_id].group or blueprint.kind_of(component_id).stage.value


def group_label(group: str) -> str:
    """The title a cluster shows: a stage's name capitalised, a custom group's name as written."""
    return group.replace("_", " ").capitalize() if group in STAGE_COLOURS else group


def _node_label(blueprint: Blueprint, cid: str) -> str:
    component = blueprint.components[cid]
    kind = blueprint.kind_of(cid)
    badge = icons.tech_icon(component.tech)
    icon = icons.kind_icon(kind.name, kind.custom)
    title = "<BR/>".join(_esc(line) for line in _wrap(component.label or cid, 22))
    badge_cell = (
        f'<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18" VALIGN="BOTTOM"><IMG SRC="{badge}" SCALE="TRUE"/></TD>'
        if badge
        else '<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18"> </TD>'
    )
    rows = [
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18"> </TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="40" HEIGHT="40"><IMG SRC="{icon}" SCALE="TRUE"/></TD>{badge_cell}</TR>',
        f'<TR><TD COLSPAN="3">{title}</TD></TR>',
    ]
    if component.tech:
        tech = "<BR/>".join(_esc(line) for line in _wrap(component.tech, 26))
        rows.append(f'<TR><TD COLSPAN="3"><FONT POINT-SIZE="9" COLOR="#607080">{tech}</FONT></TD></TR>')
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


def _edge_label(data: str | None) -> str | None:
    if not data:
        return None
    # A padded one-cell table: labels of neighbouring flows in one rank keep a visible gap instead of reading
    # as one run of text.
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
        f"{'<BR/>'.join(_esc(line) for line in _wrap(data, 26))}</TD></TR></TABLE>>"
    )


def _title_label(
    blueprint: Blueprint, view: View, modes: Iterable[str], overlay: Overlay | None = None, summary_width: int = 110
) -> str:
    name = blueprint.name + ("" if view.name == "all" else f" \u2014 {view.name} view")
    if overlay is not None and overlay.heading:
        name += f" \u2014 {overlay.heading}"
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="20"><B>{_esc(name)}</B></FONT></TD></TR>']
    if blueprint.summary:
        summary = _wrap(" ".join(blueprint.summary.split()), summary_width)
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in summary)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11" COLOR="#455A64">{lines}</FONT></TD></TR>')
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


def _cluster_order(groups: list[str], weights: dict[tuple[str, str], int]) -> list[str]:
    """Order clusters so the flows pointing backwards weigh the least (exact up to 8 clusters, else as given)."""
    n = len(groups)
    if n > 8:
        return groups
    index = {g: i for i, g in enumerate(groups)}
    # back[c][mask]: weight of flows from c to clusters already placed (a backward flow)
    out_to = [[0] * n for _ in range(n)]
    for (a, b), w in weights.items():
        out_to[index[a]][index[b]] += w
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for mask in range(1 << n):
        if mask not in best:
            continue
        cost, order = best[mask]
        for c in range(n):
            if mask & (1 << c):
                continue
            back = sum(out_to[c][x] for x in order)
            new = (cost + back, order + (c,))
            nxt = mask | (1 << c)
            if nxt not in best or new < best[nxt]:
                best[nxt] = new
    return [groups[i] for i in best[(1 << n) - 1][1]]


def layout_plan(blueprint: Blueprint, view: View) -> tuple[list[str], dict[str, list[str]], set[int]]:
    """Clusters in layout order, their components, and the *back* flows.

    A back flow closes a cycle: between clusters (against the chosen order, which
    puts the fewest request flows backwards) or inside one (a depth-first back
    edge); it is laid out reversed, so the ranking graph, clusters collapsed, is
    acyclic in that order. O(components + flows), plus 2^k k^2 for k <= 8 clusters.
    """
    members: dict[str, list[str]] = {}
    for cid in view.components:
        members.setdefault(group_of(blueprint, cid), []).append(cid)
    default = sorted(
        members,
        key=lambda g: (
            STAGE_ORDER.index(g) if g in STAGE_ORDER else len(STAGE_ORDER),
            view.components.index(members[g][0]),
        ),
    )
    group = {cid: g for g, ids in members.items() for cid in ids}
    ends = flow_ends(blueprint)
    flows = [(i, *ends[i]) for i in view.flows]
    weights: dict[tuple[str, str], int] = {}
    for _i, u, v, mode in flows:
        if group[u] != group[v] and mode in ORDERING_MODES:
            key = (group[u], group[v])
            weights[key] = weights.get(key, 0) + 1
    order = _cluster_order(default, weights)
    position = {g: k for k, g in enumerate(order)}
    back = {i for i, u, v, _ in flows if position[group[u]] > position[group[v]]}

    inner: dict[str, list[tuple[int, str]]] = {}
    for i, u, v, mode in flows:
        if group[u] == group[v] and mode not in LOOSE_MODES:
            inner.setdefault(u, []).append((i, v))
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    for root in view.components:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(inner.get(root, ())))]
        while stack:
            node, edges = stack[-1]
            for i, v in edges:
                if state.get(v) == 1:
                    back.add(i)
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(inner.get(v, ()))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return order, {g: members[g] for g in order}, back


def flow_ends(blueprint: Blueprint) -> dict[int, tuple[str, str, str]]:
    """Flow index -> (source, target, mode), the blueprint graph's edge keys and their ends."""
    return {i: (f.source, f.target, f.mode.value) for i, f in enumerate(blueprint.flows)}


def _check_direction(direction: str | None, view: str = "all") -> str:
    """LR or TB; ``None`` is the view's own direction (:data:`VIEW_DIRECTIONS`, else LR)."""
    value = (direction or VIEW_DIRECTIONS.get(view, "LR")).upper()
    if value not in DIRECTIONS:
        raise UnknownDirection(f"unknown direction {direction!r}; expected LR or TB")
    return value


class UnknownDetail(ValueError):
    """A detail level other than those of :data:`DETAILS`."""


@dataclass(frozen=True)
class FlowGroup:
    """Flows drawn as one edge (detail "grouped"): same mode, same source cluster (telemetry) or source
    component (deploy), same target cluster. ``tail`` and ``head`` are the components the edge is
    attached to; it is clipped at the clusters' frames (``ltail`` / ``lhead``)."""

    mode: str
    flows: tuple[int, ...]
    tail: str
    head: str
    whole_tail: bool  # the edge leaves the source cluster's frame (telemetry), not a component


def flow_groups(blueprint: Blueprint, view: View) -> list[FlowGroup]:
    """The flows of ``view`` that detail "grouped" draws as one edge each group, in blueprint order.

    Telemetry between two clusters groups by (source cluster, target cluster), deploys by
    (source component, target cluster); a group needs two flows or more (one flow stays itself).
    """
    ends = flow_ends(blueprint)
    buckets: dict[tuple, list[int]] = {}
    for index in view.flows:
        u, v, mode = ends[index]
        if mode not in GROUPED_MODES or group_of(blueprint, u) == group_of(blueprint, v):
            continue
        source = group_of(blueprint, u) if mode == "telemetry" else u
        buckets.setdefault((mode, source, group_of(blueprint, v)), []).append(index)
    groups = []
    for (mode, _, _), indices in buckets.items():
        if len(indices) < 2:
            continue
        targets = [ends[i][1] for i in indices]
        head = max(dict.fromkeys(targets), key=targets.count)  # the most used target, first on a tie
        groups.append(FlowGroup(mode, tuple(indices), ends[indices[0]][0], head, mode == "telemetry"))
    return groups


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
    stage, see :func:`overview_dot`), ``direction`` is LR or TB (``None``: the view's own, TB for the
    overview, else LR), ``scale`` multiplies the PNG
    resolution, ``overlay`` restyles single components and flows and adds a legend row
    (:class:`Overlay`), ``detail`` is ``grouped`` (fanned telemetry and deploy flows drawn as
    one edge each group, :func:`flow_groups`) or ``full`` (every flow). Icons are paths relative to
    :func:`icons.icon_roots`; pass those as ``-Gimagepath`` to run ``dot`` on it.
    """
    from diagrams import Cluster, Diagram, Node, setcluster, setdiagram

    rankdir = _check_direction(direction, view)
    if detail not in DETAILS:
        raise UnknownDetail(f"unknown detail {detail!r}; expected one of: {', '.join(DETAILS)}")
    if view == "overview":
        return overview_dot(blueprint, rankdir, scale)
    selected = select_view(blueprint.graph, view)
    order, members, backs = layout_plan(blueprint, selected)
    ends = flow_ends(blueprint)
    modes_used = {ends[i][2] for i in selected.flows}
    page_w, page_h = PAGE_INCHES
    graph_attr = dict(
        GRAPH_ATTRS,
        rankdir=rankdir,
        label=_title_label(blueprint, selected, modes_used, overlay),
        id="diagram",
        size=f"{page_w:g},{page_h:g}",
        dpi=f"{PNG_DPI * scale:g}",
    )
    grouped = flow_groups(blueprint, selected) if detail == "grouped" else []
    if grouped:
        graph_attr["compound"] = "true"  # edges clipped at cluster frames (ltail / lhead)
    first_of = {g.flows[0]: g for g in grouped}  # a group is drawn where its first flow would be
    in_group = {i for g in grouped for i in g.flows}
    cluster_name = {g: f"cluster_{k}" for k, g in enumerate(order)}

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
        edge_attr=EDGE_ATTRS,
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
                    Node(_node_label(blueprint, cid), nodeid=cid, **attrs)
            setcluster(None)
        current_mode = None
        for index in selected.flows:
            if index in in_group and index not in first_of:
                continue
            u, v, mode = ends[index]
            flow = blueprint.flows[index]
            if mode != current_mode:  # the mode's look as edge defaults, set once per run of same-mode flows
                style = MODE_STYLES[mode]
                canvas.dot.attr(
                    "edge", color=style.color, style=style.style, penwidth=style.penwidth, fontcolor=style.text
                )
                current_mode = mode
            if index in first_of:
                _group_edge(canvas.dot, blueprint, first_of[index], cluster_name, index in backs)
                continue
            attrs = {
                "id": f"flow-{index}",
                "tooltip": _tooltip_text(f"{u} \u2192 {v} ({mode})" + (f": {flow.data}" if flow.data else "")),
            }
            label = _edge_label(flow.data)
            if label:
                attrs["label"] = label
                attrs["minlen"] = LABELLED_MINLEN
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


def overview_dot(blueprint: Blueprint, rankdir: str = "LR", scale: float = 1.0) -> str:
    """The overview (:func:`.views.overview`) as DOT: one box per stage (``id="stage-<name>"``), one edge per
    ordered pair of stages with flows between them (``id="stage-flows-<n>"``, the member flows as classes
    ``flow-N``), labelled with the count of each mode. No clusters, so nothing here can meet Graphviz 2.43's
    cluster aborts; stages are ranked in the full diagram's cluster order."""
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
        label=_title_label(blueprint, view, (), summary_width=70),
    )
    dot.node_attr.update(NODE_ATTRS, shape="box", style="rounded,filled", margin="0.12,0.06", penwidth="1.4")
    dot.edge_attr.update(EDGE_ATTRS, fontsize=OVERVIEW_FONTSIZE)
    for stage in order:
        fill, border, _ = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
        ids = summary.stages[stage]
        tooltip = f"{group_label(stage)}: " + ", ".join(ids)
        dot.node(
            f"stage{position[stage]}",
            _stage_label(blueprint, stage, ids, summary.inner[stage]),
            id=_tooltip_text(f"stage-{stage}"),
            fillcolor=fill,
            color=border,
            tooltip=_tooltip_text(tooltip),
        )
    for n, ((a, b), flows) in enumerate(summary.links.items()):
        counts: dict[str, int] = {}
        for i in flows:
            counts[ends[i][2]] = counts.get(ends[i][2], 0) + 1
        modes = [m for m in MODE_STYLES if m in counts]
        style = MODE_STYLES[modes[0]]  # the edge looks like its most online mode (request first)
        label = "<BR/>".join(f'<FONT COLOR="{MODE_STYLES[m].text}">{_esc(m)} \u00d7{counts[m]}</FONT>' for m in modes)
        tooltip = "\n".join(f"{ends[i][0]} \u2192 {ends[i][1]} ({ends[i][2]})" for i in flows)
        attrs = {
            "id": f"stage-flows-{n}",
            "class": " ".join(f"flow-{i}" for i in flows),
            "label": f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD>{label}</TD></TR>'
            f"</TABLE>>",
            "tooltip": _tooltip_text(tooltip),
            "color": style.color,
            "style": style.style,
            "penwidth": f"{min(1.0 + 0.5 * len(flows), 4.0):g}",
            "fontcolor": style.text,
        }
        if "request" in counts:
            attrs["weight"] = REQUEST_WEIGHT
        tail, head = f"stage{position[a]}", f"stage{position[b]}"
        if position[a] > position[b]:  # against the stage order: ranked the other way, drawn the same
            dot.edge(head, tail, dir="back", **attrs)
        else:
            dot.edge(tail, head, **attrs)
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
