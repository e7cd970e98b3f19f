"""Evaluation and experimentation rules (MLSD6xx): how a new model proves itself."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import practices as P
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
    for t in d.ml.trainers:
        parent = d.graph.reach([t], DATA_MODES, avoid=gates)
        hit = sorted((c for c in parent if c in targets and c != t), key=order.__getitem__)
        if hit:
            path = " -> ".join(d.graph.path_to(parent, hit[0]))
            yield Hit(f"models from '{t}' reach '{hit[0]}' without an offline evaluation gate ({path})", component=t)


ONLINE_TRIAL = frozenset({"shadow", "canary", "ab_test"})
SAFE_ROLLOUT = frozenset({"shadow", "canary"})
SIGNED_OFF = frozenset({"human_approval"})  # a model-risk sign-off on the path to serving


def _capable(d: Design, c: str, wanted: frozenset[str]) -> bool:
    """True when ``c`` declares one of the ``wanted`` rollout capabilities."""
    return bool(wanted & {cap.value for cap in d.components[c].capabilities})


@rule("MLSD602", "no-online-experiment", "warning", "[TS] Infra 6, Model 2")
def no_online_experiment(d: Design) -> Iterator[Hit]:
    """A live model has no A/B experiment and no canary or shadow rollout.

    **What it checks.** Each model on the request path has an experimentation component on its
    request path, or receives its versions through a rollout controller (canary, shadow), or it
    (or a component deploying to it) declares such a capability built in: `capabilities:
    [shadow]`, `[canary]` or `[ab_test]` (a model server running shadow models, or several
    models per container split by arm). Models with no trainer and no deploy flow in the design
    (a pinned vendor model) have no versions here: MLSD608 asks how their changes are evaluated.

    **Why it matters.** Offline metrics do not guarantee online wins; a new model should face live
    traffic gradually and be compared with the current one before it takes all of it.
    Source: [TS] Infra 6, Model 2.

    **Example.** `registry -> ranker` (deploy) with nothing in between and no A/B assignment.

    **How to fix.** Add a `deployment_controller` between the registry and the model
    (`registry -> rollout -> ranker`, deploy), or an `experimentation` component the request path
    calls for arm assignment.
    """
    for model in d.online_models:
        if any(d.has(c, T.EXPERIMENT) for c in d.served_with(model)):
            continue
        if not d.ml.trainers_of(model) and not any(True for _ in d.graph.pred(model, "deploy")):
            continue  # no version of it is trained or delivered here: a pinned vendor model (MLSD608)
        deployers = d.graph.reach([model], ("deploy",), backward=True)
        if any(d.has(c, T.ROLLOUT) or d.has(c, T.EXPERIMENT) or _capable(d, c, ONLINE_TRIAL) for c in deployers):
            continue
        yield Hit(
            f"'{model}' has no A/B experiment and no canary or shadow rollout: new versions take all traffic at once",
            component=model,
        )


@rule("MLSD603", "no-online-metrics", "warning", "[AX] ch. 1, [RoML] #2")
def no_online_metrics(d: Design) -> Iterator[Hit]:
    """Client interactions never reach online metrics or experimentation.

    **What it checks.** When the design serves models, for each entry point: a stream, batch or
    telemetry path from it to an online metrics (or experimentation) component, or a stream or
    batch path from a component on its request path (a payment API that logs its decisions and
    their outcomes). Telemetry from the request path (latency, errors) measures the servers, not
    the product, so it does not count.

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
        reached = d.graph.reach([entry], ("stream", "batch", "telemetry"))
        if not any(d.has(c, T.ONLINE_METRICS) for c in reached):
            served = [c for c in d.request_reach(entry) if c != entry]
            reached = d.graph.reach(served, ("stream", "batch"))
        if not any(d.has(c, T.ONLINE_METRICS) for c in reached):
            yield Hit(
                f"interactions from '{entry}' never reach online metrics: the product impact of the models is "
                "not measured",
                component=entry,
            )


@rule("MLSD604", "no-baseline", "note", "[TS] Model 5, [RoML] #4")
def no_baseline(d: Design) -> Iterator[Hit]:
    """The design declares no baseline and no fallback heuristic.

    **What it checks.** The design has no baseline component (a `fallback_ranker`: popularity or a
    heuristic) and mentions no baseline in its metrics, requirements or components. A cache or a
    predictions store is not a baseline: it replays the model's own answers.

    **Why it matters.** A simple baseline (popularity, a heuristic, the last model) tells whether
    the model is worth its cost, and doubles as the fallback when it fails.
    Source: [TS] Model 5, [RoML] #4.

    **Example.** A design whose only answer comes from the model.

    **How to fix.** Add a `fallback_ranker` (popular items, a heuristic), or name the baseline the
    model is compared with in `metrics.offline` (e.g. `ndcg@10 vs popularity baseline`).
    """
    if not d.online_models or d.with_trait(T.BASELINE):
        return
    bp = d.blueprint
    texts = [
        *bp.metrics.offline,
        *bp.metrics.online,
        *bp.metrics.business,
        bp.summary or "",
        bp.requirements.objective or "",
        bp.requirements.ml_task or "",
    ]
    for c in bp.components.values():
        texts += [c.label or "", c.notes or "", c.model or ""]
    if not any(re.search(r"\bbaseline", t, re.IGNORECASE) for t in texts):
        yield Hit(
            "no baseline: no fallback heuristic or simpler model (a cache or predictions store replays the "
            "model's own answers), and no baseline named in the metrics"
        )


CALIBRATION_METRIC = re.compile(
    r"calibrat|\bece\b|reliability diagram|predicted\s*/\s*observed|"
    r"observed\s*/\s*predicted",
    re.IGNORECASE,
)
PRICED = ("auction", "threshold", "blend")


@rule(
    "MLSD605",
    "calibration-unchecked",
    "warning",
    'He et al., "Practical Lessons from Predicting Clicks on Ads at Facebook", ADKDD 2014; Guo et al., '
    '"On Calibration of Modern Neural Networks", ICML 2017',
)
def calibration_unchecked(d: Design) -> Iterator[Hit]:
    """Probabilities that are priced, thresholded or combined are neither calibrated nor measured.

    **What it checks.** Models whose output value (not only its order) is used: `score_use:
    auction`, `threshold` or `blend`, `automated_action: true`, or `decisions` with thresholds
    (block above 0.9, review above 0.6). Each declares `calibration`
    (platt, isotonic, temperature, histogram, sampling_correction), or the design's metrics
    include a calibration metric (calibration, ECE, predicted/observed ratio).

    **Why it matters.** An auction charges bid x pCTR, a threshold removes content above 0.9, a
    feed adds 0.3 x p(like) to 0.7 x p(share): all assume a 0.1 means one in ten. Modern networks
    are over-confident, and negative downsampling shifts every probability; He et al. recalibrate
    after downsampling and track predicted/observed CTR, Guo et al. show temperature scaling
    restores calibration. Source: He et al., ADKDD 2014; Guo et al., ICML 2017.

    **Example.**

    ```yaml
    components:
      ctr_model: {kind: ranking_service, task: binary_classification, score_use: auction}
    ```

    **How to fix.** `calibration: isotonic` (or the method used) on the model, and a calibration
    metric in `metrics.offline` (`expected calibration error`, `predicted/observed ctr`).
    """
    bp = d.blueprint
    measured = any(CALIBRATION_METRIC.search(m) for m in [*bp.metrics.offline, *bp.metrics.online])
    for c in d.ids:
        comp = d.components[c]
        if not d.is_model(c) or comp.calibration or measured:
            continue
        use = comp.score_use.value if comp.score_use else None
        cut = [dec.action for dec in comp.decisions if dec.threshold is not None]
        if use in PRICED or comp.automated_action or cut:
            why = (
                f"its scores feed a{'n' if use == 'auction' else ''} {use}"
                if use in PRICED
                else "it acts automatically on its scores"
                if comp.automated_action
                else f"its scores are cut at thresholds ({', '.join(cut)})"
            )
            yield Hit(
                f"'{c}': {why}, but it declares no calibration and no metric checks calibration; declare "
                "calibration (e.g. isotonic) and measure it (ECE, predicted/observed)",
                component=c,
                practice=P.CALIBRATION,
            )


@rule("MLSD606", "high-risk-without-shadow", "warning", '[TS] Infra 6; Google SRE Workbook ch. 16 "Canarying Releases"')
def high_risk_without_shadow(d: Design) -> Iterator[Hit]:
    """A model that acts automatically or prices an auction reaches serving with no shadow or canary.

    **What it checks.** Live models with `automated_action: true` or `score_use: auction`: a
    rollout controller deploys to them, or they (or a component deploying to them) declare
    `capabilities: [shadow]` or `[canary]`, or a human approval gate signs off each version on
    its way (`capabilities: [human_approval]` on the registry or a gate: a model-risk review). An
    A/B experiment does not count here: it gives half the traffic to the new model at once.

    **Why it matters.** A bad version of such a model removes legitimate posts, blocks accounts or
    spends advertisers' money before any metric moves. A shadow run compares its decisions with
    the current model's on live traffic with no effect; a canary limits the damage to a small
    share and rolls back automatically. Source: [TS] Infra 6; Google SRE Workbook ch. 16.

    **Example.**

    ```yaml
    components:
      classifier: {kind: inference_service, automated_action: true}
    flows:
      - {from: registry, to: classifier, mode: deploy, data: new model}
    ```

    **How to fix.** `registry -> rollout (deployment_controller) -> classifier` (deploy), or
    `capabilities: [shadow]` on a model server that runs candidates in shadow.
    """
    for m in d.online_models:
        comp = d.components[m]
        if not (comp.automated_action or (comp.score_use and comp.score_use.value == "auction")):
            continue
        deployers = [m, *d.graph.reach([m], ("deploy",), backward=True)]
        if any(d.has(c, T.ROLLOUT) or _capable(d, c, SAFE_ROLLOUT | SIGNED_OFF) for c in deployers):
            continue
        what = "acts automatically" if comp.automated_action else "prices an auction"
        yield Hit(
            f"'{m}' {what}, and its new versions reach serving with no shadow or canary: a bad version acts on "
            "all traffic before anyone notices",
            component=m,
        )


@rule(
    "MLSD608",
    "untrained-artifact-unevaluated",
    "warning",
    '[TS] Infra 4 (model quality is validated before serving); Shankar et al., "Who Validates the '
    'Validators? Aligning LLM-Assisted Evaluation of LLM Outputs with Human Preferences", UIST 2024',
)
def untrained_artifact_unevaluated(d: Design) -> Iterator[Hit]:
    """A prompt, retrieval corpus or pinned vendor model reaches serving without an offline evaluation.

    **What it checks.** Components on the request path that declare `artifacts` (what they use
    that no trainer of the design produces: `prompt`, `retrieval_corpus`, `vendor_model`,
    `rules`): an offline evaluation component reaches them over deploy or batch flows (prompt
    regression tests, a golden set run against the new model version or corpus).

    **Why it matters.** A changed prompt, a re-indexed knowledge base or a new vendor model version
    changes every answer as much as a retrained model does, but no training pipeline and its gate
    stand in the way: the change reaches users the moment it is saved. Evaluating it offline on a
    fixed set of cases (with graders checked against people) is the gate such artifacts need.
    Source: [TS] Infra 4; Shankar et al., UIST 2024.

    **Example.**

    ```yaml
    components:
      assistant: {kind: online_service, artifacts: [prompt]}
      llm: {kind: inference_service, model: vendor-llm-2025-01, artifacts: [vendor_model]}
    ```

    **How to fix.** `prompt_tests: {kind: offline_evaluation}` with
    `{from: prompt_tests, to: assistant, mode: deploy, data: prompts that pass the regression set}`,
    and the same gate before a new vendor model version is pinned.
    """
    gates = set(d.with_trait(T.EVAL_GATE))
    for c in d.request_path:
        artifacts = d.components[c].artifacts
        if not artifacts or gates.intersection(d.graph.reach([c], ("deploy", "batch"), backward=True)):
            continue
        said = ", ".join(a.value.replace("_", " ") for a in artifacts)
        yield Hit(
            f"'{c}' serves with a {said} that no trainer produces, and no offline evaluation gates its "
            "changes: a new version reaches users untested; gate it with an offline_evaluation (deploy)",
            component=c,
        )


@rule(
    "MLSD607",
    "slice-evaluation-missing",
    "warning",
    '[TS] Model 6-7; Mitchell et al., "Model Cards for Model Reporting", FAT* 2019',
)
def slice_evaluation_missing(d: Design) -> Iterator[Hit]:
    """The evaluation gate of a model that acts on people names no slices.

    **What it checks.** For each model that acts on people or their content (`automated_action:
    true`, or `score_use: threshold`), the evaluation gates after its trainers: one of them
    declares `slices` (the groups a candidate must pass on, with their thresholds).

    **Why it matters.** An aggregate metric can improve while the model gets worse for a
    language, a country, new accounts or a demographic group; for a model that removes content or
    blocks people, that is a harm the launch review never saw. The ML Test Score asks for quality
    on all important slices and for inclusion tests; Model Cards report metrics disaggregated by
    group. Source: [TS] Model 6 and 7; Mitchell et al., FAT* 2019.

    **Example.**

    ```yaml
    components:
      gate: {kind: offline_evaluation}   # one overall threshold
    ```

    **How to fix.** `gate: {kind: offline_evaluation, slices: [language, country, "new accounts",
    "recall per group within 5% of overall"]}`.
    """
    gates = set(d.with_trait(T.EVAL_GATE))
    reported: set[str] = set()
    for m in d.ids:
        comp = d.components[m]
        if not d.is_model(m) or not (comp.automated_action or (comp.score_use and comp.score_use.value == "threshold")):
            continue
        found: list[str] = []
        for t in d.ml.trainers_of(m):
            found += [g for g in d.graph.reach([t], DATA_MODES) if g in gates and g not in found]
        if not found or any(d.components[g].slices for g in found):
            continue
        gate = min(found, key=d.order.__getitem__)
        if gate not in reported:
            reported.add(gate)
            yield Hit(
                f"'{gate}' gates '{m}', which acts on people or their content, but names no slices: it can pass "
                "a model that fails a group; declare slices with their thresholds",
                component=gate,
                practice=P.SLICES,
            )
