"""The shapes of the serving model's answers, as mypy sees them (the JSON of ``mlsd simulate``).

Each is a plain dict at run time (the JSON outputs keep their published shapes); the TypedDicts
let the type checker check every consumer's keys. Optional keys sit in a ``total=False`` subclass.
"""

from __future__ import annotations

from typing import Any, TypedDict

Number = float | int | None  # a figure as reports give it (``graph._number``)


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
    answered_by: dict[str, list[Any]]


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

    qps: Number
    capacity_qps: Number
    utilization: Number
    state: str


class _LoadAt(TypedDict):
    factor: Number
    headroom: Number
    first_saturated: str | None
    slo_headroom: Number
    slo_limit: dict[str, Any] | None
    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]
    answered_by: dict[str, list[Any]]
    unknown_capacity: list[str]
    latency: dict[str, LatencyFigures]


class LoadAt(_LoadAt, total=False):
    """The ``load`` object of ``mlsd simulate --load FACTOR`` (:func:`load_at`); ``metastable`` on a
    load path's steps (:func:`load_path`)."""

    lost: dict[str, int]
    autoscaling: dict[str, Any]
    retries: dict[str, Any]
    metastable: list[dict[str, Any]]


class LoadSweepStep(TypedDict):
    """One factor of :func:`load_sweep`."""

    factor: Number
    entry_points: dict[str, str]
    components: dict[str, ComponentLoad]
    answered_by: dict[str, list[Any]]
    latency: dict[str, LatencyFigures]


class LoadSweep(TypedDict):
    """:func:`load_at` at each of several factors (the report's load slider)."""

    factors: list[Number]
    headroom: Number
    first_saturated: str | None
    unknown_capacity: list[str]
    slo_headroom: Number
    slo_limit: dict[str, Any] | None
    peak_qps: dict[str, Number]
    at: list[LoadSweepStep]


class KnockOutOutcome(TypedDict):
    """One knock-out of :func:`simulate` (``latency`` null past the knock-out budget)."""

    components: list[str]
    entry_points: dict[str, str]
    answered_by: dict[str, list[Any]]
    latency: dict[str, LatencyFigures] | None


class _Simulation(TypedDict):
    entry_points: list[str]
    knock_outs: list[KnockOutOutcome]
    single_points_of_failure: list[str]
    critical: list[str]
    latency: dict[str, dict[str, Any]]
    load: LoadAt


class Simulation(_Simulation, total=False):
    """The JSON of ``mlsd simulate`` (:func:`simulate`)."""

    load_path: list[LoadAt]
    availability: dict[str, dict[str, Any]]
    streams: dict[str, dict[str, Any]]


__all__ = [
    "ComponentLoad",
    "CriticalComponent",
    "CriticalPath",
    "KnockOutDetail",
    "KnockOutOutcome",
    "LatencyFigures",
    "LoadAt",
    "LoadSweep",
    "LoadSweepStep",
    "Number",
    "Shares",
    "Simulation",
]
