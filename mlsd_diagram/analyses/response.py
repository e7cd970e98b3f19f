"""Response-time distributions of a design in one scenario (load, knock-outs, hangs, cold caches).

The latency half of the serving model (``analyses/serving/`` holds the other: who calls whom,
which states, which loads). Each component's response is a :class:`~.distribution.Dist`,
computed bottom-up (callees and fallbacks first), as docs/simulate.md states:

- **own service**: constant at ``latency_p99_ms`` without ``latency_p50_ms``, else a shifted
  exponential through both; with ``hit_ratio`` h, its steps happen only on a miss (share 1 - h);
- **steps** in order, each the slowest of its calls (``per_request: k`` >= 1 counts k parallel
  copies; k < 1 a call made with probability k);
- **a call** is the callee's response cut at ``timeout_ms``: the cut share fails at the timeout;
  a failed call (cut, or the callee failed) is answered by the callee's fallbacks in flow order
  (their answer added after the failure, as degraded), else by ``on_failure`` (``skip`` and
  ``defaults`` answer degraded at once, ``fail`` fails the caller);
- **queueing** with ``workers``: ``n = replicas x workers`` servers (M/M/n), each held for the
  whole response; ``P(wait) = ErlangC(n, lambda * m)`` for the mean held time m, the wait then
  exponential with rate ``n / m - lambda``; the wait comes before the response. A pool that the
  load (with its callees' slowness) keeps busier than it can drain hangs;
- **states**: a knocked-out component fails at once; a hung one (``--hang``, or overloaded
  without shedding) never answers; a shedding one rejects its excess share at once and serves
  the rest as if at most 95% busy (it rejects rather than queue past that).

An :class:`Evaluation` holds one scenario's distributions; a knock-out re-evaluates only the
components whose response can change (those depending on it), on the same grid.
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import distribution as dist
from .distribution import D, Dist, F, Grid, S

if TYPE_CHECKING:
    from .serving import Call, ServingModel
    from .serving.shapes import LatencyFigures, LoadState

SHED_BUSY = 0.95  # a shedding pool's queue is evaluated at most this busy
QUANTILES = (0.5, 0.99, 0.999)
_AS_DEGRADED = (D, D, F)
_AS_SERVED = (S, D, S)  # a failure time, as a time to continue from


@dataclass(frozen=True)
class Scenario:
    """What is asked: load factor x peak, components knocked out (fail fast), hung (never answer), cold caches."""

    factor: float = 1.0
    knocked: frozenset[str] = frozenset()
    hung: frozenset[str] = frozenset()
    cold: frozenset[str] = frozenset()
    queueing: bool = True
    lost: tuple[tuple[str, int], ...] = ()  # replicas lost per component (``--lose``)
    start: tuple[tuple[str, float], ...] = ()  # failure chances a load path left (retries)


@dataclass
class Evaluation:
    """One scenario's response distributions: ``response[c]`` (what c returns), ``answer[c]`` (with its
    fallbacks standing in), ``calls[flow index]`` (a call as its caller sees it, after timeout and
    fallbacks and ``on_failure``), and the loads they were computed at."""

    scenario: Scenario
    grid: Grid
    qps: dict[str, float]
    saturated: dict[str, str]  # component -> "shedding" | "overloaded" (from the load model)
    reject: dict[str, float]  # shedding components: share rejected
    response: dict[str, Dist] = field(default_factory=dict)
    answer: dict[str, Dist] = field(default_factory=dict)
    calls: dict[int, Dist] = field(default_factory=dict)
    cut_share: dict[int, float] = field(default_factory=dict)  # request flow index -> share its timeout cuts
    wait: dict[str, tuple[float, float]] = field(default_factory=dict)  # c -> (P(wait), utilisation)
    jammed: set[str] = field(default_factory=set)  # pools kept busier than they drain (hang)
    base: Evaluation | None = None  # the evaluation this one re-evaluated only part of
    redone: frozenset[str] = frozenset()  # what it re-evaluated (with ``base``)
    entry_figures: dict[str, LatencyFigures] = field(default_factory=dict)  # cache of the entry points' figures
    ring_answers: dict[tuple[str, frozenset[str]], Dist] = field(default_factory=dict)  # answers in fallback cycles
    unanswered: dict[int, Dist] = field(default_factory=dict)  # a quorum's call before on_failure (transient)


def _needs_grid(model: ServingModel, scenario: Scenario) -> bool:
    """A grid is needed when some relevant component has a tail, a queue or a miss share (once per model)."""
    key = scenario.queueing
    if key not in model.grid_needed:
        model.grid_needed[key] = _grid_needed(model, scenario)
    return model.grid_needed[key]


def _grid_needed(model: ServingModel, scenario: Scenario) -> bool:
    for c in model.relevant:
        p50, own = model.p50[c], model.own[c]
        if p50 is not None and own is not None and p50 < own:
            return True
        if scenario.queueing and model.workers[c] is not None:
            return True
        if model.hit_ratio[c] not in (None, 0.0, 1.0):
            return True
        if any(call.per_request < 1 for call in model.calls[c]):
            return True
    return False


def _own_reach(model: ServingModel, c: str, copies: float = 1.0) -> float:
    p99 = model.own[c] or 0.0
    fit = dist.fit_service(model.p50[c], p99)
    return p99 if fit is None else dist.reach(fit[0], fit[1], copies)


def horizon(model: ServingModel, scenario: Scenario, qps: Mapping[str, float], reject: Mapping[str, float]) -> float:
    """How late any answer that matters can come in this scenario (sizes the grid). O(R + F)."""
    resp: dict[str, float] = {}
    answer: dict[str, float] = {}
    mean: dict[str, float] = {}
    for c in model.relevant:
        own_r = _own_reach(model, c)
        p99 = model.own[c] or 0.0
        fit = dist.fit_service(model.p50[c], p99)
        own_m = p99 if fit is None else fit[0] + fit[1]
        steps_r = steps_m = 0.0
        for group in model.steps[c]:
            best_r = best_m = 0.0
            for call in group:
                base_r = answer.get(call.callee, 0.0)
                base_m = mean.get(call.callee, 0.0)
                fb = sum(answer.get(f, 0.0) for f, _ in model.fallbacks[call.callee])
                if call.timeout_ms is not None:
                    base_r = min(resp.get(call.callee, 0.0), call.timeout_ms) + fb
                    base_m = min(base_m, call.timeout_ms)
                copies = max(call.per_request, 1.0)
                best_r = max(best_r, base_r * (1 + math.log(copies)))
                best_m = max(best_m, base_m)
            steps_r += best_r
            steps_m += best_m
        total_r, total_m = own_r + steps_r, own_m + steps_m
        n = model.replicas[c] * (model.workers[c] or 0) * model.batch[c]
        lam = qps.get(c, 0.0) / 1000.0 * (1 - reject.get(c, 0.0))
        if scenario.queueing and n and lam > 0 and total_m > 0:
            capacity = n / total_m
            rate = capacity - min(lam, capacity * (SHED_BUSY if model.shedding[c] else 0.999))
            total_r += math.log(1 / dist.TAIL) / rate
            total_m += 1 / rate
        total_r += model.batch_wait[c]
        total_m += model.batch_wait[c]
        resp[c] = total_r
        mean[c] = total_m
        answer[c] = total_r + sum(answer.get(f, 0.0) for f, _ in model.fallbacks[c])
    value = max(max(resp.values(), default=0.0), max(answer.values(), default=0.0))  # a callee is cut after
    return min(value * 1.05 + 1.0, 1e9) if math.isfinite(value) else 1e9


def load_of(model: ServingModel, scenario: Scenario) -> LoadState:
    """The serving model's load result for ``scenario`` (:meth:`ServingModel.load`)."""
    return model.load(
        scenario.factor,
        scenario.knocked,
        hung=scenario.hung,
        cold=scenario.cold,
        lost=dict(scenario.lost),
        start=dict(scenario.start),
    )


def loads_of(
    model: ServingModel, scenario: Scenario, load: Mapping[str, Any] | None = None
) -> tuple[dict[str, float], dict[str, str], dict[str, float]]:
    """``(qps, saturated, reject)`` of ``scenario``: each component's offered load, the saturated
    ones (``shedding`` or ``overloaded``) and the shedding ones' rejected share, from ``load`` (the
    serving model's load result, :meth:`ServingModel.load`; computed when not given). O(R + F)."""
    if load is None:
        load = load_of(model, scenario)
    qps = {c: float(info["qps"]) for c, info in load["components"].items()}
    saturated = {
        c: info["state"] for c, info in load["components"].items() if info["state"] in ("shedding", "overloaded")
    }
    reject = {}
    for c, state in saturated.items():
        cap = model.total_capacity(c, dict(scenario.lost))
        if state == "shedding" and cap is not None and qps[c] > 0:
            reject[c] = max(0.0, 1.0 - cap / qps[c])
    return qps, saturated, reject


def grid_of(model: ServingModel, scenario: Scenario, qps: Mapping[str, float], reject: Mapping[str, float]) -> Grid:
    """The grid a full evaluation of ``scenario`` at these loads is computed on (:func:`horizon`)."""
    span = horizon(model, scenario, qps, reject)
    return dist.grid_for(span) if _needs_grid(model, scenario) else dist.grid_for(min(span, 1e9))


def evaluate(
    model: ServingModel,
    scenario: Scenario,
    load: Mapping[str, Any] | None = None,
    base: Evaluation | None = None,
) -> Evaluation:
    """The response distributions of ``model`` in ``scenario``.

    ``load`` is the serving model's load result for the scenario (:meth:`ServingModel.load`);
    ``base`` an evaluation of the same load on whose grid only the components that depend on
    what changed are re-evaluated. O(R + F) distribution operations (each O(grid log grid) on a
    grid, O(1) on exact values).
    """
    if load is None and base is not None:  # the base's loads: only the state changes
        qps, saturated, reject = base.qps, base.saturated, base.reject
    else:
        qps, saturated, reject = loads_of(model, scenario, load)
    grid = base.grid if base is not None else grid_of(model, scenario, qps, reject)
    ev = Evaluation(scenario, grid, qps, saturated, reject)
    todo: Iterable[str] = model.evaluation_order
    if base is not None:
        changed = set(scenario.knocked) | set(scenario.hung) | set(scenario.cold)
        if qps is not base.qps:  # loads of their own (not the base's): queues move where loads did
            changed |= {c for c in model.relevant if base.qps.get(c) != qps.get(c) and model.workers[c] is not None}
        changed |= set(saturated) ^ set(base.saturated)
        changed |= {c for c in set(reject) | set(base.reject) if reject.get(c) != base.reject.get(c)}
        redo = model.upstream(changed)
        # the base's values under the re-evaluated ones: no O(R) copy per knock-out
        ev.response = ChainMap({}, base.response)  # type: ignore[assignment]
        ev.answer = ChainMap({}, base.answer)  # type: ignore[assignment]
        ev.calls = ChainMap({}, base.calls)  # type: ignore[assignment]
        ev.cut_share = ChainMap({}, base.cut_share)  # type: ignore[assignment]
        ev.wait = ChainMap({}, base.wait)  # type: ignore[assignment]
        ev.jammed = {c for c in base.jammed if c not in redo}
        ev.base = base
        ev.redone = frozenset(redo)
        todo = sorted(redo, key=model.evaluation_position.__getitem__)
    grid_or_none = grid if _needs_grid(model, scenario) else None
    for c in todo:
        _component(model, ev, c, grid_or_none, grid)
        if c not in model.fallback_rings:  # its fallbacks' answers are done: answer now
            ev.answer[c] = _with_fallbacks(model, ev, c, ev.response[c], grid_or_none, frozenset({c}))
    return ev


def _component(model: ServingModel, ev: Evaluation, c: str, grid: Grid | None, full: Grid) -> None:
    sc = ev.scenario
    if c in sc.knocked:
        response = dist.point(0.0, F)
    elif c in sc.hung or ev.saturated.get(c) == "overloaded":
        response = dist.hanging()
    else:
        own = model.own[c]
        held = dist.service(model.p50[c], own or 0.0, grid)
        steps = dist.point(0.0)
        quorum = {id(group): k for group, k in model.quorum.get(c, ())}
        for group in model.steps[c]:
            results = []
            powers = []
            raw = []  # with a quorum: each call's result before its on_failure (failed: got nothing)
            for call in group:
                result = _call(model, ev, call, grid)
                unanswered = ev.unanswered.pop(call.index, result)
                if call.per_request < 1:  # made for a share of the requests only
                    result = dist.add(dist.scale(result, call.per_request), _zero(1 - call.per_request), grid=grid)
                    unanswered = dist.add(
                        dist.scale(unanswered, call.per_request), _zero(1 - call.per_request), grid=grid
                    )
                    powers.append(1.0)
                else:
                    powers.append(call.per_request)
                    if call.per_request != 1:
                        unanswered = dist.slowest([unanswered], [call.per_request], grid)
                results.append(result)
                raw.append(unanswered)
            k = quorum.get(id(group))
            if k:
                fatal = [call.on_failure == "fail" for call in group]
                steps = dist.then(steps, dist.quorum(raw, fatal, k, grid), grid)
            else:
                steps = dist.then(steps, dist.slowest(results, powers, grid), grid)
        hit = 0.0 if c in sc.cold else (model.hit_ratio[c] or 0.0)
        if model.steps[c] and hit > 0:
            steps = dist.add(_zero(hit), dist.scale(steps, 1 - hit), grid=grid)
        held = dist.then(held, steps, grid)
        response = held
        n = max(0, model.replicas[c] - dict(sc.lost).get(c, 0)) * (model.workers[c] or 0) * model.batch[c]
        lam = ev.qps.get(c, 0.0) / 1000.0 * (1 - ev.reject.get(c, 0.0))
        if sc.queueing and n and lam > 0:
            m = held.mean()
            if not math.isfinite(m) or m <= 0:
                if not math.isfinite(m):
                    ev.jammed.add(c)
                    response = dist.hanging()
            else:
                if model.shedding[c]:
                    lam = min(lam, SHED_BUSY * n / m)
                offered = lam * m
                if offered >= n * (1 - 1e-9):
                    ev.jammed.add(c)
                    response = dist.hanging()
                else:
                    p_wait = dist.erlang_c(n, offered)
                    ev.wait[c] = (p_wait, offered / n)
                    response = dist.then(dist.queue_wait(p_wait, n / m - lam, full), held, full)
        if model.batch_wait[c]:  # a batch waits to fill first (in full: the worst case)
            response = dist.then(dist.point(model.batch_wait[c]), response, grid)
        share = ev.reject.get(c, 0.0)
        if share > 0:
            response = dist.add(dist.Dist({(0.0, F): share}), dist.scale(response, 1 - share), grid=grid)
    ev.response[c] = response


def _zero(mass: float) -> Dist:
    return dist.Dist({(0.0, S): mass} if mass > 0 else {})


def answer_of(
    model: ServingModel, ev: Evaluation, c: str, grid: Grid | None, visited: frozenset[str] = frozenset()
) -> Dist:
    """What ``c``'s callers get: its response, its failed share answered by its fallbacks.

    Outside a cycle of fallbacks, computed once per evaluation; inside one, per set of members
    already tried on the way (a fallback is never asked twice for the same request).
    """
    ring = model.fallback_rings.get(c)
    if ring is None:
        return ev.answer[c]
    key = (c, visited & ring)
    found = ev.ring_answers.get(key)
    if found is None:
        found = _with_fallbacks(model, ev, c, ev.response[c], grid, visited | {c})
        ev.ring_answers[key] = found
    return found


def _with_fallbacks(
    model: ServingModel, ev: Evaluation, c: str, result: Dist, grid: Grid | None, visited: frozenset[str]
) -> Dist:
    """``result`` with its failed share answered by ``c``'s fallbacks, in declaration order (degraded)."""
    if not model.fallbacks[c] or result.mass(F) <= 0:
        return result
    kept = [dist.part(result, S), dist.part(result, D)]
    remaining = dist.part(result, F)
    for f in sorted({f for f, _ in model.fallbacks[c]}, key=model.index.__getitem__):
        if (c, f) in model.blocked_fallbacks or f in visited or remaining.mass(F) <= 0:
            continue  # a fallback that waits on c itself, or already tried, cannot vouch for it
        answer = answer_of(model, ev, f, grid, visited)
        after = dist.then(dist.relabel(remaining, _AS_SERVED), dist.relabel(answer, _AS_DEGRADED), grid)
        kept += [dist.part(after, S), dist.part(after, D)]
        hang = after.hang
        remaining = dist.part(after, F)
        if hang:
            kept.append(dist.Dist({}, hang=hang))
    out = dist.add(*kept, remaining, grid=grid)
    out.hang += result.hang
    return out


def _call(model: ServingModel, ev: Evaluation, call: Call, grid: Grid | None) -> Dist:
    """One call as the caller sees it: cut at the timeout, fallbacks, then ``on_failure``."""
    callee = ev.response[call.callee]
    if call.hedge_after_ms is not None:  # the first answer of two copies, the second sent after the delay
        callee = dist.hedged(callee, call.hedge_after_ms, grid)
    if call.timeout_ms is not None:
        kept, late = dist.cut(callee, call.timeout_ms, grid if callee.atoms is None else None)
        ev.cut_share[call.index] = late.mass(F)
        answered = dist.add(kept, late, grid=grid)
    else:
        answered = callee
    attempt = answered
    for _ in range(call.retries):  # a failed attempt costs its failure time, then the next one
        hang = answered.hang  # a hang is not retried (with a timeout it was cut, and failed)
        answered = dist.add(
            dist.part(answered, S),
            dist.part(answered, D),
            dist.then(dist.relabel(dist.part(answered, F), _AS_SERVED), attempt, grid),
            grid=grid,
        )
        answered.hang += hang
    result = _with_fallbacks(model, ev, call.callee, answered, grid, frozenset({call.callee}))
    if result.mass(F) > 0 and call.on_failure != "fail":
        ev.unanswered[call.index] = result  # a step's quorum counts what got nothing (read at once)
        result = dist.relabel(result, (S, D, D))
    ev.calls[call.index] = result
    return result


@dataclass(frozen=True)
class EntryLatency:
    """One entry point's answer in a scenario: percentiles of the answered requests and the shares."""

    p50: float | None
    p99: float | None
    p999: float | None
    served: float
    degraded: float
    failed: float
    over_slo: float | None

    @property
    def state(self) -> str:
        """``down`` when 1% or more fail, ``degraded`` when 1% or more are not fully served, else ``served``."""
        if self.failed >= 0.01 - 1e-12:
            return "down"
        if self.degraded + self.failed >= 0.01 - 1e-12:
            return "degraded"
        return "served"


def entry_latency(ev: Evaluation, entry: str, slo_ms: float | None) -> EntryLatency:
    """The figures of ``entry``'s response in ``ev``."""
    d = ev.response[entry]
    served, degraded, failed = d.shares()
    exact = d.exact()
    quantiles: list[float | None] = [exact if exact is not None else d.quantile(q) for q in QUANTILES]
    if served + degraded <= 1e-12:
        quantiles = [None, None, None]
    over = None if slo_ms is None else d.share_over(slo_ms)
    p50, p99, p999 = quantiles
    return EntryLatency(p50, p99, p999, served, degraded, failed, over)


def p99_of(d: Dist) -> float | None:
    """The p99 of a component's or call's answered requests (exact when it is a constant)."""
    exact = d.exact()
    return exact if exact is not None else d.quantile(0.99)


__all__ = ["Evaluation", "EntryLatency", "Scenario", "entry_latency", "evaluate", "horizon", "p99_of"]
