"""The failure-mode checklist of an ML system design interview, answered from lint and simulate.

The questions are the ones Aminian & Xu's framework has a candidate answer in the serving and
monitoring steps (what if a feature is missing, what if the model service is overloaded, which
fallbacks and caches exist, how drift is caught and retraining starts) plus two an interviewer
adds (bad training data, cold start). Each answer is built from what the simulation computes
(knock-outs, load at peak, headroom) and the facts on the blueprint, and lists the lint findings
that bear on it. A question is *answered* when the design says something about it and no open
finding contradicts it, *partly answered* when it says something but findings remain, and *not
answered yet* when it says nothing.

Plain values only: the design doc and ``mlsd doc --interview`` format them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from ..blueprint.models import Blueprint
from . import traits as T
from .design import Design
from .findings import Finding, FindingDict
from .serving import DEGRADED, DOWN, ServingModel, load_table

ANSWERED, PARTLY, OPEN = "answered", "partly answered", "not answered yet"

# (key, question, the rules whose findings bear on it)
QUESTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "missing_feature",
        "What happens when a feature is missing or late?",
        ("MLSD208", "MLSD401", "MLSD406", "MLSD413"),
    ),
    (
        "overload",
        "What happens when the model service is overloaded?",
        ("MLSD203", "MLSD206", "MLSD207", "MLSD209"),
    ),
    ("fallbacks", "What are the fallbacks, and what is cached?", ("MLSD201", "MLSD202", "MLSD604")),
    (
        "drift",
        "How is drift detected, and what starts retraining?",
        ("MLSD302", "MLSD303", "MLSD304", "MLSD407", "MLSD502", "MLSD503"),
    ),
    ("bad_data", "What stops bad training data from reaching a model?", ("MLSD404", "MLSD408", "MLSD412")),
    ("cold_start", "What do new users and new items get (cold start)?", ("MLSD506", "MLSD507", "MLSD508")),
)


class FailureModeDict(TypedDict):
    """:meth:`FailureMode.to_dict`: a failure-mode question as plain data."""

    key: str
    question: str
    status: str
    answers: list[str]
    findings: list[FindingDict]


@dataclass(frozen=True)
class FailureMode:
    """One checklist question: the design's answers (sentences), the findings on it, its status."""

    key: str
    question: str
    answers: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def status(self) -> str:
        """answered, partly answered, or not answered yet."""
        if not self.answers:
            return OPEN
        return PARTLY if any(not f.accepted for f in self.findings) else ANSWERED

    def to_dict(self) -> FailureModeDict:
        """Plain data for JSON and templates."""
        return {
            "key": self.key,
            "question": self.question,
            "status": self.status,
            "answers": list(self.answers),
            "findings": [f.to_dict() for f in self.findings],
        }


def failure_modes(
    blueprint: Blueprint, findings: Iterable[Finding] | None = None, config: Any = None, design: Design | None = None
) -> list[FailureMode]:
    """The checklist for ``blueprint``; ``findings`` are its lint findings (linted here when None,
    with ``config``); ``design`` is the rules' view of it when the caller has one (its serving model
    included). O(request-path components x (R + F)) for the knock-outs."""
    d = design or Design(blueprint)
    if findings is None:
        from .lint import lint

        findings = lint(blueprint, config=config, design=d)
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    model = d.serving
    answers = {
        "missing_feature": _missing_feature(d, model),
        "overload": _overload(blueprint, d, model),
        "fallbacks": _fallbacks(d, model),
        "drift": _drift(d),
        "bad_data": _bad_data(d),
        "cold_start": _cold_start(d),
    }
    return [
        FailureMode(key, question, tuple(answers[key]), tuple(f for r in rules for f in by_rule.get(r, ())))
        for key, question, rules in QUESTIONS
    ]


def _knocked(d: Design, model: ServingModel, c: str) -> str:
    """'leaves app served' / 'takes app down' for a single knock-out of ``c``."""
    states = model.entry_states([c])
    parts = []
    for entry, state in states.items():
        if state == DOWN:
            parts.append(f"takes '{entry}' down")
        elif state == DEGRADED:
            parts.append(f"leaves '{entry}' degraded")
        else:
            parts.append(f"leaves '{entry}' fully served")
    return ", ".join(parts) or "affects no entry point"


def _policy(d: Design, index: int) -> str:
    flow = d.flows[index]
    policy = flow.failure_policy.value
    timeout = f"a {flow.timeout_ms:g} ms timeout" if flow.timeout_ms is not None else "no timeout"
    meaning = {
        "fail": "the caller fails too, and its fallbacks answer",
        "skip": "the caller answers without it",
        "defaults": "the caller answers with default values",
    }[policy]
    return f"on_failure: {policy}, {timeout} ({meaning})"


def _missing_feature(d: Design, model: ServingModel) -> list[str]:
    on_path = set(d.request_path)
    lines = []
    for caller in d.request_path:
        for callee, index in d.graph.succ(caller, "request"):
            flow = d.flows[index]
            if d.stage[callee] != "features" and "features" not in flow.tags:
                continue
            lines.append(
                f"'{caller}' reads features from '{callee}' with {_policy(d, index)}; losing '{callee}' "
                f"{_knocked(d, model, callee)}."
            )
    for c in d.ids:
        features = d.components[c].features
        if not (features and d.is_model(c)):
            continue
        defaults = [f"{f.name} -> {f.default}" for f in features if f.default]
        if defaults:
            lines.append(f"'{c}' serves the declared defaults when a feature is missing: {'; '.join(defaults)}.")
        undeclared = [f.name for f in features if not f.default]
        if undeclared:
            lines.append(f"'{c}' declares no default for {', '.join(undeclared)}.")
    if not lines and on_path and not any(d.stage[c] == "features" for c in on_path):
        models = d.online_models
        if models:
            return []  # live models and no feature lookup: the design does not say where features come from
        lines.append("No model reads features on the request path.")
    return lines


def _overload(bp: Blueprint, d: Design, model: ServingModel) -> list[str]:
    table = load_table(bp, 1.0, model)
    rows = {r["component"]: r for r in table["rows"]}
    lines = []
    peak_known = any(q is not None for q in table["peak_qps"].values())
    for c in d.online_models:
        comp = d.components[c]
        row = rows.get(c)
        facts = [f"{d.replicas(c)} replicas"]
        if comp.capacity_qps is not None:
            facts.append(f"{comp.capacity_qps:g} QPS each")
        if comp.capacity_items_per_s is not None:  # a call scores many items: that is what saturates it
            facts.append(f"{comp.capacity_items_per_s:,.0f} predictions/s each")
        if peak_known and row and row["utilization"] is not None:
            facts.append(f"{row['utilization'] * 100:.0f}% utilized at peak")
        facts.append("sheds excess load" if comp.load_shedding else "queues excess load (no load shedding)")
        timeouts = [
            f"'{u}' waits {d.flows[i].timeout_ms:g} ms" if d.flows[i].timeout_ms is not None else f"'{u}' waits forever"
            for u, i in d.graph.pred(c, "request")
        ]
        if (
            comp.capacity_qps is None
            and not comp.load_shedding
            and not any(d.flows[i].timeout_ms is not None for _, i in d.graph.pred(c, "request"))
        ):
            continue  # nothing said about overload
        lines.append(f"'{c}': {', '.join(facts)}; {', '.join(timeouts) or 'no caller'}.")
    if not d.online_models:
        # a design that scores in batch has no model service on the request path to overload
        batch = [c for c in d.ids if d.is_model(c)]
        stored = [c for c in d.request_path if d.has(c, T.PREDICTIONS)]
        if batch and stored:
            lines.append(
                f"No model runs on the request path: {', '.join(repr(c) for c in batch)} "
                f"score{'s' if len(batch) == 1 else ''} in batch and requests read what "
                f"{'it' if len(batch) == 1 else 'they'} stored in {', '.join(repr(c) for c in stored)}; "
                "more traffic loads those stores, and a slow batch run serves older results, not errors."
            )
    if table["headroom"] is not None and lines:
        lines.append(f"Headroom: {table['headroom']:g}x peak before '{table['first_saturated']}' saturates first.")
    return lines


def _fallbacks(d: Design, model: ServingModel) -> list[str]:
    lines = []
    for c in d.request_path:
        targets = [v for v, _ in d.graph.succ(c, "fallback")]
        if targets:
            names = ", ".join(f"'{v}'" for v in targets)
            lines.append(f"When '{c}' fails, {names} answers; losing '{c}' {_knocked(d, model, c)}.")
    caches = [c for c in d.request_path if d.is_(c, "DEGRADE") and not any(True for _ in d.graph.pred(c, "fallback"))]
    for c in caches:
        lines.append(f"'{c}' is read on the request path and keeps answers to serve again.")
    return lines


def _drift(d: Design) -> list[str]:
    lines = []
    for c in d.with_role("MONITOR"):
        if any(True for _ in d.graph.pred(c, "batch", "stream")):  # a training-side reference: a drift check
            watched = sorted({u for u, _ in d.graph.pred(c)}, key=d.order.__getitem__)
            alerts = [v for v, _ in d.graph.succ(c, "stream", "batch", "telemetry")]
            lines.append(
                f"'{c}' compares what {', '.join(repr(u) for u in watched)} send"
                + (f" and alerts {', '.join(repr(v) for v in alerts)}." if alerts else ".")
            )
    triggers = [c for c in d.ids if d.has(c, T.ALERTING)]
    for c in triggers:
        starts = [v for v, _ in d.graph.succ(c, "stream", "batch") if d.stage[v] == "training"]
        if starts:
            lines.append(f"'{c}' starts {', '.join(repr(v) for v in starts)}.")
    for t in d.ml.trainers:
        cadence = d.components[t].cadence
        if cadence:
            lines.append(f"'{t}' retrains every {cadence}.")
    for c in d.online_models:
        age = d.components[c].max_model_age
        if age:
            lines.append(f"'{c}' alerts when its model is older than {age}.")
    return lines


def _bad_data(d: Design) -> list[str]:
    lines = []
    for c in d.with_trait(T.VALIDATION):
        feeds = [v for v, _ in d.graph.succ(c, "stream", "batch") if d.has(v, T.TRAINER)]
        if feeds:
            lines.append(f"'{c}' checks the data before {', '.join(repr(v) for v in feeds)}.")
    for g in d.with_trait(T.EVAL_GATE):
        split = d.components[g].split
        lines.append(f"'{g}' gates each candidate model" + (f" on a {split.value} split." if split else "."))
    return lines


def _cold_start(d: Design) -> list[str]:
    """What the blueprint declares for new users and items. A baseline is no answer by itself: a
    heuristic keyed by item (historical CTR per ad) has nothing for a new item either."""
    lines = []
    for c in d.ids:
        text = d.components[c].cold_start
        if text and d.is_model(c):
            lines.append(f"'{c}': {' '.join(text.split())}")
    for c in d.with_trait(T.BASELINE):
        # a baseline called on the request path (not only as a fallback) serves what the model cannot
        for u, i in d.graph.pred(c, "request"):
            what = d.flows[i].data
            lines.append(f"'{u}' calls '{c}'" + (f" for {what}." if what else " on the request path."))
    for c in d.ids:
        share = d.components[c].exploration_share
        if share:
            lines.append(f"'{c}' explores on {share * 100:.3g}% of requests, so new items get shown and learned.")
    for c in d.with_trait(T.INDEX_BUILDER):
        cadence = d.components[c].cadence
        if cadence:
            lines.append(f"'{c}' rebuilds the index every {cadence}, so new items become retrievable.")
    return lines


__all__ = ["ANSWERED", "OPEN", "PARTLY", "QUESTIONS", "FailureMode", "failure_modes"]
