"""The serving model's graph: calls, steps, entry points and the failure states of knock-outs."""

from __future__ import annotations

import math
import sys
from collections import ChainMap, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import overload

from ...blueprint.models import Blueprint, Mode, OnFailure
from .shapes import Reason

_POLICY = {policy: policy.value for policy in OnFailure}  # `.value` is a slow descriptor on Python 3.11

SERVED, DEGRADED, DOWN = "served", "degraded", "down"
OK, SHEDDING, OVERLOADED, FAILED, HUNG = "ok", "shedding", "overloaded", "failed", "hung"
# Re-evaluations for the knock-outs' latency in one sweep, then states only: each re-evaluated component
# counts 1 plus its calls, so a deep chain (1 call each) and a dense DAG (hundreds each) both stay bounded.
KNOCK_OUT_BUDGET = 100_000
CUT_SHARE = 0.01  # a timeout that cuts this share of its calls or more makes the call fail in the failure states
_RANK = {DOWN: 0, DEGRADED: 1, SERVED: 2}
_STATE = {0: DOWN, 1: DEGRADED, 2: SERVED}


@dataclass(frozen=True)
class Call:
    """One request flow, as the serving model reads it."""

    index: int  # position in ``flows``
    caller: str
    callee: str
    step: int | None
    on_failure: str  # fail | skip | defaults
    timeout_ms: float | None
    per_request: float
    retries: int = 0
    hedge_after_ms: float | None = None  # a second copy after this long (``hedge_after_ms``)
    at_least: int | None = None  # of its step's calls, this many must answer (``at_least``)


def _capacity(cap: float | None) -> float:
    """The capacity of a component that saturated (only a component with a capacity can)."""
    assert cap is not None, "a component without capacity_qps never saturates"
    return cap


@overload
def _number(x: float) -> float | int: ...
@overload
def _number(x: float | None) -> float | int | None: ...
def _number(x: float | None) -> float | int | None:
    """A figure as reports give it: rounded to 3 decimals, whole numbers as int.

    Sequential calls add up, so a deep diamond of them can overflow a float; infinity is no JSON
    number, so an overflow is reported as the largest float (still over any budget)."""
    if x is None:
        return None
    if not math.isfinite(x):
        x = sys.float_info.max
    if abs(x) >= 1e15:
        return x  # no decimals left to round (and round() of a huge float is slow)
    x = round(x, 3)
    return int(x) if float(x).is_integer() else x


def _entries_and_reach(
    ids: Iterable[str], stage: Mapping[str, str], targets: Mapping[str, list[str]]
) -> tuple[list[str], list[str]]:
    """The one definition of entry points and request path, over plain ids, stages and request targets."""
    ids = list(ids)
    entries = [c for c in ids if stage[c] == "client" and targets.get(c)]
    seen = set(entries)
    queue = deque(entries)
    while queue:
        for v in targets.get(queue.popleft(), ()):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return entries, [c for c in ids if c in seen and c not in entries]


class ServingGraph:
    """The request and fallback flows of one blueprint, read once into plain values.

    An immutable snapshot: build one per question (``serving_model(bp)``, O(R + F)); keep it
    for repeated knock-outs. It never looks at the blueprint again, so what it remembers cannot
    go stale: the states of the intact design (``_baseline``, to re-evaluate only what a
    knock-out touches) and every single knock-out at once (``_sweep``) are cached properties,
    each computed once, on first use, after the constructor has fixed every input they read.
    """

    def __init__(self, blueprint: Blueprint):
        comps = blueprint.components
        self.ids: tuple[str, ...] = tuple(comps)
        self.index = {c: i for i, c in enumerate(self.ids)}
        self.stage = {c: blueprint.kind_of(c).stage.value for c in self.ids}
        self.own = {c: comps[c].latency_p99_ms for c in self.ids}
        self.p50 = {c: comps[c].latency_p50_ms for c in self.ids}
        self.workers = {c: comps[c].workers for c in self.ids}
        self.hit_ratio = {c: comps[c].hit_ratio for c in self.ids}
        self.retry_budget = {c: comps[c].retry_budget for c in self.ids}
        self.zones = {c: comps[c].zones for c in self.ids}
        # Autoscaled components: sustained load meets max_replicas, a surge min_replicas (the floor).
        self.replicas = {c: comps[c].max_replicas or comps[c].replicas or 1 for c in self.ids}
        self.min_replicas = {c: comps[c].min_replicas for c in self.ids}
        self.scale_up_s = {c: comps[c].scale_up_s for c in self.ids}
        self.batch = {c: comps[c].max_batch_size or 1 for c in self.ids}  # requests one batch serves
        self.batch_wait = {c: comps[c].batch_timeout_ms or 0.0 for c in self.ids}
        self.hedge_load: dict[int, float] = {}  # hedged request flow -> 1 + share sent twice (ServingModel)
        self.capacity = {c: comps[c].capacity_qps for c in self.ids}
        self.shedding = {c: comps[c].load_shedding for c in self.ids}
        scale = blueprint.requirements.scale
        self.default_peak = scale.peak_qps if scale else None
        slo = blueprint.requirements.slo
        self.slo_ms = slo.latency_p99_ms if slo else None
        self.availability_slo = slo.availability / 100 if slo and slo.availability is not None else None
        self.calls: dict[str, list[Call]] = {c: [] for c in self.ids}
        self.fallbacks: dict[str, list[tuple[str, int]]] = {c: [] for c in self.ids}
        self.dependents: dict[str, set[str]] = {c: set() for c in self.ids}  # whose state depends on c
        for index, flow in enumerate(blueprint.flows):
            u, v = flow.source, flow.target
            if flow.mode is Mode.REQUEST:
                self.calls[u].append(
                    Call(
                        index,
                        u,
                        v,
                        flow.step,
                        _POLICY[flow.failure_policy],
                        flow.timeout_ms,
                        1.0 if flow.per_request is None else flow.per_request,
                        flow.retries or 0,
                        flow.hedge_after_ms,
                        flow.at_least,
                    )
                )
                self.dependents[v].add(u)
            elif flow.mode is Mode.FALLBACK:
                self.fallbacks[u].append((v, index))
                self.dependents[v].add(u)
        self.peak = {c: comps[c].peak_qps for c in self.ids}
        entries, path = _entries_and_reach(
            self.ids, self.stage, {c: [call.callee for call in calls] for c, calls in self.calls.items()}
        )
        self.entries: tuple[str, ...] = tuple(entries)
        self.entry_set = frozenset(entries)
        self.request_path: tuple[str, ...] = tuple(path)
        # Steps: groups of calls made in parallel, in the order they are made.
        self.steps: dict[str, list[list[Call]]] = {}
        for c, calls in self.calls.items():
            if any(call.step is not None for call in calls):
                groups: dict[int, list[Call]] = {}
                for call in calls:
                    groups.setdefault(call.step or 0, []).append(call)
                self.steps[c] = [groups[s] for s in sorted(groups)]
            else:
                self.steps[c] = [[call] for call in calls]
        # Steps with a quorum (``at_least``): (the step's calls, how many must answer), per caller.
        self.quorum: dict[str, list[tuple[list[Call], int]]] = {}
        for c, groups_of_c in self.steps.items():
            for group in groups_of_c:
                k = max((call.at_least or 0) for call in group)
                if k:
                    self.quorum.setdefault(c, []).append((group, k))
        self.relevant = self._post_order(self.entries, fallbacks=True)
        self.relevant_set = frozenset(self.relevant)
        self.relevant_declared = tuple(c for c in self.ids if c in self.relevant_set)  # declaration order
        self.position = {c: i for i, c in enumerate(self.relevant)}
        # Callers before callees over request flows, for every relevant component (load flows this way).
        self.bottom_up = tuple(self._post_order(self.relevant, fallbacks=False))
        self.top_down = tuple(reversed(self.bottom_up))
        self.evaluation_order, self.blocked_fallbacks, self.fallback_rings = self._evaluation_order()
        self.evaluation_position = {c: i for i, c in enumerate(self.evaluation_order)}
        self.grid_needed: dict[bool, bool] = {}  # by queueing on or off: some tail, queue or miss share
        # Calls whose timeout cuts 1% or more of them (the callee's p99 is longer than the timeout) with
        # nothing failed and no queueing: for the failure states, the call counts as failed (the callee's
        # fallbacks answer it, else its on_failure applies) whatever else is out. The caller then depends
        # on those fallbacks too. (The latency distributions count the cut share itself.)
        self.timed_out: frozenset[int] = frozenset()

    def _evaluation_order(self) -> tuple[tuple[str, ...], frozenset[tuple[str, str]], dict[str, frozenset[str]]]:
        """The order to compute responses in, the fallbacks left out, and the fallback cycles.

        A component's response needs its callees' answers; a callee's answer needs its own
        response and its fallbacks' answers. Request flows form a DAG; a cycle that runs through
        a request flow and back through fallbacks is a true circle (a fallback that itself waits
        on the component it stands in for): its last fallback is left out (second value). Cycles
        of fallbacks alone are kept: each answer walks its fallbacks without revisiting one
        (third value: component -> the members of its fallback cycle), so mutual fallbacks never
        vouch for each other. Neighbours in declaration order, so the result does not depend on
        the order of flows. Iterative DFS, O(R + F) per cycle found.
        """
        blocked: set[tuple[str, str]] = set()
        while True:  # each pass that meets a circle leaves out one more fallback, so this ends
            found = self._dependency_order(blocked)
            if found is not None:
                break
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_edges_from((c, f) for c in self.relevant for f, _ in self.fallbacks[c] if (c, f) not in blocked)
        rings: dict[str, frozenset[str]] = {}
        for members in nx.strongly_connected_components(graph):
            if len(members) > 1:
                ring = frozenset(members)
                for c in members:
                    rings[c] = ring
        return found, frozenset(blocked), rings

    def _dependency_order(self, blocked: set[tuple[str, str]]) -> tuple[str, ...] | None:
        """Components, what each needs first (callees, fallbacks) before it; on a circle through a
        request flow, block the fallback taken last on it and return None (the caller starts again)."""
        index = self.index
        order: list[str] = []
        state: dict[str, int] = {}  # 1 in progress, 2 done
        where: dict[str, int] = {}

        def children(c: str) -> list[tuple[str, bool]]:  # (neighbour, through a fallback)
            calls = sorted({call.callee for call in self.calls[c]}, key=index.__getitem__)
            falls = sorted({f for f, _ in self.fallbacks[c] if (c, f) not in blocked}, key=index.__getitem__)
            return [(v, False) for v in calls] + [(f, True) for f in falls]

        for root in sorted(self.relevant, key=index.__getitem__):
            if state.get(root):
                continue
            state[root] = 1
            where[root] = 0
            stack = [(root, iter(children(root)))]
            kinds: list[bool] = []  # kinds[i]: the edge from stack[i] to stack[i + 1] is a fallback
            while stack:
                node, it = stack[-1]
                for child, fallback in it:
                    seen = state.get(child)
                    if seen is None:
                        state[child] = 1
                        where[child] = len(stack)
                        stack.append((child, iter(children(child))))
                        kinds.append(fallback)
                        break
                    if seen == 1:
                        start = where[child]
                        path = [n for n, _ in stack[start:]] + [child]
                        edges = kinds[start:] + [fallback]
                        if all(edges):
                            continue  # fallbacks only: the answers' walk never revisits, nothing to cut
                        for k in range(len(edges) - 1, -1, -1):
                            if edges[k]:
                                blocked.add((path[k], path[k + 1]))
                                return None
                        raise AssertionError("a cycle of request flows")  # validation refuses them
                else:
                    stack.pop()
                    if kinds:
                        kinds.pop()
                    state[node] = 2
                    order.append(node)
        return tuple(order)

    def _post_order(self, roots: Iterable[str], fallbacks: bool) -> list[str]:
        """Components reachable from ``roots`` (over request, and fallback if asked), callees first.

        Iterative DFS, O(R + F); children in flow order, so the order is deterministic.
        """
        seen: set[str] = set()
        order: list[str] = []

        def children(node: str) -> list[str]:
            out = [call.callee for call in self.calls[node]]
            if fallbacks:
                out += [f for f, _ in self.fallbacks[node]]
            return out

        for root in roots:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(children(root)))]
            while stack:
                node, it = stack[-1]
                for child in it:
                    if child not in seen:
                        seen.add(child)
                        stack.append((child, iter(children(child))))
                        break
                else:
                    stack.pop()
                    order.append(node)
        return order

    # -- failure states ------------------------------------------------------------------

    def _hang(self, knocked: frozenset[str], overloaded: frozenset[str]) -> set[str]:
        """Components that hang: overloaded, or calling a hanging component without a timeout. O(R + F)."""
        hang: set[str] = set()
        if not overloaded:
            return hang
        for c in self.bottom_up:  # callees first; request flows form a DAG
            if c in knocked:
                continue
            if c in overloaded or any(call.timeout_ms is None and call.callee in hang for call in self.calls[c]):
                hang.add(c)
        return hang

    def _got(self, call: Call, answer: Mapping[str, int]) -> int:
        """What a call gets before its ``on_failure``: 0 nothing, 1 degraded, 2 served."""
        if call.index in self.timed_out:  # too slow: as if it failed, so only its fallbacks can answer
            return 1 if any(answer[f] for f, _ in self.fallbacks[call.callee]) else 0
        return answer[call.callee]

    def _works(self, c: str, answer: Mapping[str, int], failing: set[str] | frozenset[str]) -> int:
        if c in failing:
            return 0
        for group, k in self.quorum.get(c, ()):  # fewer than k of the step's calls answer: c fails
            if sum(1 for call in group if self._got(call, answer)) < k:
                return 0
        worst = 2
        for call in self.calls[c]:
            got = self._got(call, answer)
            if got == 0:
                got = 0 if call.on_failure == "fail" else 1
            if got < worst:
                worst = got
                if worst == 0:
                    break
        return worst

    def _answer(self, c: str, works: int, answer: Mapping[str, int]) -> int:
        if works:
            return works
        return 1 if any(answer[f] for f, _ in self.fallbacks[c]) else 0

    def states(
        self, knocked: Iterable[str] = (), shedding: Iterable[str] = (), overloaded: Iterable[str] = ()
    ) -> tuple[Mapping[str, int], Mapping[str, int]]:
        """``(works, answer)`` of every relevant component as ranks (0 down, 1 degraded, 2 served).

        ``works``: how the component answers by itself; ``answer``: what its callers get (its
        fallbacks answer, degraded, when it does not work). The least fixpoint, by a worklist
        from everything down: O(R + F) when no fallbacks form a cycle, O((R + F) * R) at worst.
        With only knock-outs, the components that do not depend on them keep their state from
        the intact design and only the others are re-evaluated (O(their count + their flows)).
        """
        knocked = frozenset(knocked)
        shedding = frozenset(shedding)
        overloaded = frozenset(overloaded)
        if not knocked and not shedding and not overloaded:  # the intact design: read-only views, no copies
            works0, answer0 = self._baseline
            return MappingProxyType(works0), MappingProxyType(answer0)
        return self._fixpoint(
            knocked, shedding, overloaded, self._baseline if not shedding and not overloaded else None
        )

    @cached_property
    def _baseline(self) -> tuple[dict[str, int], dict[str, int]]:
        """``(works, answer)`` of the intact design (nothing out): computed once, on first use."""
        works, answer = self._fixpoint(frozenset(), frozenset(), frozenset(), None)
        return dict(works), dict(answer)

    @cached_property
    def baseline_states(self) -> dict[str, str]:
        """Relevant component -> state of the intact design, in declaration order."""
        return {c: _STATE[self._baseline[1][c]] for c in self.relevant_declared}

    @cached_property
    def _entry_baseline(self) -> dict[str, str]:
        """Entry point -> state of the intact design."""
        return {e: _STATE[self._baseline[1][e]] for e in self.entries}

    def _fixpoint(
        self,
        knocked: frozenset[str],
        shedding: frozenset[str],
        overloaded: frozenset[str],
        base: tuple[dict[str, int], dict[str, int]] | None,
    ) -> tuple[Mapping[str, int], Mapping[str, int]]:
        """The least fixpoint of :meth:`states`; with ``base`` (the intact design's states, for
        knock-outs only), only the components that depend on ``knocked`` are re-evaluated."""
        failing = set(knocked) | self._hang(knocked, overloaded) | (shedding - knocked)
        if base is not None:
            works0, answer0 = base
            todo = self.upstream(knocked)
            # the intact design's states under the re-evaluated ones: no O(R) copy per knock-out
            works, answer = ChainMap({}, works0), ChainMap({}, answer0)
        else:
            works, answer = {}, {}  # type: ignore[assignment]  # plain dicts: the whole design re-evaluated
            todo = set(self.relevant)
        for c in todo:
            works[c] = answer[c] = 0
        queue = deque(sorted(todo, key=self.position.__getitem__))
        queued = set(queue)
        while queue:
            c = queue.popleft()
            queued.discard(c)
            works[c] = self._works(c, answer, failing)
            new = self._answer(c, works[c], answer)
            if new != answer[c]:
                answer[c] = new
                for d in self.dependents[c]:
                    if d in todo and d not in queued:
                        queued.add(d)
                        queue.append(d)
        return works, answer

    def single_knock_outs(self) -> dict[str, dict[str, str]] | None:
        """Entry point -> state for each relevant component knocked out alone, every one at once.

        The same states as ``entry_states({c})`` for each ``c``, but computed together with one
        bit set per component (bit ``k``: "when relevant component ``k`` is out"), so a chain of
        10,000 calls costs O((R + F) * R / 64) word operations instead of R re-evaluations of
        O(R + F) each. ``None`` when fallbacks form a cycle (then the states are a least fixpoint:
        use :meth:`entry_states` per component). Computed once per model.
        """
        return self._sweep

    @cached_property
    def _sweep(self) -> dict[str, dict[str, str]] | None:
        """:meth:`single_knock_outs`, computed once, on first use."""
        position = self.position
        for c in self.relevant:  # callees and fallbacks must come first for one pass to be exact
            if any(position[call.callee] >= position[c] for call in self.calls[c]) or any(
                position[f] >= position[c] for f, _ in self.fallbacks[c]
            ):
                return None
        down: dict[str, int] = {}  # c -> bits of the knock-outs after which c answers nothing
        short: dict[str, int] = {}  # c -> bits of the knock-outs after which c answers degraded or nothing
        every = (1 << len(self.relevant)) - 1  # "whatever is out"
        for c in self.relevant:
            bit = 1 << position[c]
            works_down, works_short = bit, bit
            for call in self.calls[c]:
                if call.index in self.timed_out:  # always failed: only the callee's fallbacks can answer
                    works_short |= every
                    if call.on_failure == "fail":
                        fallback_down = every
                        for f, _ in self.fallbacks[call.callee]:
                            fallback_down &= down[f]
                        works_down |= fallback_down
                    continue
                works_short |= short[call.callee]
                if call.on_failure == "fail":
                    works_down |= down[call.callee]
            for group, k in self.quorum.get(c, ()):  # down when more than n - k of the step's calls get nothing
                works_down |= self._quorum_down(group, k, down, every)
            for f, _ in self.fallbacks[c]:  # down only when every fallback is down too
                works_down &= down[f]
            down[c], short[c] = works_down, works_short
        sweep = {}
        for c in self.relevant:
            bit = 1 << position[c]
            sweep[c] = {e: DOWN if down[e] & bit else DEGRADED if short[e] & bit else SERVED for e in self.entries}
        return sweep

    def _quorum_down(self, group: list[Call], k: int, down: Mapping[str, int], every: int) -> int:
        """Bits of the knock-outs after which fewer than ``k`` of ``group``'s calls get an answer.

        ``count[j]``: knock-outs after which at least j of the calls seen so far get nothing (bit-sliced
        counting, O(n x k) word operations for n calls)."""
        need = len(group) - k + 1
        count = [every] + [0] * need
        for call in group:
            if call.index in self.timed_out:
                got_nothing = every
                for f, _ in self.fallbacks[call.callee]:
                    got_nothing &= down[f]
            else:
                got_nothing = down[call.callee]
            for j in range(need, 0, -1):
                count[j] |= count[j - 1] & got_nothing
        return count[need]

    def upstream(self, knocked: Iterable[str]) -> set[str]:
        """The relevant components among ``knocked`` and all whose state depends on them. O(their flows)."""
        found = {c for c in knocked if c in self.relevant_set}
        queue = deque(found)
        while queue:
            for d in self.dependents[queue.popleft()]:
                if d not in found and d in self.relevant_set:
                    found.add(d)
                    queue.append(d)
        return found

    def entry_states(self, knocked: Iterable[str] = ()) -> dict[str, str]:
        """Entry point -> served / degraded / down with ``knocked`` out (see :meth:`states`)."""
        return self.entry_states_of(self.states(knocked)[1])

    def entry_states_of(self, answer: Mapping[str, int]) -> dict[str, str]:
        """Entry point -> state from :meth:`states`' ``answer``; after a knock-out, only the
        re-evaluated entry points are looked up (O(those), plus a copy of E states)."""
        if isinstance(answer, ChainMap) and answer.maps[1] is self._baseline[1]:
            result = dict(self._entry_baseline)
            changed = answer.maps[0]
            for e in self.entries if len(changed) > len(self.entries) else changed:
                if e in self.entry_set and e in changed:
                    result[e] = _STATE[changed[e]]
            return result
        return {e: _STATE[answer[e]] for e in self.entries}

    def answered_by(
        self, entry: str, works: Mapping[str, int], answer: Mapping[str, int], knocked: Iterable[str] = ()
    ) -> list[Reason]:
        """Why a degraded entry point still answers: each fallback and ``on_failure`` that stood in.

        Items ``{"component": C, "fallback": F}`` (C did not work, F answered for it),
        ``{"component": C, "call": V, "on_failure": "skip" | "defaults"}``, or, for a call that
        times out, ``{"component": C, "call": V, "timed_out": True}`` followed by the fallback of V
        that answered or the ``on_failure`` that stood in; in walk order. O(R + F).
        """
        reasons: list[Reason] = []
        seen: set[str] = set()
        queue = deque([entry])
        while queue:
            c = queue.popleft()
            if c in seen or answer.get(c, 2) != 1:
                continue
            seen.add(c)
            if works[c] == 0:
                for f, _ in self.fallbacks[c]:
                    if answer[f]:
                        reasons.append({"component": c, "fallback": f})
                        queue.append(f)
                        break
                continue
            for call in self.calls[c]:
                got = answer[call.callee]
                if call.index in self.timed_out:
                    reasons.append({"component": c, "call": call.callee, "timed_out": True})
                    answered = next((f for f, _ in self.fallbacks[call.callee] if answer[f]), None)
                    if answered is not None:
                        reasons.append({"component": call.callee, "fallback": answered})
                        queue.append(answered)
                    else:
                        reasons.append({"component": c, "call": call.callee, "on_failure": call.on_failure})
                elif got == 0 and call.on_failure != "fail":
                    reasons.append({"component": c, "call": call.callee, "on_failure": call.on_failure})
                elif got == 1:
                    queue.append(call.callee)
        return reasons
