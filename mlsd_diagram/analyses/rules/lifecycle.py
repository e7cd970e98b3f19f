"""Model lifecycle rules (MLSD5xx): how models are trained, stored, refreshed and deployed."""

from __future__ import annotations

from typing import Iterator

from .. import traits as T
from ..design import DATA_MODES, Design
from ..findings import Hit
from .registry import rule


@rule("MLSD501", "no-model-registry", "error", "[GC] level 2, [TS] Infra 7")
def no_model_registry(d: Design) -> Iterator[Hit]:
    """A trained model reaches serving without passing a model registry.

    **What it checks.** For each model on the request path, whether a trainer reaches it over
    batch, stream or deploy flows without passing a model registry.

    **Why it matters.** Without versioned artifacts nobody can say which model served a request,
    compare it with the last one, or roll back quickly when it misbehaves; the ML Test Score asks
    that models can be rolled back. Source: [GC] level 2, [TS] Infra 7.

    **Example.**

    ```yaml
    flows:
      - {from: trainer, to: ranker, mode: deploy, data: model weights}
    ```

    **How to fix.** `trainer -> registry (model_registry) -> ranker`, with the deploy flow leaving
    the registry.
    """
    registries = set(d.with_trait(T.REGISTRY))
    trainers = set(d.trainers)
    for model in d.online_models:
        parent = d.reach([model], DATA_MODES, backward=True, avoid=registries)
        direct = [t for t in d.trainers if t in parent and t in trainers]
        if direct:
            path = " -> ".join(reversed(d.path_to(parent, direct[0])))
            yield Hit(f"'{model}' gets its model from '{direct[0]}' without a model registry ({path}): no versions, "
                      "no rollback", component=model)


@rule("MLSD502", "no-retraining-loop", "warning", "[GC] level 1, [TS] Monitor 4, [AX] ch. 8")
def no_retraining_loop(d: Design) -> Iterator[Hit]:
    """A model's trainer never sees data from the live system.

    **What it checks.** For each trainer of a model on the request path, a stream or batch path
    from the request path (clients, services, the model) to the trainer: logged interactions,
    served features or outcomes.

    **Why it matters.** The world moves; a model retrained only on a fixed dataset goes stale.
    Continuous training on fresh production data is the step from MLOps level 0 to level 1.
    Source: [GC] level 1, [TS] Monitor 4, [AX] ch. 8.

    **Example.**

    ```yaml
    flows:
      - {from: warehouse, to: trainer, mode: batch, data: a fixed historical dataset}
      # nothing logged from serving comes back
    ```

    **How to fix.** Log interactions and served features (`app -> event_log`, stream) into the
    data the trainer reads, and mark the flow closing the cycle `loop: retraining`.
    """
    live = d.live_data
    seen: set[str] = set()
    for model in d.online_models:
        for t in d.trainers_of(model):
            if t not in live and t not in seen:
                seen.add(t)
                yield Hit(f"'{t}' trains '{model}' but no data from the live system (interactions, served features) "
                          "flows back to it", component=t)


@rule("MLSD503", "untriggered-training", "note", "[GC] levels 1-2")
def untriggered_training(d: Design) -> Iterator[Hit]:
    """A trainer has no scheduler, drift or alert trigger.

    **What it checks.** Each trainer is fed directly (any flow but fallback) by an orchestrator,
    an alerting component or a MONITOR component. A scheduler that runs only an upstream job
    does not start training.

    **Why it matters.** Training that runs only when someone remembers is MLOps level 0;
    automated triggers (a schedule, new data, a drift alert) are what levels 1 and 2 add.
    Source: [GC] levels 1 and 2.

    **Example.** A `training_pipeline` fed by the lake, with no flow from an orchestrator.

    **How to fix.** `{from: orchestrator, to: trainer, mode: batch, data: daily run}`, and
    `{from: alerting, to: orchestrator, mode: batch, data: retraining trigger, loop: feedback}`.
    """
    for t in d.trainers:
        if not any(d.has(c, T.TRIGGER) or d.is_(c, "MONITOR") for c, _ in d.pred_any(t)):
            yield Hit(f"nothing triggers '{t}': no orchestrator, alert or drift signal starts it", component=t)


def _indexes(d: Design) -> list[str]:
    """Retrieval stores read on the request path (RETRIEVE without SERVE: an ANN index)."""
    return [c for c in d.request_path if d.is_(c, "RETRIEVE") and not d.is_(c, "SERVE")]


@rule("MLSD504", "ann-index-not-refreshed", "error", "[AX] ch. 2")
def ann_index_not_refreshed(d: Design) -> Iterator[Hit]:
    """A retrieval index read on the request path has no builder fed by the corpus and a model.

    **What it checks.** Each RETRIEVE component that is not itself a model (an ANN index) and is
    read on the request path has a builder flowing into it (deploy, batch or stream) that is fed
    by the item corpus (a data or features component) and by a model (a training-stage component
    such as the registry or a trainer).

    **Why it matters.** New items are invisible until they are embedded and indexed, and an index
    built with an old encoder returns nonsense for queries embedded with the new one: the index
    must be rebuilt as the corpus and the model change. Source: [AX] ch. 2 (visual search).

    **Example.**

    ```yaml
    components:
      ann: {kind: ann_index}
      # nothing builds or refreshes it
    ```

    **How to fix.** Add an `index_builder` fed by the item corpus and by the registry's item
    tower, deploying into the index on a schedule.
    """
    for index in _indexes(d):
        ok = False
        for builder, _ in d.pred(index, *DATA_MODES):
            inputs = [u for u, _ in d.pred(builder, *DATA_MODES)]
            corpus = any(d.stage[u] in ("data", "features") for u in inputs)
            model = any(d.stage[u] == "training" for u in inputs) or d.stage[builder] == "training" and any(
                True for _ in d.pred(builder, "deploy"))
            ok = ok or (corpus and model)
        if not ok:
            yield Hit(f"nothing rebuilds '{index}' from the item corpus and the current model: new items stay "
                      "invisible and embeddings go stale", component=index)


@rule("MLSD505", "embedding-model-mismatch", "warning", "[AX] two-tower chapters")
def embedding_model_mismatch(d: Design) -> Iterator[Hit]:
    """The query side and the index builder of a retrieval index name different models.

    **What it checks.** For each ANN index on the request path, the `model` of the builders
    writing into it against the `model` of the SERVE components that query it (its callers and
    the encoders they call). When both sides name models and share none, a warning.

    **Why it matters.** Two-tower retrieval only works when query and item embeddings come from
    the same trained model version; a mismatch returns near-random neighbours without any error.
    Source: [AX] two-tower chapters.

    **Example.**

    ```yaml
    components:
      encoder: {kind: embedding_service, model: two-tower-v8}
      builder: {kind: index_builder, model: two-tower-v7}
    ```

    **How to fix.** Pin both to the same model version and deploy them together (the index
    rebuild gates the encoder's rollout).
    """
    for index in _indexes(d):
        built = {m for b, _ in d.pred(index, *DATA_MODES) if (m := d.components[b].model)}
        query: set[str] = set()
        for caller, _ in d.pred(index, "request"):
            for c in [caller, *(v for v, _ in d.succ(caller, "request"))]:
                model_name = d.components[c].model
                if d.is_(c, "SERVE") and model_name:
                    query.add(model_name)
        if built and query and not built & query:
            yield Hit(f"'{index}' is built with {d.names(sorted(built))} but queried with {d.names(sorted(query))}",
                      component=index)


@rule("MLSD506", "feedback-loop-no-exploration", "note", "[TD] §4, [RoML] #36, [DMLS] ch. 8")
def feedback_loop_no_exploration(d: Design) -> Iterator[Hit]:
    """A model learns from its own served results with no exploration traffic.

    **What it checks.** For each model on the request path whose trainer reads data from the live
    system (a feedback loop), whether an experimentation component sits on the same request path.

    **Why it matters.** A recommender trained only on what it chose to show learns its own biases
    (popular items get more popular, new items never get a chance): a degenerate feedback loop.
    Randomized exploration traffic (an experiment arm, epsilon-greedy slots) breaks it.
    Source: [TD] §4, [RoML] #36, [DMLS] ch. 8.

    **Example.** `app -> ranker`, `app -> event_log -> lake -> trainer -> registry -> ranker`, and
    no experimentation.

    **How to fix.** Add an `experimentation` component on the request path that routes a small
    share of traffic to exploration, and log which arm served each request.
    """
    live = d.live_data
    for model in d.online_models:
        if not any(t in live for t in d.trainers_of(model)):
            continue
        path: set[str] = set()
        for entry in d.entries_of.get(model, []):
            path.update(d.reach([entry], ("request",)))
        if not any(d.has(c, T.EXPERIMENT) for c in path):
            yield Hit(f"'{model}' is retrained on the results it served, with no exploration traffic: its biases "
                      "feed back into its training data", component=model)
