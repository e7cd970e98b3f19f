"""The shapes of the serving model's answers, as mypy sees them (the JSON of ``mlsd simulate``).

Each is a plain dict at run time (the JSON outputs keep their published shapes); the TypedDicts
let the type checker check every consumer's keys. Optional keys sit in a ``total=False`` subclass.
"""

from __future__ import annotations

from typing import Literal, TypedDict

Number = float | int | None  # a figure as reports give it (``graph._number``)


class _Reason(TypedDict):
    component: str


class Reason(_Reason, total=False):
    """Why a degraded entry point still answers (:meth:`ServingGraph.answered_by`): ``{"component",
    "fallback"}`` (the fallback answered for it), ``{"component", "call", "on_failure"}`` (the call's
    ``on_failure`` stood in) or ``{"component", "call", "timed_out": True}`` (the call timed out)."""

    fallback: str
    call: str
    on_failure: str
    timed_out: Literal[True]


class Shares(TypedDict):
    """Shares of requests: fully served, answered in part by a fallback or a skipped call, failed."""

    served: Number
    degraded: Number
    failed: Number


class LatencyFigures(TypedDict):
    """One entry point's latency distribution (:meth:`ServingModel.figures`)."""

    p50_ms: Number
    p99_ms: Number
    p999_ms: Number
    shares: Shares
    over_slo_share: Number
    state: str


class KnockOutDetail(TypedDict):
    """What still answers with some components out (:func:`knock_out_detail`)."""

    entry_points: dict[str, str]
    states: dict[str, str]
    components: list[str]
    flows: list[int]
    answered_by: dict[str, list[Reason]]


class CriticalComponent(TypedDict):
    """A request-path component whose loss alone takes entry points down (:func:`critical_components`)."""

    component: str
    replicas: int
    entry_points: list[str]


class CriticalPath(TypedDict):
    """The slowest entry point's latency path (:func:`critical_path`)."""

    entry: str
    p99_ms: Number
    slo_ms: Number
    components: list[str]
    flows: list[int]


class ComponentLoad(TypedDict):
    """One component's load (:meth:`ServingLoad.load`)."""

    qps: float | int
    capacity_qps: Number
    utilization: Number
    state: str


class _Attempts(TypedDict):
    attempts: dict[int, float]
    failure: dict[str, float]
    offered: dict[str, float]
    converged: bool
    rounds: int


class Attempts(_Attempts):
    """Retries at a load (:meth:`ServingLoad.attempts`): attempts per call (by flow index), each
    component's chance an attempt fails, the QPS offered to each, whether the rounds settled."""


class _LoadState(TypedDict):
    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]
    answered_by: dict[str, list[Reason]]
    rounds: int


class LoadState(_LoadState, total=False):
    """States and loads at a load factor (:meth:`ServingLoad.load`); ``retries`` when calls retry."""

    retries: Attempts


class SloLimit(TypedDict, total=False):
    """What limits the SLO headroom (:meth:`ServingModel.slo_headroom`): ``{"by": "saturation",
    "component", "entry"}``, ``{"by": "state", "entry"}`` or ``{"by": "slo", "entry", "p99_ms"}``."""

    by: str
    component: str
    entry: str
    p99_ms: Number


class AutoscaledComponent(TypedDict):
    """One autoscaled component's replicas (:func:`load_at`'s ``autoscaling``)."""

    min_replicas: int | None
    max_replicas: int
    scale_up_s: Number
    replicas_needed: int | None


class Surge(TypedDict):
    """The load of a surge faster than the scale-up, with only ``min_replicas`` up."""

    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]


class Autoscaling(TypedDict):
    """The ``autoscaling`` object of :func:`load_at`."""

    components: dict[str, AutoscaledComponent]
    surge_headroom: Number
    surge_first_saturated: str | None
    surge: Surge


class RetryFigures(TypedDict):
    """The ``retries`` object of :func:`load_at`: attempts per call (by flow index, as text), each
    relevant component's failure chance, whether the rounds settled and how many ran."""

    attempts: dict[str, Number]
    failure: dict[str, Number]
    converged: bool
    rounds: int


class Metastable(TypedDict):
    """A component kept over capacity by retries at a step of :func:`load_path`."""

    component: str
    state: str
    loop: list[int]


class _LoadAt(TypedDict):
    factor: Number
    headroom: Number
    first_saturated: str | None
    slo_headroom: Number
    slo_limit: SloLimit | None
    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]
    answered_by: dict[str, list[Reason]]
    unknown_capacity: list[str]
    latency: dict[str, LatencyFigures]


class LoadAt(_LoadAt, total=False):
    """The ``load`` object of ``mlsd simulate --load FACTOR`` (:func:`load_at`); ``metastable`` on a
    load path's steps (:func:`load_path`)."""

    lost: dict[str, int]
    autoscaling: Autoscaling
    retries: RetryFigures
    metastable: list[Metastable]


class LoadSweepStep(TypedDict):
    """One factor of :func:`load_sweep`."""

    factor: Number
    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]
    answered_by: dict[str, list[Reason]]
    latency: dict[str, LatencyFigures]


class LoadSweep(TypedDict):
    """:func:`load_at` at each of several factors (the report's load slider)."""

    factors: list[Number]
    headroom: Number
    first_saturated: str | None
    unknown_capacity: list[str]
    slo_headroom: Number
    slo_limit: SloLimit | None
    peak_qps: dict[str, Number]
    at: list[LoadSweepStep]


class LatencyStep(TypedDict):
    """One call of an entry point's latency path (:meth:`ServingModel.latency_report`)."""

    component: str
    depth: int
    step: int | None
    own_ms: Number
    total_ms: Number
    cost_ms: Number
    timeout_ms: Number
    parallel: list[str]


class LatencyReport(TypedDict):
    """One entry point's latency by steps (:meth:`ServingModel.latency_report`)."""

    path: list[str]
    p99_ms: Number
    slo_ms: Number
    missing: list[str]
    steps: list[LatencyStep]


class Assumed(TypedDict):
    """What an entry point's latency takes as given (:meth:`ServingModel.assumed`)."""

    constant_service: list[str]
    no_queueing: list[str]
    no_latency: list[str]


class RequestLatency(LatencyReport):
    """One entry point's latency in ``mlsd simulate`` (:func:`request_latency`): its steps with its
    distribution's figures and what it assumes."""

    p50_ms: Number
    p999_ms: Number
    shares: Shares
    over_slo_share: Number
    state: str
    assumed: Assumed


class PartCall(TypedDict):
    """One call of a step in :meth:`ServingModel.latency_parts`."""

    component: str
    flow: int
    latency_ms: Number
    known: bool
    timeout_ms: Number
    cost_ms: Number
    cut: bool
    slowest: bool


class PartStep(TypedDict):
    """One step of a component's calls: what its slowest call costs, and every call."""

    step: int
    cost_ms: Number
    calls: list[PartCall]


class LatencyPart(TypedDict):
    """One component of :meth:`ServingModel.latency_parts`: its own p99 and each step's cost."""

    component: str
    own_ms: Number
    total_ms: Number
    steps: list[PartStep]


class LatencyParts(TypedDict):
    """How an entry point's p99 adds up (:meth:`ServingModel.latency_parts`, :func:`latency_breakdown`)."""

    entry: str
    p99_ms: Number
    slo_ms: Number
    missing: list[str]
    parts: list[LatencyPart]
    flows: list[int]


class FailureLatency(TypedDict):
    """Each entry point's figures with one component failing fast and hung (:meth:`ServingModel.failure_latencies`)."""

    component: str
    fails_fast: dict[str, LatencyFigures]
    hangs: dict[str, LatencyFigures]


class LatencyAtLoad(TypedDict):
    """Each entry point's figures at one load factor (:meth:`ServingModel.latency_under_load`)."""

    factor: Number
    latency: dict[str, LatencyFigures]


class LoadRow(TypedDict):
    """One request-path component of :func:`load_table`."""

    component: str
    qps: Number
    replicas: int
    capacity_per_replica: Number
    capacity_qps: Number
    qps_per_replica: Number
    utilization: Number
    state: str


class LoadTable(TypedDict):
    """:func:`load_at` as the design doc's load table (:func:`load_table`)."""

    factor: Number
    headroom: Number
    first_saturated: str | None
    entry_points: dict[str, str]
    answered_by: dict[str, list[Reason]]
    unknown_capacity: list[str]
    peak_qps: dict[str, Number]
    rows: list[LoadRow]


class AvailabilityTerm(TypedDict):
    """A component, or a pair lost together, and its share of an entry point's unavailability."""

    components: list[str]
    unavailability: float


class Availability(TypedDict):
    """One entry point's availability estimate in ``mlsd simulate`` (:func:`..availability.availability`)."""

    availability: float
    slo: float | None
    terms: list[AvailabilityTerm]
    unknown: list[str]


class StreamLoad(TypedDict):
    """One stream consumer at peak (``None``: not known; :func:`~mlsd_diagram.analyses.streams.stream_load`)."""

    events_per_s: float | None  # events offered per second (a lower bound when unknown_flows is not empty)
    capacity: float | None  # events per second it processes: replicas x capacity_qps
    utilization: float | None  # events_per_s / capacity
    lag_per_hour: float | None  # events its backlog grows by per hour (0 when it keeps up)
    flows: list[int]  # the stream flows into it, ascending
    unknown_flows: list[int]  # those whose rate is not known


class KnockOutOutcome(TypedDict):
    """One knock-out of :func:`simulate` (``latency`` null past the knock-out budget)."""

    components: list[str]
    entry_points: dict[str, str]
    answered_by: dict[str, list[Reason]]
    latency: dict[str, LatencyFigures] | None


class _Simulation(TypedDict):
    entry_points: list[str]
    knock_outs: list[KnockOutOutcome]
    single_points_of_failure: list[str]
    critical: list[str]
    latency: dict[str, RequestLatency]
    load: LoadAt


class Simulation(_Simulation, total=False):
    """The JSON of ``mlsd simulate`` (:func:`simulate`)."""

    load_path: list[LoadAt]
    availability: dict[str, Availability]
    streams: dict[str, StreamLoad]


__all__ = [
    "Assumed",
    "Attempts",
    "AutoscaledComponent",
    "Autoscaling",
    "Availability",
    "AvailabilityTerm",
    "ComponentLoad",
    "CriticalComponent",
    "CriticalPath",
    "FailureLatency",
    "KnockOutDetail",
    "KnockOutOutcome",
    "LatencyAtLoad",
    "LatencyFigures",
    "LatencyPart",
    "LatencyParts",
    "LatencyReport",
    "LatencyStep",
    "LoadAt",
    "LoadRow",
    "LoadState",
    "LoadSweep",
    "LoadSweepStep",
    "LoadTable",
    "Metastable",
    "Number",
    "PartCall",
    "PartStep",
    "Reason",
    "RequestLatency",
    "RetryFigures",
    "Shares",
    "Simulation",
    "SloLimit",
    "StreamLoad",
    "Surge",
]
