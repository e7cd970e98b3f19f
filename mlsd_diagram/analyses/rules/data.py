"""Data rules (MLSD4xx): where training and serving data come from and what happens to it."""

from __future__ import annotations

from collections import deque
from typing import Iterator

from .. import traits as T
from ..design import DATA_MODES, Design
from ..findings import Hit
from .registry import rule

MAX_PIPELINE_HOPS = 5  # intermediate data/feature stages before a note (``[tool.mlsd] max-pipeline-hops``)
FRESH_MINUTES = 60  # freshness needs below this are beyond what periodic batch jobs deliver


@rule("MLSD401", "training-serving-skew", "error", "[RoML] #29, #32, #37, [GC] level 1")
def training_serving_skew(d: Design) -> Iterator[Hit]:
    """Training and serving get their features by different paths.

    **What it checks.** For each model on the request path that a trainer in the design
    produces: either a features-stage component (a feature store) on the same request path also
    feeds that trainer, or the model's served features are logged back to it (a stream or batch
    path from the model to the trainer).

    **Why it matters.** Features computed twice, once in a batch pipeline for training and once
    in the serving code, drift apart; the model is then served inputs it never saw. Sharing one
    feature store, or logging the features used at serving time and training on those, removes
    the skew. Source: [RoML] #29, #32, #37, [GC] level 1 (feature store).

    **Example.**

    ```yaml
    flows:
      - {from: warehouse, to: trainer, mode: batch, data: features from SQL}
      - {from: app, to: ranker, mode: request, data: features computed in the app}
    ```

    **How to fix.** Serve and train from one `feature_store`, or log served features:
    `{from: ranker, to: event_log, mode: stream, data: served features, tags: [features]}` and
    train on that log.
    """
    reach_cache: dict[str, dict] = {}
    for model in d.online_models:
        trainers = set(d.trainers_of(model))
        if not trainers:
            continue
        if trainers.intersection(d.reach([model], ("stream", "batch"))):
            continue  # served features are logged back to training
        stores: set[str] = set()
        for entry in d.entries_of.get(model, []):
            if entry not in reach_cache:
                reach_cache[entry] = d.reach([entry], ("request",))
            stores.update(c for c in reach_cache[entry] if d.stage[c] == "features")
        if stores and trainers.intersection(d.reach(sorted(stores, key=d.order.__getitem__), DATA_MODES)):
            continue
        yield Hit(f"'{model}' is trained by {d.names(sorted(trainers, key=d.order.__getitem__))} from a different feature "
                  "path than it is served with: share a feature store or log served features back to training",
                  component=model)


@rule("MLSD402", "missing-label-source", "error", "[AX] ch. 1, [DMLS] ch. 4")
def missing_label_source(d: Design) -> Iterator[Hit]:
    """A trainer has no source of labels upstream.

    **What it checks.** Each trainer has, upstream over stream, batch or deploy flows, a flow
    tagged `labels` or `interactions`, a labeling or human review component, or a client (whose
    logged interactions become labels).

    **Why it matters.** Supervised learning needs ground truth; a design that never says where
    labels come from (user interactions, annotators, delayed outcomes) has not decided how the
    model can be trained or how its quality is measured. Source: [AX] ch. 1, [DMLS] ch. 4.

    **Example.**

    ```yaml
    flows:
      - {from: product_db, to: trainer, mode: batch, data: product attributes}
    ```

    **How to fix.** Add the label source: logged interactions (`tags: [interactions]`), a
    `labeling` queue, or `human_review` verdicts, flowing into the training data.
    """
    for t in d.trainers:
        upstream = d.reach([t], DATA_MODES, backward=True)
        ok = any(d.stage[c] == "client" or d.has(c, T.LABELS) for c in upstream if c != t)
        ok = ok or any({"labels", "interactions"} & set(d.flows[i].tags)
                       for c in upstream for _, i in d.pred(c, *DATA_MODES))
        if not ok:
            yield Hit(f"'{t}' trains a model, but no labels reach it: no interactions, labeling or human review "
                      "upstream", component=t)


@rule("MLSD403", "pii-unredacted", "error", "[TS] Data 5")
def pii_unredacted(d: Design) -> Iterator[Hit]:
    """Data tagged `pii` lands in a log, lake, warehouse, monitor or training job.

    **What it checks.** Flows tagged `pii` whose target is a shared store (SINK), a MONITOR
    component or a training-stage component. A redactor in between takes the `pii` tag off the
    flows it emits.

    **Why it matters.** Personal data copied into logs, lakes and training sets multiplies the
    places it can leak from and has to be deleted from; the ML Test Score asks that the pipeline
    has appropriate privacy controls. Source: [TS] Data 5.

    **Example.**

    ```yaml
    flows:
      - {from: user_db, to: lake, mode: batch, data: profiles, tags: [pii]}
    ```

    **How to fix.** Route it through a `pii_redactor` and send on pseudonymized data (without the
    `pii` tag): `user_db -> redactor (pii) -> lake`.
    """
    for index, flow in enumerate(d.flows):
        target = flow.target
        if "pii" in flow.tags and (d.is_(target, "SINK") or d.is_(target, "MONITOR")
                                   or d.stage[target] == "training"):
            yield Hit(f"flow tagged pii from '{flow.source}' lands in '{target}' ({d.kind[target]}) unredacted; "
                      "route it through a pii_redactor", flow=index)


@rule("MLSD404", "no-data-validation", "warning", "[TS] Data 1, [GC] level 1")
def no_data_validation(d: Design) -> Iterator[Hit]:
    """Training data reaches a trainer without passing data validation.

    **What it checks.** For each trainer, whether some path of stream or batch flows from a data
    or client component reaches it without passing a data validation component. Monitors and
    triggers (alerting, orchestrators) start runs but carry no training data: paths stop there.

    **Why it matters.** A broken upstream (a null column, a unit change, a duplicated day) trains
    a broken model that the evaluation gate may not catch; schema and distribution checks before
    training stop it at the door. Source: [TS] Data 1, [GC] level 1 (data validation).

    **Example.**

    ```yaml
    flows:
      - {from: lake, to: trainer, mode: batch, data: training examples}
    ```

    **How to fix.** `lake -> data_checks (data_validation) -> trainer`, on every path.
    """
    checks = set(d.with_trait(T.VALIDATION))
    not_data = set(d.with_trait(T.TRIGGER)) | {c for c in d.ids if d.is_(c, "MONITOR")}
    for t in d.trainers:
        parent = d.reach([t], ("stream", "batch"), backward=True, avoid=checks | not_data)
        origins = [c for c in parent if c != t and d.stage[c] in ("data", "client")]
        if origins:
            origin = origins[0]
            path = " -> ".join(reversed(d.path_to(parent, origin)))
            yield Hit(f"training data reaches '{t}' without validation ({path})", component=t)


@rule("MLSD405", "pipeline-jungle", "note", "[TD] §5")
def pipeline_jungle(d: Design) -> Iterator[Hit]:
    """Training data passes through many data and feature stages.

    **What it checks.** For each trainer, the shortest chain of stream or batch flows from each
    place data originates; when one of them passes more than 5 intermediate data or feature
    stages (`[tool.mlsd] max-pipeline-hops`), a note.

    **Why it matters.** Long chains of scrapes, joins and sampling steps ("pipeline jungles") are
    expensive to test and to change, and each hop is a place where training data can silently
    differ from serving data. Source: [TD] §5.

    **Example.** `source -> etl1 -> etl2 -> etl3 -> etl4 -> etl5 -> etl6 -> trainer`.

    **How to fix.** Consolidate the stages into one pipeline, or a feature store, owned end to end.
    """
    limit = int(d.options.get("max-pipeline-hops", MAX_PIPELINE_HOPS))
    for t in d.trainers:
        dist = {t: 0}
        parent: dict[str, str] = {}
        queue = deque([t])
        while queue:
            node = queue.popleft()
            for u, _ in d.pred(node, "stream", "batch"):
                if u not in dist and d.stage[u] in ("data", "features", "client"):
                    dist[u] = dist[node] + 1
                    parent[u] = node
                    queue.append(u)
        far = max((c for c in dist if c != t), key=lambda c: (dist[c], -d.order[c]), default=None)
        if far is not None and dist[far] - 1 > limit:
            chain = [far]
            while chain[-1] != t:
                chain.append(parent[chain[-1]])
            yield Hit(f"training data for '{t}' passes {dist[far] - 1} data and feature stages "
                      f"({' -> '.join(chain)}); consider consolidating them", component=t)


@rule("MLSD406", "stale-online-features", "warning", "[RoML] #8, [DMLS] ch. 7")
def stale_online_features(d: Design) -> Iterator[Hit]:
    """An online feature store is fed only by batch flows but features must be fresh within the hour.

    **What it checks.** With `requirements.slo.freshness_minutes` under 60, each features-stage
    component read on the request path has at least one stream flow feeding it.

    **Why it matters.** Daily or hourly batch jobs cannot deliver features fresher than their
    period; a model that needs the last minutes of activity (trending items, session intent) then
    ranks on stale data. Source: [RoML] #8, [DMLS] ch. 7.

    **Example.**

    ```yaml
    requirements: {slo: {freshness_minutes: 5}}
    flows:
      - {from: batch_features, to: features, mode: batch, data: daily aggregates}
    ```

    **How to fix.** Add a `stream_feature_pipeline` feeding the store over a stream flow, or relax
    the freshness need.
    """
    slo = d.blueprint.requirements.slo
    if slo is None or slo.freshness_minutes is None or slo.freshness_minutes >= FRESH_MINUTES:
        return
    for c in d.request_path:
        if d.stage[c] != "features":
            continue
        feeds = [d.flows[i].mode.value for _, i in d.pred(c, *DATA_MODES)]
        if "stream" not in feeds:
            yield Hit(f"'{c}' is read on the request path and fed only by batch flows, but features must be fresh "
                      f"within {slo.freshness_minutes:g} minutes", component=c)
