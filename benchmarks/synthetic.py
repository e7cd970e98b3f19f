"""Synthetic blueprints of any size for the benchmarks: a realistic mix of kinds and modes."""

from __future__ import annotations

_STAGES = [
    ("client_app", "request"),
    ("api_gateway", "request"),
    ("online_service", "request"),
    ("feature_store", "request"),
    ("ranking_service", "request"),
    ("cache", "fallback"),
    ("event_stream", "stream"),
    ("data_lake", "batch"),
    ("training_pipeline", "batch"),
    ("model_registry", "deploy"),
    ("monitoring", "telemetry"),
]


def synthetic_blueprint(n: int, clusters: int = 10) -> str:
    """YAML text of a blueprint with ``n`` components in ``clusters`` groups and ~1.5 flows each."""
    lines = ["mlsd: 1", f"name: Synthetic {n}", "requirements: {slo: {latency_p99_ms: 500}}", "components:"]
    for i in range(n):
        kind, _ = _STAGES[i % len(_STAGES)]
        lines.append(
            f"  c{i}: {{kind: {kind}, group: g{i % clusters}, replicas: 2, latency_p99_ms: 2, label: Component {i}}}"
        )
    lines.append("flows:")
    for i in range(1, n):
        _, mode = _STAGES[i % len(_STAGES)]
        mode = "request" if mode in ("request", "fallback") and i % len(_STAGES) != 5 else mode
        if mode == "request":
            source = max(0, i - 1)
        else:
            source = i - 1
        lines.append(f"  - {{from: c{source}, to: c{i}, mode: {mode}, data: d{i}}}")
        if i % 2 == 0 and i >= 12:
            lines.append(f"  - {{from: c{i}, to: c{i - 11}, mode: batch, data: back{i}, loop: feedback}}")
    return "\n".join(lines) + "\n"
