"""Data rules (MLSD4xx), the pipelines and features: where training and serving data come from and how it
flows. The same category's rules about labels are in ``labels.py``, about personal data in ``privacy.py``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from ...blueprint.models import minutes
from .. import practices as P
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
    produces from features: either a features-stage component on the same request path (a
    feature store), or a feature pipeline that fills it (one computation for batch and
    real-time), also feeds that trainer; or the model's served features are logged back to it (a
    stream or batch path from the model to the trainer, or from a flow tagged `features` by which
    the service calling the model logs what it scored). A trainer that no features reach at all
    is MLSD413's finding.

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
    reach_cache: dict[str, dict[str, str | None]] = {}
    for model in d.online_models:
        trainers = set(d.ml.trainers_of(model))
        if not trainers:
            continue
        logged = [model, *d.ml.logged_by_callers(model, "features")]  # by the model, or by the service calling it
        if trainers.intersection(d.graph.reach(logged, ("stream", "batch"))):
            continue  # served features are logged back to training
        if not any(d.ml.has_feature_input(t) for t in trainers):
            continue  # no training features at all: MLSD413's finding, not a different path
        stores: set[str] = set()
        for entry in d.entries_of.get(model, []):
            if entry not in reach_cache:
                reach_cache[entry] = d.graph.reach([entry], ("request",))
            stores.update(c for c in reach_cache[entry] if d.stage[c] == "features")
        if stores:
            ordered = sorted(stores, key=d.order.__getitem__)
            # one computation for both: the stores, or a feature pipeline that fills them, also feeds training
            shared = set(ordered) | {
                u for u in d.graph.reach(ordered, DATA_MODES, backward=True) if d.stage[u] == "features"
            }
            if trainers.intersection(d.graph.reach(sorted(shared, key=d.order.__getitem__), DATA_MODES)):
                continue
        yield Hit(
            f"'{model}' is trained by {d.names(sorted(trainers, key=d.order.__getitem__))} from a different feature "
            "path than it is served with: share a feature store or log served features back to training",
            component=model,
        )


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
    for t in d.ml.trainers:
        parent = d.graph.reach([t], ("stream", "batch"), backward=True, avoid=checks | not_data)
        origins = [c for c in parent if c != t and d.stage[c] in ("data", "client")]
        if origins:
            origin = origins[0]
            path = " -> ".join(reversed(d.graph.path_to(parent, origin)))
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
    for t in d.ml.trainers:
        dist = {t: 0}
        parent: dict[str, str] = {}
        queue = deque([t])
        while queue:
            node = queue.popleft()
            for u, _ in d.graph.pred(node, "stream", "batch"):
                if u not in dist and d.stage[u] in ("data", "features", "client"):
                    dist[u] = dist[node] + 1
                    parent[u] = node
                    queue.append(u)
        far = max((c for c in dist if c != t), key=lambda c: (dist[c], -d.order[c]), default=None)
        if far is not None and dist[far] - 1 > limit:
            chain = [far]
            while chain[-1] != t:
                chain.append(parent[chain[-1]])
            yield Hit(
                f"training data for '{t}' passes {dist[far] - 1} data and feature stages "
                f"({' -> '.join(chain)}); consider consolidating them",
                component=t,
            )


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
        feeds = [d.flows[i].mode.value for _, i in d.graph.pred(c, *DATA_MODES)]
        if "stream" not in feeds:
            yield Hit(
                f"'{c}' is read on the request path and fed only by batch flows, but features must be fresh "
                f"within {slo.freshness_minutes:g} minutes",
                component=c,
            )


IDEMPOTENT = ("overwrite_partition", "upsert")


@rule(
    "MLSD412",
    "non-idempotent-backfill",
    "warning",
    'Beauchemin, "Functional Data Engineering: a modern paradigm for batch data processing", 2018',
)
def non_idempotent_backfill(d: Design) -> Iterator[Hit]:
    """A batch job writing features or labels cannot be rerun or backfilled safely.

    **What it checks.** OFFLINE data- and features-stage jobs (not stores, not labeling) that read
    some flow and write features or labels in batch (a batch flow tagged `features` or `labels`,
    or into a features-stage component or a trainer). Each declares `write_mode:
    overwrite_partition` or `upsert`.

    **Why it matters.** Jobs fail and are rerun; features change and history must be recomputed.
    A job that appends duplicates rows on every rerun, and one with no partitioned output cannot
    backfill a day without rewriting the rest. Beauchemin's functional data engineering makes
    each task a pure function overwriting its partition, so reruns and backfills are safe.
    Source: Beauchemin, 2018.

    **Example.**

    ```yaml
    components:
      daily_features: {kind: batch_feature_pipeline, write_mode: append}
    ```

    **How to fix.** `write_mode: overwrite_partition` (each run replaces its date partition), or
    `upsert` for keyed tables.
    """
    for c in d.ids:
        if not (d.is_(c, "OFFLINE") and d.stage[c] in ("data", "features")) or d.is_(c, "SINK") or d.has(c, T.LABELS):
            continue
        if not any(True for _ in d.graph.pred(c, "stream", "batch")):
            continue  # a source, not a job
        writes = [
            v
            for v, i in d.graph.succ(c, "batch")
            if {"features", "labels"} & set(d.flows[i].tags) or d.stage[v] == "features" or d.has(v, T.TRAINER)
        ]
        mode = d.components[c].write_mode
        if not writes or (mode is not None and mode.value in IDEMPOTENT):
            continue
        said = "appends" if mode is not None else "declares no write_mode"
        yield Hit(
            f"'{c}' writes features or labels in batch and {said}: a rerun duplicates rows and a backfill "
            "cannot replace one day; declare write_mode: overwrite_partition (or upsert)",
            component=c,
            practice=P.WRITE_MODE if mode is None else None,
        )


@rule("MLSD413", "training-features-undeclared", "warning", "[RoML] #29, #32")
def training_features_undeclared(d: Design) -> Iterator[Hit]:
    """A model reads features when serving, but no features reach its trainer.

    **What it checks.** For each live model that calls a features-stage component (a feature
    store) on the request path, whether each of its trainers has a features-stage component or a
    flow tagged `features` upstream.

    **Why it matters.** The design says where serving features come from but not where training
    ones do, so nobody can tell whether the two match (MLSD401 needs both sides); usually the
    training side is an unlisted notebook or SQL query, the classic source of skew. Source:
    [RoML] #29 (train like you serve), #32 (reuse code between training and serving).

    **Example.**

    ```yaml
    flows:
      - {from: ranker, to: features, mode: request, data: user features}
      - {from: lake, to: trainer, mode: batch, data: labels}   # and the features?
    ```

    **How to fix.** Draw the training features' path: from the feature store's offline side
    (`{from: features, to: trainer, mode: batch, data: point-in-time features, tags: [features],
    point_in_time: true}`) or from logged served features.
    """
    seen: set[str] = set()
    for model in d.online_models:
        stores = [c for c in d.graph.reach([model], ("request",)) if d.stage[c] == "features"]
        if not stores:
            continue
        for t in d.ml.trainers_of(model):
            if t not in seen and not d.ml.has_feature_input(t):
                seen.add(t)
                yield Hit(
                    f"'{model}' reads features from {d.names(stores)} when serving, but no features reach its "
                    f"trainer '{t}': draw where its training features come from",
                    component=t,
                )


@rule(
    "MLSD414",
    "feature-ttl-shorter-than-load",
    "warning",
    '[RoML] #8 (know the freshness requirements of your system); Google SRE book ch. 22 ("Addressing Cascading '
    'Failures": slow-rolling failures of batch dependencies)',
)
def feature_ttl_shorter_than_load(d: Design) -> Iterator[Hit]:
    """Online features expire before their next batch load, or after one missed load nobody is alerted to.

    **What it checks.** Each features-stage component with a `ttl` that batch jobs with a
    `cadence` load: the TTL is shorter than the cadence (values expire before the next load, in
    every cycle), or shorter than two cadences (one failed load expires them) while no flow from
    the loading job reaches an alerting component (nobody learns that the load failed).

    **Why it matters.** A TTL keeps stale values from being served, but it turns a failed batch
    load into missing features for every request once it runs out: the models then serve with
    defaults, quietly worse, until someone notices. The TTL must outlive a missed load, or the
    load's failure must page someone before it runs out. Source: [RoML] #8; Google SRE book ch. 22.

    **Example.**

    ```yaml
    components:
      daily_features: {kind: batch_feature_pipeline, cadence: 1d}
      features: {kind: feature_store, ttl: 26h}   # one missed daily load, and every value expires
    ```

    **How to fix.** Alert on the load's failure
    (`{from: daily_features, to: alerting, mode: telemetry, data: load failures}`), or set a TTL
    that covers a missed load (`ttl: 3d`), or load more often.
    """
    alerts = set(d.with_trait(T.ALERTING))
    for c in d.ids:
        ttl = d.components[c].ttl
        if not ttl or d.stage[c] != "features":
            continue
        loads = [(u, cadence) for u, _ in d.graph.pred(c, "batch") if (cadence := d.components[u].cadence)]
        for loader, cadence in loads:
            if minutes(ttl) < minutes(cadence):
                yield Hit(
                    f"'{c}' expires its values after {ttl}, but '{loader}' loads them every {cadence}: features go "
                    "missing in every cycle; set a ttl longer than the load cadence",
                    component=c,
                )
                break
            watched = alerts.intersection(d.graph.reach([loader], ("telemetry", "stream", "batch")))
            if minutes(ttl) < 2 * minutes(cadence) and not watched:
                yield Hit(
                    f"'{c}' expires its values after {ttl} and '{loader}' loads them every {cadence}: one failed "
                    f"load and every value is gone, and nothing alerts on '{loader}' failing; alert on its "
                    "failures or set a ttl that covers a missed load",
                    component=c,
                )
                break
