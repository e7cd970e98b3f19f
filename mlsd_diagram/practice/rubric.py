"""The rubric of practice mode: one check per thing an interviewer listens for, by framework step.

A check is one decorated function from :class:`Facts` (the candidate's design, its lint findings,
its serving numbers) to an :class:`Outcome`: the components or fields that show it (evidence) and
those that should and do not (missing). Its docstring is its line in ``docs/practice.md``; its
``ask`` is the interviewer's follow-up when it fails, and names the candidate's own components,
never the answer. Checks ask about roles, traits, stages and flow shapes (:mod:`..analyses.design`),
never about ids or kind names, so a custom kind or other ids playing a part earn the same point
(``tests/practice`` holds designs with other ids, kinds and structure).

A check is worth one point. It *applies* to a case when the case's reference design passes it
(the reference is the bar: a case without a retrieval funnel does not ask for one); a step's
0-3 points are its applicable checks' share, rounded half up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from ..analyses import traits as T
from ..analyses.design import DATA_MODES, Design
from ..analyses.failure_modes import FailureMode, failure_modes
from ..analyses.findings import Finding
from ..analyses.funnel import Funnel, funnel
from ..analyses.score import ARCHITECTURE_TESTS
from ..analyses.serving import DOWN, knock_out, load_at, request_latency
from ..analyses.serving.shapes import LoadAt, RequestLatency
from ..blueprint.models import Blueprint

_TEST_EVIDENCE = {test_id: evidence for test_id, _title, _rules, evidence in ARCHITECTURE_TESTS}


class Facts:
    """What the checks ask about one design, each computed once: its lint view, findings and serving numbers.

    ``findings`` are the design's lint findings (accepted ones included: an accepted finding is a
    known gap, and the scorecard shows it as one).
    """

    def __init__(self, blueprint: Blueprint, design: Design, findings: list[Finding]):
        self.blueprint = blueprint
        self.design = design
        self.findings = findings
        self.by_rule: dict[str, list[Finding]] = {}
        for f in findings:
            self.by_rule.setdefault(f.rule, []).append(f)

    def flagged(self, *rules: str) -> list[str]:
        """The components of the open (not accepted) findings of ``rules``: a flow's finding is its caller's
        (the component that acts), a design-wide one ``"the design"``."""
        found = [
            f.component or (self.blueprint.flows[f.flow].source if f.flow is not None else "the design")
            for r in rules
            for f in self.by_rule.get(r, ())
            if not f.accepted
        ]
        return list(dict.fromkeys(found))

    @cached_property
    def models(self) -> list[str]:
        """Models answering requests online, then models that score offline (batch), declaration order."""
        d = self.design
        return list(dict.fromkeys([*d.online_models, *d.with_role("SERVE")]))

    @cached_property
    def funnel(self) -> Funnel:
        return funnel(self.blueprint, self.design)

    @cached_property
    def latency(self) -> dict[str, RequestLatency]:
        """:func:`~..analyses.serving.request_latency` of the design."""
        return request_latency(self.blueprint, self.design.serving)

    @cached_property
    def load(self) -> LoadAt:
        """:func:`~..analyses.serving.load_at` the declared peak."""
        return load_at(self.blueprint, 1.0, model=self.design.serving)

    @cached_property
    def knock_outs(self) -> dict[str, dict[str, str]]:
        """Entry point -> state with each online model knocked out alone (:func:`~..analyses.serving.knock_out`)."""
        return {m: knock_out(self.blueprint, [m]) for m in self.design.online_models}

    @cached_property
    def failure_modes(self) -> list[FailureMode]:
        return failure_modes(self.blueprint, self.findings, design=self.design)

    def upstream_of_trainers(self) -> set[str]:
        d = self.design
        return set(d.graph.reach(d.ml.trainers, DATA_MODES, backward=True, avoid=d.ml.not_data)) - set(d.ml.trainers)


@dataclass(frozen=True)
class Outcome:
    """What a check found: ``evidence`` shows it, ``missing`` should and does not; ``ask`` overrides the
    check's follow-up question (when the gap needs its own words, e.g. a latency over budget)."""

    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    ask: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.evidence) and not self.missing


@dataclass(frozen=True)
class Check:
    """One graded point: its id, step, title, source, follow-ups and the function that looks."""

    id: str
    step: int
    title: str
    source: str
    ask_none: str  # the follow-up when nothing in the design shows it
    ask_missing: str  # the follow-up naming what lacks it: {names}; {has}, {does}, {s} and {it} agree with their number
    evaluate: Callable[[Facts], Outcome]

    @property
    def doc(self) -> str:
        """What the check looks for (its function's docstring, one paragraph)."""
        return " ".join((self.evaluate.__doc__ or "").split())

    def follow_up(self, outcome: Outcome, names: Callable[[Iterable[str]], str]) -> str | None:
        """The interviewer's question for a failed check, or None when it passed."""
        if outcome.passed:
            return None
        if outcome.ask:
            return outcome.ask
        if outcome.missing:
            one = len(outcome.missing) == 1
            return self.ask_missing.format(
                names=names(outcome.missing),
                has="has" if one else "have",
                does="does" if one else "do",
                s="s" if one else "",
                it="it" if one else "one",
            )
        return self.ask_none


CHECKS: list[Check] = []


def check(check_id: str, step: int, title: str, source: str, ask_none: str, ask_missing: str = ""):
    """Register a check (the order of registration is the rubric's order)."""

    def register(fn: Callable[[Facts], Outcome]) -> Callable[[Facts], Outcome]:
        if any(c.id == check_id for c in CHECKS):
            raise ValueError(f"duplicate practice check {check_id}")
        CHECKS.append(Check(check_id, step, title, source, ask_none, ask_missing or ask_none, fn))
        return fn

    return register


def _fields(*pairs: tuple[str, object]) -> Outcome:
    return Outcome(tuple(n for n, v in pairs if v), tuple(n for n, v in pairs if not v))


# -- 1. Clarifying requirements ----------------------------------------------------------------


@check(
    "S1.requirements",
    1,
    "The objective, the peak load and the latency SLO are stated",
    "[AX] ch. 1, step 1",
    "What exactly are we optimizing, at what peak load, within what latency?",
    "The design does not state {names}: what are we optimizing, at what peak load, within what latency?",
)
def _requirements(f: Facts) -> Outcome:
    """``requirements.objective``, ``requirements.scale.peak_qps`` and ``requirements.slo.latency_p99_ms`` are set."""
    req = f.blueprint.requirements
    return _fields(
        ("requirements.objective", req.objective),
        ("requirements.scale.peak_qps", req.scale is not None and req.scale.peak_qps is not None),
        ("requirements.slo.latency_p99_ms", req.slo is not None and req.slo.latency_p99_ms is not None),
    )


@check(
    "S1.metrics",
    1,
    "Success is measured by named business and online metrics",
    "[AX] ch. 1, steps 1 and 5; [RoML] #2",
    "How will the business know this works: which metric moves, and which product metric do you watch daily?",
    "The design names no {names}: how will the business know this works?",
)
def _metrics(f: Facts) -> Outcome:
    """``metrics.business`` and ``metrics.online`` each name at least one metric."""
    m = f.blueprint.metrics
    return _fields(("metrics.business", m.business), ("metrics.online", m.online))


@check(
    "S1.entry",
    1,
    "Requests enter through a declared client",
    "[AX] ch. 1, step 1",
    "Who calls the system, and where does a request enter it?",
)
def _entry(f: Facts) -> Outcome:
    """A client-stage component sends request flows (an entry point of the request path)."""
    return Outcome(tuple(f.design.entry_points))


# -- 2. Framing as an ML task --------------------------------------------------------------------


@check(
    "S2.task",
    2,
    "The problem is framed as an ML task",
    "[AX] ch. 1, step 2",
    "How do you frame this as an ML task: what goes in, what comes out, what is the label?",
)
def _task(f: Facts) -> Outcome:
    """``requirements.ml_task`` is set."""
    return _fields(("requirements.ml_task", f.blueprint.requirements.ml_task))


@check(
    "S2.models",
    2,
    "Each model says what it predicts, from what",
    "[AX] ch. 1, step 2",
    "Which model answers the request: what does it predict, and from which inputs?",
    "What {does} {names} predict, and from which inputs?",
)
def _models(f: Facts) -> Outcome:
    """Every model (a SERVE component, or one declaring ``task`` or ``model``) declares its ``task`` and
    its ``inputs`` or ``outputs``."""
    comps = f.design.components
    done = [m for m in f.models if comps[m].task and (comps[m].inputs or comps[m].outputs)]
    return Outcome(tuple(done), tuple(m for m in f.models if m not in done))


@check(
    "S2.funnel",
    2,
    "A retrieval stage narrows the catalogue before ranking",
    "[AX] ch. 1 step 2, and its recommendation and search chapters",
    "Scoring every item on each request is too slow: how do you get from the whole catalogue to the few hundred "
    "you rank?",
)
def _funnel(f: Facts) -> Outcome:
    """The request path has a retrieval stage followed by a ranking or re-ranking stage (read from roles and
    the order of request flows by :mod:`..analyses.funnel`, not from kind names)."""
    shape = f.funnel
    if not shape.retrieval or not (shape.ranking or shape.reranking):
        return Outcome()
    return Outcome(tuple(dict.fromkeys([*shape.retrieval, *shape.ranking, *shape.reranking])))


# -- 3. Data preparation -------------------------------------------------------------------------


@check(
    "S3.sources",
    3,
    "Training data comes from declared sources and stores",
    "[AX] ch. 1, step 3",
    "Where does the training data come from, and where is it kept?",
)
def _sources(f: Facts) -> Outcome:
    """Data-stage components (sources, logs, lakes, ETL) are upstream of a trainer over data flows."""
    d = f.design
    upstream = f.upstream_of_trainers()
    return Outcome(tuple(c for c in d.ids if c in upstream and d.stage[c] == "data"))


@check(
    "S3.labels",
    3,
    "Every trainer has a source of labels",
    "[AX] ch. 1, step 3; [DMLS] ch. 4; rule MLSD402",
    "Where do the labels come from, and how long after a prediction do they arrive?",
    "Where do the labels of {names} come from, and how late do they arrive?",
)
def _labels(f: Facts) -> Outcome:
    """Each trainer has people labeling or reviewing upstream, or flows tagged ``labels`` or ``interactions``
    upstream (logged outcomes), and no MLSD402 finding; the evidence is where the labels come from."""
    d = f.design
    sources: set[str] = set()
    lack: list[str] = []
    for t in d.ml.trainers:
        upstream = d.graph.reach([t], DATA_MODES, backward=True)
        found = set(d.ml.labelers & set(upstream)) | {
            d.flows[i].source for i in d.ml.upstream_flows(t) if {"labels", "interactions"} & set(d.flows[i].tags)
        }
        sources |= found
        if not found:
            lack.append(t)
    lack += [c for c in f.flagged("MLSD402") if c not in lack]
    return Outcome(tuple(c for c in d.ids if c in sources), tuple(lack))


@check(
    "S3.features",
    3,
    "Training and serving get their features the same way",
    "[RoML] #29, #32; ML Test Score Monitor 3; rule MLSD401",
    "How do training and serving compute the same features, so the model sees in production what it learned from?",
    "{names}: how do training and serving compute the same features?",
)
def _features(f: Facts) -> Outcome:
    """A feature store read on the request path, or served features logged back to the trainer (the ML Test
    Score's Monitor 3 evidence), and no training-serving skew finding (MLSD401, MLSD413)."""
    return Outcome(tuple(_TEST_EVIDENCE["Monitor 3"](f.design)), tuple(f.flagged("MLSD401", "MLSD413")))


@check(
    "S3.validation",
    3,
    "Training data is validated before a trainer reads it",
    "ML Test Score Data 1; [GC] level 1; rule MLSD404",
    "What stops a broken upstream table from silently reaching training?",
    "What stops bad data from reaching {names}?",
)
def _validation(f: Facts) -> Outcome:
    """A data-validation component is upstream of a trainer, and no MLSD404 finding."""
    d = f.design
    upstream = f.upstream_of_trainers()
    return Outcome(tuple(c for c in d.with_trait(T.VALIDATION) if c in upstream), tuple(f.flagged("MLSD404")))


@check(
    "S3.privacy",
    3,
    "Personal data is redacted or kept for a bounded time",
    "ML Test Score Data 5; rules MLSD403, MLSD410",
    "Personal data flows through this system: where is it redacted, and how long is it kept?",
    "Personal data reaches {names}: where is it redacted, and how long is it kept?",
)
def _privacy(f: Facts) -> Outcome:
    """A component receiving flows tagged ``pii`` redacts them or declares a retention (the ML Test Score's
    Data 5 evidence), and no MLSD403 or MLSD410 finding."""
    return Outcome(tuple(_TEST_EVIDENCE["Data 5"](f.design)), tuple(f.flagged("MLSD403", "MLSD410")))


# -- 4. Model development ------------------------------------------------------------------------


@check(
    "S4.trainer",
    4,
    "Every model has a training pipeline",
    "[AX] ch. 1, step 4",
    "Nothing trains a model here: where does a new version come from, and on what data?",
    "What trains {names}, and how often?",
)
def _trainer(f: Facts) -> Outcome:
    """Each model has a trainer upstream over data and artifact flows."""
    d = f.design
    have = [m for m in f.models if d.ml.trainers_of(m)]
    return Outcome(tuple(have), tuple(m for m in f.models if m not in have) if have else ())


@check(
    "S4.trigger",
    4,
    "Training runs are started by a schedule or an alert",
    "[GC] levels 1-2; ML Test Score Monitor 4; rule MLSD503",
    "What starts a training run: a schedule, a drift alert, a person?",
    "What starts a training run of {names}?",
)
def _trigger(f: Facts) -> Outcome:
    """A trigger (scheduler, alerting) is upstream of a trainer, or a trainer declares a ``cadence``; no MLSD503
    finding."""
    d = f.design
    triggers = [c for c in d.with_trait(T.TRIGGER) if set(d.graph.reach([c], ("batch", "stream"))) & set(d.ml.trainers)]
    cadenced = [t for t in d.ml.trainers if d.components[t].cadence]
    return Outcome(tuple(dict.fromkeys([*triggers, *cadenced])), tuple(f.flagged("MLSD503")))


@check(
    "S4.registry",
    4,
    "Models reach serving through a registry",
    "ML Test Score Infra 7; [GC] level 2; rule MLSD501",
    "How does a trained model reach the servers, and how do you roll back a bad one?",
    "How does a new version of {names} reach the servers, and how do you roll it back?",
)
def _registry(f: Facts) -> Outcome:
    """A model registry (or a model keeping versioned model folders) is shown (Infra 7 evidence) and no MLSD501
    finding."""
    return Outcome(tuple(_TEST_EVIDENCE["Infra 7"](f.design)), tuple(f.flagged("MLSD501")))


@check(
    "S4.baseline",
    4,
    "A simpler baseline is declared",
    "ML Test Score Model 5; [RoML] #4; rule MLSD604",
    "What simple baseline must the model beat, and what would you ship first?",
)
def _baseline(f: Facts) -> Outcome:
    """A baseline component (a heuristic such as popularity) or an offline metric naming a baseline (Model 5
    evidence)."""
    return Outcome(tuple(_TEST_EVIDENCE["Model 5"](f.design)))


# -- 5. Evaluation -------------------------------------------------------------------------------


@check(
    "S5.offline_metrics",
    5,
    "Offline metrics are named",
    "[AX] ch. 1, step 5",
    "Which offline metric decides whether a new model is better?",
)
def _offline_metrics(f: Facts) -> Outcome:
    """``metrics.offline`` names at least one metric."""
    return _fields(("metrics.offline", f.blueprint.metrics.offline))


@check(
    "S5.gate",
    5,
    "An offline evaluation gate stands before promotion",
    "ML Test Score Infra 4; [RoML] #9; rule MLSD601",
    "What stops a model that scores worse offline from being promoted?",
    "What stops a worse {names} from being promoted?",
)
def _gate(f: Facts) -> Outcome:
    """An evaluation gate between training and the registry or serving (Infra 4 evidence), and no MLSD601
    finding."""
    return Outcome(tuple(_TEST_EVIDENCE["Infra 4"](f.design)), tuple(f.flagged("MLSD601")))


@check(
    "S5.online_test",
    5,
    "New models are tested on live traffic (A/B, canary or shadow)",
    "ML Test Score Infra 6, Model 2; rule MLSD602",
    "How do you test a new model on live traffic before everyone gets it?",
    "How do you test a new version of {names} on live traffic before everyone gets it?",
)
def _online_test(f: Facts) -> Outcome:
    """An experimentation component, a rollout controller, or a declared canary or shadow capability, and no
    MLSD602 finding."""
    d = f.design
    found = [*d.with_trait(T.EXPERIMENT), *_TEST_EVIDENCE["Infra 6"](d)]
    return Outcome(tuple(c for c in d.ids if c in set(found)), tuple(f.flagged("MLSD602")))


@check(
    "S5.online_metrics",
    5,
    "Online metrics are computed from live outcomes",
    "ML Test Score Model 2; [RoML] #2; rule MLSD603",
    "Which online metric proves the model works, and where is it computed?",
)
def _online_metrics(f: Facts) -> Outcome:
    """A component aggregating live outcomes (online metrics, experiment analysis) and no MLSD603 finding."""
    return Outcome(tuple(_TEST_EVIDENCE["Model 2"](f.design)), tuple(f.flagged("MLSD603")))


# -- 6. Deployment and serving -------------------------------------------------------------------


@check(
    "S6.latency",
    6,
    "The request path meets the latency SLO, call by call",
    "[AX] ch. 1, step 6; ML Test Score Monitor 6; rules MLSD203, MLSD205",
    "Where do the milliseconds of the latency budget go, call by call?",
    "No latency is declared for {names}: where do the milliseconds of the budget go?",
)
def _latency(f: Facts) -> Outcome:
    """Every entry point's p99 latency (by :func:`~..analyses.serving.request_latency`: steps, parallel calls,
    timeouts) is known and within ``requirements.slo.latency_p99_ms``."""
    good, unknown, over = [], [], []
    for entry, report in f.latency.items():
        unknown += [c for c in report["missing"] if c not in unknown]
        slo, p99 = report["slo_ms"], report["p99_ms"]
        if p99 is not None and slo is not None and p99 > slo:
            over.append(f"the path from '{entry}' takes {p99:g} ms against a {slo:g} ms SLO")
        elif not report["missing"] and p99 is not None:
            good.append(entry)
    if over:
        return Outcome(tuple(good), tuple(over), "; ".join(over) + ": which call do you cut, cache or run in parallel?")
    return Outcome(tuple(good), tuple(unknown))


@check(
    "S6.fallbacks",
    6,
    "Losing any one model leaves users served",
    "[SRE] ch. 22; [RoML] #1; [AX] failure modes; rule MLSD201",
    "What does the user see when the model is down?",
    "{names} {has} no fallback: what does the user see when {it} is down?",
)
def _fallbacks(f: Facts) -> Outcome:
    """Each model on the request path, knocked out alone (:func:`~..analyses.serving.knock_out`), leaves every
    entry point served or degraded (a fallback, a cache, a skipped call), never down."""
    have = [m for m, states in f.knock_outs.items() if DOWN not in states.values()]
    return Outcome(tuple(have), tuple(m for m in f.knock_outs if m not in have))


@check(
    "S6.timeouts",
    6,
    "Every call on the request path has a timeout",
    "[SRE] ch. 22; [AX] failure modes; rule MLSD207",
    "How long does each caller wait before giving up?",
    "How long does the caller wait for {names} before giving up?",
)
def _timeouts(f: Facts) -> Outcome:
    """Every request flow from an entry point or a request-path component declares ``timeout_ms``; evidence
    and gaps are the callees."""
    d = f.design
    have: list[str] = []
    lack: list[str] = []
    for c in d.request_path:
        calls = list(d.graph.pred(c, "request"))
        (lack if any(d.flows[i].timeout_ms is None for _, i in calls) else have).append(c)
    return Outcome(tuple(have), tuple(lack))


@check(
    "S6.degrade",
    6,
    "Optional calls and feature lookups degrade instead of failing the request",
    "[SRE] ch. 22 (graceful degradation); [AX] failure modes; rule MLSD208",
    "Which calls can fail without failing the request, and what is used instead (defaults, skip)?",
    "A failed feature lookup fails {names}: what is used when a feature is missing?",
)
def _degrade(f: Facts) -> Outcome:
    """Some request flow declares ``on_failure: skip`` or ``defaults`` (the caller answers without the callee,
    or with default values), and no model fails on one feature lookup (MLSD208)."""
    d = f.design
    on_path = set(d.request_path)
    soft = [
        v
        for u in [*d.entry_points, *d.request_path]
        for v, i in d.graph.succ(u, "request")
        if v in on_path and d.flows[i].failure_policy.value != "fail"
    ]
    return Outcome(tuple(c for c in d.ids if c in set(soft)), tuple(f.flagged("MLSD208")))


@check(
    "S6.capacity",
    6,
    "Every request-path component is sized for the peak, with headroom",
    "[AX] ch. 1, step 6; [SRE] ch. 22; rules MLSD206, MLSD209",
    "How many replicas does each service need at peak, and what happens at twice the peak?",
    "How many replicas {does} {names} need at peak, and what happens at twice the peak?",
)
def _capacity(f: Facts) -> Outcome:
    """Every request-path component declares ``capacity_qps`` (:func:`~..analyses.serving.load_at` lists none as
    unknown) and the headroom is at least 1x the declared peak."""
    load = f.load
    d = f.design
    unknown = list(load["unknown_capacity"])
    known = [c for c in d.request_path if c not in unknown]
    if load["headroom"] is not None and load["headroom"] < 1 and load["first_saturated"]:
        return Outcome(
            tuple(known),
            (load["first_saturated"],),
            f"'{load['first_saturated']}' saturates at {load['headroom']:g}x the peak: how many replicas does it "
            "need, and what sheds the rest?",
        )
    return Outcome(tuple(known), tuple(unknown))


# -- 7. Monitoring and infrastructure ------------------------------------------------------------


@check(
    "S7.monitoring",
    7,
    "Every model sends telemetry to monitoring",
    "ML Test Score Monitor 6-7; [GC] level 0; rule MLSD301",
    "How would you know the model started serving garbage?",
    "How would you know {names} started serving garbage?",
)
def _monitoring(f: Facts) -> Outcome:
    """Each model reaches a monitor over telemetry (and stream or batch) flows; no MLSD301 finding."""
    d = f.design
    have: list[str] = []
    lack: list[str] = []
    for m in f.models:
        reached = d.graph.reach([m], ("telemetry", "stream", "batch"))
        (have if any(d.is_(c, "MONITOR") for c in reached) else lack).append(m)
    lack += [c for c in f.flagged("MLSD301") if c not in lack]
    return Outcome(tuple(have), tuple(lack))


@check(
    "S7.drift",
    7,
    "Drift between serving and training data is detected",
    "ML Test Score Monitor 2-3; [DMLS] ch. 8; rule MLSD302",
    "How do you notice that what the model sees in serving has drifted from what it was trained on?",
)
def _drift(f: Facts) -> Outcome:
    """A monitor receives serving-side telemetry and a training-side reference (a stream or batch flow), and no
    MLSD302 finding."""
    d = f.design
    found = [
        c
        for c in d.with_role("MONITOR")
        if any(True for _ in d.graph.pred(c, "telemetry")) and any(True for _ in d.graph.pred(c, "batch", "stream"))
    ]
    return Outcome(tuple(found), ("design",) if f.flagged("MLSD302") and found else ())


@check(
    "S7.alerting",
    7,
    "Monitors page someone or trigger retraining",
    "[RoML] #10; rule MLSD303",
    "When a metric breaks at 3 a.m., who gets paged, and what starts retraining?",
    "When {names} detect{s} a problem, who hears about it?",
)
def _alerting(f: Facts) -> Outcome:
    """An alerting component is reachable from a monitor; no MLSD303 finding."""
    d = f.design
    alerts = set(d.with_trait(T.ALERTING))
    found = [
        a
        for a in d.ids
        if a in alerts
        and set(d.graph.reach([a], ("telemetry", "stream", "batch"), backward=True)) & set(d.with_role("MONITOR"))
    ]
    return Outcome(tuple(found), tuple(f.flagged("MLSD303")))


@check(
    "S7.loop",
    7,
    "The training loop is closed: live outcomes flow back into training",
    "[GC] level 1; ML Test Score Model 4; [AX] ch. 1 step 7; rule MLSD502",
    "How does what users do today make tomorrow's model better?",
    "How does what users do today make tomorrow's {names} better?",
)
def _loop(f: Facts) -> Outcome:
    """Each model's trainer reads data from the live system (:meth:`MLFacts.learns_from_live`): interactions,
    served features or predictions logged and joined into training."""
    d = f.design
    trained = [m for m in f.models if d.ml.trainers_of(m)]
    have = [m for m in trained if d.ml.learns_from_live(m)]
    return Outcome(tuple(have), tuple(m for m in f.models if m not in have) if have else ())


def checks_of(step: int) -> list[Check]:
    """The checks of one step, in rubric order."""
    return [c for c in CHECKS if c.step == step]


__all__ = ["CHECKS", "Check", "Facts", "Outcome", "checks_of"]
