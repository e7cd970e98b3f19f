"""Load on the request path: capacity per replica, retries, lost replicas and zones, headroom."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .graph import (
    _STATE,
    DEGRADED,
    FAILED,
    HUNG,
    OK,
    OVERLOADED,
    SERVED,
    SHEDDING,
    Call,
    ServingGraph,
    _capacity,
    _number,
)

if TYPE_CHECKING:
    from ...blueprint.models import Blueprint
    from ..response import Evaluation
    from .shapes import Attempts, ComponentLoad, LoadState


class ServingLoad(ServingGraph):
    """The load a design's components receive (the graph's states under load)."""

    idle: Evaluation  # responses with nothing loaded or failed (set by ServingModel, which computes them)

    def __init__(self, blueprint: Blueprint):
        super().__init__(blueprint)
        self._capacity_memo: dict[str, float | None] = {}  # per replica, once the idle responses are known

    # -- load -----------------------------------------------------------------------------

    def entry_peak(self, entry: str) -> float | None:
        """The peak QPS entering at ``entry``: its own ``peak_qps``, else the design's."""
        own = self.peak[entry]
        return own if own is not None else self.default_peak

    def capacity_per_replica(self, c: str) -> float | None:
        """Requests per second one replica sustains: ``capacity_qps`` (x ``max_batch_size`` on a batching
        server), and with ``workers`` at most ``workers x max_batch_size / mean response time`` (Little's
        law, the response with nothing queued, without the batch's wait to fill). Memoized: it depends on
        the blueprint and the idle responses only."""
        if c in self._capacity_memo:
            return self._capacity_memo[c]
        cap = self._capacity_per_replica(c)
        if hasattr(self, "idle"):  # fixed for good once the idle responses are known
            self._capacity_memo[c] = cap
        return cap

    def _capacity_per_replica(self, c: str) -> float | None:
        cap = self.capacity[c]
        batch = self.batch[c]
        if cap is not None and batch > 1:
            cap = cap * batch  # a full batch costs one request's service time
        workers = self.workers[c]
        if workers is not None:
            held = self.idle.response[c].mean() - self.batch_wait[c] if c in self.idle.response else 0.0
            if held > 0:
                by_workers = workers * batch * 1000.0 / held
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
    def autoscaled(self) -> list[str]:
        """Relevant components with an autoscaler's range (``min_replicas``..``max_replicas``), declaration order."""
        return [c for c in self.relevant_declared if self.min_replicas[c] is not None]

    def surge_lost(self) -> dict[str, int]:
        """What a surge faster than the autoscaler meets, as replicas "lost" from the sustained count:
        ``max_replicas - min_replicas`` of each autoscaled component."""
        return {c: self.replicas[c] - (self.min_replicas[c] or self.replicas[c]) for c in self.autoscaled}

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
    ) -> Attempts:
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
                    load[call.callee] += admitted * miss * call.per_request * a * self.hedge_load.get(call.index, 1.0)
            new: dict[str, float] = {}
            for c in self.bottom_up:
                cap = self.total_capacity(c, lost)
                if c in knocked or (cap is not None and load[c] > cap * (1 + 1e-9) and not self.shedding[c]):
                    new[c] = 1.0
                    continue
                ok = 1.0

                def fails(call: Call) -> float:  # the chance a call gets nothing after all its tries
                    if any(f2 not in knocked for f2, _ in self.fallbacks[call.callee]):
                        return 0.0  # a fallback answers
                    return (new[call.callee] if call.callee in new else f[call.callee]) ** (call.retries + 1)

                for call in self.calls[c]:
                    if call.on_failure == "fail":
                        ok *= 1.0 - fails(call)
                for group, k in self.quorum.get(c, ()):  # at most n - k of the others may get nothing
                    ok *= _at_most([fails(call) for call in group if call.on_failure != "fail"], len(group) - k)
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
                load[call.callee] += load[c] * miss * call.per_request * self.hedge_load.get(call.index, 1.0)
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
    ) -> LoadState:
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
        history: set[tuple[Any, ...]] = set()
        load: dict[str, float] = {}
        _, live = self.states(knocked)  # a fallback takes load unless it is out for reasons other than load
        caps = {c: self.total_capacity(c, lost_map) for c in self.relevant}  # fixed for the whole call
        for rounds in range(1, len(self.relevant) + 3):  # noqa: B007 - rounds is reported
            works, _ = self.states(knocked, (), overloaded)
            load = dict.fromkeys(self.relevant, 0.0)
            for e in self.entries:
                load[e] += factor * (self.entry_peak(e) or 0.0)
            for f, q in inflow.items():
                load[f] += q
            unserved: dict[str, float] = {}
            for c in self.top_down:
                cap = caps[c]
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
                    load[call.callee] += (
                        admitted * miss * call.per_request * multiplier.get(call.index, 1.0)
                    ) * self.hedge_load.get(call.index, 1.0)
            new_inflow: dict[str, float] = {}
            for c, unserved_qps in unserved.items():
                for f, _ in self.fallbacks[c]:
                    if live[f]:
                        new_inflow[f] = new_inflow.get(f, 0.0) + unserved_qps
            saturated = {
                c
                for c in self.relevant
                if c not in knocked and c not in hung and (cap := caps[c]) is not None and load[c] > cap * (1 + 1e-9)
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
        components: dict[str, ComponentLoad] = {}
        for c in self.relevant_declared:
            cap = caps[c]
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
        result: LoadState = {"entry_points": entries, "components": components, "answered_by": why, "rounds": rounds}
        if retry is not None:
            result["retries"] = retry
        return result

    def headroom(self, lost: Mapping[str, int] | None = None) -> tuple[float | None, str | None]:
        """``(largest load factor with every entry point fully served, first component to saturate)``.

        ``(None, None)`` when no peak QPS is declared or no loaded component declares a capacity;
        ``(0.0, None)`` when some entry point is not fully served even without load (a call whose
        callee is slower than its timeout fails at every load). ``lost``: replicas taken away (the
        surge headroom takes :meth:`surge_lost`). O(R + F).
        """
        base = self.base_load()
        best: tuple[float, int, str] | None = None
        for c in self.relevant:
            cap = self.total_capacity(c, lost)
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


def _at_most(chances: list[float], most: int) -> float:
    """The chance that at most ``most`` of independent events with these ``chances`` happen (Poisson
    binomial, by dynamic programming: O(n x most))."""
    if most >= len(chances):
        return 1.0
    dp = [1.0] + [0.0] * most  # dp[j]: exactly j happened so far
    for p in chances:
        for j in range(most, 0, -1):
            dp[j] = dp[j] * (1 - p) + dp[j - 1] * p
        dp[0] *= 1 - p
    return sum(dp)
