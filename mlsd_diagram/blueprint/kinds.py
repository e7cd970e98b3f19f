"""The kind catalog: every built-in component kind, declared once.

Rules ask about a kind's *roles* and *stage*, never its name, so a custom kind
(declared in a blueprint's ``kinds:`` section, name starting with ``x-``) works
with every rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Stage(str, Enum):
    """Where a component lives in an ML system; also the default diagram cluster."""

    CLIENT = "client"
    DATA = "data"
    FEATURES = "features"
    TRAINING = "training"
    SERVING = "serving"
    MONITORING = "monitoring"


class Role(str, Enum):
    """What a kind does, as far as the design rules care."""

    SERVE = "SERVE"  # runs a model online (or in batch scoring)
    RETRIEVE = "RETRIEVE"  # candidate retrieval
    OFFLINE = "OFFLINE"  # must never sit on the request path
    DEGRADE = "DEGRADE"  # a valid fallback target
    MONITOR = "MONITOR"  # receives telemetry and watches it
    SINK = "SINK"  # shared store that many read


@dataclass(frozen=True)
class Kind:
    """A component kind: its name, stage, roles, aliases and a one-line meaning."""

    name: str
    stage: Stage
    description: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    aliases: tuple[str, ...] = ()
    custom: bool = False

    def has(self, role: Role | str) -> bool:
        """True when the kind plays ``role``."""
        return Role(role) in self.roles


def _k(name, stage, description, roles=(), aliases=()):
    return Kind(name, Stage(stage), description, frozenset(Role(r) for r in roles), tuple(aliases))


BUILTIN_KINDS: tuple[Kind, ...] = (
    _k("client_app", "client", "Where requests enter: app, web or partner API", aliases=["client", "app"]),
    _k("human_review", "client", "Moderators, appeals or annotators in the loop", aliases=["moderation"]),
    _k("downstream_consumer", "client", "An external system that reads predictions"),
    _k("data_source", "data", "Upstream OLTP database or third-party feed, read offline", ["OFFLINE"], ["database"]),
    _k(
        "external_api",
        "data",
        "A live third-party or partner API called per request (credit bureau, geocoder, vendor model)",
        aliases=["partner_api"],
    ),
    _k("event_stream", "data", "Durable log or pub-sub (Kafka, Kinesis)", ["SINK"], ["message_queue", "pubsub"]),
    _k("event_logging", "data", "Impression, click and served-feature logger", ["SINK"], ["logging"]),
    _k("etl_job", "data", "Scheduled extract-transform-load job", ["OFFLINE"], ["etl"]),
    _k("labeling", "data", "Human annotation queue", ["OFFLINE"], ["annotation"]),
    _k("data_lake", "data", "Raw object storage", ["OFFLINE", "SINK"], ["object_store"]),
    _k("data_warehouse", "data", "Curated analytical tables", ["OFFLINE", "SINK"], ["warehouse"]),
    _k("data_validation", "data", "Schema, invariant and distribution checks on data"),
    _k("pii_redactor", "data", "Anonymization before logs and analytics", aliases=["anonymizer"]),
    _k("batch_feature_pipeline", "features", "Periodic feature computation", ["OFFLINE"]),
    _k("stream_feature_pipeline", "features", "Real-time feature computation"),
    _k("feature_store", "features", "Offline and online feature repository"),
    _k("training_pipeline", "training", "Model training job", ["OFFLINE"], ["trainer"]),
    _k("experiment_tracker", "training", "Runs, parameters and metrics of experiments", ["OFFLINE"]),
    _k("offline_evaluation", "training", "Validation gate with metric thresholds", ["OFFLINE"], ["evaluation"]),
    _k("model_registry", "training", "Versioned model artifacts, stages and rollback", aliases=["registry"]),
    _k("metadata_store", "training", "Lineage of data, pipelines and models"),
    _k("orchestrator", "training", "Scheduler and trigger of pipelines (Airflow, Kubeflow)", aliases=["scheduler"]),
    _k("index_builder", "training", "Computes item embeddings and (re)builds the ANN index", ["OFFLINE"]),
    _k(
        "batch_scoring",
        "training",
        "Offline inference into a predictions store",
        ["SERVE", "OFFLINE"],
        ["batch_inference"],
    ),
    _k("api_gateway", "serving", "Entry point: routing, authentication, rate limiting", aliases=["load_balancer"]),
    _k("online_service", "serving", "Application service that orchestrates a request", aliases=["service"]),
    _k("inference_service", "serving", "Online model server", ["SERVE"], ["inference_cluster", "model_server"]),
    _k("embedding_service", "serving", "Online query or user encoder", ["SERVE"], ["encoder"]),
    _k(
        "candidate_generation",
        "serving",
        "Model-based retrieval stage (two-tower, learned embeddings)",
        ["SERVE", "RETRIEVE"],
        ["retrieval"],
    ),
    _k(
        "candidate_source",
        "serving",
        "Candidate source without a model (graph traversal, lexical index, follows, rules)",
        ["RETRIEVE"],
    ),
    _k(
        "ann_index",
        "serving",
        "Approximate nearest-neighbour vector index (FAISS, ScaNN, HNSW)",
        ["RETRIEVE"],
        ["vector_index", "vector_db"],
    ),
    _k("ranking_service", "serving", "Ranking model", ["SERVE"], ["ranker"]),
    _k("reranking_service", "serving", "Business rules, diversity and filtering after ranking", aliases=["reranker"]),
    _k("cache", "serving", "Response, feature or embedding cache", ["DEGRADE"]),
    _k(
        "fallback_ranker",
        "serving",
        "Popularity or heuristic answer when models are unavailable",
        ["DEGRADE"],
        ["fallback"],
    ),
    _k("predictions_store", "serving", "Precomputed predictions in a key-value store", ["DEGRADE"]),
    _k("experimentation", "serving", "A/B assignment and traffic split", aliases=["ab_testing"]),
    _k("deployment_controller", "serving", "Canary, shadow and rollback of model versions"),
    _k("monitoring", "monitoring", "Metrics and dashboards", ["MONITOR"]),
    _k("drift_detector", "monitoring", "Data, feature and prediction drift detection", ["MONITOR"]),
    _k("online_metrics", "monitoring", "CTR, conversion and retention aggregation"),
    _k("alerting", "monitoring", "Pages a human or triggers retraining", aliases=["alerts"]),
)

BUILTIN: dict[str, Kind] = {k.name: k for k in BUILTIN_KINDS}
ALIASES: dict[str, str] = {alias: k.name for k in BUILTIN_KINDS for alias in k.aliases}
CUSTOM_PREFIX = "x-"


def builtin_kind(name: str) -> Kind | None:
    """The built-in kind called ``name`` or by an alias of it, else None."""
    return BUILTIN.get(ALIASES.get(name, name))


def kind_names() -> list[str]:
    """Every name a blueprint may write for a built-in kind (names and aliases), sorted."""
    return sorted([*BUILTIN, *ALIASES])
