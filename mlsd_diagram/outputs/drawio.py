"""The diagram as a diagrams.net (draw.io) file (``.drawio``): an uncompressed ``mxGraphModel``.

The same geometry as the picture (:mod:`.editable`): a vertex per component with its kind's icon
embedded in its style (``image=data:image/png,<base64>``, draw.io's form of a data URI inside a
style), a container vertex per cluster holding its components as children (their geometry
relative to it, as draw.io keeps children), an edge per flow with its ``source`` and ``target``
cells, the drawn route as waypoints and its label where the picture has it. Labels are HTML
(``html=1``, so draw.io wraps them): every text is escaped, and a text with bidirectional controls
is isolated in ``<bdi>`` so it cannot reorder the line after it. A chart (the request view) is
vertices filled without an outline (or with a dashed one), free text vertices (``text;``, not
wrapped) and an edge without ends for its dashed line, as draw.io's own "Line" is; each of its groups (a row,
the axis, the SLO line) is a group cell as draw.io makes one (style ``group``, not connectable, as big as what
it holds) whose cells are its children, placed relative to it. Same input, same bytes: cell ids are the keys of
:mod:`.editable` (a group's ``group.<its name>``, as Excalidraw's group ids), nothing carries a date.
"""

from __future__ import annotations

import base64
import html
import math
import re
import xml.etree.ElementTree as ET

from . import icons
from .editable import Connector, Editable, Frame, Mark, Rule, Shape, Text
from .geometry import Point

SIZES = {"title": 26, "summary": 14, "frame": 16, "shape": 14, "stage": 15, "flow": 12, "tech": 12}
ICON_SIZE = 40
BADGE_SIZE = 24
DASH_STYLES = {"solid": "", "dashed": "dashed=1;", "dotted": "dashed=1;dashPattern=1 3;"}
# characters XML 1.0 cannot hold, and bidirectional embeddings, overrides and isolates
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def label_html(text: str) -> str:
    """``text`` as a draw.io HTML label: escaped, line breaks as ``<br>``, bidi controls isolated."""
    text = _NOT_XML.sub("\ufffd", text)
    lines = []
    for line in text.split("\n"):
        escaped = html.escape(line, quote=False)
        lines.append(f"<bdi>{escaped}</bdi>" if _BIDI.search(line) else escaped)
    return "<br>".join(lines)


def _sub(into: ET.Element, tag: str, /, **attrs: str) -> ET.Element:
    return ET.SubElement(into, tag, attrs)


def _style(**entries: object) -> str:
    return "".join(f"{key}={value};" for key, value in entries.items())


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def _geometry(parent: ET.Element, x: float, y: float, width: float, height: float) -> None:
    _sub(parent, "mxGeometry", x=_n(x), y=_n(y), width=_n(width), height=_n(height), **{"as": "geometry"})


def _cell(root: ET.Element, cell_id: str, value: str, style: str, parent: str, **kind: str) -> ET.Element:
    return _sub(root, "mxCell", id=cell_id, value=value, style=style, parent=parent, **kind)


def _frame(root: ET.Element, frame: Frame) -> None:
    style = _style(
        rounded=1,
        arcSize=2,
        whiteSpace="wrap",
        html=1,
        container=1,
        collapsible=0,
        recursiveResize=0,
        fillColor=frame.fill,
        strokeColor=frame.stroke,
        fontColor=frame.ink,
        fontSize=SIZES["frame"],
        fontStyle=1,
        align="left",
        verticalAlign="top",
        spacingLeft=6,
    )
    cell = _cell(root, frame.key, label_html(frame.title), style, "1", vertex="1")
    _geometry(cell, frame.box.x, frame.box.y, frame.box.width, frame.box.height)


def _shape(root: ET.Element, shape: Shape, frames: dict[str, Frame]) -> None:
    entries: dict[str, object] = {
        "rounded": 1,
        "arcSize": 8,
        "whiteSpace": "wrap",
        "html": 1,
        "fillColor": shape.fill,
        "strokeColor": shape.stroke,
        "fontColor": "#263238",
        "fontSize": SIZES["shape" if shape.icon else "stage"],
    }
    value = label_html(shape.text)
    if shape.icon:
        label, _, tech = shape.text.partition("\n")
        value = label_html(label)
        if tech:
            value += f'<br><font style="font-size:{SIZES["tech"]}px" color="#607080">{label_html(tech)}</font>'
        data = _png(shape.icon)
        side = min(ICON_SIZE, shape.box.width, shape.box.height / 2)
        entries.update(
            shape="label",
            image=f"data:image/png,{data}",  # draw.io's data URI in a style: no ';base64', which ';' would split
            imageWidth=_n(side),
            imageHeight=_n(side),
            imageAlign="center",
            imageVerticalAlign="top",
            verticalAlign="bottom",
            spacingBottom=2,
            spacingLeft=0,
        )
    frame = frames.get(shape.frame or "")
    parent, dx, dy = (frame.key, frame.box.x, frame.box.y) if frame else ("1", 0.0, 0.0)
    cell = _cell(root, shape.key, value, _style(**entries), parent, vertex="1")
    _geometry(cell, shape.box.x - dx, shape.box.y - dy, shape.box.width, shape.box.height)
    if shape.icon and shape.badge:  # the tech's badge at the icon's lower right: a child, so it moves along
        side = min(ICON_SIZE, shape.box.width, shape.box.height / 2)
        style = _style(
            shape="image", html=1, imageAspect=1, aspect="fixed", image=f"data:image/png,{_png(shape.badge)}"
        )
        badge = _cell(root, f"{shape.key}.badge", "", style, shape.key, vertex="1")
        _geometry(badge, (shape.box.width + side) / 2 + 2, side - BADGE_SIZE, BADGE_SIZE, BADGE_SIZE)


def _png(ref: str) -> str:
    """An icon's PNG bytes in base64."""
    return base64.b64encode(icons.icon_file(ref).read_bytes()).decode("ascii")


def _middle(route: tuple[Point, ...]) -> Point:
    """The point half-way along ``route``, where draw.io puts an edge's label before its offset."""
    lengths = [math.dist(a, b) for a, b in zip(route, route[1:])]
    left = sum(lengths) / 2
    for (a, b), length in zip(zip(route, route[1:]), lengths):
        if left <= length and length > 0:
            t = left / length
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        left -= length
    return route[-1]


def _edge(root: ET.Element, connector: Connector) -> None:
    style = (
        _style(
            edgeStyle="none",
            curved=int(connector.curved),
            rounded=0,
            html=1,
            endArrow="block",
            endFill=1,
            endSize=6,
            strokeColor=connector.colour,
            strokeWidth=_n(connector.width),
            fontColor=connector.colour,
            fontSize=SIZES["flow"],
            labelBackgroundColor="#FFFFFF",
        )
        + DASH_STYLES[connector.dash]
    )
    cell = _cell(
        root,
        connector.key,
        label_html(connector.text),
        style,
        "1",
        edge="1",
        source=connector.source,
        target=connector.target,
    )
    geometry = _sub(cell, "mxGeometry", relative="1", **{"as": "geometry"})
    (x0, y0), (x1, y1) = connector.route[0], connector.route[-1]
    _sub(geometry, "mxPoint", x=_n(x0), y=_n(y0), **{"as": "sourcePoint"})
    _sub(geometry, "mxPoint", x=_n(x1), y=_n(y1), **{"as": "targetPoint"})
    if len(connector.route) > 2:
        points = _sub(geometry, "Array", **{"as": "points"})
        for x, y in connector.route[1:-1]:
            _sub(points, "mxPoint", x=_n(x), y=_n(y))
    if connector.text and connector.label_centre is not None:  # the label where the picture has it
        mx, my = _middle(connector.route)
        lx, ly = connector.label_centre
        _sub(geometry, "mxPoint", x=_n(lx - mx), y=_n(ly - my), **{"as": "offset"})


def _off(value: float, origin: float) -> float:
    """``value`` from ``origin``, to the file's 0.01 px; 0, not -0, at the origin."""
    return round(value - origin, 2) + 0.0


def _mark(root: ET.Element, mark: Mark, parent: str, origin: Point) -> None:
    style = _style(
        rounded=0,
        html=1,
        fillColor=mark.fill,
        strokeColor=mark.stroke or "none",
        strokeWidth=_n(mark.width),
    )
    cell = _cell(root, mark.key, "", style + DASH_STYLES[mark.dash], parent, vertex="1")
    _geometry(cell, _off(mark.box.x, origin[0]), _off(mark.box.y, origin[1]), mark.box.width, mark.box.height)


def _rule(root: ET.Element, rule: Rule, parent: str, origin: Point) -> None:
    style = _style(endArrow="none", html=1, rounded=0, strokeColor=rule.colour, strokeWidth=_n(rule.width))
    cell = _cell(root, rule.key, "", style + DASH_STYLES[rule.dash], parent, edge="1")
    geometry = _sub(cell, "mxGeometry", relative="1", **{"as": "geometry"})
    for (x, y), end in ((rule.start, "sourcePoint"), (rule.end, "targetPoint")):
        _sub(geometry, "mxPoint", x=_n(_off(x, origin[0])), y=_n(_off(y, origin[1])), **{"as": end})


def _free_text(root: ET.Element, text: Text, parent: str, origin: Point) -> None:
    style = "text;" + _style(
        html=1,
        fillColor="none",  # as draw.io's own text style: no box around the words
        strokeColor="none",
        align=text.align,
        verticalAlign="middle",
        spacing=0,
        fontSize=_n(text.size),
        fontColor=text.colour,
    )
    if text.bold:
        style += "fontStyle=1;"
    cell = _cell(root, text.key, label_html(text.text), style, parent, vertex="1")
    _geometry(cell, _off(text.box.x, origin[0]), _off(text.box.y, origin[1]), text.box.width, text.box.height)


def _extent(part: Mark | Rule | Text) -> tuple[float, float, float, float]:
    """The left, top, right and bottom of a chart's ``part`` (px)."""
    if isinstance(part, Rule):
        (x0, y0), (x1, y1) = part.start, part.end
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    return part.box.x, part.box.y, part.box.x + part.box.width, part.box.y + part.box.height


def _part(root: ET.Element, part: Mark | Rule | Text, parent: str, origin: Point) -> None:
    if isinstance(part, Mark):
        _mark(root, part, parent, origin)
    elif isinstance(part, Rule):
        _rule(root, part, parent, origin)
    else:
        _free_text(root, part, parent, origin)


def _chart(root: ET.Element, diagram: Editable) -> None:
    """A chart's marks at the back, then its lines, then its texts. The parts of a group (a row, the axis, the
    SLO line) are the children of a group cell as draw.io makes one (style ``group``, not connectable, its
    geometry the box around them, theirs relative to its corner), written where the group's first part comes."""
    order: list[Mark | Rule | Text | str] = []  # a part in no group, or a group's name
    groups: dict[str, list[Mark | Rule | Text]] = {}
    parts: list[Mark | Rule | Text] = [*diagram.marks, *diagram.rules, *diagram.texts]
    for part in parts:
        if part.group is None:
            order.append(part)
        elif part.group in groups:
            groups[part.group].append(part)
        else:
            groups[part.group] = [part]
            order.append(part.group)
    for entry in order:
        if not isinstance(entry, str):
            _part(root, entry, "1", (0.0, 0.0))
            continue
        members, key = groups[entry], f"group.{entry}"
        extents = [_extent(part) for part in members]
        left, top = _off(min(e[0] for e in extents), 0), _off(min(e[1] for e in extents), 0)
        right, bottom = max(e[2] for e in extents), max(e[3] for e in extents)
        cell = _cell(root, key, "", "group", "1", vertex="1", connectable="0")
        _geometry(cell, left, top, right - left, bottom - top)
        for part in members:
            _part(root, part, key, (left, top))


def to_drawio(diagram: Editable, name: str = "Diagram") -> str:
    """The draw.io file (XML text) of ``diagram``; ``name`` is its page's name."""
    width, height = math.ceil(diagram.width), math.ceil(diagram.height)
    mxfile = ET.Element("mxfile", host="mlsd-diagram")
    page = _sub(mxfile, "diagram", id="mlsd", name=_NOT_XML.sub("\ufffd", diagram.title or name))
    model = _sub(
        page,
        "mxGraphModel",
        grid="1",
        gridSize="10",
        guides="1",
        tooltips="1",
        connect="1",
        arrows="1",
        fold="1",
        page="1",
        pageScale="1",
        pageWidth=str(width),
        pageHeight=str(height),
        math="0",
        shadow="0",
    )
    root = _sub(model, "root")
    _sub(root, "mxCell", id="0")
    _sub(root, "mxCell", id="1", parent="0")
    if diagram.title_box is not None:
        box = diagram.title_box
        text = "text;" + _style(html=1, align="left", verticalAlign="top", whiteSpace="wrap", fontColor="#263238")
        title = _cell(
            root, "title", label_html(diagram.title), text + f"fontSize={SIZES['title']};fontStyle=1;", "1", vertex="1"
        )
        _geometry(title, box.x, box.y, box.width, SIZES["title"] * 1.4)
        if diagram.summary:
            summary = _cell(
                root,
                "summary",
                label_html(diagram.summary),
                text + f"fontSize={SIZES['summary']};fontColor=#455A64;",
                "1",
                vertex="1",
            )
            _geometry(
                summary, box.x, box.y + SIZES["title"] * 1.4, box.width, max(box.height - SIZES["title"] * 1.4, 20)
            )
    frames = {frame.key: frame for frame in diagram.frames}
    for frame in diagram.frames:
        _frame(root, frame)
    for shape in diagram.shapes:
        _shape(root, shape, frames)
    for connector in diagram.connectors:
        _edge(root, connector)
    _chart(root, diagram)  # a chart's marks, lines and texts
    ET.indent(mxfile)
    return ET.tostring(mxfile, encoding="unicode") + "\n"
