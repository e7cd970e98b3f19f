"""The serving model: latency distributions of the request path, on top of its load and graph."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cached_property
from typing import Any

from ...blueprint.models import Blueprint
from ..distribution import D, Dist, F, S
from ..response import EntryLatency, Evaluation, Scenario, entry_latency, evaluate, grid_of, load_of, loads_of
from .graph import CUT_SHARE, OK, SERVED, Call, _number
from .load import ServingLoad
from .shapes import (
    Assumed,
    FailureLatency,
    LatencyAtLoad,
    LatencyFigures,
    LatencyParts,
    LatencyReport,
    LatencyStep,
    PartCall,
    PartStep,
    RequestLatency,
    SloLimit,
)


class P99s(dict[str, float]):
    """Component -> p99 (ms), with ``calls``: request flow index -> the call's p99 as its caller sees it."""

    def __init__(self, values: dict[str, float], calls: dict[int, float], evaluation: Evaluation):
        super().__init__(values)
        self.calls = calls
        self.evaluation = evaluation


def _p99_any(d: Dist) -> float:
    """The p99 of the time until a response (answered or failed); infinite when 1% or more hang."""
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


def _figures(lat: EntryLatency) -> LatencyFigures:
    return {
        "p50_ms": _number(lat.p50),
        "p99_ms": _number(lat.p99),
        "p999_ms": _number(lat.p999),
        "shares": {"served": _share(lat.served), "degraded": _share(lat.degraded), "failed": _share(lat.failed)},
        "over_slo_share": _share(lat.over_slo),
        "state": lat.state,
    }


def _no_load(model: ServingModel) -> dict[str, dict[str, dict[str, float | str]]]:
    # the part of a load result (:class:`LoadState`) that the idle evaluation reads: nothing offered
    return {"components": {c: {"qps": 0.0, "state": OK} for c in model.relevant}}


class ServingModel(ServingLoad):
    """The serving model of one blueprint: its graph and states (:class:`ServingGraph`), its load
    (:class:`ServingLoad`) and here the latency distributions of every entry point.

    Build one per question (``serving_model(bp)``, O(R + F)) and keep it for repeated questions:
    it caches the responses of scenarios it has evaluated, never the blueprint.
    """

    def __init__(self, blueprint: Blueprint):
        super().__init__(blueprint)
        self._latencies: dict[tuple[Any, ...], P99s] = {}
        self._evaluations: dict[tuple[Any, ...], Evaluation] = {}
        self._slo_headroom: tuple[float | None, SloLimit | None] | None = None
        self.idle = evaluate(self, Scenario(queueing=False), load=_no_load(self))
        for c in self.relevant:  # a hedged call sends a second copy for the share not answered by the delay
            for call in self.calls[c]:
                if call.hedge_after_ms is not None:
                    late = self.idle.response[call.callee].share_over(call.hedge_after_ms, (S, D, F))
                    self.hedge_load[call.index] = 1.0 + late
        self.timed_out = frozenset(i for i, share in self.idle.cut_share.items() if share >= CUT_SHARE)
        for c in self.relevant:
            for call in self.calls[c]:
                if call.index in self.timed_out:
                    for f, _ in self.fallbacks[call.callee]:
                        self.dependents[f].add(c)

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
        load: Mapping[str, Any] | None = None,
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
            cached = self._evaluate_near(scenario, load)
            self._evaluations[key] = cached
        return cached

    def _evaluate_near(self, scenario: Scenario, load: Mapping[str, Any] | None) -> Evaluation:
        """A new scenario's evaluation. When one already evaluated in full differs from it by the
        load factor alone and the new loads keep its grid, only what the new loads change (queues,
        shedding, overload) and what calls it are re-evaluated on that one (:func:`evaluate`'s
        ``base``); everything else is that evaluation's, exactly as a full evaluation would give it.
        A load sweep over a large design then costs one full evaluation plus what its loads move."""
        near = next(
            (
                ev
                for (other,), ev in self._evaluations.items()
                if ev.base is None and replace(other, factor=scenario.factor) == scenario
            ),
            None,
        )
        if near is None:
            return evaluate(self, scenario, load=load)
        if load is None:
            load = load_of(self, scenario)
        qps, _, reject = loads_of(self, scenario, load)
        if not self._same_horizon(scenario, near, qps, reject) and grid_of(self, scenario, qps, reject) != near.grid:
            return evaluate(self, scenario, load=load)
        return evaluate(self, scenario, load=load, base=near)

    def _same_horizon(
        self, scenario: Scenario, near: Evaluation, qps: Mapping[str, float], reject: Mapping[str, float]
    ) -> bool:
        """Whether :func:`~.response.horizon` is the same at these loads as at ``near``'s (same scenario
        but the factor): loads enter it only through the queues of components with workers, so it is
        when no such queue's admitted rate moved (or nothing queues). Then so is the grid, and the
        O(R + F) horizon need not be computed again."""
        if not scenario.queueing:
            return True

        def admitted(q: Mapping[str, float], r: Mapping[str, float], c: str) -> float:
            return q.get(c, 0.0) / 1000.0 * (1 - r.get(c, 0.0))

        return all(admitted(qps, reject, c) == admitted(near.qps, near.reject, c) for c in self.queueing_components)

    @cached_property
    def queueing_components(self) -> tuple[str, ...]:
        """Relevant components with a pool of workers (``replicas x workers x batch`` above 0): the only
        ones whose load moves the latency horizon."""
        return tuple(c for c in self.relevant if self.replicas[c] * (self.workers[c] or 0) * self.batch[c])

    def request_latency(
        self, factor: float = 1.0, hung: Iterable[str] = (), cold: Iterable[str] = ()
    ) -> dict[str, RequestLatency]:
        """See :func:`request_latency`."""
        total, known = self.latencies(factor, hung, cold)
        figures = self.figures(total.evaluation)
        out: dict[str, RequestLatency] = {}
        for e in self.entries:
            fig = figures[e]
            out[e] = {
                **self.latency_report(e, total, known),
                "p50_ms": fig["p50_ms"] if known[e] else None,
                "p999_ms": fig["p999_ms"] if known[e] else None,
                "shares": fig["shares"],
                "over_slo_share": fig["over_slo_share"] if known[e] else None,
                "state": fig["state"],
                "assumed": self.assumed(e),
            }
        return out

    def figures(self, ev: Evaluation) -> dict[str, LatencyFigures]:
        """Each entry point's latency in an evaluation, as the JSON gives it: ``{"p50_ms", "p99_ms",
        "p999_ms", "shares": {"served", "degraded", "failed"}, "over_slo_share", "state"}``.

        Percentiles are of the answered requests (served or degraded); a request that hangs counts
        as failed and as over the SLO. ``state``: ``down`` when 1% or more fail, ``degraded`` when
        1% or more are not fully served, else ``served``.
        """
        out: dict[str, LatencyFigures] = {}
        for e in self.entries:
            cached = ev.entry_figures.get(e)
            if cached is None and ev.base is not None and e not in ev.redone:
                cached = self.figures(ev.base)[e]  # not touched by what changed: the base's figures
            if cached is None:
                cached = _figures(entry_latency(ev, e, self.slo_ms))
            ev.entry_figures[e] = cached
            out[e] = cached
        return out

    def failure_latencies(self, components: Iterable[str], factor: float = 1.0) -> list[FailureLatency]:
        """Each entry point's latency when each of ``components`` fails alone, fast and hung.

        Items ``{"component", "fails_fast": {ENTRY: figures}, "hangs": {ENTRY: figures}}`` (figures
        as :meth:`figures`), at ``factor`` x peak on the loads of the intact design. Knocked out,
        every call to it fails at once; hung, every call waits its ``timeout_ms`` (a caller
        without one hangs); then its fallbacks or ``on_failure`` answer. O(P x (R + F)).
        """
        base = self.evaluation(factor)
        out: list[FailureLatency] = []
        for c in components:
            out.append(
                {
                    "component": c,
                    "fails_fast": self.figures(self.evaluation(factor, [c], base=base)),
                    "hangs": self.figures(self.evaluation(factor, (), [c], base=base)),
                }
            )
        return out

    def latency_under_load(self, factors: Iterable[float] = (0.5, 0.75, 1, 1.25, 1.5, 2)) -> list[LatencyAtLoad]:
        """Each entry point's figures (:meth:`figures`) at each load factor: ``[{"factor", "latency"}]``."""
        return [{"factor": _number(f), "latency": self.figures(self.evaluation(f))} for f in factors]

    def assumed(self, entry: str) -> Assumed:
        """What ``entry``'s latency takes as given: ``constant_service`` (a p99 without a p50: no tail),
        ``no_queueing`` (no ``workers``: latency under load unknown), ``no_latency`` (counted as 0)."""
        reach = [c for c in self._post_order([entry], fallbacks=True) if c != entry]
        order = sorted(reach, key=self.index.__getitem__)
        return {
            "constant_service": [c for c in order if self.own[c] is not None and self.p50[c] is None],
            "no_queueing": [c for c in order if self.workers[c] is None],
            "no_latency": [c for c in order if self.own[c] is None],
        }

    def slo_headroom(self) -> tuple[float | None, SloLimit | None]:
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

        def failing(factor: float) -> SloLimit | None:
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
        calls: dict[int, float] | None = getattr(total, "calls", None)
        if calls is not None and call.index in calls:
            return calls[call.index]
        cost = total[call.callee]
        return cost if call.timeout_ms is None else min(cost, call.timeout_ms)

    def latency_report(self, entry: str, total: Mapping[str, float], known: Mapping[str, bool]) -> LatencyReport:
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
        rows: list[LatencyStep] = []
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
            answered: float | int | None = self.figures(ev)[entry]["p99_ms"]
            if answered is not None:
                return answered
        return _number(total[entry])

    def latency_parts(self, entry: str, total: Mapping[str, float], known: Mapping[str, bool]) -> LatencyParts:
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
        result: LatencyParts = {
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
            steps: list[PartStep] = []
            children: list[str] = []
            for number, group in enumerate(self.steps[c], start=1):
                slowest = max(group, key=lambda k: (self._cost(k, total), -k.index))  # as latency_report
                calls: list[PartCall] = [
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
