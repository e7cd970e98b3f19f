"""Room for every edge label: after Graphviz's layout, move a label that a line strikes through or a frame cuts.

Graphviz places an edge's label beside the edge, in the rank where the label sits, and does not look at the
other edges' curves or at the clusters' frames: a line can run straight through the words, a frame across
them. Once the diagram is laid out (``dot -Tjson``), :func:`settle` finds each faulty label
(:func:`.legibility.label_faults`: struck by another edge, on a cluster's frame or title, or covering a node
or another label), struck ones first, and tries, in a fixed order, small moves of that edge or of the edge
striking it:

* ``tail`` / ``head``: the words go to that end of the edge, beside the arrow's start or its tip (a
  ``taillabel`` / ``headlabel``); ``-flip``: on the other side of the line; ``-out``: farther out, nearly
  square to the line (see :data:`PLACES`);
* ``shorter`` / ``longer``: the edge spans one rank less or more (``minlen``), so the layout shifts.

(An ``xlabel`` is not tried: Graphviz puts it where there is room, which can be nearer another edge than
its own, and the reader cannot tell whose words they are.)

A move is kept only when the new layout has fewer faulty labels and nothing got worse: no more labels
struck, on frames or covering something, no more crossings, no more edges through a foreign cluster. It
stops when no label is faulty, when no move helps, or after :data:`MOST_LAYOUTS` layouts (fewer on a large
diagram: :data:`EDGE_LAYOUTS` edges laid out in all). Graphviz is deterministic and the moves are tried in
one order, so the same blueprint gets the same moves (and the same bytes) every time. Diagrams of more than
:data:`SETTLE_UP_TO_EDGES` edges are left as laid out: each try is a whole layout.

``constraint=false`` and ``minlen=0`` are never tried: Graphviz 2.43 aborts on them across clusters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from .legibility import LabelFault, label_faults, measure

MOST_LAYOUTS = 16  # layouts tried after the first, per diagram ...
EDGE_LAYOUTS = 1200  # ... and fewer on a larger one: at most this many edges laid out in all
SETTLE_UP_TO_EDGES = 300
SETTLE_UP_TO_COMPONENTS = 200  # a design's, for the renderer to decide before any layout

# Where a moved label's words go: the attribute, its ``labelangle`` and ``labeldistance`` (``None``: Graphviz's
# -25 degrees from the line and 1, i.e. 10 pt from the end). "-flip" is the other side of the line; "-out" is
# 40 pt out, nearly square to the line, where a wide label clears its own line.
PLACES: dict[str, tuple[str, str | None, str | None]] = {
    "tail": ("taillabel", None, None),
    "head": ("headlabel", None, None),
    "tail-flip": ("taillabel", "25", None),
    "head-flip": ("headlabel", "25", None),
    "tail-out": ("taillabel", "-75", "4"),
    "head-out": ("headlabel", "-75", "4"),
    "tail-out-flip": ("taillabel", "75", "4"),
    "head-out-flip": ("headlabel", "75", "4"),
}
MOVES = (*PLACES, "shorter", "longer")


class Score(NamedTuple):
    """What :func:`settle` weighs, from one layout."""

    struck: int
    on_frame: int
    covering: int
    crossings: int
    through: int

    @property
    def faults(self) -> int:
        """Labels struck, on a frame or covering something."""
        return self.struck + self.on_frame + self.covering

    def better_than(self, other: Score) -> bool:
        """Fewer faulty labels and nothing worse."""
        return self.faults < other.faults and all(mine <= theirs for mine, theirs in zip(self, other, strict=True))


def score(graph: dict, faults: list[LabelFault] | None = None) -> Score:
    """The :class:`Score` of one ``dot -Tjson`` layout (``faults``: its label faults, when known)."""
    figures = measure(graph, faults)
    return Score(figures["struck"], figures["on_frame"], figures["covering"], figures["crossings"], figures["through"])


def move_edge(attrs: dict[str, str], move: str) -> bool:
    """Apply ``move`` to one edge's DOT attributes in place; ``False`` (and ``attrs`` unchanged) when it does
    not apply: no words to move, or a ``minlen`` that would drop below 1."""
    if move in PLACES:
        key = next((k for k in ("label", "xlabel") if attrs.get(k)), None)
        if key is None:
            return False
        place, angle, distance = PLACES[move]
        attrs[place] = attrs.pop(key)
        if angle is not None:
            attrs["labelangle"] = angle
        if distance is not None:
            attrs["labeldistance"] = distance
        return True
    span = int(attrs.get("minlen", "1")) + (1 if move == "longer" else -1)
    if span < 1:
        return False
    attrs["minlen"] = str(span)
    return True


def _candidates(label_edge: str, striker: str | None) -> list[tuple[str, str]]:
    """The moves to try for one faulty label, in order: its own words first, then the striking edge's (if
    it is struck), then the layout changes."""
    if striker is None:
        return [(label_edge, move) for move in MOVES]
    return [
        *((label_edge, move) for move in PLACES),
        (striker, "tail"),
        (striker, "head"),
        (label_edge, "shorter"),
        (label_edge, "longer"),
        (striker, "longer"),
        (striker, "shorter"),
    ]


def settle(
    build: Callable[[Mapping[str, str]], str],
    lay_out: Callable[[str], dict],
    first: dict | None = None,
) -> dict[str, str]:
    """The moves (edge id -> move) that leave the fewest faulty labels, found greedily from none.

    ``build(moves)`` is the DOT text with ``moves`` applied (``build({})`` is the diagram as it is);
    ``lay_out(text)`` is Graphviz's ``-Tjson`` of a text, parsed; ``first``, when given, is that of
    ``build({})``, already laid out.
    """
    graph = first if first is not None else lay_out(build({}))
    edges = len(graph.get("edges", []))
    faults = label_faults(graph) if edges <= SETTLE_UP_TO_EDGES else []
    if not faults:
        return {}
    budget = min(MOST_LAYOUTS, EDGE_LAYOUTS // edges)
    moves: dict[str, str] = {}
    current = score(graph, faults)
    tried = 0
    while current.faults and tried < budget:
        found = None
        for edge, move in _tries(graph, faults, moves):
            tried += 1
            laid = lay_out(build({**moves, edge: move}))
            # the labels first (cheap), then the crossings and edges through clusters
            laid_faults = label_faults(laid)
            if _labels_better(laid_faults, current):
                new = score(laid, laid_faults)
                if new.better_than(current):
                    found = ({**moves, edge: move}, new, laid, laid_faults)
                    break
            if tried >= budget:
                break
        if found is None:
            break
        moves, current, graph, faults = found
    return moves


def _labels_better(faults: list[LabelFault], current: Score) -> bool:
    """Whether a layout with these label faults can be better than ``current`` (:meth:`Score.better_than`)."""
    struck = sum(1 for f in faults if f.struck_by)
    on_frame = sum(1 for f in faults if f.on_frame)
    covering = sum(1 for f in faults if f.covers)
    return (
        struck + on_frame + covering < current.faults
        and struck <= current.struck
        and on_frame <= current.on_frame
        and covering <= current.covering
    )


def _tries(graph: dict, faults: list[LabelFault], moves: Mapping[str, str]) -> list[tuple[str, str]]:
    """The moves worth a layout, in order: for each faulty label (struck ones first), those of
    :func:`_candidates` that apply (read from the edge's attributes in ``graph``) to an edge not moved yet."""
    attrs = {
        str(e.get("id", "")): {k: str(v) for k, v in e.items() if k in ("label", "xlabel", "minlen")}
        for e in graph.get("edges", [])
        if e.get("id")
    }
    tries: list[tuple[str, str]] = []
    for fault in sorted(faults, key=lambda f: not f.struck_by):  # struck labels first
        for edge, move in _candidates(fault.edge, fault.struck_by[0] if fault.struck_by else None):
            if edge in moves or edge not in attrs or (edge, move) in tries:
                continue
            if move_edge(dict(attrs[edge]), move):
                tries.append((edge, move))
    return tries
