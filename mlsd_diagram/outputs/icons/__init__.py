"""Icons: one per component kind, plus provider icons for common ``tech:`` values.

Icons are referred to by a path relative to an *icon root*: the ``resources``
folder of the ``diagrams`` package (``onprem/queue/kafka.png``) or this
package's own folder (``mlsd/feature_store.png``, the project's original
icons for kinds ``diagrams`` ships nothing for). Graphviz finds them through
its ``imagepath``; SVG output embeds them as data URIs. Relative references
keep the DOT text identical on every machine.
"""

from __future__ import annotations

import base64
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path

OWN_DIR = Path(__file__).resolve().parent

# kind -> icon. "mlsd/..." are this project's icons, the rest come from diagrams.
KIND_ICONS: dict[str, str] = {
    "client_app": "generic/device/mobile.png",
    "human_review": "onprem/client/users.png",
    "downstream_consumer": "onprem/client/client.png",
    "data_source": "generic/database/sql.png",
    "external_api": "onprem/network/internet.png",
    "event_stream": "mlsd/event_stream.png",
    "event_logging": "programming/flowchart/multiple-documents.png",
    "etl_job": "k8s/compute/cronjob.png",
    "labeling": "programming/flowchart/manual-input.png",
    "data_lake": "generic/storage/storage.png",
    "data_warehouse": "programming/flowchart/database.png",
    "data_validation": "mlsd/data_validation.png",
    "pii_redactor": "mlsd/pii_redactor.png",
    "batch_feature_pipeline": "mlsd/batch_feature_pipeline.png",
    "stream_feature_pipeline": "mlsd/stream_feature_pipeline.png",
    "feature_store": "mlsd/feature_store.png",
    "training_pipeline": "mlsd/training_pipeline.png",
    "experiment_tracker": "mlsd/experiment_tracker.png",
    "offline_evaluation": "mlsd/offline_evaluation.png",
    "model_registry": "mlsd/model_registry.png",
    "metadata_store": "programming/flowchart/stored-data.png",
    "orchestrator": "k8s/controlplane/sched.png",
    "index_builder": "mlsd/index_builder.png",
    "batch_scoring": "mlsd/batch_scoring.png",
    "api_gateway": "k8s/network/ing.png",
    "online_service": "onprem/compute/server.png",
    "inference_service": "mlsd/inference_service.png",
    "embedding_service": "mlsd/embedding_service.png",
    "candidate_generation": "mlsd/candidate_generation.png",
    "candidate_source": "programming/flowchart/collate.png",
    "ann_index": "mlsd/ann_index.png",
    "ranking_service": "mlsd/ranking_service.png",
    "reranking_service": "mlsd/reranking_service.png",
    "cache": "mlsd/cache.png",
    "fallback_ranker": "mlsd/fallback_ranker.png",
    "predictions_store": "mlsd/predictions_store.png",
    "experimentation": "mlsd/experimentation.png",
    "deployment_controller": "k8s/compute/deploy.png",
    "monitoring": "mlsd/monitoring.png",
    "drift_detector": "mlsd/drift_detector.png",
    "online_metrics": "mlsd/online_metrics.png",
    "alerting": "mlsd/alerting.png",
}
CUSTOM_KIND_ICON = "mlsd/custom.png"

# Common `tech:` values -> the diagrams provider icon (matched as whole words, case-insensitive).
TECH_ICONS: dict[str, str] = {
    "kafka": "onprem/queue/kafka.png",
    "rabbitmq": "onprem/queue/rabbitmq.png",
    "nats": "onprem/queue/nats.png",
    "celery": "onprem/queue/celery.png",
    "kinesis": "aws/analytics/kinesis-data-streams.png",
    "pubsub": "gcp/analytics/pubsub.png",
    "pub/sub": "gcp/analytics/pubsub.png",
    "redis": "onprem/inmemory/redis.png",
    "memcached": "onprem/inmemory/memcached.png",
    "aerospike": "onprem/inmemory/aerospike.png",
    "spark": "onprem/analytics/spark.png",
    "flink": "onprem/analytics/flink.png",
    "beam": "onprem/analytics/beam.png",
    "dataflow": "gcp/analytics/dataflow.png",
    "hadoop": "onprem/analytics/hadoop.png",
    "hive": "onprem/analytics/hive.png",
    "presto": "onprem/analytics/presto.png",
    "trino": "onprem/analytics/trino.png",
    "databricks": "onprem/analytics/databricks.png",
    "dbt": "onprem/analytics/dbt.png",
    "snowflake": "saas/analytics/snowflake.png",
    "bigquery": "gcp/analytics/bigquery.png",
    "redshift": "aws/analytics/redshift.png",
    "airflow": "onprem/workflow/airflow.png",
    "kubeflow": "onprem/workflow/kubeflow.png",
    "nifi": "onprem/workflow/nifi.png",
    "mlflow": "onprem/mlops/mlflow.png",
    "polyaxon": "onprem/mlops/polyaxon.png",
    "sagemaker": "aws/ml/sagemaker.png",
    "vertex ai": "gcp/ml/vertex-ai.png",
    "vertex": "gcp/ml/vertex-ai.png",
    "azure ml": "azure/ml/machine-learning-service-workspaces.png",
    "tensorflow": "aws/ml/tensorflow-on-aws.png",
    "s3": "aws/storage/simple-storage-service-s3.png",
    "gcs": "gcp/storage/storage.png",
    "postgres": "onprem/database/postgresql.png",
    "postgresql": "onprem/database/postgresql.png",
    "mysql": "onprem/database/mysql.png",
    "mongodb": "onprem/database/mongodb.png",
    "cassandra": "onprem/database/cassandra.png",
    "scylla": "onprem/database/scylla.png",
    "clickhouse": "onprem/database/clickhouse.png",
    "druid": "onprem/database/druid.png",
    "hbase": "onprem/database/hbase.png",
    "neo4j": "onprem/database/neo4j.png",
    "dynamodb": "aws/database/dynamodb.png",
    "bigtable": "gcp/database/bigtable.png",
    "spanner": "gcp/database/spanner.png",
    "qdrant": "onprem/database/qdrant.png",
    "elasticsearch": "elastic/elasticsearch/elasticsearch.png",
    "solr": "onprem/search/solr.png",
    "prometheus": "onprem/monitoring/prometheus.png",
    "grafana": "onprem/monitoring/grafana.png",
    "datadog": "onprem/monitoring/datadog.png",
    "sentry": "onprem/monitoring/sentry.png",
    "pagerduty": "saas/alerting/pagerduty.png",
    "opsgenie": "saas/alerting/opsgenie.png",
    "envoy": "onprem/network/envoy.png",
    "nginx": "onprem/network/nginx.png",
    "kong": "onprem/network/kong.png",
    "istio": "onprem/network/istio.png",
    "traefik": "onprem/network/traefik.png",
    "haproxy": "onprem/network/haproxy.png",
    "argo": "onprem/gitops/argocd.png",
    "argocd": "onprem/gitops/argocd.png",
    "flagger": "onprem/gitops/flagger.png",
    "spinnaker": "onprem/cd/spinnaker.png",
    "kubernetes": "k8s/infra/master.png",
    "k8s": "k8s/infra/master.png",
    "docker": "onprem/container/docker.png",
    "fastapi": "programming/framework/fastapi.png",
    "flask": "programming/framework/flask.png",
    "python": "programming/language/python.png",
    "go": "programming/language/go.png",
    "java": "programming/language/java.png",
    "kotlin": "programming/language/kotlin.png",
    "scala": "programming/language/scala.png",
    "rust": "programming/language/rust.png",
    "nodejs": "programming/language/nodejs.png",
    "fluentd": "onprem/aggregator/fluentd.png",
    "fluent bit": "onprem/logging/fluentbit.png",
    "loki": "onprem/logging/loki.png",
    "jaeger": "onprem/tracing/jaeger.png",
    "recombee": "saas/recommendation/recombee.png",
    "personalize": "aws/ml/personalize.png",
}

_TECH_PATTERN = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(re.escape(k) for k in sorted(TECH_ICONS, key=lambda k: (-len(k), k)))
    + r")(?![a-z0-9])"
)


@lru_cache(maxsize=1)
def diagrams_resources() -> Path:
    """The ``resources`` folder that ships with the ``diagrams`` package (found without importing it)."""
    spec = importlib.util.find_spec("diagrams")
    if spec is None or spec.origin is None:  # pragma: no cover - diagrams is a dependency
        raise FileNotFoundError("the 'diagrams' package is not installed")
    return Path(spec.origin).resolve().parent.parent / "resources"


def icon_roots() -> list[Path]:
    """The folders icon references are relative to, in lookup order (Graphviz's ``imagepath``)."""
    return [diagrams_resources(), OWN_DIR]


def kind_icon(kind: str, custom: bool = False) -> str:
    """The icon reference of a canonical kind name (custom kinds share one icon)."""
    return KIND_ICONS.get(kind, CUSTOM_KIND_ICON)


# What an online service does in the request, read from its flows (never its name): each has its icon.
SERVICE_ROLE_ICONS: dict[str, str] = {
    "fan_out": "mlsd/service_fan_out.png",  # calls two or more components per request: orchestrates it
    "lookup": "mlsd/service_lookup.png",  # calls nothing, answers from data a stream or batch keeps fresh
    "writer": "mlsd/service_writer.png",  # calls nothing, turns requests into events (stream or batch out)
}


def service_role(blueprint, component_id: str) -> str | None:
    """``fan_out``, ``lookup``, ``writer`` (see :data:`SERVICE_ROLE_ICONS`) or None for an online service
    that is none of these (it keeps the kind's server icon). O(F)."""
    calls = writes = feeds = 0
    for flow in blueprint.flows:
        mode = flow.mode.value
        if flow.source == component_id:
            calls += mode == "request"
            writes += mode in ("stream", "batch")
        elif flow.target == component_id:
            feeds += mode in ("stream", "batch")
    if calls >= 2:
        return "fan_out"
    if calls == 0 and writes:
        return "writer"
    if calls == 0 and feeds:
        return "lookup"
    return None


def component_icon(blueprint, component_id: str) -> str:
    """The icon of one component: its kind's, or for an online service the icon of its role (:func:`service_role`)."""
    kind = blueprint.kind_of(component_id)
    if kind.name == "online_service":
        role = service_role(blueprint, component_id)
        if role is not None:
            return SERVICE_ROLE_ICONS[role]
    return kind_icon(kind.name, kind.custom)


def tech_icon(tech: str | None) -> str | None:
    """The provider icon for the first known technology named in ``tech`` (``"feast + redis"`` -> redis)."""
    if not tech:
        return None
    found = _TECH_PATTERN.search(tech.lower())
    return TECH_ICONS[found.group(1)] if found else None


def icon_file(ref: str) -> Path:
    """The file an icon reference points at."""
    root = OWN_DIR if ref.startswith("mlsd/") else diagrams_resources()
    return root / ref


def exported_name(ref: str) -> str:
    """The file name of an icon copied beside a DOT export: its reference's folders joined by ``-``.

    ``onprem/queue/kafka.png`` -> ``onprem-queue-kafka.png``: one flat folder, and no two
    references in :data:`KIND_ICONS` and :data:`TECH_ICONS` share a name.
    """
    return ref.replace("/", "-")


@cache
def png_size(ref: str) -> tuple[int, int]:
    """The pixel width and height of a PNG icon (read from its IHDR header)."""
    with open(icon_file(ref), "rb") as handle:
        header = handle.read(24)
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@cache
def data_uri(ref: str) -> str:
    """The icon as a ``data:image/png;base64,...`` URI (for self-contained SVG)."""
    return "data:image/png;base64," + base64.b64encode(icon_file(ref).read_bytes()).decode("ascii")
