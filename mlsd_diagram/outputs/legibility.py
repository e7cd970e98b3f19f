"""How readable a laid-out diagram is, measured on Graphviz's own layout (``dot -Tjson``).

Measured on what is drawn (the Bezier pieces of ``_draw_``, flattened into polylines; the text boxes of
``_ldraw_``, ``_hldraw_`` and ``_tldraw_``):

* crossings: points where two edges' drawn curves intersect, not counting meetings near a node both edges touch;
* struck: edge labels (label, xlabel, headlabel or taillabel) that an edge's curve passes through, its own
  included;
* on frame: edge labels lying on a cluster's frame or on its title;
* through: (edge, cluster) pairs where the edge runs inside a cluster that holds neither end;
* label pt: the smallest node or edge label text, in points, once the picture is scaled to a 6.5-inch
  page width (never enlarged); :func:`slide_text_pt` the smallest text on a 16:9 slide.

``benchmarks/layout.py`` reports these over the bundled blueprints. Pure Python: nothing heavy is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_WIDTH_PT = 6.5 * 72
SAMPLES = 12  # polyline points per cubic Bezier piece

Point = tuple[float, float]
Box = tuple[float, float, float, float]


def _bezier(points: list[Point]) -> list[Point]:
    """A cubic B-spline as Graphviz draws it (p0, then 3 points per piece) flattened into a polyline."""
    out = [points[0]]
    for k in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[k : k + 4]
        for step in range(1, SAMPLES + 1):
            t = step / SAMPLES
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _curves(obj: dict) -> list[list[Point]]:
    """The curve an edge draws, flattened. A line drawn as parallel strokes (a colour list: the double lines,
    the diff's halo) has one Bezier op per stroke along the same path; the first stands for them all, so a
    double line counts one crossing where it crosses another edge, as a reader sees it."""
    curves = [
        _bezier([(float(p[0]), float(p[1])) for p in op["points"]])
        for op in obj.get("_draw_", [])
        if op.get("op") in ("b", "B")
    ]
    return curves[:1]


def _text_box(ops: list[dict]) -> tuple[Box | None, float | None]:
    """The box around the text an ``_ldraw_`` list draws, and its smallest font size."""
    size, smallest, box = 14.0, None, None
    for op in ops:
        if op.get("op") == "F":
            size = float(op["size"])
        elif op.get("op") == "T" and op.get("text", "").strip():
            x, y = op["pt"]
            width = float(op["width"])
            left = {"l": x, "r": x - width}.get(op.get("align", "c"), x - width / 2)
            here = (left, y - 0.25 * size, left + width, y + 0.8 * size)
            box = (
                here
                if box is None
                else (min(box[0], here[0]), min(box[1], here[1]), max(box[2], here[2]), max(box[3], here[3]))
            )
            smallest = size if smallest is None else min(smallest, size)
    return box, smallest


# Where -Tjson puts an edge's label texts: the label (and an xlabel) in _ldraw_, a headlabel in _hldraw_, a
# taillabel in _tldraw_; each is measured as a label of its own.
LABEL_OPS = ("_ldraw_", "_hldraw_", "_tldraw_")


def _edge_labels(edge: dict) -> list[tuple[Box, float]]:
    """The box and smallest font size of each label text an edge draws."""
    found = []
    for key in LABEL_OPS:
        box, smallest = _text_box(edge.get(key, []))
        if box is not None and smallest is not None:
            found.append((box, smallest))
    return found


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """The intersection point of segments ab and cd, if they properly intersect."""
    r = (b[0] - a[0], b[1] - a[1])
    s = (d[0] - c[0], d[1] - c[1])
    denom = r[0] * s[1] - r[1] * s[0]
    if abs(denom) < 1e-12:
        return None
    t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / denom
    u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / denom
    if 0 <= t <= 1 and 0 <= u <= 1:
        return (a[0] + t * r[0], a[1] + t * r[1])
    return None


def _bounds(points: list[Point]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _segment_boxes(line: list[Point]) -> list[tuple[Box, int]]:
    """The bounding box of each segment of a polyline, with the segment's index."""
    return [(_bounds([line[j], line[j + 1]]), j) for j in range(len(line) - 1)]


def _crossings(
    line_a: list[Point],
    line_b: list[Point],
    near: list[Point],
    known: tuple[Box, Box, list[tuple[Box, int]], list[tuple[Box, int]]] | None = None,
) -> int:
    """Distinct points where two polylines cross, leaving out those within 14 pt of ``near``. ``known``: the
    lines' bounds and segment boxes, when computed once for many pairs."""
    bounds_a, bounds_b, boxes_a, boxes_b = known or (
        _bounds(line_a),
        _bounds(line_b),
        _segment_boxes(line_a),
        _segment_boxes(line_b),
    )
    if not _overlap(bounds_a, bounds_b):
        return 0
    found: list[Point] = []
    near_a = [(box_b, j) for box_b, j in boxes_b if _overlap(box_b, bounds_a)]  # the only ones a can meet
    for box, i in boxes_a:
        if not _overlap(box, bounds_b):
            continue
        for box_b, j in near_a:
            if not _overlap(box, box_b):
                continue
            hit = _segments_cross(line_a[i], line_a[i + 1], line_b[j], line_b[j + 1])
            if hit is None or any(math.dist(hit, p) < 14 for p in near):
                continue
            if all(math.dist(hit, f) > 3 for f in found):
                found.append(hit)
    return len(found)


def _line_hits_box(line: list[Point], box: Box, known: tuple[Box, list[tuple[Box, int]]] | None = None) -> bool:
    """Whether a polyline has a point strictly inside ``box`` or crosses one of its sides. ``known``: the
    line's bounds and segment boxes, when computed once for many boxes."""
    x0, y0, x1, y1 = box
    bounds, segments = known or (_bounds(line), _segment_boxes(line))
    if not _overlap(bounds, box):
        return False
    if len(line) == 1:
        return x0 < line[0][0] < x1 and y0 < line[0][1] < y1
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    sides = list(zip(corners, corners[1:] + corners[:1], strict=True))
    for segment, i in segments:  # a point inside, or a crossing, lies in the segment's own box too
        if not _overlap(segment, box):
            continue
        a, b = line[i], line[i + 1]
        if x0 < a[0] < x1 and y0 < a[1] < y1 or x0 < b[0] < x1 and y0 < b[1] < y1:
            return True
        if any(_segments_cross(a, b, c, d) for c, d in sides):
            return True
    return False


def _box_on_frame(box: Box, frame: Box) -> bool:
    """Whether ``box`` straddles a side of the rectangle ``frame``."""
    if not _overlap(box, frame):
        return False
    inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
    return not inside


def _point(text: str) -> Point:
    x, y = (float(part) for part in text.split(",")[:2])
    return x, y


def _bb(text: str) -> Box:
    """A Graphviz ``bb`` attribute ("x0,y0,x1,y1") as a box."""
    x0, y0, x1, y1 = (float(part) for part in text.split(","))
    return x0, y0, x1, y1


def _shrink(box: Box, by: float) -> Box:
    return box[0] + by, box[1] + by, box[2] - by, box[3] - by


@dataclass(frozen=True)
class LabelFault:
    """What is wrong with one edge label text: the ids of the edges whose curves pass through it, whether it
    lies on a cluster's frame or title, and whether it covers a node or another edge's label."""

    edge: str
    struck_by: tuple[str, ...]
    on_frame: bool
    covers: bool


def _node_box(node: dict) -> Box:
    x, y = map(float, node["pos"].split(","))
    half_w, half_h = float(node["width"]) * 36, float(node["height"]) * 36
    return x - half_w, y - half_h, x + half_w, y + half_h


def _polylines(edges: list[dict]) -> dict[int, list[Point]]:
    """Each edge's drawn curve (its first stroke), flattened, by ``_gvid``."""
    return {e["_gvid"]: [p for curve in _curves(e) for p in curve] for e in edges}


def _known(lines: dict[int, list[Point]]) -> dict[int, tuple[Box, list[tuple[Box, int]]]]:
    """Each non-empty line's bounds and segment boxes, computed once for every test against it."""
    return {gvid: (_bounds(line), _segment_boxes(line)) for gvid, line in lines.items() if line}


def label_faults(
    graph: dict,
    lines: dict[int, list[Point]] | None = None,
    known: dict[int, tuple[Box, list[tuple[Box, int]]]] | None = None,
) -> list[LabelFault]:
    """Every edge label text that is struck, on a frame or covering something, in edge order, one entry
    per text (an edge's label, head label and tail label are measured apart)."""
    objects = graph.get("objects", [])
    edges = graph.get("edges", [])
    if lines is None:
        lines = _polylines(edges)
    if known is None:
        known = _known(lines)
    clusters = [o for o in objects if o.get("name", "").startswith("cluster")]
    frames = [_bb(c["bb"]) for c in clusters]
    titles = [box for box, _ in (_text_box(c.get("_ldraw_", [])) for c in clusters) if box is not None]
    nodes = [
        _node_box(o)
        for o in objects
        if "nodes" not in o and "subgraphs" not in o and "pos" in o and "invis" not in o.get("style", "")
    ]
    # a line through the words strikes them, the label's own included: Graphviz sets a label beside its edge,
    # but words moved to an end of the edge, or the label of an edge between two stages of one rank (the
    # overview's columns), can sit on their own line
    texts = [
        (edge, _shrink(box, 1.0))
        for edge in edges
        for key in LABEL_OPS
        for box, _ in [_text_box(edge.get(key, []))]
        if box is not None
    ]
    ids = {e["_gvid"]: str(e.get("id", e["_gvid"])) for e in edges}
    found = []
    for k, (edge, inner) in enumerate(texts):
        struck_by = tuple(
            ids[gvid] for gvid, line in lines.items() if line and _line_hits_box(line, inner, known[gvid])
        )
        on_frame = any(_box_on_frame(inner, frame) for frame in frames) or any(_overlap(inner, t) for t in titles)
        covers = any(_overlap(inner, box) for box in nodes) or any(
            _overlap(inner, other) for j, (_, other) in enumerate(texts) if j != k
        )
        if struck_by or on_frame or covers:
            found.append(LabelFault(ids[edge["_gvid"]], struck_by, on_frame, covers))
    return found


def measure(graph: dict, faults: list[LabelFault] | None = None) -> dict:
    """The figures of one laid-out graph (``dot -Tjson``); ``faults``: its :func:`label_faults`, when known."""
    x0, y0, x1, y1 = map(float, graph["bb"].split(","))
    width, height = x1 - x0, y1 - y0
    objects = graph.get("objects", [])
    clusters = [o for o in objects if o.get("name", "").startswith("cluster")]
    nodes = {o["_gvid"]: o for o in objects if "nodes" not in o and "subgraphs" not in o and "pos" in o}
    node_at = {gvid: _point(o["pos"]) for gvid, o in nodes.items()}
    edges = graph.get("edges", [])
    lines = _polylines(edges)
    fonts_seen: list[float] = []
    for node in nodes.values():
        _, smallest = _text_box(node.get("_ldraw_", []))
        if smallest is not None:
            fonts_seen.append(smallest)
    fonts_seen += [smallest for edge in edges for _, smallest in _edge_labels(edge)]
    # crossings between every pair of edges
    crossings = 0
    known = _known(lines)
    for i, a in enumerate(edges):
        for b in edges[i + 1 :]:
            shared = {a["tail"], a["head"]} & {b["tail"], b["head"]}
            near = (
                [lines[a["_gvid"]][0], lines[a["_gvid"]][-1], lines[b["_gvid"]][0], lines[b["_gvid"]][-1]]
                if shared and lines[a["_gvid"]] and lines[b["_gvid"]]
                else []
            )
            near += [node_at[g] for g in shared]
            if lines[a["_gvid"]] and lines[b["_gvid"]]:
                (bounds_a, boxes_a), (bounds_b, boxes_b) = known[a["_gvid"]], known[b["_gvid"]]
                crossings += _crossings(
                    lines[a["_gvid"]], lines[b["_gvid"]], near, (bounds_a, bounds_b, boxes_a, boxes_b)
                )
    if faults is None:
        faults = label_faults(graph, lines, known)
    struck = sum(1 for f in faults if f.struck_by)
    on_frame = sum(1 for f in faults if f.on_frame)
    covering = sum(1 for f in faults if f.covers)
    # edges running inside a cluster that holds neither of their ends
    through = 0
    for cluster in clusters:
        held = set(cluster.get("nodes", []))
        inside = _shrink(_bb(cluster["bb"]), 2.0)
        for edge in edges:
            if edge["tail"] in held or edge["head"] in held or not lines[edge["_gvid"]]:
                continue
            if any(inside[0] < p[0] < inside[2] and inside[1] < p[1] < inside[3] for p in lines[edge["_gvid"]]):
                through += 1
    scale = min(1.0, PAGE_WIDTH_PT / width) if width else 1.0
    return {
        "width_in": width / 72,
        "height_in": height / 72,
        "aspect": width / height if height else 0.0,
        "crossings": crossings,
        "struck": struck,
        "on_frame": on_frame,
        "through": through,
        "covering": covering,
        "label_pt": (min(fonts_seen) * scale) if fonts_seen else 0.0,
        "edges": len(edges),
    }


SLIDE_IN = (13.33, 7.5)  # a 16:9 slide


def slide_text_pt(graph: dict) -> float:
    """The smallest text anywhere in the picture (title, legend, nodes, edge labels), in points, once the
    picture is fitted to a 13.33 x 7.5 in slide (enlarged or shrunk)."""
    x0, y0, x1, y1 = map(float, graph["bb"].split(","))
    sizes = []
    for obj in [graph, *graph.get("objects", []), *graph.get("edges", [])]:
        for key in ("_ldraw_", *LABEL_OPS[1:]):
            _, smallest = _text_box(obj.get(key, []))
            if smallest is not None:
                sizes.append(smallest)
    fit = min(SLIDE_IN[0] * 72 / (x1 - x0), SLIDE_IN[1] * 72 / (y1 - y0))
    return min(sizes) * fit if sizes else 0.0
