"""Design summary: the ML Test Score tests a design shows evidence for, and its MLOps level.

One table, :data:`TESTS`, holds the 28 tests of Breck et al.'s ML Test Score; 14
can show in an architecture, the other 14 need evidence a diagram cannot hold
(tests, reviews, tuning) and are returned as a manual checklist. A test is *shown*
when the design has evidence of its own kind (a maximum model age for "staleness
is known", a baseline model and not a cache for "a simpler model is not better", a
rollout controller or a declared shadow or canary capability and not A/B bucketing
for "canaried", outcomes joined to predictions and not a drift detector for
"prediction quality", a service monitor and not a drift detector for "computing performance")
and none of the lint rules that guard it reports a finding (an accepted finding is a known gap, so
it does not count as evidence). The MLOps level follows Google Cloud's "MLOps: continuous delivery
and automation pipelines": 0 manual, 1 continuous training, 2 CI/CD pipeline automation, which
builds and tests the pipeline's own code (CI) before it deploys the pipeline, not only its models.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypedDict

from ..blueprint.models import Blueprint
from . import traits as T
from .design import Design
from .findings import Finding
from .lint import lint


def _privacy_controls(d: Design) -> list[str]:
    """Components that receive personal data and redact it (send none on) or bound its retention."""
    found = []
    for c in d.ids:
        if not any("pii" in d.flows[i].tags for _, i in d.graph.pred(c)):
            continue
        redacts = not any("pii" in d.flows[i].tags for _, i in d.graph.succ(c))
        if redacts or d.components[c].retention:
            found.append(c)
    return found


def _staleness_known(d: Design) -> list[str]:
    """Models with a maximum age, and components whose ``model_age`` flows feed an alert."""
    aged = [c for c in d.ids if d.is_model(c) and d.components[c].max_model_age]
    alerts = set(d.with_trait(T.ALERTING))
    watched = [
        f.source
        for f in d.flows
        if "model_age" in f.tags and alerts.intersection(d.graph.reach([f.target], ("telemetry", "stream", "batch")))
    ]
    return [*aged, *watched]


def _baseline(d: Design) -> list[str]:
    """Baseline components (a heuristic or simpler model), or the metrics that name a baseline."""
    named = any(re.search(r"\bbaseline", m, re.IGNORECASE) for m in d.blueprint.metrics.offline)
    return [*d.with_trait(T.BASELINE), *(["metrics.offline"] if named else [])]


def _canary(d: Design) -> list[str]:
    """Rollout controllers, and components declaring a shadow or canary capability (not A/B bucketing)."""
    return [
        c
        for c in d.ids
        if d.has(c, T.ROLLOUT) or {"shadow", "canary"} & {cap.value for cap in d.components[c].capabilities}
    ]


def _rollback(d: Design) -> list[str]:
    """Registries, and models that keep versioned model folders."""
    return [
        c
        for c in d.ids
        if d.has(c, T.REGISTRY) or "versioned_models" in {cap.value for cap in d.components[c].capabilities}
    ]


def _quality_monitoring(d: Design) -> list[str]:
    """Monitors and online metrics that predictions and labels (or interactions) both reach: outcomes
    joined to predictions, not a drift detector alone."""
    if not d.online_models:
        return []
    found = []
    for c in d.ids:
        if not (d.is_(c, "MONITOR") or d.has(c, T.ONLINE_METRICS)):
            continue
        tags = {t for i in d.ml.upstream_flows_any(c) for t in d.flows[i].tags}
        if "predictions" in tags and tags & {"labels", "interactions"}:
            found.append(c)
    return found


def _computing_performance(d: Design) -> list[str]:
    """Monitors that receive telemetry from a served model or a trainer: Breck et al. (2017), Monitor 6,
    "the model has not experienced a dramatic or slow-leak regression in training speed, serving
    latency, throughput, or RAM usage". A drift detector watches distributions, not these."""
    watched = [*d.online_models, *d.ml.trainers]
    return [
        c
        for c in d.with_role("MONITOR")
        if not d.has(c, T.DRIFT) and any(u in watched for u, _ in d.graph.pred(c, "telemetry"))
    ]


def _pipeline_ci(d: Design) -> list[str]:
    """Trainers and schedulers that declare how the pipeline's code is tested and shipped (``ci``)."""
    return [c for c in d.ids if (d.has(c, T.TRAINER) or d.has(c, T.TRIGGER)) and d.components[c].ci]


Evidence = Callable[[Design], list[str]]

# The 28 tests of Breck et al., in the paper's order: (id, title, guarding rules, evidence). A test
# with evidence None needs what a diagram cannot hold (tests, reviews, tuning): a manual check.
TESTS: tuple[tuple[str, str, tuple[str, ...], Evidence | None], ...] = (
    ("Data 1", "Feature expectations are captured in a schema", ("MLSD404",), lambda d: d.with_trait(T.VALIDATION)),
    ("Data 2", "All features are beneficial", (), None),
    ("Data 3", "No feature's cost is too much", (), None),
    ("Data 4", "Features adhere to meta-level requirements", (), None),
    ("Data 5", "The data pipeline has appropriate privacy controls", ("MLSD403", "MLSD410"), _privacy_controls),
    ("Data 6", "New features can be added quickly", (), None),
    ("Data 7", "All input feature code is tested", (), None),
    ("Model 1", "Model specs are reviewed and submitted", (), None),
    (
        "Model 2",
        "Offline and online metrics correlate",
        ("MLSD602", "MLSD603"),
        lambda d: [c for c in d.ids if d.has(c, T.ONLINE_METRICS)],
    ),
    ("Model 3", "All hyperparameters have been tuned", (), None),
    ("Model 4", "The impact of model staleness is known", ("MLSD304", "MLSD502"), _staleness_known),
    ("Model 5", "A simpler model is not better", ("MLSD604",), _baseline),
    (
        "Model 6",
        "Model quality is sufficient on all important data slices",
        ("MLSD607",),
        lambda d: [g for g in d.with_trait(T.EVAL_GATE) if d.components[g].slices],
    ),
    ("Model 7", "The model has been tested for considerations of inclusion", (), None),
    ("Infra 1", "Training is reproducible", (), None),
    ("Infra 2", "Model specification code is unit tested", (), None),
    ("Infra 3", "The full ML pipeline is integration tested", (), None),
    ("Infra 4", "Model quality is validated before serving", ("MLSD601",), lambda d: d.with_trait(T.EVAL_GATE)),
    ("Infra 5", "The model allows debugging", (), None),
    ("Infra 6", "Models are canaried before serving", ("MLSD602", "MLSD606"), _canary),
    ("Infra 7", "Serving models can be rolled back", ("MLSD501",), _rollback),
    ("Monitor 1", "Dependency changes result in notification", (), None),
    (
        "Monitor 2",
        "Data invariants hold for training and serving inputs",
        ("MLSD302", "MLSD404"),
        lambda d: [*d.with_trait(T.VALIDATION), *d.with_role("MONITOR")] if d.with_trait(T.VALIDATION) else [],
    ),
    (
        "Monitor 3",
        "Training and serving are not skewed",
        ("MLSD401", "MLSD408", "MLSD413"),
        lambda d: (
            [c for c in d.request_path if d.stage[c] == "features"]
            or [m for m in d.online_models if set(d.ml.trainers_of(m)) & set(d.graph.reach([m], ("stream", "batch")))]
        ),
    ),
    (
        "Monitor 4",
        "Models are not too stale",
        ("MLSD304", "MLSD502", "MLSD503"),
        lambda d: d.with_trait(T.TRIGGER) if d.ml.trainers else [],
    ),
    ("Monitor 5", "The model is numerically stable", (), None),
    (
        "Monitor 6",
        "Computing performance has not regressed",
        ("MLSD203", "MLSD301"),
        _computing_performance,
    ),
    ("Monitor 7", "Prediction quality has not regressed", ("MLSD301",), _quality_monitoring),
)

ARCHITECTURE_TESTS: list[tuple[str, str, tuple[str, ...], Evidence]] = [
    (i, title, rules, evidence) for i, title, rules, evidence in TESTS if evidence is not None
]
"""The tests an architecture can show evidence for (a view of :data:`TESTS`)."""

MANUAL_TESTS: list[tuple[str, str]] = [(i, title) for i, title, _, evidence in TESTS if evidence is None]
"""The tests a diagram cannot show: the manual checklist (a view of :data:`TESTS`)."""


class ScoreTest(TypedDict):
    """One ML Test Score test in :func:`score`'s result."""

    id: str
    title: str
    shown: bool
    evidence: list[str]
    rules: list[str]
    reason: str


class ManualTest(TypedDict):
    """A test a diagram cannot show (the manual checklist)."""

    id: str
    title: str


class Score(TypedDict):
    """The result of :func:`score` (the published shape of ``mlsd score --format json``)."""

    tests: list[ScoreTest]
    shown: int
    total: int
    manual: list[ManualTest]
    mlops_level: int
    mlops_reason: str


def score(
    blueprint: Blueprint, config: Any = None, findings: list[Finding] | None = None, design: Design | None = None
) -> Score:
    """The design summary of ``mlsd score``.

    ``config`` is the lint configuration (:func:`~mlsd_diagram.analyses.lint.load_config`'s
    ``[tool.mlsd]``): a rule it ignores does not count against a test, and rules run with its options.
    ``findings`` is ``lint(blueprint, config=config)`` when the caller already has it (else it is run here).

    Returns ``{"tests": [{"id": "Monitor 6", "title": ..., "shown": bool, "evidence": [IDs],
    "rules": [IDs], "reason": ...}], "shown": N, "total": 14, "manual": [{"id", "title"}],
    "mlops_level": 0-2, "mlops_reason": ...}``.
    """
    design = design or Design(blueprint)
    by_rule: dict[str, list[Finding]] = {}
    for finding in lint(blueprint, config=config) if findings is None else findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    tests: list[ScoreTest] = []
    for test_id, title, rules, evidence_of in ARCHITECTURE_TESTS:
        evidence = list(dict.fromkeys(evidence_of(design)))
        found = [f for r in rules for f in by_rule.get(r, [])]
        if found:
            first = found[0]
            accepted = f" (accepted: {first.reason})" if first.accepted else ""
            reason = f"{first.rule} {first.name}: {first.message}{accepted}"
        elif not evidence:
            reason = "the design has no component that shows it"
        else:
            reason = f"shown by {design.names(evidence)}; no finding from {', '.join(rules)}"
        tests.append(
            {
                "id": test_id,
                "title": title,
                "shown": bool(evidence) and not found,
                "evidence": evidence,
                "rules": list(rules),
                "reason": reason,
            }
        )
    level, reason = _mlops_level(design, {t["id"]: t for t in tests}, by_rule)
    return {
        "tests": tests,
        "shown": sum(t["shown"] for t in tests),
        "total": len(tests),
        "manual": [{"id": i, "title": t} for i, t in MANUAL_TESTS],
        "mlops_level": level,
        "mlops_reason": reason,
    }


def _mlops_level(d: Design, tests: dict[str, ScoreTest], by_rule: dict[str, list[Finding]]) -> tuple[int, str]:
    if not d.ml.trainers:
        return 0, "level 0: the design has no training pipeline, so training and deployment are manual"
    level1 = {
        "an automated trigger (orchestrator or alert)": not by_rule.get("MLSD503"),
        "data validation before training": tests["Data 1"]["shown"],
        "an offline evaluation gate": tests["Infra 4"]["shown"],
        # evidence of retraining on live data, not the staleness rule: a daily retrain with no max_model_age is level 1
        "retraining on fresh production data": _retrains_on_live_data(d) and not by_rule.get("MLSD502"),
    }
    missing1 = [k for k, ok in level1.items() if not ok]
    if missing1:
        return 0, "level 0 (manual process): level 1 needs " + _join(missing1)
    registries = d.with_trait(T.REGISTRY)
    deployed = [m for m in d.online_models if set(registries) & set(d.graph.reach([m], ("deploy",), backward=True))]
    level2 = {
        # Google Cloud's level 2 is CI/CD of the pipeline itself: its code is built and tested on each change
        "CI of the pipeline code (ci on a trainer or scheduler)": bool(_pipeline_ci(d)),
        "a model registry between training and serving": tests["Infra 7"]["shown"],
        "automated deployment from the registry": bool(deployed),
        # Google Cloud's level 2 counts A/B tests as well as canaries (the ML Test Score's Infra 6 does not)
        "canary, shadow or A/B rollout": not by_rule.get("MLSD602") and bool(_canary(d) or d.with_trait(T.EXPERIMENT)),
        "monitoring of the served models": tests["Monitor 7"]["shown"],
    }
    missing2 = [k for k, ok in level2.items() if not ok]
    have1 = _join(list(level1))
    if missing2:
        return 1, f"level 1 (continuous training): {have1}; level 2 needs " + _join(missing2)
    return 2, f"level 2 (CI/CD automation): {have1}, plus " + _join(list(level2))


def _retrains_on_live_data(d: Design) -> bool:
    """True when a trainer of a served model (online or scoring in batch) reads data from the live system."""
    live = d.ml.live_data
    models = [*d.online_models, *(c for c in d.ids if d.is_(c, "SERVE") and c not in d.online_models)]
    return any(t in live for m in models for t in d.ml.trainers_of(m))


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
