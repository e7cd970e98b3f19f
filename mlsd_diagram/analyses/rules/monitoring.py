"""Monitoring rules (MLSD3xx): whether anyone would notice the model going wrong."""

from __future__ import annotations

from collections.abc import Iterator

from .. import practices as P
from .. import traits as T
from ..design import Design
from ..findings import Hit
from .registry import rule


@rule("MLSD301", "unmonitored-serving", "error", "[GC] level 0, [TS] Monitor 6-7")
def unmonitored_serving(d: Design) -> Iterator[Hit]:
    """A model answering live requests sends no telemetry to monitoring.

    **What it checks.** Each SERVE component on the request path has a path of telemetry or
    stream flows to a MONITOR component, or the service calling it logs its predictions (a stream
    or batch flow tagged `predictions`) on a path that reaches one (an LLM judge scoring sampled
    transcripts).

    **Why it matters.** Models fail silently: a stale feature or a skewed input lowers quality
    without raising an error. Without latency, error and prediction telemetry nobody sees the
    regression; MLOps level 0 is exactly "no active performance monitoring".
    Source: [GC] level 0, [TS] Monitor 6 and 7.

    **Example.**

    ```yaml
    components:
      ranker: {kind: ranking_service}
      # no flow from ranker to a monitoring component
    ```

    **How to fix.** `{from: ranker, to: monitoring, mode: telemetry, data: latency, errors and
    score distribution, tags: [metrics, predictions]}`.
    """
    monitors = set(d.with_role("MONITOR"))
    for c in d.online_models:
        reached = d.graph.reach([c], ("telemetry", "stream"))
        if not monitors.intersection(reached):  # or its caller logs its predictions, and they reach a monitor
            reached = d.graph.reach(d.ml.logged_by_callers(c, "predictions"), ("telemetry", "stream", "batch"))
        if not monitors.intersection(reached):
            yield Hit(f"'{c}' serves live requests but sends no telemetry to a MONITOR component", component=c)


@rule("MLSD302", "no-drift-detection", "warning", "[TS] Monitor 2-3, [DMLS] ch. 8")
def no_drift_detection(d: Design) -> Iterator[Hit]:
    """Nothing compares what the model sees in serving with what it was trained on.

    **What it checks.** When the design serves models trained in it, some MONITOR component
    receives flows both from the serving side (a request-path component) and from the training
    side (a training-stage component, or one that feeds training).

    **Why it matters.** Input distributions shift (new users, seasons, upstream changes) and a
    model's quality decays with them; comparing serving data to the training reference is how the
    shift is caught before the metrics drop. Source: [TS] Monitor 2 and 3, [DMLS] ch. 8.

    **Example.**

    ```yaml
    flows:
      - {from: ranker, to: monitoring, mode: telemetry, data: latency}
      # no training statistics reach any monitor
    ```

    **How to fix.** Add a `drift_detector` fed by served features and predictions (telemetry) and
    by the training data's statistics (batch), and alert on it.
    """
    if not d.online_models or not any(d.ml.trainers_of(m) for m in d.online_models):
        return
    on_path = set(d.request_path) | set(d.entry_points)
    trainers = set(d.ml.trainers)
    for m in d.with_role("MONITOR"):
        sources = [u for u, _ in d.graph.pred_any(m)]
        serving = any(u in on_path for u in sources)
        training = any(d.stage[u] == "training" or any(v in trainers for v, _ in d.graph.succ(u)) for u in sources)
        if serving and training:
            return
    models = d.online_models
    yield Hit(
        f"no MONITOR component compares serving data of {d.names(models)} with its training data", component=models[0]
    )


@rule("MLSD303", "monitor-without-alerting", "warning", "[RoML] #10")
def monitor_without_alerting(d: Design) -> Iterator[Hit]:
    """A monitor reaches neither alerting nor a retraining trigger.

    **What it checks.** Each MONITOR component has a path of telemetry, stream or batch flows to
    an alerting component, to a pipeline trigger, or to a trainer.

    **Why it matters.** Dashboards nobody is paged for are not monitoring: silent failures stay
    silent until a user complains. Source: [RoML] #10.

    **Example.**

    ```yaml
    components:
      monitoring: {kind: monitoring}   # no flow out of it
    ```

    **How to fix.** `{from: monitoring, to: alerting, mode: stream, data: threshold breaches}`, and
    from alerting to the on-call or the orchestrator.
    """
    for m in d.with_role("MONITOR"):
        reached = d.graph.reach([m], ("telemetry", "stream", "batch"))
        if not any(c != m and (d.has(c, T.ALERTING) or d.has(c, T.TRIGGER) or d.has(c, T.TRAINER)) for c in reached):
            yield Hit(
                f"'{m}' reaches no alerting and no retraining trigger: nobody is told when it sees a problem",
                component=m,
            )


@rule(
    "MLSD304",
    "model-staleness-unbounded",
    "warning",
    "[TS] Model 4 (impact of model staleness is known), Monitor 4 (models are not too stale)",
)
def model_staleness_unbounded(d: Design) -> Iterator[Hit]:
    """A served model has no maximum age and nothing alerts on the age of its last training.

    **What it checks.** Each model the design trains (on the request path, or scoring in batch)
    declares `max_model_age`, or a flow tagged `model_age` leaves it, its deployers or its trainers
    and reaches an alerting component. A model no trainer in the design produces (a vendor LLM, a
    pinned third-party model) is out of scope: it needs its pin and an evaluation of each change.

    **Why it matters.** Retraining pipelines fail quietly: a broken upstream table, an evaluation
    gate that rejects every candidate, a stuck scheduler. The model keeps serving, older every
    day, while its quality decays with the data it no longer sees. The ML Test Score asks that
    the impact of staleness be known (how old may it get?) and that its age be monitored.
    Source: [TS] Model 4, Monitor 4.

    **Example.**

    ```yaml
    components:
      ranker: {kind: ranking_service}   # how old may the served model get?
    ```

    **How to fix.** `max_model_age: 2d` on the model, and alert on it:
    `{from: registry, to: alerting, mode: telemetry, data: age of the serving model, tags: [model_age]}`.
    """
    alerts = set(d.with_trait(T.ALERTING))
    watched: set[str] = set()  # components whose model_age flows reach alerting
    for flow in d.flows:
        if "model_age" in flow.tags and (
            flow.target in alerts or alerts.intersection(d.graph.reach([flow.target], ("telemetry", "stream", "batch")))
        ):
            watched.add(flow.source)
    # staleness is about models the design trains: a vendor or pinned model has no retraining to stop
    models = [c for c in d.ids if d.is_model(c) and (c in d.online_models or d.is_(c, "SERVE")) and d.ml.trainers_of(c)]
    for m in models:
        if d.components[m].max_model_age:
            continue
        if watched and watched.intersection([m, *d.graph.reach([m], ("deploy",), backward=True), *d.ml.trainers_of(m)]):
            continue
        yield Hit(
            f"'{m}' declares no max_model_age and nothing alerts on its age: when retraining silently stops it "
            "serves an ever older model; declare max_model_age (e.g. 2d) and alert on it",
            component=m,
            practice=P.MODEL_AGE,
        )
