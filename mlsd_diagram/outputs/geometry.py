"""Graphviz's layout of our DOT, read back as boxes and routes for the editable exports.

``dot -Tjson`` (run once with the other formats, see :func:`.diagram.run_dot`) gives every node's
centre and size, every cluster's bounding box and title, and every edge's drawn curve with its
arrow tips and label position, in points with y growing upwards. :func:`placement` turns that
into a :class:`Placement` in screen units (CSS pixels, 4/3 of a point, as the SVG shows them at
100%), y growing downwards and the drawing's top-left corner at (0, 0), so Excalidraw and
draw.io place things where the picture has them. Only the layout is read here: which component,
flow or stage each thing is comes from its DOT name and ``id`` attribute.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

PX_PER_PT = 4 / 3  # CSS pixels per point: the SVG at 100% shows 1 pt as 4/3 px

Point = tuple[float, float]


class LayoutError(ValueError):
    """Graphviz's JSON does not have the shape :func:`placement` reads (a bug, or another Graphviz)."""


@dataclass(frozen=True)
class Box:
    """A rectangle: top-left corner, width and height, in px (y down)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class PlacedNode:
    """A node: its DOT name (a component id, or ``stage<k>`` in the overview), ``id`` attribute and box."""

    name: str
    id: str
    box: Box
    lines: tuple[str, ...]  # the text lines Graphviz drew in it, top to bottom


@dataclass(frozen=True)
class PlacedCluster:
    """A cluster: its DOT name (``cluster_<k>``, k its position in the layout order), box and member nodes."""

    name: str
    box: Box
    title: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class PlacedEdge:
    """An edge as the flow goes: from ``source`` to ``target``, whatever way it was written for ranking.

    ``route`` runs from the source end to the arrow tip at the target, corner by corner (a polyline
    edge) or through points on its curve (``curved``). ``source_cluster`` / ``target_cluster`` name the
    cluster an end is clipped at (a grouped edge leaves or enters a cluster's frame), else ``None``.
    """

    id: str
    classes: tuple[str, ...]
    source: str
    target: str
    route: tuple[Point, ...]
    curved: bool
    label_centre: Point | None
    label_lines: tuple[str, ...]
    source_cluster: str | None
    target_cluster: str | None


@dataclass(frozen=True)
class Placement:
    """A laid-out diagram: size, title box and lines, nodes by DOT name, clusters and edges in DOT order."""

    width: float
    height: float
    title: Box | None
    title_lines: tuple[str, ...]
    nodes: dict[str, PlacedNode]
    clusters: tuple[PlacedCluster, ...]
    edges: tuple[PlacedEdge, ...]


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _lines(ops: list) -> tuple[str, ...]:
    """The text lines an ``_ldraw_`` list draws, top to bottom (pieces on one baseline joined)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for op in ops:
        if isinstance(op, dict) and op.get("op") == "T" and str(op.get("text", "")).strip():
            x, y = op["pt"]
            rows.setdefault(round(float(y), 1), []).append((float(x), str(op["text"])))
    return tuple(
        " ".join("".join(text for _, text in sorted(pieces)).split())
        for _, pieces in sorted(rows.items(), reverse=True)
    )


class _Frame:
    """Graphviz points (y up, origin at the bounding box's lower left) to px (y down, origin top-left)."""

    def __init__(self, bb: str) -> None:
        x0, y0, x1, y1 = _numbers(bb)
        self.x0, self.y1 = x0, y1
        self.width, self.height = (x1 - x0) * PX_PER_PT, (y1 - y0) * PX_PER_PT

    def point(self, x: float, y: float) -> Point:
        return (round((x - self.x0) * PX_PER_PT, 2), round((self.y1 - y) * PX_PER_PT, 2))

    def box(self, left: float, bottom: float, right: float, top: float) -> Box:
        x, y = self.point(left, top)
        return Box(x, y, round((right - left) * PX_PER_PT, 2), round((top - bottom) * PX_PER_PT, 2))


def _bezier_at(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
    return (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])


def _off_line(p: Point, a: Point, b: Point) -> float:
    """Distance of ``p`` from the line through ``a`` and ``b`` (from ``a`` when they coincide)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return math.dist(p, a)
    return abs(dx * (p[1] - a[1]) - dy * (p[0] - a[0])) / length


def _route(pos: str) -> tuple[list[Point], bool, Point | None, Point | None]:
    """An edge's ``pos`` (``[s,x,y] [e,x,y] p0 p1 p2 p3 ...``, cubic pieces): its corners or curve points,
    whether any piece is curved, and the arrow tips at its start (``s``) and end (``e``)."""
    start = end = None
    controls: list[Point] = []
    for part in pos.split():
        if part.startswith("s,"):
            x, y = _numbers(part[2:])
            start = (x, y)
        elif part.startswith("e,"):
            x, y = _numbers(part[2:])
            end = (x, y)
        else:
            x, y = _numbers(part)
            controls.append((x, y))
    if len(controls) < 4 or (len(controls) - 1) % 3:
        raise LayoutError(f"an edge position with {len(controls)} control points is not a cubic spline")
    points = [controls[0]]
    curved = False
    for k in range(0, len(controls) - 1, 3):
        p0, p1, p2, p3 = controls[k : k + 4]
        if max(_off_line(p1, p0, p3), _off_line(p2, p0, p3)) > 0.5:  # a curve: keep a point on it mid-way
            curved = True
            points.append(_bezier_at(p0, p1, p2, p3, 0.5))
        points.append(p3)
    return points, curved, start, end


def _deduplicated(points: list[Point]) -> list[Point]:
    kept = [points[0]]
    for p in points[1:]:
        if math.dist(p, kept[-1]) > 0.01:
            kept.append(p)
    return kept


def placement(graph_json: bytes | str) -> Placement:
    """The layout in ``dot -Tjson`` output, in px with y down. Raises :class:`LayoutError` on other JSON."""
    try:
        graph = json.loads(graph_json)
        frame = _Frame(graph["bb"])
        objects = graph.get("objects", [])
        by_gvid = {o["_gvid"]: o for o in objects}
        nodes: dict[str, PlacedNode] = {}
        clusters: list[PlacedCluster] = []
        for obj in objects:
            if "bb" in obj:  # a subgraph: clusters only
                if not str(obj.get("name", "")).startswith("cluster"):
                    continue
                left, bottom, right, top = _numbers(obj["bb"])
                members = tuple(by_gvid[g]["name"] for g in obj.get("nodes", []))
                clusters.append(
                    PlacedCluster(
                        obj["name"],
                        frame.box(left, bottom, right, top),
                        " ".join(_lines(obj.get("_ldraw_", []))),
                        members,
                    )
                )
            elif "pos" in obj:
                x, y = _numbers(obj["pos"])
                w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
                nodes[obj["name"]] = PlacedNode(
                    obj["name"],
                    str(obj.get("id", "")),
                    frame.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2),
                    _lines(obj.get("_ldraw_", [])),
                )
        edges = [_edge(edge, by_gvid, frame) for edge in graph.get("edges", [])]
        title = None
        if "lp" in graph and "lwidth" in graph and "lheight" in graph:
            x, y = _numbers(graph["lp"])
            w, h = float(graph["lwidth"]) * 72, float(graph["lheight"]) * 72
            title = frame.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        if isinstance(exc, LayoutError):
            raise
        raise LayoutError(f"cannot read Graphviz's layout: {exc!r}") from None
    return Placement(
        round(frame.width, 2),
        round(frame.height, 2),
        title,
        _lines(graph.get("_ldraw_", [])),
        nodes,
        tuple(clusters),
        tuple(edges),
    )


def _edge(edge: dict, by_gvid: dict, frame: _Frame) -> PlacedEdge:
    tail, head = by_gvid[edge["tail"]]["name"], by_gvid[edge["head"]]["name"]
    points, curved, start, end = _route(edge["pos"])
    # the line runs to each arrow tip (Graphviz stops the curve where the arrowhead begins)
    if start is not None:
        points[0] = start
    if end is not None:
        points[-1] = end
    ltail, lhead = edge.get("ltail"), edge.get("lhead")
    if edge.get("dir") == "back":  # written target -> source so it ranks the other way: the flow runs head -> tail
        tail, head, ltail, lhead = head, tail, lhead, ltail
        points.reverse()
    label, words = None, edge.get("_ldraw_", [])
    if "lp" in edge or "xlp" in edge:  # an xlabel (the serving view's stacked way in) is placed beside the edge
        label = frame.point(*_numbers(edge.get("lp") or edge["xlp"]))
    else:  # words moved to an end of the edge, where no line strikes them (see .label_room)
        for at, drawn in (("head_lp", "_hldraw_"), ("tail_lp", "_tldraw_")):
            if at in edge:
                label, words = frame.point(*_numbers(edge[at])), edge.get(drawn, [])
    return PlacedEdge(
        id=str(edge.get("id", "")),
        classes=tuple(str(edge.get("class", "")).split()),
        source=tail,
        target=head,
        route=tuple(frame.point(*p) for p in _deduplicated(points)),
        curved=curved,
        label_centre=label,
        label_lines=_lines(words),
        source_cluster=ltail,
        target_cluster=lhead,
    )
