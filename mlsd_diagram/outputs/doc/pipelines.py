"""The data, training and monitoring sections of the design-doc context (see :mod:`.context`).

Plain data for the template, with a ``decide`` prompt where the blueprint is silent.
"""

from __future__ import annotations

from typing import Any

from ...analyses import traits as T
from ...analyses.design import Design
from ...blueprint.models import Blueprint
from .markdown import escape_inline as _e
from .rows import Prompts
from .rows import component_row as _component_row
from .rows import flow_row as _flow_row
from .rows import ref as _ref


def _with_trait(d: Design, *traits: str) -> list[str]:
    """Components with any of ``traits`` (:mod:`...analyses.traits`), in declaration order: the doc
    picks components by what they do, never by kind name, so custom kinds appear in it."""
    return [cid for cid in d.ids if any(d.has(cid, t) for t in traits)]


def _with_role(bp: Blueprint, role: str) -> list[str]:
    return [cid for cid in bp.components if bp.kind_of(cid).has(role)]


def _schedulers(d: Design) -> set[str]:
    """Components that start jobs: schedulers, alerting, drift detectors."""
    return set(_with_trait(d, T.TRIGGER, T.DRIFT))


def _batch_scorers(d: Design) -> list[str]:
    """Models scored offline into a store (SERVE and OFFLINE)."""
    return [c for c in d.ids if d.is_(c, "SERVE") and d.is_(c, "OFFLINE")]


def _neighbours(bp: Blueprint, cid: str, incoming: bool, modes: tuple[str, ...] = ()) -> list[str]:
    """Component ids on the other side of ``cid``'s flows, in flow order, without repeats."""
    seen: list[str] = []
    for flow in bp.flows:
        if modes and flow.mode.value not in modes:
            continue
        other = (
            flow.source
            if incoming and flow.target == cid
            else flow.target
            if not incoming and flow.source == cid
            else None
        )
        if other is not None and other not in seen:
            seen.append(other)
    return seen


def _data(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    sources = []
    for cid in _with_trait(d, T.SOURCE):
        row = _component_row(bp, cid)
        row["feeds"] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=False)]
        sources.append(row)
    if not sources:
        decide.add(
            3,
            "data_sources",
            "where the data comes from: the upstream databases, logs and third-party feeds (`data_source` components).",
        )
    store_ids = [
        cid
        for cid in bp.components
        if bp.kind_of(cid).has("SINK") or d.has(cid, T.FEATURE_STORE) or d.has(cid, T.PREDICTIONS)
    ]
    stores = []
    for cid in store_ids:
        row = _component_row(bp, cid)
        row["shares_features"] = d.has(cid, T.FEATURE_STORE)  # shared by training and serving
        row["writers"] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=True, modes=("stream", "batch"))]
        row["readers"] = [
            _ref(bp, c)
            for c in _neighbours(bp, cid, incoming=False)
            + [s for s in _neighbours(bp, cid, incoming=True, modes=("request",))]
        ]
        stores.append(row)
    pipelines = []
    schedulers = _schedulers(d)
    for cid in _with_trait(d, T.FEATURE_PIPELINE):
        row = _component_row(bp, cid)
        row["mode"] = "batch" if d.is_(cid, "OFFLINE") else "stream"
        incoming = _neighbours(bp, cid, incoming=True, modes=("stream", "batch"))
        row["reads"] = [_ref(bp, c) for c in incoming if c not in schedulers]
        row["triggered_by"] = [_ref(bp, c) for c in incoming if c in schedulers]
        row["writes"] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=False, modes=("stream", "batch"))]
        pipelines.append(row)
    if not pipelines:
        decide.add(
            3,
            "feature_pipelines",
            "how features are computed: batch (daily aggregates) or stream (real-time counters) feature pipelines.",
        )
    if not _with_trait(d, T.FEATURE_STORE):
        decide.add(
            3,
            "feature_sharing",
            "how training and serving get the same features (a `feature_store`, "
            "or logging the served features back for training).",
        )
    label_flows = [_flow_row(bp, i) for i, f in enumerate(bp.flows) if "labels" in f.tags]
    label_people = [_ref(bp, c) for c in _with_trait(d, T.LABELS)]
    interaction_logs = [
        _ref(bp, c)
        for c in _with_trait(d, T.EVENT_LOG)
        if any("interactions" in f.tags for f in bp.flows if f.target == c)
    ]
    if not (label_flows or label_people or interaction_logs):
        decide.add(
            3,
            "labels",
            "where the labels come from: human annotation, user interactions (and the "
            "window they are joined in), or both; tag the flows that carry them `labels`.",
        )
    pii_flows = [_flow_row(bp, i) for i, f in enumerate(bp.flows) if "pii" in f.tags]
    redactors = [_ref(bp, c) for c in _with_trait(d, T.REDACTOR)]
    if not (pii_flows or redactors):
        decide.add(
            3,
            "pii",
            "which data holds personal information and where it is redacted (tag those flows "
            "`pii`; add a `pii_redactor`).",
        )
    validators = [_component_row(bp, c) for c in _with_trait(d, T.VALIDATION)]
    if not validators:
        decide.add(
            3,
            "validation",
            "how training data is checked before it trains a model: schema, ranges, "
            "distribution (a `data_validation` component).",
        )
    return {
        "sources": sources,
        "stores": stores,
        "feature_pipelines": pipelines,
        "labels": {"flows": label_flows, "annotators": label_people, "interaction_logs": interaction_logs},
        "pii": {"flows": pii_flows, "redactors": redactors},
        "validation": validators,
    }


def _job_rows(
    bp: Blueprint, d: Design, trait: str, triggers_from: set[str], reads: str, writes: str
) -> list[dict[str, Any]]:
    """Each component with ``trait`` with what it reads, what triggers it, and what it writes."""
    rows = []
    for cid in _with_trait(d, trait):
        row = _component_row(bp, cid)
        incoming = _neighbours(bp, cid, incoming=True)
        row[reads] = [_ref(bp, c) for c in incoming if c not in triggers_from]
        row["triggered_by"] = [_ref(bp, c) for c in incoming if c in triggers_from]
        row[writes] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=False)]
        rows.append(row)
    return rows


def _training(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    triggers_from = _schedulers(d)
    pipelines = _job_rows(bp, d, T.TRAINER, triggers_from, reads="trained_on", writes="produces")
    if not pipelines:
        decide.add(
            4,
            "training",
            "how models are trained: the training pipeline, its data and its schedule "
            "(`training_pipeline` components).",
        )
    elif not any(p["triggered_by"] for p in pipelines):
        decide.add(
            4,
            "triggers",
            "what starts a training run: a schedule (`orchestrator`), new data, a drift or quality alert.",
        )
    baselines = [_component_row(bp, c) for c in _with_trait(d, T.BASELINE)]
    if not baselines:
        decide.add(
            4,
            "baseline",
            "the baseline every model must beat: a heuristic (most popular, most recent) "
            "or the current production model (a `fallback_ranker` doubles as one).",
        )
    registries = [_component_row(bp, c) for c in _with_trait(d, T.REGISTRY)]
    if not registries:
        decide.add(4, "registry", "where trained models are versioned and rolled back from (a `model_registry`).")
    trackers = [_component_row(bp, c) for c in _with_trait(d, T.TRACKER)]
    index_builders = _job_rows(bp, d, T.INDEX_BUILDER, triggers_from, reads="reads", writes="writes")
    schedules = [
        _flow_row(bp, i)
        for i, f in enumerate(bp.flows)
        if f.source in triggers_from and bp.kind_of(f.target).stage.value in ("training", "features")
    ]
    return {
        "pipelines": pipelines,
        "baselines": baselines,
        "registries": registries,
        "trackers": trackers,
        "index_builders": index_builders,
        "triggers": schedules,
        "batch_scoring": [_component_row(bp, c) for c in _batch_scorers(d)],
    }


def _monitoring(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    def rows(ids: list[str], incoming: str, outgoing: str | None = None) -> list[dict[str, Any]]:
        # each of these components, with what flows into it (and out of it) under the given keys
        found = []
        for cid in ids:
            row = _component_row(bp, cid)
            row[incoming] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=True)]
            if outgoing:
                row[outgoing] = [_ref(bp, c) for c in _neighbours(bp, cid, incoming=False)]
            found.append(row)
        return found

    # dashboards and online metrics: the monitoring stage but for drift detection and alerting
    watchers = [c for c in d.ids if d.stage[c] == "monitoring" and not (d.has(c, T.DRIFT) or d.has(c, T.ALERTING))]
    monitors = rows(watchers, incoming="watches")
    if not monitors:
        decide.add(
            7,
            "monitoring",
            "what is watched in production: service health, prediction distributions, "
            "online metrics (`monitoring` components with `telemetry` flows).",
        )
    monitor_ids = set(_with_role(bp, "MONITOR"))
    telemetry_to_monitor = {f.source for f in bp.flows if f.mode.value == "telemetry" and f.target in monitor_ids}
    unwatched = [_ref(bp, c) for c in _with_role(bp, "SERVE") if c not in telemetry_to_monitor]
    for ref in unwatched:
        batch = bp.kind_of(ref["id"]).has("OFFLINE")  # a batch job has runs, not request latency
        reports = (
            "run duration, failures, coverage, score distribution" if batch else "latency, errors, score distribution"
        )
        decide.add(
            7,
            f"telemetry:{ref['id']}",
            f"what {_e(ref['label'])} reports to monitoring: {reports} (a `telemetry` flow).",
        )
    drift = rows(_with_trait(d, T.DRIFT), incoming="watches", outgoing="alerts")
    if not drift:
        decide.add(
            7,
            "drift",
            "how data and prediction drift are detected: which distributions, against which "
            "reference, with which threshold (a `drift_detector`).",
        )
    alerting = rows(_with_trait(d, T.ALERTING), incoming="from", outgoing="to")
    if not alerting:
        decide.add(
            7,
            "alerts",
            "who or what is alerted, on which thresholds, and whether an alert starts "
            "retraining (an `alerting` component).",
        )
    loops = [_flow_row(bp, i) for i, f in enumerate(bp.flows) if f.loop]
    if not loops:
        decide.add(
            7,
            "retraining_loop",
            "how production data flows back into training, and what closes the "
            "loop (mark the flow with `loop: retraining` or `loop: feedback`).",
        )
    return {
        "monitors": monitors,
        "unwatched": unwatched,
        "drift": drift,
        "alerting": alerting,
        "loops": loops,
        "telemetry": [_flow_row(bp, i) for i, f in enumerate(bp.flows) if f.mode.value == "telemetry"],
    }


__all__ = ["batch_scorers", "data_section", "monitoring_section", "neighbours", "training_section", "with_trait"]

data_section = _data
training_section = _training
monitoring_section = _monitoring
with_trait = _with_trait
batch_scorers = _batch_scorers
neighbours = _neighbours
