"""The diagram as an Excalidraw scene (``.excalidraw``), to keep whiteboarding on.

Graphviz's layout (:mod:`.editable`) placed as Excalidraw elements: a rectangle per component
with its label (and tech) as bound text and its kind's icon and tech badge as images (the PNGs in
the scene's ``files``, named by their SHA-1 as Excalidraw names files), an arrow per flow bound
to the rectangles at its ends (``startBinding`` / ``endBinding``, listed in their
``boundElements``) along the drawn route, its label as the arrow's bound text, drawn solid,
dashed or dotted and coloured as the picture draws the flow's mode. A cluster is a rounded
rectangle with its title as bound text (top left), and a group (``groupIds``) with the components
in it, so it moves as one. A chart (the request view) is rectangles filled without an outline (or
with a dashed one), free left-, centre- or right-aligned texts and a dashed line, each row a group.
Same input, same bytes: ids are the keys of :mod:`.editable`, seeds and
nonces are hashes of them, ``updated`` is 1 and the z-order indexes are counted, not random.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import unicodedata

from . import icons
from .editable import Connector, Editable, Frame, Mark, Rule, Shape, Text
from .geometry import Box, Point

FONT_FAMILY = 2  # Excalidraw's "Helvetica": the system sans-serif, the nearest to the picture's DejaVu Sans
LINE_HEIGHT = 1.15  # Excalidraw's line height for that family
PADDING = 5  # Excalidraw's padding of bound text inside its container
# font sizes in px; a component's words a little smaller than the picture's 11 pt (14.7 px), since
# Excalidraw keeps 5 px of padding inside the box Graphviz sized to them
SIZES = {"title": 26, "summary": 14, "frame": 16, "shape": 13, "stage": 15, "flow": 12}
ICON_SIZE = 40
BADGE_SIZE = 24
SUMMARY_WIDTH = 900.0
# Excalidraw's stroke widths (thin, bold, extra bold): the picture's widths snapped to them
STROKE_WIDTHS = (1, 2, 4)
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _number(key: str, salt: str) -> int:
    """A fixed number in [1, 2^31) from ``key``: the seed of its hand-drawn look, its version nonce."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 1) + 1


def _index(n: int) -> str:
    """The ``n``-th fractional index (Excalidraw's z-order key): a0..az, b00..bzz, c000..."""
    size = 1
    while n >= 62**size:
        n -= 62**size
        size += 1
    digits = ""
    for _ in range(size):
        n, digit = divmod(n, 62)
        digits = _DIGITS[digit] + digits
    return chr(ord("a") + size - 1) + digits


def _char_width(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.5


def text_width(line: str, size: float) -> float:
    """An estimate of a line's width in a sans-serif at ``size`` px (Excalidraw measures again on edit)."""
    return sum(_char_width(c) for c in line) * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (long words split), keeping its own line breaks."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size) <= width or not line and text_width(word, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # a word wider than the line: split it
                if line and text_width(line + char, size) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


class _Scene:
    def __init__(self) -> None:
        self.elements: list[dict] = []
        self.files: dict[str, dict] = {}

    def add(self, element: dict) -> dict:
        self.elements.append(element)
        return element


def _element(
    key: str,
    kind: str,
    box: Box,
    *,
    stroke: str = "#1e1e1e",
    fill: str = "transparent",
    width: float = 1,
    dash: str = "solid",
    groups: list[str] | None = None,
    rounded: dict | None = None,
) -> dict:
    return {
        "id": key,
        "type": kind,
        "x": round(box.x, 2),
        "y": round(box.y, 2),
        "width": round(box.width, 2),
        "height": round(box.height, 2),
        "angle": 0,
        "strokeColor": stroke,
        "backgroundColor": fill,
        "fillStyle": "solid",
        "strokeWidth": width,
        "strokeStyle": dash,
        "roughness": 0,
        "opacity": 100,
        "groupIds": list(groups or []),
        "frameId": None,
        "index": None,
        "roundness": rounded,
        "seed": _number(key, "seed"),
        "version": 1,
        "versionNonce": _number(key, "nonce"),
        "isDeleted": False,
        "boundElements": None,
        "updated": 1,
        "link": None,
        "locked": False,
    }


def _text(
    key: str,
    text: str,
    size: float,
    at: Point,
    *,
    max_width: float,
    colour: str,
    container: str | None = None,
    align: str = "center",
    valign: str = "middle",
    groups: list[str] | None = None,
    anchor: str = "centre",
    drawn: tuple[str, ...] = (),
) -> dict:
    """A text element; ``at`` is its centre (``anchor`` centre), top-left corner (top-left) or bottom centre.

    ``drawn`` are the lines the picture broke the same text into: kept when they hold exactly its
    characters (Graphviz sized the box around them), else the text is wrapped to ``max_width``.
    """
    same = drawn and "".join("".join(drawn).split()) == "".join(text.split())
    lines = list(drawn) if same else wrap(text, max_width, size)
    width = max(text_width(line, size) for line in lines)
    height = len(lines) * size * LINE_HEIGHT
    x, y = at
    if anchor == "centre":
        x, y = x - width / 2, y - height / 2
    elif anchor == "bottom":
        x, y = x - width / 2, y - height
    element = _element(key, "text", Box(x, y, width, height), stroke=colour, groups=groups)
    element.update(
        text="\n".join(lines),
        fontSize=size,
        fontFamily=FONT_FAMILY,
        textAlign=align,
        verticalAlign=valign,
        containerId=container,
        originalText=text,
        autoResize=True,
        lineHeight=LINE_HEIGHT,
    )
    return element


def _bind(container: dict, kind: str, key: str) -> None:
    container["boundElements"] = (container["boundElements"] or []) + [{"id": key, "type": kind}]


def _gap(point: Point, box: Box) -> float:
    """How far ``point`` is from the outline of ``box`` (0 on it)."""
    dx = max(box.x - point[0], 0.0, point[0] - (box.x + box.width))
    dy = max(box.y - point[1], 0.0, point[1] - (box.y + box.height))
    if dx or dy:
        return round(math.hypot(dx, dy), 2)
    inside = min(point[0] - box.x, box.x + box.width - point[0], point[1] - box.y, box.y + box.height - point[1])
    return round(max(inside, 0.0), 2)


def _crossing(p1: Point, p2: Point, q1: Point, q2: Point) -> Point | None:
    """Where segments p1p2 and q1q2 cross, if they do."""
    r, s = (p2[0] - p1[0], p2[1] - p1[1]), (q2[0] - q1[0], q2[1] - q1[1])
    denominator = r[0] * s[1] - r[1] * s[0]
    if abs(denominator) < 1e-12:
        return None
    t = ((q1[0] - p1[0]) * s[1] - (q1[1] - p1[1]) * s[0]) / denominator
    u = ((q1[0] - p1[0]) * r[1] - (q1[1] - p1[1]) * r[0]) / denominator
    if 0 <= t <= 1 and 0 <= u <= 1:
        return (p1[0] + t * r[0], p1[1] + t * r[1])
    return None


def focus(box: Box, adjacent: Point, end: Point) -> float:
    """Excalidraw's ``focus`` of an arrow end bound to a rectangle (its ``determineFocusDistance``).

    How far off the box's centre the arrow's last segment, extended, passes, signed by side and
    relative to half the diagonal; 0 aims at the centre. When the user moves the box, Excalidraw
    re-aims the end through the same relative point, so the arrow keeps its side of the box.
    """
    centre = box.centre
    if math.dist(adjacent, end) < 1e-9:
        return 0.0
    cross = (end[0] - adjacent[0]) * (end[1] - centre[1]) - (end[1] - adjacent[1]) * (end[0] - centre[0])
    sign = -math.copysign(1.0, cross) if cross else 0.0
    length = max(box.width * 2, box.height * 2)
    dx, dy = end[0] - adjacent[0], end[1] - adjacent[1]
    norm = math.hypot(dx, dy)
    far = (end[0] + dx / norm * length, end[1] + dy / norm * length)
    x, y, w, h = box.x, box.y, box.width, box.height
    diagonals = (((x - w, y - h), (x + 2 * w, y + 2 * h)), ((x + 2 * w, y - h), (x - w, y + 2 * h)))
    hits = [p for p in (_crossing(end, far, *d) for d in diagonals) if p is not None]
    hits.sort(key=lambda p: math.dist(p, end))
    ratios = sorted((sign * math.dist(centre, p) / (math.hypot(w, h) / 2) for p in hits), key=abs)
    # an end that leaves along the box's side passes outside it: past 1, where Excalidraw's focus stops
    return round(max(-1.0, min(1.0, ratios[0])), 4) if ratios else 0.0


def _label_centre(route: tuple[Point, ...]) -> Point:
    """Where Excalidraw puts an arrow's label: its middle point, or the middle of its middle segment."""
    n = len(route)
    if n % 2:
        return route[n // 2]
    a, b = route[n // 2 - 1], route[n // 2]
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _nearest(route: tuple[Point, ...], centre: Point) -> tuple[int, Point]:
    """The segment of ``route`` nearest to ``centre``, and the point on it nearest to ``centre``."""
    best: tuple[float, int, Point] | None = None
    for k, (a, b) in enumerate(zip(route, route[1:])):
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((centre[0] - a[0]) * dx + (centre[1] - a[1]) * dy) / length))
        q = (round(a[0] + t * dx, 2), round(a[1] + t * dy, 2))
        d = math.dist(q, centre)
        if best is None or d < best[0]:
            best = (d, k, q)
    assert best is not None
    return best[1], best[2]


def _split_longest(chain: list[Point]) -> list[Point]:
    """``chain`` with the midpoint of its longest segment added (a straight segment looks the same)."""
    k = max(range(len(chain) - 1), key=lambda i: (math.dist(chain[i], chain[i + 1]), -i))
    a, b = chain[k], chain[k + 1]
    return [*chain[: k + 1], (round((a[0] + b[0]) / 2, 2), round((a[1] + b[1]) / 2, 2)), *chain[k + 1 :]]


def label_route(route: tuple[Point, ...], centre: Point | None) -> tuple[Point, ...]:
    """``route`` with the point nearest the picture's label position as its middle point.

    Excalidraw always puts an arrow's label at the arrow's middle point; Graphviz placed labels
    where they do not collide. A corner there (and straight-line points added on the shorter side
    so it is the middle one) brings the label back near its place. The drawn line is unchanged.
    """
    if centre is None or len(route) < 2:
        return route
    k, q = _nearest(route, centre)
    before, after = list(route[: k + 1]), list(route[k + 1 :])
    if math.dist(q, before[-1]) < 1:
        q = before.pop()
    elif math.dist(q, after[0]) < 1:
        q = after.pop(0)
    if not before or not after:  # nearest at an end: Excalidraw's own middle
        return route
    while len(before) < len(after):
        before = _split_longest([*before, q])[:-1]
    while len(after) < len(before):
        after = _split_longest([q, *after])[1:]
    return (*before, q, *after)


def _stroke_width(px: float) -> int:
    return min(STROKE_WIDTHS, key=lambda w: (abs(w - px), w))


def _icon_file(scene: _Scene, ref: str) -> str:
    data = icons.icon_file(ref).read_bytes()
    file_id = hashlib.sha1(data).hexdigest()  # Excalidraw names a file by its content's SHA-1
    scene.files.setdefault(
        file_id,
        {
            "mimeType": "image/png",
            "id": file_id,
            "dataURL": "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
            "created": 1,
            "lastRetrieved": 1,
        },
    )
    return file_id


def _frame(scene: _Scene, frame: Frame) -> None:
    group = f"group.{frame.key}"
    rect = scene.add(
        _element(
            frame.key, "rectangle", frame.box, stroke=frame.stroke, fill=frame.fill, groups=[group], rounded={"type": 3}
        )
    )
    title = f"{frame.key}.title"
    _bind(rect, "text", title)
    corner = (frame.box.x + PADDING, frame.box.y + PADDING)
    scene.add(
        _text(
            title,
            frame.title,
            SIZES["frame"],
            corner,
            max_width=max(frame.box.width - 2 * PADDING, SIZES["frame"]),
            colour=frame.ink,
            container=frame.key,
            align="left",
            valign="top",
            groups=[group],
            anchor="top-left",
        )
    )


def _shape(scene: _Scene, shape: Shape, groups: list[str]) -> dict:
    if shape.icon:
        groups = [f"group.{shape.key}", *groups]  # its box, text and icon move together
    rect = scene.add(_element(shape.key, "rectangle", shape.box, stroke=shape.stroke, fill=shape.fill, groups=groups))
    key = f"{shape.key}.text"
    _bind(rect, "text", key)
    box = shape.box
    size = SIZES["shape" if shape.icon else "stage"]
    inner = max(box.width, size)  # Graphviz sized the box to the words: never wrap them narrower
    if shape.icon:  # the icon on top, the words at the bottom, as in the picture
        at, anchor, valign = (box.x + box.width / 2, box.y + box.height - PADDING), "bottom", "bottom"
    else:
        at, anchor, valign = box.centre, "centre", "middle"
    scene.add(
        _text(
            key,
            shape.text,
            size,
            at,
            max_width=inner,
            colour="#263238",
            container=shape.key,
            valign=valign,
            groups=groups,
            anchor=anchor,
            drawn=shape.lines,
        )
    )
    if shape.icon:
        side = min(ICON_SIZE, box.width, box.height / 2)
        icon = _element(
            f"{shape.key}.icon", "image", Box(box.x + (box.width - side) / 2, box.y + 3, side, side), groups=groups
        )
        icon.update(status="saved", fileId=_icon_file(scene, shape.icon), scale=[1, 1], crop=None)
        scene.add(icon)
        if shape.badge:  # the tech's small badge at the icon's lower right, as in the picture
            spot = Box(box.x + (box.width + side) / 2 + 2, box.y + 3 + side - BADGE_SIZE, BADGE_SIZE, BADGE_SIZE)
            badge = _element(f"{shape.key}.badge", "image", spot, groups=groups)
            badge.update(status="saved", fileId=_icon_file(scene, shape.badge), scale=[1, 1], crop=None)
            scene.add(badge)
    return rect


def _arrow(scene: _Scene, connector: Connector, ends: dict[str, tuple[dict, Box]]) -> None:
    route = connector.route
    if connector.text.strip() and not connector.curved:
        route = label_route(route, connector.label_centre)
    x0, y0 = route[0]
    points = [[round(x - x0, 2), round(y - y0, 2)] for x, y in route]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    arrow = _element(
        connector.key,
        "arrow",
        Box(x0, y0, max(xs) - min(xs), max(ys) - min(ys)),
        stroke=connector.colour,
        width=_stroke_width(connector.width),
        dash=connector.dash,
        rounded={"type": 2} if connector.curved else None,
    )
    source, source_box = ends[connector.source]
    target, target_box = ends[connector.target]
    arrow.update(
        points=points,
        lastCommittedPoint=None,
        startBinding={
            "elementId": connector.source,
            "focus": focus(source_box, route[1], route[0]),
            "gap": max(1.0, _gap(route[0], source_box)),
        },
        endBinding={
            "elementId": connector.target,
            "focus": focus(target_box, route[-2], route[-1]),
            "gap": max(1.0, _gap(route[-1], target_box)),
        },
        startArrowhead=None,
        endArrowhead="arrow",
        elbowed=False,
    )
    scene.add(arrow)
    _bind(source, "arrow", connector.key)
    if target is not source:
        _bind(target, "arrow", connector.key)
    if connector.text.strip():
        key = f"{connector.key}.text"
        _bind(arrow, "text", key)
        size = SIZES["flow"]
        max_width = max(0.7 * arrow["width"], size * 11)  # Excalidraw's width for an arrow's label
        scene.add(
            _text(
                key,
                connector.text,
                size,
                _label_centre(route),
                max_width=max_width,
                colour=connector.colour,
                container=connector.key,
                drawn=connector.lines,
            )
        )


def _groups(group: str | None) -> list[str]:
    return [f"group.{group}"] if group else []


def _mark(mark: Mark) -> dict:
    return _element(
        mark.key,
        "rectangle",
        mark.box,
        stroke=mark.stroke or "transparent",
        fill=mark.fill,
        width=_stroke_width(mark.width),
        dash=mark.dash,
        groups=_groups(mark.group),
    )


def _rule(rule: Rule) -> dict:
    (x0, y0), (x1, y1) = rule.start, rule.end
    line = _element(
        rule.key,
        "line",
        Box(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)),
        stroke=rule.colour,
        width=_stroke_width(rule.width),
        dash=rule.dash,
        groups=_groups(rule.group),
    )
    line.update(
        x=round(x0, 2),
        y=round(y0, 2),
        points=[[0, 0], [round(x1 - x0, 2), round(y1 - y0, 2)]],
        lastCommittedPoint=None,
        startBinding=None,
        endBinding=None,
        startArrowhead=None,
        endArrowhead=None,
    )
    return line


def _free_text(text: Text) -> dict:
    """A text element as wide as its box (Graphviz measured the picture's words into it; the estimate when
    wider), aligned in it and vertically centred there, so the export's bounds hold the words."""
    lines = text.text.split("\n")
    width = max(max(text_width(line, text.size) for line in lines), text.box.width)
    height = len(lines) * text.size * LINE_HEIGHT
    box = text.box
    x = {"left": box.x, "center": box.centre[0] - width / 2, "right": box.x + box.width - width}[text.align]
    element = _text(
        text.key,
        text.text,
        text.size,
        (x, box.centre[1] - height / 2),
        max_width=1e9,
        colour=text.colour,
        align=text.align,
        groups=_groups(text.group),
        anchor="top-left",
    )
    element["width"] = round(width, 2)
    return element


def to_excalidraw(diagram: Editable) -> str:
    """The Excalidraw scene (JSON text, as Excalidraw saves it) of ``diagram``."""
    scene = _Scene()
    if diagram.title_box is not None:
        corner = (diagram.title_box.x, diagram.title_box.y)
        scene.add(
            _text(
                "title",
                diagram.title,
                SIZES["title"],
                corner,
                max_width=1e9,
                colour="#263238",
                align="left",
                anchor="top-left",
            )
        )
        if diagram.summary:
            below = (corner[0], corner[1] + SIZES["title"] * LINE_HEIGHT + 4)
            scene.add(
                _text(
                    "summary",
                    diagram.summary,
                    SIZES["summary"],
                    below,
                    max_width=SUMMARY_WIDTH,
                    colour="#455A64",
                    align="left",
                    anchor="top-left",
                )
            )
    ends: dict[str, tuple[dict, Box]] = {}
    frame_groups: dict[str, list[str]] = {}
    for frame in diagram.frames:  # clusters at the back
        _frame(scene, frame)
        ends[frame.key] = (scene.elements[-2], frame.box)
        frame_groups[frame.key] = [f"group.{frame.key}"]
    arrows_at = len(scene.elements)
    for shape in diagram.shapes:
        rect = _shape(scene, shape, frame_groups.get(shape.frame or "", []))
        ends[shape.key] = (rect, shape.box)
    boxes = scene.elements[arrows_at:]
    scene.elements = scene.elements[:arrows_at]
    for connector in diagram.connectors:  # under the boxes, as the picture draws edges first
        _arrow(scene, connector, ends)
    for element in boxes:
        scene.add(element)
    for mark in diagram.marks:  # a chart's: marks at the back, then its lines, then its texts
        scene.add(_mark(mark))
    for rule in diagram.rules:
        scene.add(_rule(rule))
    for text in diagram.texts:
        scene.add(_free_text(text))
    for n, element in enumerate(scene.elements):  # the z-order, back to front
        element["index"] = _index(n)
    document = {
        "type": "excalidraw",
        "version": 2,
        "source": "mlsd-diagram",
        "elements": scene.elements,
        "appState": {"gridSize": 20, "gridStep": 5, "gridModeEnabled": False, "viewBackgroundColor": "#ffffff"},
        "files": scene.files,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
