"""What the editable exports draw: the diagram's boxes, frames and arrows, with their words and looks.

:func:`editable` pairs Graphviz's layout (:mod:`.geometry`) with the blueprint: each node is a
component (or a stage in the overview), each cluster a stage or custom group, each edge a flow
(or a grouped edge, or the flows between two stages). Texts come from the blueprint, not from
what Graphviz drew, so a label reads exactly as written (wrapping is the client's job); only
grouped edges and overview boxes, which have no text of their own, take the picture's words.
The Excalidraw and draw.io writers (:mod:`.excalidraw`, :mod:`.drawio`) turn the result into
their formats. Keys are stable: ``component.<id>``, ``stage.<k>``, ``cluster.<k>``, ``flow.<n>``,
``flows.<n>`` (a grouped edge, by its first flow), ``stage-flows.<n>``; ``.`` never occurs in a
component id, so no two keys meet.

The request view is a time chart, not boxes and arrows: :func:`request_chart` gives it as marks
(filled rectangles: bars, timeout marks, the axis and its ticks), free texts (row names, figures,
tick labels, title and key) and a rule (the SLO's dashed line), placed where Graphviz pinned them
and keyed by their DOT names (``bar-3``, ``figure-3``, ``slo``, as the SVG's ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..blueprint.models import Blueprint
from . import icons
from .geometry import PX_PER_PT, Box, LayoutError, Placement, Point
from .plan import group_label, layout_plan
from .request_view import (
    AXIS_INK,
    CRITICAL,
    FIGURE_INK,
    FIGURE_SIZE,
    KEY,
    KEY_SIZE,
    NAME_INK,
    NAME_SIZE,
    OTHER,
    REQUEST_VIEW,
    SLO_INK,
    SLO_PEN,
    SLO_SIZE,
    TICK_SIZE,
    TIMEOUT_INK,
    TITLE_SIZE,
    Waterfall,
    figure_text,
    row_text,
    slo_text,
    ticks,
    title_text,
    waterfall,
)
from .style import MODE_STYLES, NEUTRAL_COLOURS, STAGE_COLOURS
from .views import overview, select_view

# Graphviz edge styles as the exports' dash styles
DASHES = {"bold": "solid", "solid": "solid", "dashed": "dashed", "dotted": "dotted"}
NODE_FILL, NODE_STROKE = "#FFFFFF", "#90A4AE"
TITLE_INK, SUMMARY_INK, TEXT_INK = "#263238", "#455A64", "#263238"


@dataclass(frozen=True)
class Shape:
    """A box: a component (with its kind's icon) or, in the overview, a stage."""

    key: str
    text: str
    box: Box
    fill: str
    stroke: str
    icon: str | None  # an icon reference (see :mod:`.icons`)
    frame: str | None  # the key of the frame (cluster) holding it
    lines: tuple[str, ...] = ()  # the lines the picture broke its text into
    badge: str | None = None  # the icon of its tech, when one is known (see :func:`.icons.tech_icon`)


@dataclass(frozen=True)
class Frame:
    """A cluster: a stage or custom group, with its title and the keys of the shapes inside."""

    key: str
    title: str
    box: Box
    fill: str
    stroke: str
    ink: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Connector:
    """An arrow from the shape or frame ``source`` to ``target`` along ``route`` (px, y down)."""

    key: str
    text: str
    mode: str
    source: str
    target: str
    route: tuple[Point, ...]
    curved: bool
    label_centre: Point | None
    colour: str
    dash: str  # solid, dashed or dotted
    width: float  # stroke width in px
    flows: tuple[int, ...]  # the blueprint flows it draws
    lines: tuple[str, ...] = ()  # the lines the picture broke its label into


@dataclass(frozen=True)
class Mark:
    """A filled rectangle of a chart (a bar, a timeout mark, the axis, a tick), outlined when ``stroke``."""

    key: str
    box: Box
    fill: str
    stroke: str | None = None
    dash: str = "solid"  # the outline's: solid or dashed
    width: float = 1.0  # the outline's width in px
    group: str | None = None  # the marks, texts and rules that move together (a row, the axis)


@dataclass(frozen=True)
class Text:
    """Free text of a chart in ``box`` (vertically centred there): ``size`` px, aligned left, center or right."""

    key: str
    text: str
    box: Box
    size: float
    colour: str
    align: str = "left"
    bold: bool = False
    group: str | None = None


@dataclass(frozen=True)
class Rule:
    """A straight line of a chart (the SLO) from ``start`` to ``end`` (px, y down), without arrowheads."""

    key: str
    start: Point
    end: Point
    colour: str
    dash: str
    width: float  # px
    group: str | None = None


@dataclass(frozen=True)
class Editable:
    """A diagram ready for an editable format: boxes, frames and arrows, or a chart's marks, texts and rules."""

    width: float
    height: float
    title: str
    summary: str
    title_box: Box | None
    shapes: tuple[Shape, ...]
    frames: tuple[Frame, ...]
    connectors: tuple[Connector, ...]
    marks: tuple[Mark, ...] = ()  # drawn first, in this order (a p50 bar over its p99 bar)
    rules: tuple[Rule, ...] = ()  # over the marks
    texts: tuple[Text, ...] = ()  # over everything


def component_key(cid: str) -> str:
    return f"component.{cid}"


def flow_key(index: int) -> str:
    return f"flow.{index}"


def _text(lines: tuple[str, ...], sep: str = "\n") -> str:
    return sep.join(lines)


_FLOW_ID = re.compile(r"(flow|flows|stage-flows)-(\d+)\Z")
_CLUSTER = re.compile(r"cluster_(\d+)")
_STAGE = re.compile(r"stage(\d+)")


def editable(blueprint: Blueprint, placed: Placement, view: str = "all", detail: str = "full") -> Editable:
    """The boxes, frames and arrows of ``blueprint``'s ``view`` as Graphviz placed them in ``placed``
    (the request view: its chart, :func:`request_chart`)."""
    if view == REQUEST_VIEW:
        return request_chart(blueprint, placed)
    is_overview = view == "overview"
    order, _, _ = layout_plan(blueprint, select_view(blueprint.graph, "all" if is_overview else view, detail))
    frames: list[Frame] = []
    frame_key: dict[str, str] = {}  # cluster DOT name -> key
    frame_of: dict[str, str] = {}  # node DOT name -> frame key
    for k, cluster in enumerate(placed.clusters):
        # clusters are named by their place in the layout order (see .dot.to_dot), and written in it
        named = _CLUSTER.fullmatch(cluster.name)
        position = int(named.group(1)) if named else k
        if position >= len(order):
            raise LayoutError(f"the layout has a cluster {cluster.name!r} that the diagram does not")
        group = order[position]
        fill, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
        key = f"cluster.{position}"
        frame_key[cluster.name] = key
        # a helper node of the layout (the room beside a serving view's way in) is no member
        members = tuple(
            _node_key(name, is_overview) for name in cluster.members if is_overview or name in blueprint.components
        )
        for name in cluster.members:
            frame_of[name] = key
        frames.append(Frame(key, group_label(group), cluster.box, fill, border, ink, members))
    shapes = []
    for name, node in placed.nodes.items():
        if is_overview:
            stage_number = _STAGE.fullmatch(name)
            if stage_number is None or int(stage_number.group(1)) >= len(order):
                continue  # not a stage (a helper node of the layout)
            stage = order[int(stage_number.group(1))]
            fill, border, _ = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
            shapes.append(
                Shape(_node_key(name, True), _text(node.lines), node.box, fill, border, None, None, node.lines)
            )
            continue
        if name not in blueprint.components:
            continue  # not a component (a helper node of the layout)
        component = blueprint.components[name]
        text = (component.label or name) + (f"\n{component.tech}" if component.tech else "")
        in_frame = frame_of.get(name)
        stroke = next((f.stroke for f in frames if f.key == in_frame), NODE_STROKE)
        shapes.append(
            Shape(
                component_key(name),
                text,
                node.box,
                NODE_FILL,
                stroke,
                icons.component_icon(blueprint, name),
                in_frame,
                node.lines,
                icons.tech_icon(component.tech),
            )
        )
    shape_keys, frame_keys = {shape.key for shape in shapes}, set(frame_key.values())
    links = list(overview(blueprint.graph).links.values()) if is_overview else []
    connectors = []
    for edge in placed.edges:
        match = _FLOW_ID.match(edge.id)
        if match is None:
            continue
        what, number = match.group(1), int(match.group(2))
        if what == "flow":
            flows: tuple[int, ...] = (number,)
            text = blueprint.flows[number].data or ""
            key = flow_key(number)
        else:
            flows = tuple(links[number]) if what == "stage-flows" else tuple(int(c[5:]) for c in edge.classes)
            text = _text(edge.label_lines, "\n" if is_overview else " ")
            key = f"{what}.{number}"
        modes = {blueprint.flows[i].mode.value for i in flows}
        mode = next(m for m in MODE_STYLES if m in modes)  # the most online mode, as the picture draws it
        style = MODE_STYLES[mode]
        width = {"flows": float(style.penwidth) + 0.6, "stage-flows": min(1.0 + 0.5 * len(flows), 4.0)}.get(
            what, float(style.penwidth)
        )  # as the picture draws them (see .dot)
        source = frame_key.get(edge.source_cluster or "") or _node_key(edge.source, is_overview)
        target = frame_key.get(edge.target_cluster or "") or _node_key(edge.target, is_overview)
        if (
            source not in shape_keys
            and source not in frame_keys
            or target not in shape_keys
            and target not in frame_keys
        ):
            raise LayoutError(f"the layout's edge {edge.id!r} ends at a node the diagram does not have")
        connectors.append(
            Connector(
                key,
                text,
                mode,
                source,
                target,
                edge.route,
                edge.curved,
                edge.label_centre,
                style.color,
                DASHES.get(style.style, "solid"),
                width,
                flows,
                edge.label_lines,
            )
        )
    title = blueprint.name + ("" if view == "all" else f" \u2014 {view} view")
    return Editable(
        placed.width,
        placed.height,
        title,
        " ".join((blueprint.summary or "").split()),
        placed.title,
        tuple(shapes),
        tuple(frames),
        tuple(connectors),
    )


def _node_key(name: str, is_overview: bool) -> str:
    return f"stage.{name.removeprefix('stage')}" if is_overview else component_key(name)


def _pt(size: float) -> float:
    """A font size in points (the picture's) as px (the exports')."""
    return round(size * PX_PER_PT, 2)


def request_chart(blueprint: Blueprint, placed: Placement, fall: Waterfall | None = None) -> Editable:
    """The request view's waterfall (:func:`.request_view.waterfall`) as marks, texts and a rule where
    Graphviz placed them in ``placed`` (the layout of :func:`.request_view.request_dot`).

    Which shapes exist, their words and colours come from the waterfall, as the DOT writes them; only the
    boxes come from the layout. Each row's name, bars, timeout mark and figures are one group, so are the
    axis with its ticks and labels, and the SLO line with its label. Raises :class:`LayoutError` when the
    layout lacks a shape the chart draws.
    """
    fall = fall or waterfall(blueprint)

    def box(name: str) -> Box:
        node = placed.nodes.get(name)
        if node is None:
            raise LayoutError(f"the layout has no {name!r}, which the request view draws")
        return node.box

    marks: list[Mark] = []
    texts: list[Text] = []
    rules: list[Rule] = []
    for row, bar in enumerate(fall.bars):
        group = f"row-{row}"
        p99_fill, p50_fill = CRITICAL if bar.critical else OTHER
        texts.append(Text(group, row_text(blueprint, bar), box(group), _pt(NAME_SIZE), NAME_INK, group=group))
        outline = TIMEOUT_INK if bar.cut else None  # a call its timeout cuts: outlined, dashed, as in the picture
        dash = "dashed" if bar.cut else "solid"
        marks.append(
            Mark(f"bar-{row}", box(f"bar-{row}"), p99_fill, outline, dash, PX_PER_PT if bar.cut else 1.0, group)
        )
        if bar.p50_ms is not None and bar.p50_ms > 0:
            marks.append(Mark(f"p50-{row}", box(f"p50-{row}"), p50_fill, group=group))
        if bar.timeout_ms is not None:
            marks.append(Mark(f"timeout-{row}", box(f"timeout-{row}"), TIMEOUT_INK, group=group))
        texts.append(
            Text(f"figure-{row}", figure_text(bar), box(f"figure-{row}"), _pt(FIGURE_SIZE), FIGURE_INK, group=group)
        )
    marks.append(Mark("axis", box("axis"), AXIS_INK, group="axis"))
    for k, (_, label) in enumerate(ticks(fall)):
        marks.append(Mark(f"tick-{k}", box(f"tick-{k}"), AXIS_INK, group="axis"))
        texts.append(
            Text(f"tick-label-{k}", label, box(f"tick-label-{k}"), _pt(TICK_SIZE), AXIS_INK, "center", group="axis")
        )
    if fall.slo_ms is not None:
        line = box("slo")  # a dashed outline as wide as its pen in the picture: a dashed line down its middle
        x = round(line.centre[0], 2)
        rules.append(
            Rule("slo", (x, line.y), (x, round(line.y + line.height, 2)), SLO_INK, "dashed", SLO_PEN * PX_PER_PT, "slo")
        )
        slo_label = box("slo-label")  # its right edge a gap left of the line, as in the picture
        texts.append(Text("slo-label", slo_text(fall.slo_ms), slo_label, _pt(SLO_SIZE), SLO_INK, "right", group="slo"))
    title = title_text(blueprint, fall)
    if placed.title is not None:  # the graph's label: the title's line on top, the key's under it
        t = placed.title
        high = round(t.height * TITLE_SIZE / (TITLE_SIZE + KEY_SIZE), 2)
        texts.insert(0, Text("title", title, Box(t.x, t.y, t.width, high), _pt(TITLE_SIZE), NAME_INK, bold=True))
        under = Box(t.x, round(t.y + high, 2), t.width, round(t.height - high, 2))
        texts.insert(1, Text("key", KEY, under, _pt(KEY_SIZE), AXIS_INK))
    return Editable(placed.width, placed.height, title, KEY, None, (), (), (), tuple(marks), tuple(rules), tuple(texts))
