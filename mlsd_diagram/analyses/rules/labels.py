"""Data rules (MLSD4xx) about labels: where they come from, when they arrive, and what they leak or skew."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...blueprint.models import minutes
from .. import practices as P
from .. import traits as T
from ..design import DATA_MODES, Design
from ..findings import Hit
from .registry import rule


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
    for t in d.ml.trainers:
        upstream = d.graph.reach([t], DATA_MODES, backward=True)
        ok = any(d.stage[c] == "client" or d.has(c, T.LABELS) for c in upstream if c != t)
        ok = ok or any(
            {"labels", "interactions"} & set(d.flows[i].tags) for c in upstream for _, i in d.graph.pred(c, *DATA_MODES)
        )
        if not ok:
            yield Hit(
                f"'{t}' trains a model, but no labels reach it: no interactions, labeling or human review upstream",
                component=t,
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
    live = d.ml.live_data
    reported: set[int] = set()
    for t in d.ml.trainers:
        if t not in live:
            continue
        carrying = [i for i in d.ml.upstream_flows(t) if LABEL_TAGS & set(d.flows[i].tags)]
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
    live = d.ml.live_data
    # served features are logged by the live path itself (a model, a service), not exported by a store it reads
    served = {c for c in [*d.request_path, *d.entry_points] if d.stage[c] in ("serving", "client")}
    gates = set(d.with_trait(T.EVAL_GATE))
    reported: set[str] = set()
    for t in d.ml.trainers:
        if d.ml.has_feature_input(t):
            upstream = [d.flows[i] for i in d.ml.upstream_flows(t)]
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
        after = d.graph.reach([t], DATA_MODES)
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
        trainers = d.ml.trainers_of(m)
        if not trainers or not d.ml.learns_from_what_it_showed(m):
            continue
        if any("position" in d.flows[i].tags for t in trainers for i in d.ml.upstream_flows(t)):
            continue
        yield Hit(
            f"'{m}' orders what users see and is retrained on their clicks, but no flow logs the position "
            "shown (tag 'position') and it declares no position_debiasing: it learns its own order back",
            component=m,
            practice=P.POSITION,
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
