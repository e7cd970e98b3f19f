"""The public questions: knock-outs, critical components, latency, load tables and simulate."""

from __future__ import annotations

import math
from collections import ChainMap, deque
from collections.abc import Iterable, Mapping
from typing import Any

from ...blueprint.models import Blueprint
from .graph import (
    _STATE,
    DEGRADED,
    DOWN,
    KNOCK_OUT_BUDGET,
    OVERLOADED,
    SERVED,
    SHEDDING,
    _entries_and_reach,
    _number,
)
from .model import ServingModel, _share
from .shapes import (
    AutoscaledComponent,
    Autoscaling,
    CriticalComponent,
    CriticalPath,
    KnockOutDetail,
    KnockOutOutcome,
    LatencyFigures,
    LatencyParts,
    LoadAt,
    LoadRow,
    LoadState,
    LoadSweep,
    LoadTable,
    Metastable,
    RequestLatency,
    Simulation,
)

# -- the public functions -------------------------------------------------------------


def serving_model(blueprint: Blueprint) -> ServingModel:
    """A fresh :class:`ServingModel` of ``blueprint`` (O(R + F)); nothing is cached on the blueprint."""
    return ServingModel(blueprint)


def graph_request_path(graph: Any) -> tuple[list[str], list[str]]:
    """``(entry points, request path)`` of a blueprint graph (``Blueprint.graph``), as in :mod:`..request_path`.

    For the diagram views, which work on the graph. O(components + flows).
    """
    targets: dict[str, list[str]] = {}
    for u, v, mode in graph.edges(data="mode"):
        if mode == "request":
            targets.setdefault(u, []).append(v)
    stage = dict(graph.nodes(data="stage"))
    return _entries_and_reach(graph.nodes, stage, targets)


def reachable_components(blueprint: Blueprint, model: ServingModel | None = None) -> list[str]:
    """Entry points and what they reach over request and fallback flows, declaration order.

    Only these can change what a knock-out gives. O(R + F). ``model``: the blueprint's, when the
    caller has one.
    """
    model = model or ServingModel(blueprint)
    return list(model.relevant_declared)


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


def _flat(chain: Mapping[str, int]) -> dict[str, int]:
    """A :class:`~collections.ChainMap` of states as one dict (the first map wins)."""
    assert isinstance(chain, ChainMap)
    flat: dict[str, int] = {}
    for layer in reversed(chain.maps):
        flat.update(layer)
    return flat


def knock_out_detail(
    blueprint: Blueprint, components: Iterable[str], model: ServingModel | None = None
) -> KnockOutDetail:
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
    if isinstance(answer, ChainMap):  # the intact design's states under the re-evaluated ones: the intact
        state = dict(model.baseline_states)  # states (a C-speed copy, declaration order) with those patched
        for c in {c for layer in answer.maps[:-1] for c in layer}:
            if c in state:
                state[c] = _STATE[answer[c]]
        works, answer = _flat(works), _flat(answer)  # one flat copy each (C speed) beats R chained look-ups
    else:
        state = {c: _STATE[answer[c]] for c in model.relevant_declared}
    for c in knocked:
        if c in state:
            state[c] = DOWN
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


def critical_components(blueprint: Blueprint, model: ServingModel | None = None) -> list[CriticalComponent]:
    """Request-path components whose loss alone takes an entry point down, declaration order.

    Each item: ``{"component": ID, "replicas": N, "entry_points": [IDs taken down]}``.
    O(P * (R + F)) for P request-path components (each knock-out re-evaluates only what
    depends on the knocked component).
    """
    model = model or ServingModel(blueprint)
    sweep = model.single_knock_outs()
    result: list[CriticalComponent] = []
    for c in model.request_path:
        states = sweep.get(c) if sweep is not None else None
        states = states if states is not None else model.entry_states({c})
        down = [e for e, s in states.items() if s == DOWN]
        if down:
            floor = model.min_replicas[c] or model.replicas[c]  # an autoscaler may scale down to its minimum
            result.append(CriticalComponent(component=c, replicas=floor, entry_points=down))
    return result


def single_points_of_failure(blueprint: Blueprint, model: ServingModel | None = None) -> list[CriticalComponent]:
    """The critical components (:func:`critical_components`) with fewer than two replicas."""
    return [item for item in critical_components(blueprint, model) if item["replicas"] < 2]


def request_latency(
    blueprint: Blueprint, model: ServingModel | None = None, factor: float = 1.0
) -> dict[str, RequestLatency]:
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
    slo: bool = True,
) -> LoadAt:
    """The ``load`` object of ``mlsd simulate --load FACTOR`` (see :func:`simulate`).

    ``{"factor", "headroom", "first_saturated", "slo_headroom", "slo_limit", "entry_points": {ID:
    STATE}, "components": {ID: {"qps", "capacity_qps", "utilization", "state"}}, "answered_by": {ID:
    [...]}, "unknown_capacity": [IDs], "latency": {ID: figures}}``, plus ``"lost"`` ({ID: replicas
    lost}) with ``lose`` (``"replica"`` or ``"zone"``, :meth:`ServingModel.lost_replicas`) and
    ``"retries"`` (:meth:`ServingModel.attempts`) when calls retry (``start``: the failure chances a
    load path left). ``capacity_qps`` is the replicas left x the per-replica capacity. Raises
    ValueError for a factor that is not a positive finite number. ``slo=False`` skips the search for the
    SLO headroom (a bisection over full evaluations): ``slo_headroom`` and ``slo_limit`` are then ``None``,
    for a caller that reads neither (MLSD206).
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
    slo_headroom, limit = model.slo_headroom() if slo else (None, None)
    ev = model.evaluation(float(factor), knocked, hung, cold, load=result, lost=lost, start=start)
    figures = model.figures(ev)
    states = {e: figures[e]["state"] for e in model.entries}
    at: LoadAt = {
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
    }
    # the optional keys, in this order
    if lost is not None:
        at["lost"] = lost
    if model.autoscaled:
        at["autoscaling"] = _autoscaling(model, float(factor), knocked, hung, cold, result)
    if "retries" in result:
        retry = result["retries"]
        at["retries"] = {
            "attempts": {str(i): _number(a) for i, a in sorted(retry["attempts"].items())},
            "failure": {c: _share(f) for c, f in retry["failure"].items() if c in model.relevant_set},
            "converged": retry["converged"],
            "rounds": retry["rounds"],
        }
    return at


def _autoscaling(
    model: ServingModel,
    factor: float,
    knocked: Iterable[str],
    hung: Iterable[str],
    cold: Iterable[str],
    sustained: LoadState,
) -> Autoscaling:
    """The ``autoscaling`` object of :func:`load_at`: sustained load meets ``max_replicas``, a surge faster
    than ``scale_up_s`` meets ``min_replicas``.

    ``{"components": {ID: {"min_replicas", "max_replicas", "scale_up_s", "replicas_needed"}},
    "surge_headroom", "surge_first_saturated", "surge": {"entry_points": {ID: STATE}, "components":
    {ID: {"qps", "capacity_qps", "utilization", "state"}}}}``: ``replicas_needed`` is ceil(qps / capacity
    per replica) at this factor (None without a capacity); ``surge`` is the load at this factor with
    only ``min_replicas`` up (its components: the autoscaled ones).
    """
    surge_lost = model.surge_lost()
    surge = model.load(factor, knocked, hung, cold, surge_lost)
    headroom, first = model.headroom(surge_lost)
    components: dict[str, AutoscaledComponent] = {}
    for c in model.autoscaled:
        per = model.capacity_per_replica(c)
        qps = sustained["components"][c]["qps"]
        components[c] = {
            "min_replicas": model.min_replicas[c],
            "max_replicas": model.replicas[c],
            "scale_up_s": _number(model.scale_up_s[c]),
            "replicas_needed": None if not per else max(1, math.ceil(qps / per - 1e-9)),
        }
    return {
        "components": components,
        "surge_headroom": _number(headroom),
        "surge_first_saturated": first,
        "surge": {
            "entry_points": surge["entry_points"],
            "components": {c: surge["components"][c] for c in model.autoscaled},
        },
    }


def latency_breakdown(blueprint: Blueprint, model: ServingModel | None = None) -> dict[str, LatencyParts]:
    """Each entry point's p99, one component and one step at a time (:meth:`ServingModel.latency_parts`).

    ``{ENTRY: {"entry", "p99_ms", "slo_ms", "missing", "parts", "flows"}}``, entry points in
    declaration order. O(R + F) per entry point.
    """
    model = model or ServingModel(blueprint)
    total, known = model.latencies()
    return {e: model.latency_parts(e, total, known) for e in model.entries}


def critical_path(blueprint: Blueprint, model: ServingModel | None = None) -> CriticalPath | None:
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


def load_table(blueprint: Blueprint, factor: float = 1.0, model: ServingModel | None = None) -> LoadTable:
    """:func:`load_at` laid out as the design doc's load table: one row per request-path component.

    ``{"factor", "headroom", "first_saturated", "entry_points", "answered_by", "unknown_capacity",
    "peak_qps": {ENTRY: QPS or None}, "rows": [{"component", "qps", "replicas", "capacity_per_replica",
    "capacity_qps", "qps_per_replica", "utilization", "state"}]}``, rows in declaration order
    (``replicas`` as the model counts them: 1 when not declared). O(load_at).
    """
    model = model or ServingModel(blueprint)
    result = load_at(blueprint, factor, model=model)
    rows: list[LoadRow] = []
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
                "qps_per_replica": _number((info["qps"] or 0) / replicas),
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
) -> LoadSweep:
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
) -> Simulation:
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
    without the knock-out; past :data:`KNOCK_OUT_BUDGET` re-evaluations (each re-evaluated component
    counts 1 plus its calls: a deep chain re-evaluates everything above each knock-out, a dense DAG
    hundreds of calls per component), the remaining knock-outs give their failure
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
    spent = 0  # components and their calls re-evaluated so far
    outcomes: list[KnockOutOutcome] = []
    for s in sets:
        figures: dict[str, LatencyFigures] | None = None
        if spent <= KNOCK_OUT_BUDGET or sweep is None or sweep.get(s[0]) is None:
            ev = model.evaluation(load, s, hung, cold, base=base)
            spent += len(ev.redone) + sum(len(model.calls[c]) for c in ev.redone)
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
    result: Simulation = {
        "entry_points": list(model.entries),
        "knock_outs": outcomes,
        "single_points_of_failure": [item["component"] for item in critical if item["replicas"] < 2],
        "critical": [item["component"] for item in critical],
        "latency": model.request_latency(load, hung, cold),
        "load": load_at(blueprint, load, sets[0] if knock_outs else (), model, hung, cold, lose),
    }
    if path:
        result["load_path"] = load_path(blueprint, path, model, sets[0] if knock_outs else (), lose)
    from ..availability import availability  # they build on this module
    from ..streams import stream_load

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
        result["streams"] = {c: {**info} for c, info in streams.items()}
    return result


def load_path(
    blueprint: Blueprint,
    factors: Iterable[float],
    model: ServingModel | None = None,
    knocked: Iterable[str] = (),
    lose: str | None = None,
) -> list[LoadAt]:
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
        stuck: list[Metastable] = []
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
