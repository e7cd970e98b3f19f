"""Synthetic blueprints for the overview's slide tests: designs nobody bundled (2 to 14 custom stages, 1 to 6
components each, stage names short and long, flows chaining the stages plus a few backward ones)."""

from __future__ import annotations

import random

from mlsd_diagram.blueprint.models import Blueprint

WORDS = [
    "ingest",
    "raw",
    "events",
    "feature",
    "store",
    "candidate",
    "generation",
    "ranking",
    "re-ranking",
    "policy",
    "training",
    "eval",
    "offline",
    "online",
    "serving",
    "cache",
    "index",
    "labels",
    "review",
    "ads",
    "search",
    "embeddings",
    "monitoring",
    "drift",
    "backfill",
    "experiments",
    "a/b",
    "safety",
    "filters",
    "delivery",
]
KINDS = ["online_service", "feature_store", "event_logging", "training_pipeline", "model_registry", "monitoring"]
BACK_MODES = ["stream", "batch", "deploy", "telemetry"]
MODES = ["request", *BACK_MODES]


def synthetic_blueprint(seed: int, stages: int | None = None, per_stage: int | None = None) -> Blueprint:
    """A blueprint from ``seed``: ``stages`` custom stages (2 to 14 if not given) of ``per_stage`` components
    (1 to 6 each if not given), flows from each stage to the next, some skipping one, a few going back."""
    rng = random.Random(seed)
    count = stages if stages is not None else rng.randint(2, 14)
    names: list[str] = []
    while len(names) < count:
        name = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2, 2, 3])))
        if rng.random() < 0.15:
            name = name[:2]  # a very short one
        if name not in names:
            names.append(name)
    components: dict[str, dict] = {}
    members: list[list[str]] = []
    for k, stage in enumerate(names):
        ids = []
        for j in range(per_stage if per_stage is not None else rng.randint(1, 6)):
            words = [w.replace("/", "").replace("-", "") for w in rng.sample(WORDS, rng.randint(1, 2))]
            cid = "_".join([*words, f"{k}{j}"])
            components[cid] = {"kind": rng.choice(KINDS), "group": stage}
            ids.append(cid)
        members.append(ids)
    flows = []
    for k in range(count - 1):
        for _ in range(rng.randint(1, 3)):
            flows.append({"from": rng.choice(members[k]), "to": rng.choice(members[k + 1]), "mode": rng.choice(MODES)})
    for _ in range(rng.randint(0, max(1, count // 4))):  # skipping a stage
        if count > 2:
            k = rng.randrange(count - 2)
            flows.append({"from": rng.choice(members[k]), "to": rng.choice(members[k + 2]), "mode": "batch"})
    for _ in range(rng.randint(1, max(1, count // 3))):  # backwards
        a, b = sorted(rng.sample(range(count), 2))
        flows.append({"from": rng.choice(members[b]), "to": rng.choice(members[a]), "mode": rng.choice(BACK_MODES)})
    for ids in members:  # inside a stage
        if len(ids) > 1 and rng.random() < 0.5:
            flows.append({"from": ids[0], "to": ids[1], "mode": "request"})
    return Blueprint.model_validate({"mlsd": 1, "name": f"synthetic {seed}", "components": components, "flows": flows})
