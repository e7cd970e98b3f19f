"""A blueprint's flows as a graph: adjacency per flow mode, and breadth-first walks over it.

Plain dicts of ``(neighbour, flow index)`` lists in file order, so every walk is deterministic;
built once, O(F), without building a networkx graph. Nothing here reads components or mutates the
flows. :class:`~.design.Design` holds one (``d.graph``) for the rules.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from ..blueprint.models import Flow, Mode

MODES = ("request", "stream", "batch", "deploy", "fallback", "telemetry")
DATA_MODES = ("stream", "batch", "deploy")  # data and artifacts moving between components


class FlowGraph:
    """Successors and predecessors of each component per flow mode, and walks over them."""

    def __init__(self, flows: Sequence[Flow]):
        self._succ: dict[str, dict[str, list[tuple[str, int]]]] = {m: {} for m in MODES}
        self._pred: dict[str, dict[str, list[tuple[str, int]]]] = {m: {} for m in MODES}
        succ = {mode: self._succ[mode.value] for mode in Mode}  # keyed by the enum: no `.value` per flow
        pred = {mode: self._pred[mode.value] for mode in Mode}
        for index, flow in enumerate(flows):
            succ[flow.mode].setdefault(flow.source, []).append((flow.target, index))
            pred[flow.mode].setdefault(flow.target, []).append((flow.source, index))

    def succ(self, c: str, *modes: str) -> Iterator[tuple[str, int]]:
        """(target, flow index) of flows leaving ``c`` in the given modes (all modes if none)."""
        for mode in modes or MODES:
            yield from self._succ[mode].get(c, ())

    def pred(self, c: str, *modes: str) -> Iterator[tuple[str, int]]:
        """(source, flow index) of flows entering ``c`` in the given modes (all modes if none)."""
        for mode in modes or MODES:
            yield from self._pred[mode].get(c, ())

    def pred_any(self, c: str) -> Iterator[tuple[str, int]]:
        """Flows entering ``c`` in any mode but fallback (which moves no data)."""
        return self.pred(c, "request", "stream", "batch", "deploy", "telemetry")

    def reach(
        self,
        starts: Iterable[str],
        modes: tuple[str, ...],
        *,
        backward: bool = False,
        avoid: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, str | None]:
        """Breadth-first walk over flows of ``modes``; maps each reached node to its parent (starts: None).

        ``avoid`` nodes are never entered. O(nodes + flows) per call.
        """
        step = self.pred if backward else self.succ
        parent: dict[str, str | None] = {s: None for s in starts if s not in avoid}
        queue = deque(parent)
        while queue:
            node = queue.popleft()
            for nxt, _ in step(node, *modes):
                if nxt not in parent and nxt not in avoid:
                    parent[nxt] = node
                    queue.append(nxt)
        return parent

    @staticmethod
    def path_to(parent: dict[str, str | None], node: str) -> list[str]:
        """The walk from a start to ``node`` recorded by :meth:`reach`."""
        path = [node]
        step = parent[node]
        while step is not None:
            path.append(step)
            step = parent[step]
        return path[::-1]


__all__ = ["DATA_MODES", "MODES", "FlowGraph"]
