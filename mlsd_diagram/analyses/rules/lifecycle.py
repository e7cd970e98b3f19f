"""Model lifecycle rules (MLSD5xx): how models are trained, stored, refreshed and deployed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...blueprint.models import minutes
from .. import practices as P
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

    A model that keeps versioned model folders and rolls back itself declares
    `capabilities: [versioned_models]`.

    **How to fix.** `trainer -> registry (model_registry) -> ranker`, with the deploy flow leaving
    the registry; or declare the capability the model server has.
    """
    registries = set(d.with_trait(T.REGISTRY))
    trainers = set(d.ml.trainers)
    for model in d.online_models:
        if "versioned_models" in {c.value for c in d.components[model].capabilities}:
            continue  # it keeps versioned model folders and rolls back itself
        parent = d.graph.reach([model], DATA_MODES, backward=True, avoid=registries)
        direct = [t for t in d.ml.trainers if t in parent and t in trainers]
        if direct:
            path = " -> ".join(reversed(d.graph.path_to(parent, direct[0])))
            yield Hit(
                f"'{model}' gets its model from '{direct[0]}' without a model registry ({path}): no versions, "
                "no rollback",
                component=model,
            )


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
    live = d.ml.live_data
    seen: set[str] = set()
    for model in d.online_models:
        for t in d.ml.trainers_of(model):
            if t not in live and t not in seen:
                seen.add(t)
                yield Hit(
                    f"'{t}' trains '{model}' but no data from the live system (interactions, served features) "
                    "flows back to it",
                    component=t,
                )


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
    for t in d.ml.trainers:
        if not any(d.has(c, T.TRIGGER) or d.is_(c, "MONITOR") for c, _ in d.graph.pred_any(t)):
            yield Hit(f"nothing triggers '{t}': no orchestrator, alert or drift signal starts it", component=t)


def _indexes(d: Design) -> list[str]:
    """Embedding indexes read on the request path (an ANN index; not a candidate source without a model)."""
    return [c for c in d.request_path if d.has(c, T.EMBEDDING_INDEX)]


def _query_encoders(d: Design, index: str) -> list[str]:
    """The models on the query side of an index: its callers and what they call, that are models."""
    found: dict[str, None] = {}
    for caller, _ in d.graph.pred(index, "request"):
        for c in [caller, *(v for v, _ in d.graph.succ(caller, "request"))]:
            if c != index and d.is_model(c) and d.is_(c, "SERVE"):
                found[c] = None
    return list(found)


@rule("MLSD504", "ann-index-not-refreshed", "error", "[AX] ch. 2")
def ann_index_not_refreshed(d: Design) -> Iterator[Hit]:
    """A retrieval index read on the request path has no builder fed by the corpus and a model.

    **What it checks.** Each embedding index (an ANN index, or a custom RETRIEVE kind that is not
    itself a model; a `candidate_source` has no embeddings) read on the request path has a builder
    flowing into it (deploy, batch or stream) that is fed
    by the item corpus (a data or features component) and by a model (a training-stage component
    such as the registry or a trainer). When the design trains and versions no model at all (no
    trainer, no registry: its embeddings come from a vendor model), the corpus alone is enough.

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
        # a design that trains and versions no model (no trainer, no registry) embeds with a vendor model
        trained = bool(d.ml.trainers or d.with_trait(T.REGISTRY))
        ok = False
        for builder, _ in d.graph.pred(index, *DATA_MODES):
            inputs = [u for u, _ in d.graph.pred(builder, *DATA_MODES)]
            corpus = any(d.stage[u] in ("data", "features") for u in inputs)
            model = (
                any(d.stage[u] == "training" for u in inputs)
                or d.stage[builder] == "training"
                and any(True for _ in d.graph.pred(builder, "deploy"))
            )
            ok = ok or (corpus and (model or not trained))
        if not ok:
            yield Hit(
                f"nothing rebuilds '{index}' from the item corpus and the current model: new items stay "
                "invisible and embeddings go stale",
                component=index,
            )


@rule("MLSD505", "embedding-model-mismatch", "warning", "[AX] two-tower chapters")
def embedding_model_mismatch(d: Design) -> Iterator[Hit]:
    """The query side and the index builder of a retrieval index name different models.

    **What it checks.** For each ANN index on the request path, the `model` of the builders
    writing into it against the `model` of the models that query it (its callers and the
    encoders they call). When both sides name models and share none, a warning; when one side
    names its model and the other does not, the finding asks for it (nothing can be compared).

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
    rebuild gates the encoder's rollout); name the model on both sides.
    """
    for index in _indexes(d):
        builders = [b for b, _ in d.graph.pred(index, *DATA_MODES)]
        built = {m for b in builders if (m := d.components[b].model)}
        query = {m for c in _query_encoders(d, index) if (m := d.components[c].model)}
        if built and query and not built & query:
            yield Hit(
                f"'{index}' is built with {d.names(sorted(built))} but queried with {d.names(sorted(query))}",
                component=index,
            )
        elif query and builders and not built:
            yield Hit(
                f"'{index}' is queried with {d.names(sorted(query))}, but {d.names(builders)} names no model: "
                "declare the model its embeddings come from",
                component=index,
            )


@rule(
    "MLSD506",
    "exploration-missing",
    "warning",
    '[TD] §4; Jiang et al., "Degenerate Feedback Loops in Recommender Systems", AIES 2019; Li et al., '
    '"A Contextual-Bandit Approach to Personalized News Article Recommendation", WWW 2010',
    aliases=("feedback-loop-no-exploration",),
)
def exploration_missing(d: Design) -> Iterator[Hit]:
    """A model learns from the results it chose to show, with no exploration or holdout share.

    **What it checks.** For each live model that orders what users see (its `score_use` is
    ranking, auction or blend, or it is a retrieval or ranking kind) and whose trainer learns from
    what its users did with its output (data from its request path reaches the trainer without
    passing annotators or reviewers): it, or a component on its request path, declares
    `exploration_share` or `holdout_share`. A/B bucketing alone does not count (both arms serve
    a model's choices), and models that choose nothing users see (a threshold classifier, an ETA
    regressor with `score_use: estimate`) are out of scope. The same holds for any live model
    whose trainer reads labels declared `selective_labels: true` (outcomes observed only for what
    the model let through: a declined payment never gets a chargeback), such as a fraud or credit
    threshold. (Formerly `feedback-loop-no-exploration`, which counted any experimentation
    component.)

    **Why it matters.** A recommender trained only on what it chose to show learns its own
    biases: popular items get more popular, new items never get a chance, and the logs hold no
    counterfactual to learn or evaluate anything else from. A small randomized share (bandit
    exploration, boosted slots) or a holdout served without the model breaks the loop and gives
    unbiased data. A model that blocks what it thinks is bad never learns whether it was: its
    training data holds only what it allowed, and its errors on the blocked side are invisible;
    a small random share let through (or reviewed) restores the counterfactual. Source: [TD] §4;
    Jiang et al., AIES 2019; Li et al., WWW 2010.

    **Example.** `app -> ranker`, `app -> event_log -> lake -> trainer -> registry -> ranker`, with
    an `experimentation` component splitting traffic between two rankers and nothing else.

    **How to fix.** Declare the share that explores, on the model or the service that inserts the
    exploratory results: `exploration_share: 0.01` (and log which results were exploratory), or
    `holdout_share: 0.005` for users served a non-personalized baseline.
    """
    for model in d.online_models:
        selective = _selective_labels(d, model)
        if not selective and (not d.chooses_what_users_see(model) or not d.ml.learns_from_what_it_showed(model)):
            continue
        around = d.served_with(model) | {model}
        if any(d.components[c].exploration_share or d.components[c].holdout_share for c in around):
            continue
        said = (
            "is retrained on outcomes seen only for what it let through (selective_labels)"
            if selective
            else "is retrained on the results it chose to show"
        )
        yield Hit(
            f"'{model}' {said}, and nothing on its request path declares an exploration_share or holdout_share: "
            "its biases feed back into its training data",
            component=model,
            practice=P.EXPLORATION,
        )


def _selective_labels(d: Design, model: str) -> bool:
    """True when a trainer of ``model`` reads a flow with ``selective_labels: true``."""
    return any(d.flows[i].selective_labels for t in d.ml.trainers_of(model) for i in d.ml.upstream_flows(t))


ID_INPUT = re.compile(r"\bids?\b", re.IGNORECASE)


def _id_only(d: Design, c: str) -> bool:
    inputs = d.components[c].inputs
    return bool(inputs) and all(ID_INPUT.search(i) for i in inputs)


@rule(
    "MLSD507",
    "cold-start-path-missing",
    "warning",
    'Schein et al., "Methods and Metrics for Cold-Start Recommendations", SIGIR 2002; Volkovs et al., '
    '"DropoutNet: Addressing Cold Start in Recommender Systems", NeurIPS 2017',
)
def cold_start_path_missing(d: Design) -> Iterator[Hit]:
    """A recommender keyed only on IDs has no content or popularity path for new items and users.

    **What it checks.** Live models that order what users see, retrained on live data (their
    corpus and users keep growing), whose declared `inputs` are all IDs (each names an `id`).
    Another path must reach new items or users on the same request path: a baseline
    (popularity, `fallback_ranker`) called there, or another retrieval component whose inputs are
    not IDs only. A fallback flow alone does not count: it answers only when the model fails.

    **Why it matters.** An ID embedding exists only for IDs seen in training: a new item is never
    retrieved (so never clicked, so never learned), and a new user gets the average of nobody.
    Content features, or a popularity source that new items can enter, break the circle.
    Source: Schein et al., SIGIR 2002; Volkovs et al., NeurIPS 2017.

    **Example.**

    ```yaml
    components:
      retrieval: {kind: candidate_generation, inputs: [user id, item id]}
    ```

    **How to fix.** Add content inputs (`inputs: [user id, item id, item text embedding]`), or a
    popularity or content candidate source on the request path
    (`fresh: {kind: candidate_source, label: New and trending items}`).
    """
    for model in d.online_models:
        if not _id_only(d, model) or not d.chooses_what_users_see(model) or not d.ml.learns_from_live(model):
            continue
        own = d.graph.reach([model], ("request",))
        others = [
            c
            for c in d.served_with(model)
            if c not in own and (d.has(c, T.BASELINE) or (d.is_(c, "RETRIEVE") and not _id_only(d, c)))
        ]
        if not others:
            yield Hit(
                f"'{model}' reads only IDs ({', '.join(d.components[model].inputs)}) and nothing else on its "
                "request path serves new items or users: they never get an embedding; add content inputs or a "
                "popularity or content candidate source",
                component=model,
            )


@rule("MLSD508", "index-freshness-vs-slo", "warning", "[RoML] #8; [AX] ch. 2")
def index_freshness_vs_slo(d: Design) -> Iterator[Hit]:
    """A retrieval index is rebuilt less often than new items must become retrievable.

    **What it checks.** With `requirements.slo.index_freshness_minutes` (or, without it,
    `freshness_minutes`), each embedding index on the request path: a stream flow feeds it
    (incremental upserts), or one of its builders declares a `cadence` no longer than the SLO.

    **Why it matters.** An item is invisible until it is embedded and indexed. A weekly rebuild
    cannot honour "searchable within 5 minutes", however fresh the features are (MLSD406 checks
    the feature stores only). Source: [RoML] #8 (know the freshness requirements of your system);
    [AX] ch. 2.

    **Example.**

    ```yaml
    requirements: {slo: {freshness_minutes: 5}}
    components:
      builder: {kind: index_builder, cadence: 7d}
    ```

    **How to fix.** Stream new items into the index (`{from: item_encoder, to: index, mode: stream,
    data: new item embeddings}`), rebuild more often, or state the real need in
    `index_freshness_minutes`.
    """
    slo = d.blueprint.requirements.slo
    limit = slo and (slo.index_freshness_minutes or slo.freshness_minutes)
    if not limit:
        return
    for index in _indexes(d):
        feeds = list(d.graph.pred(index, *DATA_MODES))
        if not feeds or any(d.flows[i].mode.value == "stream" for _, i in feeds):
            continue  # no builder is MLSD504's finding; a stream keeps it fresh
        timed = [(minutes(cadence), b) for b, _ in feeds if (cadence := d.components[b].cadence)]
        if not timed:
            yield Hit(
                f"new items must be retrievable in '{index}' within {limit:g} minutes, but nothing streams into "
                f"it and {d.names(b for b, _ in feeds)} declares no cadence: declare the rebuild cadence",
                component=index,
                practice=P.CADENCE,
            )
            continue
        best, builder = min(timed)
        if best > limit:
            yield Hit(
                f"'{index}' is rebuilt every {d.components[builder].cadence} by '{builder}', but new items must "
                f"be retrievable within {limit:g} minutes: stream new items into it or rebuild more often",
                component=index,
            )


def _tied(d: Design, encoder: str, side: str) -> bool:
    """True when a deployment of ``encoder`` is tied to ``side`` (the index or its builder)."""
    if d.components[encoder].deployed_with == side or d.components[side].deployed_with == encoder:
        return True
    if encoder in d.graph.reach([side], ("deploy",)) or side in d.graph.reach([encoder], ("deploy",)):
        return True
    rollouts = [c for c in d.graph.reach([encoder], ("deploy",), backward=True) if d.has(c, T.ROLLOUT)]
    return bool(rollouts) and bool(set(rollouts) & set(d.graph.reach([side], ("deploy",), backward=True)))


@rule(
    "MLSD509",
    "encoder-index-skew",
    "warning",
    'Yi et al., "Sampling-Bias-Corrected Neural Modeling for Large Corpus Item Recommendations", RecSys '
    "2019; [AX] two-tower chapters",
)
def encoder_index_skew(d: Design) -> Iterator[Hit]:
    """A query encoder and the index built by its twin tower are deployed separately.

    **What it checks.** For each embedding index on the request path, with a builder and a query
    encoder (a model among its callers and what they call, that a trainer of the design produces
    or a deploy flow delivers; a pinned vendor model is not a twin tower): a deployment of the
    encoder is tied
    to the index or its builder: one names the other in `deployed_with`, a deploy flow goes from
    one to the other, or both are deployed through the same rollout controller.

    **Why it matters.** The two towers of a retrieval model are trained together and only agree
    with each other: a new query tower against yesterday's item embeddings (or the reverse)
    returns poor neighbours with no error, for as long as the two deployments drift apart. Yi et
    al. serve the query tower online against an index of the same model's item embeddings.
    Source: Yi et al., RecSys 2019; [AX] two-tower chapters.

    **Example.** `registry -> encoder` (deploy) and `registry -> builder -> index` (deploy), with
    nothing ordering the two.

    **How to fix.** Release them together: `encoder: {..., deployed_with: builder}` when one
    pipeline swaps the index and the encoder version at once, or deploy the encoder from the
    builder once the index is built (`{from: builder, to: encoder, mode: deploy}`).
    """
    for index in _indexes(d):
        builders = [b for b, _ in d.graph.pred(index, *DATA_MODES)]
        encoders = _query_encoders(d, index)
        built = {d.components[b].model for b in builders} - {None}
        twins = [e for e in encoders if d.components[e].model in built]
        encoders = twins or encoders  # the twin towers when models are named (not the ranker beside them)
        # twin towers are trained or deployed here; a pinned vendor model (nothing deploys it) is not one
        encoders = [e for e in encoders if d.ml.trainers_of(e) or any(True for _ in d.graph.pred(e, "deploy"))]
        if not builders or not encoders:
            continue
        if any(_tied(d, e, side) for e in encoders for side in [index, *builders]):
            continue
        yield Hit(
            f"the query side ({d.names(encoders)}) and the index '{index}' built by {d.names(builders)} are "
            "deployed separately: "
            "a new encoder can meet old item embeddings; tie the releases (deployed_with, or deploy the encoder "
            "after the rebuild)",
            component=index,
        )
