"""Serving behaviour: entry points, the request path, latency, knock-outs and load.

The one module that answers "what happens on the request path"; lint rules, the CLI, the
diagram views, the design doc and the report all ask it. The model (README, "Simulate"):

- **Entry points** are client-stage components (``client_app``, or a custom kind of stage
  ``client``) that send request flows. The **request path** is everything they reach over
  request flows.
- **Latency.** ``latency(c) = own p99 + the sum over c's steps of the slowest call in the step``,
  a call costing ``min(latency(callee), timeout_ms)``. A caller's request flows with the same
  ``step`` run in parallel, steps in ascending order; a caller without steps makes its calls one
  after another. Components without ``latency_p99_ms`` count as 0 ms and are listed as unknown.
- **Failure states** (``served`` > ``degraded`` > ``down``). A component *works* unless it is
  knocked out, stuck or shedding (below), or one of its calls fails with ``on_failure: fail``;
  a failed call with ``skip`` or ``defaults`` leaves it ``degraded``. A call fails only when the
  callee and all its fallbacks fail: a callee that does not work is *answered* (``degraded``) by
  any of its ``fallback`` targets that is itself answered. A callee slower than the call's
  ``timeout_ms`` (its latency, below, longer than the timeout) counts as failed for that call
  whatever else is out: only its fallbacks can answer it. States are the least fixpoint of these
  equations (start from everything down and raise until nothing changes), so they do not depend
  on the order of components or flows, and mutual fallbacks never vouch for each other.
- **Load** at factor L: each entry point receives L x its peak QPS (``peak_qps`` on it, else
  ``requirements.scale.peak_qps``); a component passes the load it admits down its request flows
  times ``per_request``; load a failed or shedding component does not serve goes to each of its
  live fallbacks (each must be able to take all of it). Utilization is load / (replicas x
  ``capacity_qps``). Over 1 with ``load_shedding`` the component serves its capacity and fails
  the rest fast (``shedding``); without it, it is ``overloaded``: it hangs, and so does every
  caller that calls it without a timeout (the cascade), while a caller with a timeout sees a
  failed call. Loads and states are iterated together until neither changes.
- **Headroom** is the largest L at which every entry point is fully served: with nothing failed,
  loads grow linearly with L, so it is ``min(capacity / load at L=1)`` over components with a
  capacity; components without one never saturate.

Every function takes a :class:`~mlsd_diagram.blueprint.models.Blueprint` and computes from
scratch: nothing is cached on the (mutable) model. Complexity is given per function for R
components and F flows reached from the entry points.
"""

from __future__ import annotations

import math
import sys
from collections import ChainMap, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..blueprint.models import Blueprint, Mode, OnFailure
from .distribution import Dist
from .response import EntryLatency, Evaluation, Scenario, entry_latency, evaluate

_POLICY = {policy: policy.value for policy in OnFailure}  # `.value` is a slow descriptor on Python 3.11

SERVED, DEGRADED, DOWN = "served", "degraded", "down"
OK, SHEDDING, OVERLOADED, FAILED, HUNG = "ok", "shedding", "overloaded", "failed", "hung"
KNOCK_OUT_BUDGET = 50_000  # component re-evaluations for the knock-outs' latency in one sweep (then states only)
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


def _capacity(cap: float | None) -> float:
    """The capacity of a component that saturated (only a component with a capacity can)."""
    assert cap is not None, "a component without capacity_qps never saturates"
    return cap


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


class P99s(dict):
    """Component -> p99 (ms), with ``calls``: request flow index -> the call's p99 as its caller sees it."""

    def __init__(self, values: dict[str, float], calls: dict[int, float], evaluation: Evaluation):
        super().__init__(values)
        self.calls = calls
        self.evaluation = evaluation


def _p99_any(d: Dist) -> float:
    """The p99 of the time until a response (answered or failed); infinite when 1% or more hang."""
    from .distribution import D, F, S

    if d.hang >= 0.01:
        return math.inf
    exact = d.exact()
    if exact is not None:
        return exact
    value = d.quantile(min(1.0, 0.99 / (1 - d.hang)), (S, D, F))
    return math.inf if value is None else value


def _share(x: float | None) -> float | int | None:
    if x is None:
        return None
    x = round(min(max(x, 0.0), 1.0), 6)
    return int(x) if x.is_integer() else x


def _figures(lat: EntryLatency) -> dict:
    return {
        "p50_ms": _number(lat.p50),
        "p99_ms": _number(lat.p99),
        "p999_ms": _number(lat.p999),
        "shares": {"served": _share(lat.served), "degraded": _share(lat.degraded), "failed": _share(lat.failed)},
        "over_slo_share": _share(lat.over_slo),
        "state": lat.state,
    }


def _no_load(model: ServingModel) -> dict:
    return {"components": {c: {"qps": 0.0, "state": OK} for c in model.relevant}}


class ServingModel:
    """The request and fallback flows of one blueprint, read once into plain values.

    An immutable snapshot: build one per question (``serving_model(bp)``, O(R + F)); keep it
    for repeated knock-outs. It never looks at the blueprint again, so the one thing it
    remembers (the states of the intact design, to re-evaluate only what a knock-out touches)
    cannot go stale.
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
        self.replicas = {c: comps[c].replicas or 1 for c in self.ids}
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
        self.relevant = self._post_order(self.entries, fallbacks=True)
        self.relevant_set = frozenset(self.relevant)
        self.position = {c: i for i, c in enumerate(self.relevant)}
        # Callers before callees over request flows, for every relevant component (load flows this way).
        self.bottom_up = tuple(self._post_order(self.relevant, fallbacks=False))
        self.top_down = tuple(reversed(self.bottom_up))
        self._baseline: tuple[dict[str, int], dict[str, int]] | None = None
        self._entry_baseline: dict[str, str] | None = None
        self._sweep: dict[str, dict[str, str]] | None = None
        self.evaluation_order, self.blocked_fallbacks, self.fallback_rings = self._evaluation_order()
        self.evaluation_position = {c: i for i, c in enumerate(self.evaluation_order)}
        self.grid_needed: dict[bool, bool] = {}  # by queueing on or off: some tail, queue or miss share
        # Calls whose timeout cuts 1% or more of them (the callee's p99 is longer than the timeout) with
        # nothing failed and no queueing: for the failure states, the call counts as failed (the callee's
        # fallbacks answer it, else its on_failure applies) whatever else is out. The caller then depends
        # on those fallbacks too. (The latency distributions count the cut share itself.)
        self.timed_out: frozenset[int] = frozenset()
        self._latencies: dict[tuple, P99s] = {}
        self._evaluations: dict[tuple, Evaluation] = {}
        self._slo_headroom: tuple[float | None, dict | None] | None = None
        self.idle = evaluate(self, Scenario(queueing=False), load=_no_load(self))
        self.timed_out = frozenset(i for i, share in self.idle.cut_share.items() if share >= CUT_SHARE)
        for c in self.relevant:
            for call in self.calls[c]:
                if call.index in self.timed_out:
                    for f, _ in self.fallbacks[call.callee]:
                        self.dependents[f].add(c)

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

    def _works(self, c: str, answer: Mapping[str, int], failing: set[str] | frozenset[str]) -> int:
        if c in failing:
            return 0
        worst = 2
        for call in self.calls[c]:
            got = answer[call.callee]
            if call.index in self.timed_out:  # too slow: as if it failed, so only its fallbacks can answer
                got = 1 if any(answer[f] for f, _ in self.fallbacks[call.callee]) else 0
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
        only_knocked = not shedding and not overloaded
        if only_knocked and knocked and self._baseline is None:
            self.states()
        failing = set(knocked) | self._hang(knocked, overloaded) | (shedding - knocked)
        if only_knocked and self._baseline is not None:
            works0, answer0 = self._baseline
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
        if only_knocked and not knocked:
            self._baseline = (dict(works), dict(answer))
        return works, answer

    def single_knock_outs(self) -> dict[str, dict[str, str]] | None:
        """Entry point -> state for each relevant component knocked out alone, every one at once.

        The same states as ``entry_states({c})`` for each ``c``, but computed together with one
        bit set per component (bit ``k``: "when relevant component ``k`` is out"), so a chain of
        10,000 calls costs O((R + F) * R / 64) word operations instead of R re-evaluations of
        O(R + F) each. ``None`` when fallbacks form a cycle (then the states are a least fixpoint:
        use :meth:`entry_states` per component). Computed once per model.
        """
        if self._sweep is not None:
            return self._sweep
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
            for f, _ in self.fallbacks[c]:  # down only when every fallback is down too
                works_down &= down[f]
            down[c], short[c] = works_down, works_short
        sweep = {}
        for c in self.relevant:
            bit = 1 << position[c]
            sweep[c] = {e: DOWN if down[e] & bit else DEGRADED if short[e] & bit else SERVED for e in self.entries}
        self._sweep = sweep
        return sweep

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
        if isinstance(answer, ChainMap) and self._baseline is not None and answer.maps[1] is self._baseline[1]:
            if self._entry_baseline is None:
                self._entry_baseline = {e: _STATE[self._baseline[1][e]] for e in self.entries}
            result = dict(self._entry_baseline)
            changed = answer.maps[0]
            for e in self.entries if len(changed) > len(self.entries) else changed:
                if e in self.entry_set and e in changed:
                    result[e] = _STATE[changed[e]]
            return result
        return {e: _STATE[answer[e]] for e in self.entries}

    def answered_by(
        self, entry: str, works: Mapping[str, int], answer: Mapping[str, int], knocked: Iterable[str] = ()
    ) -> list[dict]:
        """Why a degraded entry point still answers: each fallback and ``on_failure`` that stood in.

        Items ``{"component": C, "fallback": F}`` (C did not work, F answered for it),
        ``{"component": C, "call": V, "on_failure": "skip" | "defaults"}``, or, for a call that
        times out, ``{"component": C, "call": V, "timed_out": True}`` followed by the fallback of V
        that answered or the ``on_failure`` that stood in; in walk order. O(R + F).
        """
        reasons: list[dict] = []
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

    # -- latency --------------------------------------------------------------------------

    def latencies(
        self, factor: float = 1.0, hung: Iterable[str] = (), cold: Iterable[str] = ()
    ) -> tuple[P99s, dict[str, bool]]:
        """``(p99, known)`` of every relevant component at ``factor`` x peak with nothing knocked out.

        The p99 of each component's response (its own service, queue wait and calls, every
        outcome; infinite when it hangs) from the response distributions
        (:mod:`~mlsd_diagram.analyses.response`); ``p99.calls`` has each request flow's cost as
        its caller sees it (after its timeout and the fallbacks that answer a cut call).
        Without a declared tail, queue or miss share these are exact sums of p99s, as before.
        ``known``: some latency is declared at or below the component. O(R + F).
        """
        key = (float(factor), frozenset(hung), frozenset(cold))
        if key not in self._latencies:
            ev = self.evaluation(factor, (), hung, cold)
            total = P99s(
                {c: _p99_any(ev.response[c]) for c in self.relevant},
                {i: _p99_any(d) for i, d in ev.calls.items()},
                ev,
            )
            self._latencies[key] = total
        known: dict[str, bool] = {}
        for c in self.bottom_up:  # callees first
            known[c] = self.own[c] is not None or any(known[call.callee] for call in self.calls[c])
        return self._latencies[key], known

    def evaluation(
        self,
        factor: float = 1.0,
        knocked: Iterable[str] = (),
        hung: Iterable[str] = (),
        cold: Iterable[str] = (),
        base: Evaluation | None = None,
        load: Mapping | None = None,
        lost: Mapping[str, int] | None = None,
        start: Mapping[str, float] | None = None,
    ) -> Evaluation:
        """The response distributions at ``factor`` x peak in that state (:func:`~.response.evaluate`).

        With ``base`` (an evaluation at the same factor), the loads are the base's and only what
        depends on the changed components is re-evaluated: the knock-out sweep's shortcut.
        """
        scenario = Scenario(
            float(factor),
            frozenset(knocked),
            frozenset(hung),
            frozenset(cold),
            lost=tuple(sorted((lost or {}).items())),
            start=tuple(sorted((start or {}).items())),
        )
        if base is not None:
            return evaluate(self, scenario, base=base)
        key = (scenario,)
        cached = self._evaluations.get(key)
        if cached is None:
            cached = evaluate(self, scenario, load=load)
            self._evaluations[key] = cached
        return cached

    def request_latency(
        self, factor: float = 1.0, hung: Iterable[str] = (), cold: Iterable[str] = ()
    ) -> dict[str, dict]:
        """See :func:`request_latency`."""
        total, known = self.latencies(factor, hung, cold)
        figures = self.figures(total.evaluation)
        out = {}
        for e in self.entries:
            report = self.latency_report(e, total, known)
            fig = figures[e]
            report.update(
                {
                    "p50_ms": fig["p50_ms"] if known[e] else None,
                    "p999_ms": fig["p999_ms"] if known[e] else None,
                    "shares": fig["shares"],
                    "over_slo_share": fig["over_slo_share"] if known[e] else None,
                    "state": fig["state"],
                    "assumed": self.assumed(e),
                }
            )
            out[e] = report
        return out

    def figures(self, ev: Evaluation) -> dict[str, dict]:
        """Each entry point's latency in an evaluation, as the JSON gives it: ``{"p50_ms", "p99_ms",
        "p999_ms", "shares": {"served", "degraded", "failed"}, "over_slo_share", "state"}``.

        Percentiles are of the answered requests (served or degraded); a request that hangs counts
        as failed and as over the SLO. ``state``: ``down`` when 1% or more fail, ``degraded`` when
        1% or more are not fully served, else ``served``.
        """
        out = {}
        for e in self.entries:
            cached = ev.entry_figures.get(e)
            if cached is None and ev.base is not None and e not in ev.redone:
                cached = self.figures(ev.base)[e]  # not touched by what changed: the base's figures
            if cached is None:
                cached = _figures(entry_latency(ev, e, self.slo_ms))
            ev.entry_figures[e] = cached
            out[e] = cached
        return out

    def failure_latencies(self, components: Iterable[str], factor: float = 1.0) -> list[dict]:
        """Each entry point's latency when each of ``components`` fails alone, fast and hung.

        Items ``{"component", "fails_fast": {ENTRY: figures}, "hangs": {ENTRY: figures}}`` (figures
        as :meth:`figures`), at ``factor`` x peak on the loads of the intact design. Knocked out,
        every call to it fails at once; hung, every call waits its ``timeout_ms`` (a caller
        without one hangs); then its fallbacks or ``on_failure`` answer. O(P x (R + F)).
        """
        base = self.evaluation(factor)
        out = []
        for c in components:
            out.append(
                {
                    "component": c,
                    "fails_fast": self.figures(self.evaluation(factor, [c], base=base)),
                    "hangs": self.figures(self.evaluation(factor, (), [c], base=base)),
                }
            )
        return out

    def latency_under_load(self, factors: Iterable[float] = (0.5, 0.75, 1, 1.25, 1.5, 2)) -> list[dict]:
        """Each entry point's figures (:meth:`figures`) at each load factor: ``[{"factor", "latency"}]``."""
        return [{"factor": _number(f), "latency": self.figures(self.evaluation(f))} for f in factors]

    def assumed(self, entry: str) -> dict[str, list[str]]:
        """What ``entry``'s latency takes as given: ``constant_service`` (a p99 without a p50: no tail),
        ``no_queueing`` (no ``workers``: latency under load unknown), ``no_latency`` (counted as 0)."""
        reach = [c for c in self._post_order([entry], fallbacks=True) if c != entry]
        order = sorted(reach, key=self.index.__getitem__)
        return {
            "constant_service": [c for c in order if self.own[c] is not None and self.p50[c] is None],
            "no_queueing": [c for c in order if self.workers[c] is None],
            "no_latency": [c for c in order if self.own[c] is None],
        }

    def slo_headroom(self) -> tuple[float | None, dict | None]:
        """``(largest load factor at which every entry point is served and within its SLO, what limits it)``.

        Found by bisection over the load factor on the full evaluation (loads, shedding, queues,
        timeouts). The limit is ``{"by": "saturation", "component": ID}`` when an entry point stops
        being served first, else ``{"by": "slo", "entry": ID, "p99_ms": X}``. ``(None, None)`` when
        load changes nothing (no capacity, no workers, no peak QPS) and the design is within its
        SLO; ``(0.0, limit)`` when it is not even at a tiny load. Computed once per model.
        """
        if self._slo_headroom is not None:
            return self._slo_headroom
        if not self.entries:
            self._slo_headroom = (None, None)
            return self._slo_headroom
        loaded = any(self.entry_peak(e) for e in self.entries)
        sized = any(self.total_capacity(c) is not None or self.workers[c] is not None for c in self.relevant)

        def failing(factor: float) -> dict | None:
            ev = self.evaluation(factor)
            figures = self.figures(ev)
            for e in self.entries:
                if figures[e]["state"] != SERVED:
                    first = next(
                        (c for c in self.relevant if c in ev.saturated or c in ev.jammed),
                        None,
                    )
                    return (
                        {"by": "saturation", "component": first, "entry": e} if first else {"by": "state", "entry": e}
                    )
            if self.slo_ms is not None:
                for e in self.entries:
                    p99 = figures[e]["p99_ms"]
                    if p99 is not None and p99 > self.slo_ms:
                        return {"by": "slo", "entry": e, "p99_ms": p99}
            return None

        low = 1e-6
        if failing(low) is not None:
            self._slo_headroom = (0.0, failing(low))
            return self._slo_headroom
        if not (loaded and sized):
            self._slo_headroom = (None, None)
            return self._slo_headroom
        headroom, _ = self.headroom()
        high = (headroom or 1.0) * 1.02 + 1e-3
        while failing(high) is None and high < 1e6:
            low, high = high, high * 2
        for _ in range(60):
            if high - low <= 5e-4:  # reported to 3 decimals, rounded down
                break
            middle = (low + high) / 2
            if failing(middle) is None:
                low = middle
            else:
                high = middle
        if headroom is not None and low < headroom < high and failing(headroom) is None:
            low = headroom  # the capacity's own limit, exactly, when it is the bound
        self._slo_headroom = (math.floor(low * 1000) / 1000, failing(high))
        return self._slo_headroom

    @staticmethod
    def _cost(call: Call, total: Mapping[str, float]) -> float:
        calls = getattr(total, "calls", None)
        if calls is not None and call.index in calls:
            return calls[call.index]
        cost = total[call.callee]
        return cost if call.timeout_ms is None else min(cost, call.timeout_ms)

    def latency_report(self, entry: str, total: Mapping[str, float], known: Mapping[str, bool]) -> dict:
        """One entry point's latency: ``{"path", "p99_ms", "slo_ms", "missing", "steps"}``.

        ``steps`` lists, depth first in call order, the calls that make up the total (the
        slowest of each step), each once: ``{"component", "depth", "step", "own_ms", "total_ms",
        "cost_ms", "timeout_ms", "parallel": [other callees of that step]}``; ``path`` is their
        components. With no latency declared anywhere, ``p99_ms`` is None and both are empty.
        O(R + F).
        """
        reach = self._post_order([entry], fallbacks=False)
        missing = sorted((c for c in reach if c != entry and self.own[c] is None), key=self.index.__getitem__)
        slo = _number(self.slo_ms)
        if not known[entry]:
            return {"path": [], "p99_ms": None, "slo_ms": slo, "missing": missing, "steps": []}
        rows: list[dict] = []
        expanded: set[str] = set()

        def row(c: str, depth: int, step: int | None, call: Call | None, parallel: list[str]) -> None:
            cost = total[c] if call is None else self._cost(call, total)
            rows.append(
                {
                    "component": c,
                    "depth": depth,
                    "step": step,
                    "own_ms": _number(self.own[c]),
                    "total_ms": _number(total[c]),
                    "cost_ms": _number(cost),
                    "timeout_ms": None if call is None else _number(call.timeout_ms),
                    "parallel": parallel,
                }
            )

        stack: list[tuple[str, int, int | None, Call | None, list[str]]] = [(entry, 0, None, None, [])]
        while stack:
            c, depth, step, call, parallel = stack.pop()
            row(c, depth, step, call, parallel)
            if c in expanded or (call is not None and call.timeout_ms is not None and call.timeout_ms < total[c]):
                continue  # shown once; a call cut by its timeout costs the timeout, not its parts
            expanded.add(c)
            children = []
            for number, group in enumerate(self.steps[c], start=1):
                slowest = max(group, key=lambda k: (self._cost(k, total), -k.index))
                label = slowest.step if slowest.step is not None else number
                others = [k.callee for k in group if k is not slowest]
                children.append((slowest.callee, depth + 1, label, slowest, others))
            stack.extend(reversed(children))
        path = list(dict.fromkeys(r["component"] for r in rows))
        return {"path": path, "p99_ms": self._entry_p99(entry, total), "slo_ms": slo, "missing": missing, "steps": rows}

    def _entry_p99(self, entry: str, total: Mapping[str, float]) -> float | int | None:
        """An entry point's p99: of its answered requests (as :meth:`figures`), else of every response."""
        ev = getattr(total, "evaluation", None)
        if ev is not None:
            answered = self.figures(ev)[entry]["p99_ms"]
            if answered is not None:
                return answered
        return _number(total[entry])

    def latency_parts(self, entry: str, total: Mapping[str, float], known: Mapping[str, bool]) -> dict:
        """How ``entry``'s p99 adds up, one component at a time (the design doc's latency steps).

        ``{"entry", "p99_ms", "slo_ms", "missing", "parts", "flows"}``. ``parts`` has, for each
        component that :meth:`latency_report` expands and that makes calls (depth first in call
        order, each once), ``{"component", "own_ms", "total_ms", "steps": [{"step", "cost_ms",
        "calls": [{"component", "flow", "latency_ms", "known", "timeout_ms", "cost_ms", "cut",
        "slowest"}]}]}``: its own p99 plus each step's ``cost_ms`` (the slowest call's) is its
        ``total_ms``. Every call of a step is listed, in flow order, with what it costs after its
        timeout (``cut`` when the timeout is shorter than the callee's latency). ``flows`` are the
        indices of the slowest calls (the flows of the latency path). With no latency declared,
        ``p99_ms`` is None and ``parts`` is empty. O(R + F).
        """
        reach = self._post_order([entry], fallbacks=False)
        missing = sorted((c for c in reach if c != entry and self.own[c] is None), key=self.index.__getitem__)
        result: dict = {
            "entry": entry,
            "p99_ms": None,
            "slo_ms": _number(self.slo_ms),
            "missing": missing,
            "parts": [],
            "flows": [],
        }
        if not known[entry]:
            return result
        result["p99_ms"] = self._entry_p99(entry, total)
        expanded: set[str] = set()
        stack = [entry]
        while stack:
            c = stack.pop()
            if c in expanded or not self.steps[c]:
                continue
            expanded.add(c)
            steps, children = [], []
            for number, group in enumerate(self.steps[c], start=1):
                slowest = max(group, key=lambda k: (self._cost(k, total), -k.index))  # as latency_report
                calls = [
                    {
                        "component": k.callee,
                        "flow": k.index,
                        "latency_ms": _number(total[k.callee]),
                        "known": known[k.callee],
                        "timeout_ms": _number(k.timeout_ms),
                        "cost_ms": _number(self._cost(k, total)),
                        "cut": k.timeout_ms is not None and k.timeout_ms < total[k.callee],
                        "slowest": k is slowest,
                    }
                    for k in sorted(group, key=lambda k: k.index)
                ]
                steps.append(
                    {
                        "step": slowest.step if slowest.step is not None else number,
                        "cost_ms": _number(self._cost(slowest, total)),
                        "calls": calls,
                    }
                )
                result["flows"].append(slowest.index)
                if slowest.timeout_ms is None or slowest.timeout_ms >= total[slowest.callee]:
                    children.append(slowest.callee)  # a call cut by its timeout costs the timeout, not its parts
            result["parts"].append(
                {"component": c, "own_ms": _number(self.own[c]), "total_ms": _number(total[c]), "steps": steps}
            )
            stack.extend(reversed(children))
        return result

    # -- load -----------------------------------------------------------------------------

    def entry_peak(self, entry: str) -> float | None:
        """The peak QPS entering at ``entry``: its own ``peak_qps``, else the design's."""
        own = self.peak[entry]
        return own if own is not None else self.default_peak

    def capacity_per_replica(self, c: str) -> float | None:
        """Requests per second one replica sustains: ``capacity_qps``, and with ``workers`` at most
        ``workers / mean response time`` (Little's law, the response with nothing queued)."""
        cap = self.capacity[c]
        workers = self.workers[c]
        if workers is not None:
            held = self.idle.response[c].mean() if c in self.idle.response else 0.0
            if held > 0:
                by_workers = workers * 1000.0 / held
                cap = by_workers if cap is None else min(cap, by_workers)
        return cap

    def total_capacity(self, c: str, lost: Mapping[str, int] | None = None) -> float | None:
        """``replicas`` x :meth:`capacity_per_replica`, less the replicas in ``lost``; None when unknown."""
        cap = self.capacity_per_replica(c)
        if cap is None:
            return None
        return cap * max(0, self.replicas[c] - (lost or {}).get(c, 0))

    def lost_replicas(self, what: str) -> dict[str, int]:
        """Replicas lost from each request-path component: ``"replica"`` one each (the worst single loss
        for each), ``"zone"`` one zone's share where ``zones`` is declared (ceil(replicas / zones))."""
        if what == "replica":
            return dict.fromkeys(self.request_path, 1)
        if what == "zone":
            return {
                c: -(-self.replicas[c] // z) for c in self.request_path if (z := self.zones[c]) is not None and z > 1
            }
        raise ValueError(f"lose what? 'replica' or 'zone', got {what!r}")

    @property
    def retrying(self) -> bool:
        """Whether some request call declares retries."""
        return any(call.retries for calls in self.calls.values() for call in calls)

    def attempts_per_call(self, call: Call, failing: float) -> float:
        """Attempts a call makes when each fails with chance ``failing``: ``sum_{k=0..retries} failing^k``,
        at most ``1 + retry_budget`` of the caller (``failing`` 1: the worst case, ``retries + 1``)."""
        a = sum(failing**k for k in range(call.retries + 1)) if call.retries else 1.0
        budget = self.retry_budget[call.caller]
        return a if budget is None else min(a, 1.0 + budget)

    def attempts(
        self,
        factor: float,
        knocked: Iterable[str] = (),
        lost: Mapping[str, int] | None = None,
        start: Mapping[str, float] | None = None,
        cold: Iterable[str] = (),
    ) -> dict:
        """Retries at ``factor`` x peak: attempts per call and each component's chance an attempt fails.

        An attempt to ``v`` fails when ``v`` rejects it (shedding: ``1 - capacity / offered``), cannot
        serve it (knocked out, or over capacity without shedding: it times out or hangs), or its own
        ``fail`` call below fails after all its tries (``f_w ** (retries + 1)``, unless a fallback of
        ``w`` answers). A call with ``retries: r`` offers ``sum_{k=0..r} f_v ** k`` attempts per call,
        at most ``1 + retry_budget`` of the caller. Loads and failure chances are iterated, damped
        (half the step), from ``start`` (the failure chances a load path left; none failing by
        default) until they change by less than 1e-9. Returns ``{"attempts": {flow index: A},
        "failure": {ID: f}, "offered": {ID: qps}, "converged": bool, "rounds": n}``. O(rounds x (R + F)).
        """
        knocked = frozenset(knocked)
        cold = frozenset(cold)
        f = dict.fromkeys(self.relevant, 0.0)
        if start:
            f.update({c: v for c, v in start.items() if c in f})
        attempts: dict[int, float] = {}
        offered: dict[str, float] = {}
        converged, rounds = False, 0
        for rounds in range(1, 2001):  # noqa: B007 - rounds is reported
            load = dict.fromkeys(self.relevant, 0.0)
            for e in self.entries:
                load[e] += factor * (self.entry_peak(e) or 0.0)
            reject: dict[str, float] = {}
            for c in self.top_down:
                cap = self.total_capacity(c, lost)
                admitted = load[c]
                if c in knocked:
                    admitted = 0.0
                elif cap is not None and load[c] > cap and self.shedding[c]:
                    admitted = cap
                    reject[c] = 1 - cap / load[c]
                miss = self.miss_share(c, cold)
                for call in self.calls[c]:
                    a = attempts[call.index] = self.attempts_per_call(call, f[call.callee])
                    load[call.callee] += admitted * miss * call.per_request * a
            new: dict[str, float] = {}
            for c in self.bottom_up:
                cap = self.total_capacity(c, lost)
                if c in knocked or (cap is not None and load[c] > cap * (1 + 1e-9) and not self.shedding[c]):
                    new[c] = 1.0
                    continue
                ok = 1.0
                for call in self.calls[c]:
                    if call.on_failure != "fail" or any(f2 not in knocked for f2, _ in self.fallbacks[call.callee]):
                        continue  # skip/defaults, or a fallback answers: the call does not fail c
                    ok *= 1.0 - (new[call.callee] if call.callee in new else f[call.callee]) ** (call.retries + 1)
                r = reject.get(c, 0.0)
                new[c] = r + (1 - r) * (1 - ok)
            change = max((abs(new[c] - f[c]) for c in f), default=0.0)
            f = {c: (f[c] + new[c]) / 2 if self.retrying else new[c] for c in f}
            offered = load
            if change < 1e-9:
                converged = True
                break
        return {"attempts": attempts, "failure": f, "offered": offered, "converged": converged, "rounds": rounds}

    def base_load(self) -> dict[str, float]:
        """QPS at every relevant component at load 1 with nothing failed. O(R + F)."""
        load = dict.fromkeys(self.relevant, 0.0)
        for e in self.entries:
            load[e] += self.entry_peak(e) or 0.0
        for c in self.top_down:
            miss = self.miss_share(c)
            for call in self.calls[c]:
                load[call.callee] += load[c] * miss * call.per_request
        return load

    def miss_share(self, c: str, cold: Iterable[str] = ()) -> float:
        """The share of ``c``'s requests that make its calls: 1 - ``hit_ratio`` (1 when cold)."""
        hit = self.hit_ratio[c]
        return 1.0 if hit is None or c in cold else 1.0 - hit

    def load(
        self,
        factor: float,
        knocked: Iterable[str] = (),
        hung: Iterable[str] = (),
        cold: Iterable[str] = (),
        lost: Mapping[str, int] | None = None,
        start: Mapping[str, float] | None = None,
    ) -> dict:
        """States and loads at ``factor`` x peak with ``knocked`` out (see the module docstring).

        Two views of failure: *total* (knocked-out and hanging components, and whatever fails
        with them) decides where load goes and which components are ``failed``; the *worst
        case* adds shedding components (the requests they turn away) and decides the entry
        points' states: ``down`` when some requests fail, ``degraded`` when some are answered
        by a fallback or a skipped call. The requests a shedding component turns away go to its
        live fallbacks; when none answers, they fail at its callers without adding load
        elsewhere. Returns ``{"entry_points": {ID: STATE}, "components": {ID: {"qps",
        "capacity_qps", "utilization", "state"}}, "answered_by": {ID: [...]}, "rounds": N}``.
        Each round recomputes loads from the states of the round before, and states from those
        loads, until neither changes (a shedding component passes on only what it admits, so loads
        can also fall); should the rounds cycle, every saturation seen in them is kept. Each round
        is O(R + F) (plus the fixpoint's repeats on fallback cycles), at most R + 2 rounds.
        """
        knocked = frozenset(knocked)
        hung = frozenset(hung) - knocked  # black-holed: they take requests and never answer
        cold = frozenset(cold)
        lost_map = dict(lost or {})
        retry = self.attempts(factor, knocked, lost_map, start, cold) if self.retrying else None
        multiplier = retry["attempts"] if retry else {}
        shedding: frozenset[str] = frozenset()
        overloaded: frozenset[str] = hung
        inflow: dict[str, float] = {}
        history: set[tuple] = set()
        rounds = 0
        load: dict[str, float] = {}
        _, live = self.states(knocked)  # a fallback takes load unless it is out for reasons other than load
        for _round in range(1, len(self.relevant) + 3):
            works, _ = self.states(knocked, (), overloaded)
            load = dict.fromkeys(self.relevant, 0.0)
            for e in self.entries:
                load[e] += factor * (self.entry_peak(e) or 0.0)
            for f, q in inflow.items():
                load[f] += q
            unserved: dict[str, float] = {}
            for c in self.top_down:
                cap = self.total_capacity(c, lost_map)
                if c in knocked or c in hung:  # a hung component calls nobody and answers nobody
                    admitted, unserved_qps = 0.0, load[c]
                elif c in overloaded:  # works at capacity; every call to it times out or hangs
                    admitted, unserved_qps = _capacity(cap), load[c]
                elif c in shedding:  # rejects the excess; fails the rest too when it does not work
                    admitted = _capacity(cap)
                    unserved_qps = load[c] - admitted if works[c] else load[c]
                elif works[c] == 0:  # works on them, then fails: its fallbacks answer
                    admitted, unserved_qps = load[c], load[c]
                else:
                    admitted, unserved_qps = load[c], 0.0
                if unserved_qps > 0:
                    unserved[c] = unserved_qps
                miss = self.miss_share(c, cold)
                for call in self.calls[c]:
                    load[call.callee] += admitted * miss * call.per_request * multiplier.get(call.index, 1.0)
            new_inflow: dict[str, float] = {}
            for c, unserved_qps in unserved.items():
                for f, _ in self.fallbacks[c]:
                    if live[f]:
                        new_inflow[f] = new_inflow.get(f, 0.0) + unserved_qps
            saturated = {
                c for c in self.relevant if c not in knocked and c not in hung and self._over(c, load[c], lost_map)
            }
            new_shedding = frozenset(c for c in saturated if self.shedding[c])
            new_overloaded = frozenset(c for c in saturated if not self.shedding[c]) | hung
            if (
                new_shedding == shedding
                and new_overloaded == overloaded
                and new_inflow.keys() == inflow.keys()
                and all(math.isclose(new_inflow[f], inflow[f], rel_tol=1e-9) for f in inflow)
            ):
                break
            seen = (new_shedding, new_overloaded, tuple(sorted((f, round(q, 6)) for f, q in new_inflow.items())))
            if seen in history:  # the rounds cycle: keep every saturation seen (pessimistic) and stop
                shedding, overloaded = shedding | new_shedding, overloaded | new_overloaded
                break
            history.add(seen)
            shedding, overloaded, inflow = new_shedding, new_overloaded, new_inflow
        works, _ = self.states(knocked, (), overloaded)
        worst_works, worst = self.states(knocked, shedding, overloaded)
        components = {}
        for c in (c for c in self.ids if c in self.relevant_set):
            cap = self.total_capacity(c, lost_map)
            if c in knocked:
                state = FAILED
            elif c in hung:
                state = HUNG
            elif c in shedding:
                state = SHEDDING
            elif c in overloaded:
                state = OVERLOADED
            elif works[c] == 0:
                state = FAILED
            else:
                state = OK
            components[c] = {
                "qps": _number(load[c]),
                "capacity_qps": _number(cap),
                "utilization": None if cap is None else (_number(load[c] / cap) if cap > 0 else _number(math.inf)),
                "state": state,
            }
        entries = {e: _STATE[worst[e]] for e in self.entries}
        why = {e: self.answered_by(e, worst_works, worst) for e in self.entries if entries[e] == DEGRADED}
        result = {"entry_points": entries, "components": components, "answered_by": why, "rounds": rounds}
        if retry is not None:
            result["retries"] = retry
        return result

    def _over(self, c: str, qps: float, lost: Mapping[str, int] | None = None) -> bool:
        cap = self.total_capacity(c, lost)
        return cap is not None and qps > cap * (1 + 1e-9)

    def headroom(self) -> tuple[float | None, str | None]:
        """``(largest load factor with every entry point fully served, first component to saturate)``.

        ``(None, None)`` when no peak QPS is declared or no loaded component declares a capacity;
        ``(0.0, None)`` when some entry point is not fully served even without load (a call whose
        callee is slower than its timeout fails at every load). O(R + F).
        """
        base = self.base_load()
        best: tuple[float, int, str] | None = None
        for c in self.relevant:
            cap = self.total_capacity(c)
            if cap is None or base[c] <= 0:
                continue
            factor = cap / base[c]
            if best is None or (factor, self.index[c]) < best[:2]:
                best = (factor, self.index[c], c)
        if best is None:
            return None, None
        if any(state != SERVED for state in self.entry_states().values()):
            return 0.0, None
        return math.floor(best[0] * 1000) / 1000, best[2]


# -- the public functions -------------------------------------------------------------


def serving_model(blueprint: Blueprint) -> ServingModel:
    """A fresh :class:`ServingModel` of ``blueprint`` (O(R + F)); nothing is cached on the blueprint."""
    return ServingModel(blueprint)


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


def entry_points(blueprint: Blueprint) -> list[str]:
    """Client-stage components (built-in or custom kinds) that send request flows, in declaration order."""
    return list(ServingModel(blueprint).entries)


def request_path(blueprint: Blueprint) -> list[str]:
    """Components reached from an entry point over request flows (entry points excluded), declaration order."""
    return list(ServingModel(blueprint).request_path)


def graph_request_path(graph) -> tuple[list[str], list[str]]:
    """``(entry points, request path)`` of a blueprint graph (``Blueprint.graph``), as :func:`request_path`.

    For the diagram views, which work on the graph. O(components + flows).
    """
    targets: dict[str, list[str]] = {}
    for u, v, mode in graph.edges(data="mode"):
        if mode == "request":
            targets.setdefault(u, []).append(v)
    stage = dict(graph.nodes(data="stage"))
    return _entries_and_reach(graph.nodes, stage, targets)


def reachable_components(blueprint: Blueprint) -> list[str]:
    """Entry points and what they reach over request and fallback flows, declaration order.

    Only these can change what a knock-out gives. O(R + F).
    """
    model = ServingModel(blueprint)
    return [c for c in model.ids if c in model.relevant_set]


def _check_ids(blueprint: Blueprint, components: Iterable[str]) -> set[str]:
    chosen = set(components)
    unknown = sorted(chosen - set(blueprint.components))
    if unknown:
        raise KeyError(f"not a component: {', '.join(unknown)}")
    return chosen


def knock_out(blueprint: Blueprint, components: Iterable[str]) -> dict[str, str]:
    """Knock ``components`` out together: each entry point -> ``served``, ``degraded`` or ``down``.

    Raises KeyError when an id is not a component. O(R + F), plus the fixpoint's repeats when
    fallbacks form cycles.
    """
    return ServingModel(blueprint).entry_states(_check_ids(blueprint, components))


def knock_out_detail(blueprint: Blueprint, components: Iterable[str], model: ServingModel | None = None) -> dict:
    """Like :func:`knock_out`, plus what still answers, for drawing a knock-out (the live preview).

    Returns ``{"entry_points": {ID: STATE}, "states": {ID: STATE}, "components": [...],
    "flows": [...], "answered_by": {ID: [...]}}``: ``states`` has the state of every component
    reached over request and fallback flows (knocked-out ones ``down``; a live one is
    ``degraded`` when a fallback or a skipped call answers for part of it); ``components`` are
    those live requests still reach (entry points included, declaration order); ``flows`` the
    request and fallback flows they travel, ascending. O(R + F). ``model``: the blueprint's
    :func:`serving_model`, to reuse over many knock-outs.
    """
    model = model or ServingModel(blueprint)
    knocked = _check_ids(blueprint, components)
    works, answer = model.states(knocked)
    state = {c: DOWN if c in knocked else _STATE[answer[c]] for c in model.ids if c in model.relevant_set}
    reached: set[str] = set()
    flows: set[int] = set()

    def answering(target: str, index: int) -> list[tuple[str, int]]:
        # the call's flow to a working callee; else the fallback flows to whoever answers for it
        hops: list[tuple[str, int]] = []
        seen = set()
        while works[target] == 0 and target not in seen:
            seen.add(target)
            target, index = next(
                ((f, i) for f, i in model.fallbacks[target] if answer[f] and f not in seen), (target, -1)
            )
            if index < 0:
                return hops
            hops.append((target, index))
        return hops if hops else [(target, index)]

    queue = deque(e for e in model.entries if answer[e])
    reached.update(queue)
    while queue:
        node = queue.popleft()
        if works[node] == 0:
            targets = answering(node, -1)
        else:
            targets = [
                hop for call in model.calls[node] if answer[call.callee] for hop in answering(call.callee, call.index)
            ]
        for target, index in targets:
            if index >= 0:
                flows.add(index)
            if target not in reached:
                reached.add(target)
                queue.append(target)
    entries = {e: _STATE[answer[e]] for e in model.entries}
    return {
        "entry_points": entries,
        "states": state,
        "components": [c for c in model.ids if c in reached],
        "flows": sorted(flows),
        "answered_by": {e: model.answered_by(e, works, answer) for e in model.entries if entries[e] == DEGRADED},
    }


def critical_components(blueprint: Blueprint, model: ServingModel | None = None) -> list[dict]:
    """Request-path components whose loss alone takes an entry point down, declaration order.

    Each item: ``{"component": ID, "replicas": N, "entry_points": [IDs taken down]}``.
    O(P * (R + F)) for P request-path components (each knock-out re-evaluates only what
    depends on the knocked component).
    """
    model = model or ServingModel(blueprint)
    sweep = model.single_knock_outs()
    result = []
    for c in model.request_path:
        states = sweep.get(c) if sweep is not None else None
        states = states if states is not None else model.entry_states({c})
        down = [e for e, s in states.items() if s == DOWN]
        if down:
            result.append({"component": c, "replicas": model.replicas[c], "entry_points": down})
    return result


def single_points_of_failure(blueprint: Blueprint, model: ServingModel | None = None) -> list[dict]:
    """The critical components (:func:`critical_components`) with fewer than two replicas."""
    return [item for item in critical_components(blueprint, model) if item["replicas"] < 2]


def request_latency(blueprint: Blueprint, model: ServingModel | None = None, factor: float = 1.0) -> dict[str, dict]:
    """Each entry point's latency at ``factor`` x peak, by steps and timeouts (:meth:`ServingModel.latency_report`)
    with its distribution's figures (:meth:`ServingModel.figures`) and what it assumes.

    ``{ENTRY: {"path", "p99_ms", "slo_ms", "missing", "steps", "p50_ms", "p999_ms", "shares",
    "over_slo_share", "state", "assumed"}}``. O(R + F) per entry point.
    """
    model = model or ServingModel(blueprint)
    return model.request_latency(factor)


def load_at(
    blueprint: Blueprint,
    factor: float = 1.0,
    knocked: Iterable[str] = (),
    model: ServingModel | None = None,
    hung: Iterable[str] = (),
    cold: Iterable[str] = (),
    lose: str | None = None,
    start: Mapping[str, float] | None = None,
) -> dict:
    """The ``load`` object of ``mlsd simulate --load FACTOR`` (see :func:`simulate`).

    ``{"factor", "headroom", "first_saturated", "slo_headroom", "slo_limit", "entry_points": {ID:
    STATE}, "components": {ID: {"qps", "capacity_qps", "utilization", "state"}}, "answered_by": {ID:
    [...]}, "unknown_capacity": [IDs], "latency": {ID: figures}}``, plus ``"lost"`` ({ID: replicas
    lost}) with ``lose`` (``"replica"`` or ``"zone"``, :meth:`ServingModel.lost_replicas`) and
    ``"retries"`` (:meth:`ServingModel.attempts`) when calls retry (``start``: the failure chances a
    load path left). ``capacity_qps`` is the replicas left x the per-replica capacity. Raises
    ValueError for a factor that is not a positive finite number.
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) or factor <= 0:
        raise ValueError(f"load factor must be a positive number, got {factor!r}")
    model = model or ServingModel(blueprint)
    knocked = _check_ids(blueprint, knocked)
    hung = _check_ids(blueprint, hung)
    cold = _check_ids(blueprint, cold)
    lost = model.lost_replicas(lose) if lose else None
    result = model.load(float(factor), knocked, hung, cold, lost, start)
    headroom, first = model.headroom()
    slo_headroom, limit = model.slo_headroom()
    ev = model.evaluation(float(factor), knocked, hung, cold, load=result, lost=lost, start=start)
    figures = model.figures(ev)
    states = {e: figures[e]["state"] for e in model.entries}
    extra: dict = {}
    if lost is not None:
        extra["lost"] = lost
    if "retries" in result:
        retry = result["retries"]
        extra["retries"] = {
            "attempts": {str(i): _number(a) for i, a in sorted(retry["attempts"].items())},
            "failure": {c: _share(f) for c, f in retry["failure"].items() if c in model.relevant_set},
            "converged": retry["converged"],
            "rounds": retry["rounds"],
        }
    return {
        "factor": _number(factor),
        "headroom": _number(headroom),
        "first_saturated": first,
        "slo_headroom": _number(slo_headroom),
        "slo_limit": limit,
        "entry_points": states,
        "components": result["components"],
        "answered_by": {e: why for e, why in result["answered_by"].items() if states[e] != SERVED},
        "unknown_capacity": [c for c in model.request_path if model.total_capacity(c) is None],
        "latency": figures,
        **extra,
    }


def latency_breakdown(blueprint: Blueprint, model: ServingModel | None = None) -> dict[str, dict]:
    """Each entry point's p99, one component and one step at a time (:meth:`ServingModel.latency_parts`).

    ``{ENTRY: {"entry", "p99_ms", "slo_ms", "missing", "parts", "flows"}}``, entry points in
    declaration order. O(R + F) per entry point.
    """
    model = model or ServingModel(blueprint)
    total, known = model.latencies()
    return {e: model.latency_parts(e, total, known) for e in model.entries}


def critical_path(blueprint: Blueprint, model: ServingModel | None = None) -> dict | None:
    """The slowest entry point's latency path: what the page highlights, with its milliseconds.

    ``{"entry", "p99_ms", "slo_ms", "components": [the latency path of ``request_latency``],
    "flows": [the flows of its slowest calls, ascending]}``; the first entry point in
    declaration order wins a tie. None when no entry point has a known latency. O(E x (R + F)).
    """
    model = model or ServingModel(blueprint)
    total, known = model.latencies()
    timed = [e for e in model.entries if known[e]]
    if not timed:
        return None
    p99 = {e: model._entry_p99(e, total) or 0 for e in timed}
    entry = max(timed, key=p99.__getitem__)  # max keeps the first of equals
    report = model.latency_report(entry, total, known)
    parts = model.latency_parts(entry, total, known)
    return {
        "entry": entry,
        "p99_ms": report["p99_ms"],
        "slo_ms": report["slo_ms"],
        "components": report["path"],
        "flows": sorted(set(parts["flows"])),
    }


def load_table(blueprint: Blueprint, factor: float = 1.0, model: ServingModel | None = None) -> dict:
    """:func:`load_at` laid out as the design doc's load table: one row per request-path component.

    ``{"factor", "headroom", "first_saturated", "entry_points", "answered_by", "unknown_capacity",
    "peak_qps": {ENTRY: QPS or None}, "rows": [{"component", "qps", "replicas", "capacity_per_replica",
    "capacity_qps", "qps_per_replica", "utilization", "state"}]}``, rows in declaration order
    (``replicas`` as the model counts them: 1 when not declared). O(load_at).
    """
    model = model or ServingModel(blueprint)
    result = load_at(blueprint, factor, model=model)
    rows = []
    for c in model.request_path:
        info = result["components"][c]
        replicas = model.replicas[c]
        rows.append(
            {
                "component": c,
                "qps": info["qps"],
                "replicas": replicas,
                "capacity_per_replica": _number(model.capacity[c]),
                "capacity_qps": info["capacity_qps"],
                "qps_per_replica": _number(info["qps"] / replicas),
                "utilization": info["utilization"],
                "state": info["state"],
            }
        )
    return {
        "factor": result["factor"],
        "headroom": result["headroom"],
        "first_saturated": result["first_saturated"],
        "entry_points": result["entry_points"],
        "answered_by": result["answered_by"],
        "unknown_capacity": result["unknown_capacity"],
        "peak_qps": {e: _number(model.entry_peak(e)) for e in model.entries},
        "rows": rows,
    }


LOAD_FACTORS = (0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 4.5, 5)


def load_sweep(
    blueprint: Blueprint, factors: Iterable[float] = LOAD_FACTORS, model: ServingModel | None = None
) -> dict:
    """:func:`load_at` at each of ``factors`` (the report's load slider picks among them).

    ``{"factors": [...], "headroom", "first_saturated", "slo_headroom", "slo_limit", "unknown_capacity",
    "peak_qps": {ENTRY: QPS or None}, "at": [{"factor", "entry_points", "components", "answered_by",
    "latency": {ENTRY: figures}}]}``, ``at`` in
    the order of ``factors``. O(len(factors) x load_at).
    """
    model = model or ServingModel(blueprint)
    factors = list(factors)
    results = [load_at(blueprint, factor, model=model) for factor in factors]
    summary = results[0] if results else load_at(blueprint, 1.0, model=model)  # headroom is the same at every factor
    return {
        "factors": [_number(f) for f in factors],
        "headroom": summary["headroom"],
        "first_saturated": summary["first_saturated"],
        "unknown_capacity": summary["unknown_capacity"],
        "slo_headroom": summary["slo_headroom"],
        "slo_limit": summary["slo_limit"],
        "peak_qps": {e: _number(model.entry_peak(e)) for e in model.entries},
        "at": [
            {
                "factor": r["factor"],
                "entry_points": r["entry_points"],
                "components": r["components"],
                "answered_by": r["answered_by"],
                "latency": r["latency"],
            }
            for r in results
        ],
    }


def simulate(
    blueprint: Blueprint,
    knock_outs: list[set[str]] | None = None,
    load: float = 1.0,
    model: ServingModel | None = None,
    hung: Iterable[str] = (),
    cold: Iterable[str] = (),
    lose: str | None = None,
    path: list[float] | None = None,
) -> dict:
    """Knock-outs, critical components, latency and load, as the JSON of ``mlsd simulate``.

    ``lose`` (``"replica"`` or ``"zone"``) takes replicas away from the request path in the load;
    ``path`` (load factors in turn) adds ``"load_path"`` (:func:`load_path`).

    With ``knock_outs=None`` every request-path component is knocked out in turn (components
    off the request path cannot affect serving); otherwise each given set is knocked out
    together, and the load is computed with the first set out. ``hung`` components never answer
    (each call waits its timeout) and ``cold`` caches miss every request, in every part of the
    result. Returns ``{"entry_points", "knock_outs": [{"components", "entry_points": {ID: STATE},
    "answered_by", "latency"}], "critical", "single_points_of_failure", "latency", "load"}``.

    States and latencies of the knock-outs are at ``load`` x peak on the loads of the design
    without the knock-out; past :data:`KNOCK_OUT_BUDGET` re-evaluated components (a deep chain
    re-evaluates everything above each knock-out), the remaining knock-outs give their failure
    states only (``latency`` null) (what a component takes over from a knocked-out one is in ``load``
    when that set is asked for); ``critical`` is the structural answer (no load).
    O(P * (R + F)) for the sweep. ``model`` is the blueprint's serving model when the caller
    already has one (e.g. a lint ``Design``'s).
    """
    model = model or ServingModel(blueprint)
    hung = _check_ids(blueprint, hung)
    cold = _check_ids(blueprint, cold)
    if knock_outs is None:
        sets = [[c] for c in model.request_path]
    else:
        sets = [[c for c in model.ids if c in _check_ids(blueprint, s)] for s in knock_outs]
    base = model.evaluation(load, (), hung, cold)
    sweep = model.single_knock_outs() if knock_outs is None else None
    spent = 0  # components re-evaluated so far: a deep chain re-evaluates everything above each knock-out
    outcomes = []
    for s in sets:
        figures: dict[str, dict] | None = None
        if spent <= KNOCK_OUT_BUDGET or sweep is None or sweep.get(s[0]) is None:
            ev = model.evaluation(load, s, hung, cold, base=base)
            spent += len(ev.redone)
            figures = model.figures(ev)
            entries = {e: figures[e]["state"] for e in model.entries}
        else:  # past the budget: the failure states alone (no latency), from the all-at-once sweep
            entries = dict(sweep[s[0]])
        answered_by = {}
        if DEGRADED in entries.values():  # the reasons come from the failure states
            works, answer = model.states(set(s))
            answered_by = {e: model.answered_by(e, works, answer) for e in model.entries if entries[e] == DEGRADED}
        outcomes.append({"components": s, "entry_points": entries, "answered_by": answered_by, "latency": figures})
    critical = critical_components(blueprint, model)
    result = {
        "entry_points": list(model.entries),
        "knock_outs": outcomes,
        "single_points_of_failure": [item["component"] for item in critical if item["replicas"] < 2],
        "critical": [item["component"] for item in critical],
        "latency": model.request_latency(load, hung, cold),
        "load": load_at(blueprint, load, sets[0] if knock_outs else (), model, hung, cold, lose),
    }
    if path:
        result["load_path"] = load_path(blueprint, path, model, sets[0] if knock_outs else (), lose)
    from .availability import availability  # they build on this module
    from .streams import stream_load

    estimates = {e: a for e, a in availability(blueprint, model).items() if a.declared}
    if estimates:
        result["availability"] = {
            e: {
                "availability": round(a.availability, 9),
                "slo": model.availability_slo,
                "terms": [
                    {"components": list(t.components), "unavailability": round(t.unavailability, 12)}
                    for t in a.dominant(10)
                ],
                "unknown": list(a.unknown),
            }
            for e, a in estimates.items()
        }
    streams = stream_load(blueprint, model)
    if streams:
        result["streams"] = {c: {k: v for k, v in info.items()} for c, info in streams.items()}
    return result


def load_path(
    blueprint: Blueprint,
    factors: Iterable[float],
    model: ServingModel | None = None,
    knocked: Iterable[str] = (),
    lose: str | None = None,
) -> list[dict]:
    """The load at each factor in turn, each step starting from the state the step before left.

    With retries, overload can outlive its cause (a metastable failure): retries keep a component
    over capacity after the load that pushed it there is gone. Each step is :func:`load_at`'s
    object plus ``"metastable"``: ``[{"component", "state", "loop": [flow indices of the retrying
    calls that feed it]}]``, the components saturated at this step that the same load, reached
    from rest, leaves within capacity. O(steps x load_at).
    """
    model = model or ServingModel(blueprint)
    lost = model.lost_replicas(lose) if lose else None
    steps = []
    start: dict[str, float] | None = None
    for factor in factors:
        step = load_at(blueprint, factor, knocked, model, lose=lose, start=start)
        fresh = load_at(blueprint, factor, knocked, model, lose=lose) if start else step
        stuck = []
        for c, info in step["components"].items():
            if info["state"] in (SHEDDING, OVERLOADED) and fresh["components"][c]["state"] not in (
                SHEDDING,
                OVERLOADED,
            ):
                loop = sorted(
                    call.index
                    for caller in model.relevant
                    for call in model.calls[caller]
                    if call.retries and (call.callee == c or c in model._post_order([call.callee], fallbacks=False))
                )
                stuck.append({"component": c, "state": info["state"], "loop": loop})
        step["metastable"] = stuck
        steps.append(step)
        if model.retrying:
            start = model.attempts(factor, knocked, lost, start)["failure"]
    return steps


__all__ = [
    "DEGRADED",
    "DOWN",
    "FAILED",
    "LOAD_FACTORS",
    "OK",
    "OVERLOADED",
    "SERVED",
    "SHEDDING",
    "Call",
    "ServingModel",
    "critical_components",
    "critical_path",
    "entry_points",
    "graph_request_path",
    "knock_out",
    "knock_out_detail",
    "latency_breakdown",
    "load_path",
    "load_at",
    "load_sweep",
    "load_table",
    "reachable_components",
    "request_latency",
    "request_path",
    "serving_model",
    "simulate",
    "single_points_of_failure",
]
