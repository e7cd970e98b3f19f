"""Data rules (MLSD4xx): where training and serving data come from and what happens to it."""

from __future__ import annotations

import re
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
    reach_cache: dict[str, dict] = {}
    for model in d.online_models:
        trainers = set(d.trainers_of(model))
        if not trainers:
            continue
        logged = [model, *d.logged_by_callers(model, "features")]  # by the model, or by the service calling it
        if trainers.intersection(d.reach(logged, ("stream", "batch"))):
            continue  # served features are logged back to training
        if not any(d.has_feature_input(t) for t in trainers):
            continue  # no training features at all: MLSD413's finding, not a different path
        stores: set[str] = set()
        for entry in d.entries_of.get(model, []):
            if entry not in reach_cache:
                reach_cache[entry] = d.reach([entry], ("request",))
            stores.update(c for c in reach_cache[entry] if d.stage[c] == "features")
        if stores:
            ordered = sorted(stores, key=d.order.__getitem__)
            # one computation for both: the stores, or a feature pipeline that fills them, also feeds training
            shared = set(ordered) | {u for u in d.reach(ordered, DATA_MODES, backward=True) if d.stage[u] == "features"}
            if trainers.intersection(d.reach(sorted(shared, key=d.order.__getitem__), DATA_MODES)):
                continue
        yield Hit(
            f"'{model}' is trained by {d.names(sorted(trainers, key=d.order.__getitem__))} from a different feature "
            "path than it is served with: share a feature store or log served features back to training",
            component=model,
        )


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
        ok = ok or any(
            {"labels", "interactions"} & set(d.flows[i].tags) for c in upstream for _, i in d.pred(c, *DATA_MODES)
        )
        if not ok:
            yield Hit(
                f"'{t}' trains a model, but no labels reach it: no interactions, labeling or human review upstream",
                component=t,
            )


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
        if "pii" in flow.tags and (d.is_(target, "SINK") or d.is_(target, "MONITOR") or d.stage[target] == "training"):
            yield Hit(
                f"flow tagged pii from '{flow.source}' lands in '{target}' ({d.kind[target]}) unredacted; "
                "route it through a pii_redactor",
                flow=index,
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
        feeds = [d.flows[i].mode.value for _, i in d.pred(c, *DATA_MODES)]
        if "stream" not in feeds:
            yield Hit(
                f"'{c}' is read on the request path and fed only by batch flows, but features must be fresh "
                f"within {slo.freshness_minutes:g} minutes",
                component=c,
            )


LABEL_TAGS = frozenset({"labels", "interactions"})
CORRECTED = ("relabeled", "importance_weighted", "delay_model", "window_closed")


@rule(
    "MLSD407",
    "delayed-label-window",
    "warning",
    'Chapelle, "Modeling Delayed Feedback in Display Advertising", KDD 2014; Ktena et al., "Addressing '
    'Delayed Feedback for Continuous Training with Neural Networks in CTR prediction", RecSys 2019',
)
def delayed_label_window(d: Design) -> Iterator[Hit]:
    """A trainer learns from interactions whose label window is unknown, or longer than its cadence.

    **What it checks.** For each trainer that reads data from the live system, the flows upstream
    of it that carry labels or interactions (tags `labels`, `interactions`). One of them must
    declare `label_window`: how long after an event its label may still arrive (a click within
    `15m`, a registration within `7d`). A window longer than the trainer's `cadence` or the
    freshness SLO (`requirements.slo.freshness_minutes`) needs `late_positives` set to a
    correction (`relabeled`, `importance_weighted`, `delay_model`) or to `window_closed` (examples
    are emitted only once their window has closed, so the newest data lags by the window), not
    `dropped`.

    **Why it matters.** Outcomes arrive late: a conversion days after the click, a registration
    a week after the impression. A model trained before the window closes sees the late positives
    as negatives and under-predicts exactly the fresh items and campaigns; Chapelle models the
    conversion delay, and Ktena et al. show fake-negative weighting and importance sampling that
    keep continuous training unbiased. Source: Chapelle, KDD 2014; Ktena et al., RecSys 2019.

    **Example.**

    ```yaml
    components:
      trainer: {kind: training_pipeline, cadence: 1h}
    flows:
      - {from: joiner, to: trainer, mode: stream, data: registrations per impression, tags: [labels],
         label_window: 7d}   # trains hourly on labels that take a week
    ```

    **How to fix.** Declare the window on the flow that forms the labels, and when it is longer
    than the retraining cadence say how late positives are corrected:
    `label_window: 7d, late_positives: importance_weighted`; or emit examples only once their
    window has closed (`late_positives: window_closed`).
    """
    slo = d.blueprint.requirements.slo
    fresh = slo.freshness_minutes if slo is not None else None
    live = d.live_data
    reported: set[int] = set()
    for t in d.trainers:
        if t not in live:
            continue
        carrying = [i for i in d.upstream_flows(t) if LABEL_TAGS & set(d.flows[i].tags)]
        if not carrying:
            continue  # no labels at all: MLSD402
        windows = [i for i in carrying if d.flows[i].label_window]
        if not windows:
            yield Hit(
                f"'{t}' learns from interactions, but no flow carrying its labels declares a label_window (how "
                "long after an event its label may still arrive); declare it on the flow that forms the labels, "
                "e.g. label_window: 15m",
                component=t,
                practice=P.LABEL_WINDOW,
            )
            continue
        cadence = d.components[t].cadence
        bounds = [(minutes(cadence), f"'{t}' retrains every {cadence}")] if cadence else []
        if fresh is not None:
            bounds.append((fresh, f"the freshness SLO is {fresh:g} minutes"))
        for i in windows:
            flow = d.flows[i]
            late = flow.late_positives.value if flow.late_positives else None
            longer = [why for bound, why in bounds if minutes(flow.label_window or "0m") > bound]
            if longer and late not in CORRECTED and i not in reported:
                reported.add(i)
                state = "dropped" if late == "dropped" else "not corrected"
                yield Hit(
                    f"labels on this flow may arrive up to {flow.label_window} late, but {' and '.join(longer)}, "
                    f"and late positives are {state}: recent examples train as negatives; declare late_positives: "
                    "relabeled, importance_weighted, delay_model or window_closed",
                    flow=i,
                    practice=P.LATE_POSITIVES if late is None else None,
                )


@rule(
    "MLSD408",
    "temporal-leakage",
    "warning",
    'Kaufman et al., "Leakage in Data Mining: Formulation, Detection, and Avoidance", ACM TKDD 6(4), 2012; [RoML] #29',
)
def temporal_leakage(d: Design) -> Iterator[Hit]:
    """Training features may come from after the label, or the evaluation split is not by time.

    **What it checks.** Two things. For each trainer that features reach: the features are logged
    at serving time (a flow tagged `features` from the live system upstream of it) or joined point
    in time (a flow upstream of it with `point_in_time: true`). And for each evaluation gate after
    a trainer that learns from live data: `split: time`.

    **Why it matters.** A feature read today and joined with last month's labels knows the future
    (a counter that already includes the click it should predict); a random split puts tomorrow's
    rows in training and yesterday's in evaluation. Both make offline metrics look better than
    anything the model will do in production. Kaufman et al. call it leakage and show it is easy
    to build in and hard to detect afterwards; Zinkevich's rule #29 is to log the features used at
    serving time and train on those. Source: Kaufman et al., TKDD 2012; [RoML] #29.

    **Example.**

    ```yaml
    components:
      gate: {kind: offline_evaluation, split: random}
    flows:
      - {from: features, to: trainer, mode: batch, data: current feature values}
    ```

    **How to fix.** `{from: features, to: trainer, mode: batch, data: features as of each label,
    point_in_time: true}` (or log served features and train on the log), and `split: time` on the
    gate.
    """
    live = d.live_data
    # served features are logged by the live path itself (a model, a service), not exported by a store it reads
    served = {c for c in [*d.request_path, *d.entry_points] if d.stage[c] in ("serving", "client")}
    gates = set(d.with_trait(T.EVAL_GATE))
    reported: set[str] = set()
    for t in d.trainers:
        if d.has_feature_input(t):
            upstream = [d.flows[i] for i in d.upstream_flows(t)]
            logged = any("features" in f.tags and f.source in served for f in upstream)
            if not logged and not any(f.point_in_time for f in upstream):
                yield Hit(
                    f"features reach '{t}' neither logged at serving time nor joined point in time: values "
                    "from after each label may leak into training; declare point_in_time: true on the flow "
                    "that joins them, or log served features",
                    component=t,
                    practice=P.POINT_IN_TIME,
                )
        if t not in live:
            continue
        after = d.reach([t], DATA_MODES)
        for g in sorted(gates.intersection(after), key=d.order.__getitem__):
            split = d.components[g].split
            if g in reported or (split is not None and split.value == "time"):
                continue
            reported.add(g)
            said = "declares no split" if split is None else f"splits by {split.value}"
            yield Hit(
                f"'{g}' evaluates '{t}', which learns from live data, but {said}: evaluation rows from before "
                "training rows flatter the model; declare split: time",
                component=g,
                practice=P.SPLIT if split is None else None,
            )


@rule(
    "MLSD409",
    "position-bias-unhandled",
    "warning",
    'Joachims et al., "Unbiased Learning-to-Rank with Biased Feedback", WSDM 2017; [RoML] #36',
)
def position_bias_unhandled(d: Design) -> Iterator[Hit]:
    """A ranker learns from clicks on its own list with no position logged and no debiasing.

    **What it checks.** Each live model that orders what users see (not a retrieval stage), whose
    trainer learns from what its users did with its list (data from its request path reaches the
    trainer without passing annotators or reviewers): it declares `position_debiasing`, or a flow
    upstream of its trainer is tagged `position` (the shown position is logged with each
    interaction). A model trained on annotator judgements is out of scope.

    **Why it matters.** Users click what is on top. Clicks on a ranked list measure position as
    much as relevance, so a ranker retrained on them learns to keep its current order. Joachims et
    al. remove the bias by inverse propensity weighting, which needs the logged position;
    Zinkevich's rule #36 trains with position as a feature and serves with it fixed. Source:
    Joachims et al., WSDM 2017; [RoML] #36.

    **Example.**

    ```yaml
    components:
      ranker: {kind: ranking_service, task: ranking}
    flows:
      - {from: app, to: log, mode: stream, data: clicks, tags: [interactions]}
    ```

    **How to fix.** Log the position (`data: clicks with position shown, tags: [interactions,
    position]`) and declare how it is used: `position_debiasing: position_feature`, `ipw`,
    `randomization` or `bias_tower`.
    """
    for m in d.online_models:
        if not d.chooses_what_users_see(m) or d.is_(m, "RETRIEVE") or d.components[m].position_debiasing:
            continue
        trainers = d.trainers_of(m)
        if not trainers or not d.learns_from_what_it_showed(m):
            continue
        if any("position" in d.flows[i].tags for t in trainers for i in d.upstream_flows(t)):
            continue
        yield Hit(
            f"'{m}' orders what users see and is retrained on their clicks, but no flow logs the position "
            "shown (tag 'position') and it declares no position_debiasing: it learns its own order back",
            component=m,
            practice=P.POSITION,
        )


PERSONAL_TARGET_TAGS = frozenset({"features", "embeddings"})


@rule(
    "MLSD410",
    "pii-retention-unbounded",
    "warning",
    "GDPR (Regulation (EU) 2016/679) Art. 5(1)(e) storage limitation and Art. 17 right to erasure",
)
def pii_retention_unbounded(d: Design) -> Iterator[Hit]:
    """Personal data is kept in a store, labeling queue or feature set with no retention or erasure.

    **What it checks.** Targets of flows tagged `pii` that keep it: shared stores (lakes, logs),
    labeling and human review, features- and training-stage components (not a batch scorer,
    which passes its input on), and any target of a flow
    that also carries `features` or `embeddings`. Each must declare `retention` (a duration), or
    receive a flow tagged `erasure` (a deletion job).

    **Why it matters.** Personal data may be kept no longer than its purpose needs, and people may
    ask for it to be erased; a lake, an annotation queue or an embedding table that nobody purges
    keeps faces, profiles and histories forever. Redacting before storage (MLSD403) is the first
    control; bounded retention is the second, and applies to what must stay raw (faces sent to
    annotators). Source: GDPR Art. 5(1)(e) and Art. 17.

    **Example.**

    ```yaml
    flows:
      - {from: imagery, to: annotators, mode: batch, data: raw face crops, tags: [pii]}
    ```

    **How to fix.** `annotators: {kind: labeling, retention: 30d}`, or a deletion job:
    `{from: erasure_job, to: lake, mode: batch, data: erasure requests, tags: [erasure]}`.
    """
    reported: set[str] = set()
    for flow in d.flows:
        target = flow.target
        if "pii" not in flow.tags or target in reported:
            continue
        keeps = (
            d.is_(target, "SINK")
            or d.has(target, T.LABELS)
            or d.stage[target] == "features"
            or (d.stage[target] == "training" and not d.is_(target, "SERVE"))  # a batch scorer passes it on
            or bool(PERSONAL_TARGET_TAGS & set(flow.tags))
        )
        if not keeps or d.components[target].retention:
            continue
        if any("erasure" in d.flows[i].tags for _, i in d.pred(target)):
            continue
        reported.add(target)
        yield Hit(
            f"personal data from '{flow.source}' is kept in '{target}' ({d.kind[target]}) with no retention "
            f"and no erasure path; declare retention on '{target}' (e.g. 30d) or a flow tagged erasure into it",
            component=target,
            practice=P.RETENTION,
        )


RARE_RATE = 0.05
KNOWN_RARE = re.compile(r"fraud|harm|abuse|spam|\bclick|\bctr\b|anomal", re.IGNORECASE)
IMBALANCE_METRICS = re.compile(
    r"pr[-_ ]?auc|precision|recall|average[-_ ]precision|\bf1\b|log[-_ ]?loss|"
    r"cross[-_ ]?entropy|\bnce\b",
    re.IGNORECASE,
)


@rule(
    "MLSD411",
    "class-imbalance-unaddressed",
    "warning",
    'He & Garcia, "Learning from Imbalanced Data", IEEE TKDE 21(9), 2009; Saito & Rehmsmeier, PLOS ONE 10(3), 2015',
)
def class_imbalance_unaddressed(d: Design) -> Iterator[Hit]:
    """A rare-positive classifier has no resampling or weighting and no metric fit for rare positives.

    **What it checks.** Models whose `positive_rate` is under 5%, or (with no rate declared) whose
    `task` or `outputs` name a known rare-positive case (fraud, harmful content, abuse, spam,
    clicks, anomalies). Each must declare `class_balancing`, or the design's offline
    metrics must include one that rare positives move (PR-AUC, precision, recall, F1, log loss,
    normalized cross-entropy), not ROC-AUC alone.

    **Why it matters.** With one positive in a thousand, a model that never fires is 99.9%
    accurate and ROC-AUC stays high while precision at the operating point collapses; learning
    needs the positives reweighted or the negatives downsampled, and evaluation needs a metric on
    the positives. Source: He & Garcia, TKDE 2009; Saito & Rehmsmeier, "The Precision-Recall Plot
    Is More Informative than the ROC Plot When Evaluating Binary Classifiers on Imbalanced
    Datasets", PLOS ONE 2015.

    **Example.**

    ```yaml
    metrics: {offline: [roc_auc]}
    components:
      fraud_model: {kind: inference_service, task: fraud detection, positive_rate: 0.001}
    ```

    **How to fix.** `class_balancing: downsampling` (with `calibration: sampling_correction`),
    `class_weights` or `focal_loss`, and add `pr_auc` or log loss to `metrics.offline`.
    """
    bp = d.blueprint
    aware = any(IMBALANCE_METRICS.search(m) for m in [*bp.metrics.offline, *bp.metrics.online])
    for c in d.ids:
        if not d.is_model(c):
            continue
        comp = d.components[c]
        rate = comp.positive_rate
        words = " ".join([comp.task or "", *comp.outputs])  # what it predicts, not what it is called
        rare = rate < RARE_RATE if rate is not None else bool(KNOWN_RARE.search(words))
        if not rare or comp.class_balancing or aware:
            continue
        said = f"a {rate:.2%} positive rate" if rate is not None else "rare positives (no positive_rate declared)"
        yield Hit(
            f"'{c}' learns {said} with no class_balancing, and the offline metrics have nothing but ROC-AUC "
            "for it: declare positive_rate and class_balancing, and add pr_auc or log loss",
            component=c,
            practice=P.CLASS_BALANCING,
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
        if not any(True for _ in d.pred(c, "stream", "batch")):
            continue  # a source, not a job
        writes = [
            v
            for v, i in d.succ(c, "batch")
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
        stores = [c for c in d.reach([model], ("request",)) if d.stage[c] == "features"]
        if not stores:
            continue
        for t in d.trainers_of(model):
            if t not in seen and not d.has_feature_input(t):
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
        loads = [(u, cadence) for u, _ in d.pred(c, "batch") if (cadence := d.components[u].cadence)]
        for loader, cadence in loads:
            if minutes(ttl) < minutes(cadence):
                yield Hit(
                    f"'{c}' expires its values after {ttl}, but '{loader}' loads them every {cadence}: features go "
                    "missing in every cycle; set a ttl longer than the load cadence",
                    component=c,
                )
                break
            watched = alerts.intersection(d.reach([loader], ("telemetry", "stream", "batch")))
            if minutes(ttl) < 2 * minutes(cadence) and not watched:
                yield Hit(
                    f"'{c}' expires its values after {ttl} and '{loader}' loads them every {cadence}: one failed "
                    f"load and every value is gone, and nothing alerts on '{loader}' failing; alert on its "
                    "failures or set a ttl that covers a missed load",
                    component=c,
                )
                break
