"""Capabilities that the role vocabulary does not express, in one place.

Rules ask first about roles (SERVE, RETRIEVE, OFFLINE, DEGRADE, MONITOR, SINK),
stages, flow modes and flow tags. A few design questions need more than roles
("is there a model registry between training and serving?"): those rules ask for
a *trait*. A built-in kind has the traits listed in ``BUILTIN_TRAITS``; a custom
kind (``x-...``) has a trait when it *behaves* like one in the design, by the
signatures below (roles, stage and flows only), so custom kinds keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .component_facts import ComponentFacts

TRAINER = "trainer"  # trains a model from data
EVAL_GATE = "eval_gate"  # blocks promotion on offline metrics
REGISTRY = "registry"  # versioned artifacts that deploy flows promote
VALIDATION = "validation"  # checks data before training
EXPERIMENT = "experiment"  # A/B assignment of live traffic
ROLLOUT = "rollout"  # canary, shadow and rollback of model versions
ALERTING = "alerting"  # pages a human or triggers retraining
TRIGGER = "trigger"  # schedules or starts pipelines
ONLINE_METRICS = "online_metrics"  # aggregates live outcomes (CTR, conversion)
INDEX_BUILDER = "index_builder"  # (re)builds a retrieval index
LABELS = "labels"  # people who label or review
FEATURE_STORE = "feature_store"  # features shared by training and serving
EMBEDDING_INDEX = "embedding_index"  # a retrieval index of model embeddings, rebuilt as the model changes
RANKER = "ranker"  # a model whose output orders what users see (retrieval or ranking)
BASELINE = "baseline"  # a simpler model or heuristic (popularity) that answers for the model
SOURCE = "source"  # an upstream database or feed that data is read from, offline
FEATURE_PIPELINE = "feature_pipeline"  # computes features (in batch, or on a stream when not OFFLINE)
PREDICTIONS = "predictions"  # a store of precomputed predictions that serving reads
DRIFT = "drift"  # compares live distributions with a reference and raises alerts
EVENT_LOG = "event_log"  # logs impressions, clicks and the features served with them
REDACTOR = "redactor"  # removes personal data before logs and analytics
TRACKER = "tracker"  # records runs, parameters, metrics and lineage

BUILTIN_TRAITS: dict[str, frozenset[str]] = {
    "training_pipeline": frozenset({TRAINER}),
    "offline_evaluation": frozenset({EVAL_GATE}),
    "model_registry": frozenset({REGISTRY}),
    "data_validation": frozenset({VALIDATION}),
    "experimentation": frozenset({EXPERIMENT, ONLINE_METRICS}),
    "deployment_controller": frozenset({ROLLOUT}),
    "alerting": frozenset({ALERTING, TRIGGER}),
    "orchestrator": frozenset({TRIGGER}),
    "online_metrics": frozenset({ONLINE_METRICS}),
    "index_builder": frozenset({INDEX_BUILDER}),
    "labeling": frozenset({LABELS}),
    "human_review": frozenset({LABELS}),
    "feature_store": frozenset({FEATURE_STORE}),
    "ann_index": frozenset({EMBEDDING_INDEX}),
    "ranking_service": frozenset({RANKER}),
    "candidate_generation": frozenset({RANKER}),
    "fallback_ranker": frozenset({BASELINE}),
    "data_source": frozenset({SOURCE}),
    "batch_feature_pipeline": frozenset({FEATURE_PIPELINE}),
    "stream_feature_pipeline": frozenset({FEATURE_PIPELINE}),
    "predictions_store": frozenset({PREDICTIONS}),
    "drift_detector": frozenset({DRIFT}),
    "event_logging": frozenset({EVENT_LOG}),
    "pii_redactor": frozenset({REDACTOR}),
    "experiment_tracker": frozenset({TRACKER}),
    "metadata_store": frozenset({TRACKER}),
}


def _trainer(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "training"
        and d.is_(c, "OFFLINE")
        and not d.is_(c, "SERVE")
        and any(d.stage[u] in ("data", "features") for u, _ in d.graph.pred_any(c))
        and not any(d.stage[u] == "training" and d.is_(u, "OFFLINE") for u, _ in d.graph.pred_any(c))
    )


def _eval_gate(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "training"
        and d.is_(c, "OFFLINE")
        and not d.is_(c, "SERVE")
        and any(d.stage[u] == "training" and d.is_(u, "OFFLINE") for u, _ in d.graph.pred_any(c))
        and any(True for _ in d.graph.succ(c, "batch", "deploy"))
    )


def _registry(d: ComponentFacts, c: str) -> bool:
    return d.stage[c] == "training" and not d.is_(c, "OFFLINE") and any(True for _ in d.graph.succ(c, "deploy"))


def _rollout(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "serving"
        and not d.roles[c]
        and any(True for _ in d.graph.pred(c, "deploy"))
        and any(True for _ in d.graph.succ(c, "deploy"))
    )


def _alerting(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "monitoring"
        and not d.is_(c, "MONITOR")
        and any(d.stage[v] in ("training", "client") for v, _ in d.graph.succ(c, "stream", "batch"))
    )


def _trigger(d: ComponentFacts, c: str) -> bool:
    return _alerting(d, c) or (
        d.stage[c] == "training"
        and not d.roles[c]
        and not _registry(d, c)
        and any(True for _ in d.graph.succ(c, "batch"))
    )


def _online_metrics(d: ComponentFacts, c: str) -> bool:
    return d.stage[c] == "monitoring" and not d.roles[c] and any(True for _ in d.graph.pred(c, "stream", "batch"))


def _index_builder(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "training"
        and d.is_(c, "OFFLINE")
        and any(d.is_(v, "RETRIEVE") for v, _ in d.graph.succ(c, "deploy", "batch"))
    )


def _feature_store(d: ComponentFacts, c: str) -> bool:
    return d.stage[c] == "features" and any(True for _ in d.graph.pred(c, "request"))


def _embedding_index(d: ComponentFacts, c: str) -> bool:
    return d.is_(c, "RETRIEVE") and not d.is_(c, "SERVE")


def _ranker(d: ComponentFacts, c: str) -> bool:
    return d.is_(c, "RETRIEVE") and d.is_(c, "SERVE")


def _source(d: ComponentFacts, c: str) -> bool:
    return d.stage[c] == "data" and d.roles[c] == {"OFFLINE"} and not any(True for _ in d.graph.pred_any(c))


def _feature_pipeline(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "features"
        and not _feature_store(d, c)
        and any(True for _ in d.graph.succ(c, "stream", "batch"))
        and any(True for _ in d.graph.pred(c, "stream", "batch"))
    )


def _predictions(d: ComponentFacts, c: str) -> bool:
    return d.is_(c, "DEGRADE") and any(d.is_(u, "SERVE") and d.is_(u, "OFFLINE") for u, _ in d.graph.pred(c, "batch"))


def _drift(d: ComponentFacts, c: str) -> bool:
    # a monitor that reads a reference (training statistics) in batch or stream and raises alerts
    return (
        d.is_(c, "MONITOR")
        and any(True for _ in d.graph.pred(c, "stream", "batch"))
        and any(True for _ in d.graph.succ(c, "stream", "batch"))
    )


def _event_log(d: ComponentFacts, c: str) -> bool:
    return (
        d.is_(c, "SINK")
        and d.stage[c] == "data"
        and not d.is_(c, "OFFLINE")
        and any("interactions" in d.flows[i].tags for _, i in d.graph.pred(c, "stream", "batch"))
    )


def _redactor(d: ComponentFacts, c: str) -> bool:
    return d.stage[c] == "data" and not d.roles[c] and any("pii" in d.flows[i].tags for _, i in d.graph.pred_any(c))


def _tracker(d: ComponentFacts, c: str) -> bool:
    return (
        d.stage[c] == "training"
        and not d.is_(c, "SERVE")
        and any(True for _ in d.graph.pred_any(c))
        and not any(True for _ in d.graph.succ(c, "stream", "batch", "deploy"))
    )


CUSTOM_SIGNATURES: dict[str, Callable[[ComponentFacts, str], bool]] = {
    TRAINER: _trainer,
    EVAL_GATE: _eval_gate,
    REGISTRY: _registry,
    ROLLOUT: _rollout,
    ALERTING: _alerting,
    TRIGGER: _trigger,
    ONLINE_METRICS: _online_metrics,
    INDEX_BUILDER: _index_builder,
    FEATURE_STORE: _feature_store,
    EMBEDDING_INDEX: _embedding_index,
    RANKER: _ranker,
    SOURCE: _source,
    FEATURE_PIPELINE: _feature_pipeline,
    PREDICTIONS: _predictions,
    DRIFT: _drift,
    EVENT_LOG: _event_log,
    REDACTOR: _redactor,
    TRACKER: _tracker,
}
"""How a custom kind earns a trait. Validation, experimentation, labeling and baseline have no
signature yet: a custom kind cannot claim them (accept the finding with a reason); a custom
ranking model declares ``score_use: ranking`` instead."""
