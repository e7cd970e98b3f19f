"""Evaluation and experimentation rules (MLSD6xx): how a new model proves itself."""

from __future__ import annotations

import re
from typing import Iterator

from .. import traits as T
from ..design import DATA_MODES, Design
from ..findings import Hit
from .registry import rule


@rule("MLSD601", "no-offline-eval-gate", "error", "[TS] Infra 4, [RoML] #9")
def no_offline_eval_gate(d: Design) -> Iterator[Hit]:
    """A trained model reaches the registry or serving without an offline evaluation gate.

    **What it checks.** From each trainer, whether batch, stream or deploy flows reach a model
    registry or a live model without passing an offline evaluation component.

    **Why it matters.** A pipeline that trains and ships automatically also ships its bad models
    automatically; a gate that compares the candidate with the current model on held-out data
    (overall and per slice) catches them before users do. Source: [TS] Infra 4, [RoML] #9.

    **Example.**

    ```yaml
    flows:
      - {from: trainer, to: registry, mode: batch, data: new model}
    ```

    **How to fix.** `trainer -> offline_eval (offline_evaluation) -> registry`, with the gate's
    thresholds in its `notes`.
    """
    gates = set(d.with_trait(T.EVAL_GATE))
    targets = set(d.with_trait(T.REGISTRY)) | set(d.online_models)
    order = d.order
    for t in d.trainers:
        parent = d.reach([t], DATA_MODES, avoid=gates)
        hit = sorted((c for c in parent if c in targets and c != t), key=order.__getitem__)
        if hit:
            path = " -> ".join(d.path_to(parent, hit[0]))
            yield Hit(f"models from '{t}' reach '{hit[0]}' without an offline evaluation gate ({path})", component=t)


@rule("MLSD602", "no-online-experiment", "warning", "[TS] Infra 6, Model 2")
def no_online_experiment(d: Design) -> Iterator[Hit]:
    """A live model has no A/B experiment and no canary or shadow rollout.

    **What it checks.** Each model on the request path has an experimentation component on its
    request path, or receives its versions through a rollout controller (canary, shadow).

    **Why it matters.** Offline metrics do not guarantee online wins; a new model should face live
    traffic gradually and be compared with the current one before it takes all of it.
    Source: [TS] Infra 6, Model 2.

    **Example.** `registry -> ranker` (deploy) with nothing in between and no A/B assignment.

    **How to fix.** Add a `deployment_controller` between the registry and the model
    (`registry -> rollout -> ranker`, deploy), or an `experimentation` component the request path
    calls for arm assignment.
    """
    for model in d.online_models:
        path: set[str] = set()
        for entry in d.entries_of.get(model, []):
            path.update(d.reach([entry], ("request",)))
        if any(d.has(c, T.EXPERIMENT) for c in path):
            continue
        deployers = d.reach([model], ("deploy",), backward=True)
        if any(d.has(c, T.ROLLOUT) or d.has(c, T.EXPERIMENT) for c in deployers):
            continue
        yield Hit(f"'{model}' has no A/B experiment and no canary or shadow rollout: new versions take all traffic "
                  "at once", component=model)


@rule("MLSD603", "no-online-metrics", "warning", "[AX] ch. 1, [RoML] #2")
def no_online_metrics(d: Design) -> Iterator[Hit]:
    """Client interactions never reach online metrics or experimentation.

    **What it checks.** When the design serves models, a stream, batch or telemetry path from
    each entry point to an online metrics (or experimentation) component.

    **Why it matters.** The business judges the model by online outcomes (CTR, conversion, watch
    time, retention), which offline metrics only approximate; without measuring them the team
    cannot tell a model launch from a regression. Source: [AX] ch. 1, [RoML] #2.

    **Example.** An app calling a ranker, with no flow of impressions and clicks anywhere.

    **How to fix.** `app -> event_log` (stream, interactions) and `event_log -> online_metrics`
    (stream), broken down by experiment arm.
    """
    if not d.online_models:
        return
    for entry in d.entry_points:
        reached = d.reach([entry], ("stream", "batch", "telemetry"))
        if not any(d.has(c, T.ONLINE_METRICS) for c in reached):
            yield Hit(f"interactions from '{entry}' never reach online metrics: the product impact of the models is "
                      "not measured", component=entry)


@rule("MLSD604", "no-baseline", "note", "[TS] Model 5, [RoML] #4")
def no_baseline(d: Design) -> Iterator[Hit]:
    """The design declares no baseline and no fallback heuristic.

    **What it checks.** The design has no DEGRADE component (fallback ranker, cache, predictions
    store) and mentions no baseline in its metrics, requirements or components.

    **Why it matters.** A simple baseline (popularity, a heuristic, the last model) tells whether
    the model is worth its cost, and doubles as the fallback when it fails.
    Source: [TS] Model 5, [RoML] #4.

    **Example.** A design whose only answer comes from the model.

    **How to fix.** Add a `fallback_ranker` (popular items, a heuristic), or name the baseline the
    model is compared with in `metrics.offline` (e.g. `ndcg@10 vs popularity baseline`).
    """
    if not d.online_models or d.with_role("DEGRADE"):
        return
    bp = d.blueprint
    texts = [*bp.metrics.offline, *bp.metrics.online, *bp.metrics.business, bp.summary or "",
             bp.requirements.objective or "", bp.requirements.ml_task or ""]
    for c in bp.components.values():
        texts += [c.label or "", c.notes or "", c.model or ""]
    if not any(re.search(r"\bbaseline", t, re.IGNORECASE) for t in texts):
        yield Hit("no baseline: no fallback heuristic, cache or predictions store, and no baseline named in the "
                  "metrics")
