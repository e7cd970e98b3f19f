"""Grade a candidate's blueprint against a practice case: the scorecard of ``mlsd practice check``.

Per step of the framework, 0-3 points from the rubric (:mod:`.rubric`), the evidence found and,
for each point missed, the interviewer's follow-up question; with ``reveal``, the reference
design's part for each check beside it. Then the failure-mode checklist of the interview
(:mod:`..analyses.failure_modes`: one point each the reference answers), the serving numbers
(:mod:`..analyses.serving`'s public functions) and the lint findings. Plain frozen dataclasses;
``to_dict`` is the JSON of ``--format json``, whose shape is ``schema/practice.schema.json``.
Same blueprint, same case, same bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, cast

from ..analyses.design import Design
from ..analyses.failure_modes import ANSWERED, OPEN, PARTLY
from ..analyses.findings import Finding
from ..analyses.framework import STEPS, TIME_BOXES
from ..analyses.lint import design_for, lint
from ..blueprint.models import Blueprint
from .cases import case as find_case
from .cases import reference
from .rubric import CHECKS, Facts, Outcome

POINTS_PER_STEP = 3
Status = Literal["covered", "partly covered", "missing", "not asked"]
COVERED: Final = "covered"
PARTLY_COVERED: Final = "partly covered"
MISSING: Final = "missing"
NOT_ASKED: Final = "not asked"  # the reference does not answer it either: not graded
State = Literal["served", "degraded", "down"]
Severity = Literal["error", "warning", "note"]
LINT_PROFILE: Final = "interview"
LINT_PROFILE_NOTE = (
    "the interview profile: every blank practice field is a finding (a prompt), with the project's [tool.mlsd] settings"
)


@dataclass(frozen=True)
class CheckResult:
    """One rubric check on the candidate's design."""

    id: str
    title: str
    applies: bool  # the reference passes it (else it is not graded for this case)
    passed: bool
    evidence: list[str]  # what in the candidate's design shows it: component ids or field names
    follow_up: str | None  # the interviewer's question when it is graded and failed
    reference: list[str] | None  # with reveal: the reference's part, "label (id, kind)"


@dataclass(frozen=True)
class StepResult:
    """One step of the framework: its time box and points."""

    number: int
    title: str
    minutes: int
    points: int
    max_points: int
    checks: list[CheckResult]


@dataclass(frozen=True)
class FailureModeResult:
    """One failure-mode question of the interview and how the design answers it."""

    key: str
    question: str
    status: Status
    points: int
    answers: list[str]  # the candidate design's answers
    follow_ups: list[str]  # what the interviewer asks next when not covered
    reference: list[str] | None  # with reveal: the reference's answers


@dataclass(frozen=True)
class EntryLatency:
    """An entry point's p99 latency against the SLO, and its state at the declared peak."""

    entry: str
    p99_ms: float | None
    slo_ms: float | None
    within_slo: bool | None
    unknown_latency: list[str]
    state_at_peak: State


@dataclass(frozen=True)
class KnockOut:
    """What losing one online model does to each entry point."""

    component: str
    entry_points: dict[str, State]


@dataclass(frozen=True)
class Serving:
    """The serving numbers of the design (from :mod:`..analyses.serving`)."""

    latency: list[EntryLatency]
    headroom: float | None
    first_saturated: str | None
    unknown_capacity: list[str]
    knock_outs: list[KnockOut]


@dataclass(frozen=True)
class LintFinding:
    """A lint finding as the scorecard lists it."""

    rule: str
    name: str
    severity: Severity
    message: str
    line: int
    column: int
    component: str | None
    accepted: bool


@dataclass(frozen=True)
class LintSummary:
    """The design's lint findings under the interview profile (every blank practice field is a prompt)."""

    profile: Literal["interview"]
    note: str
    findings: list[LintFinding]


@dataclass(frozen=True)
class Scorecard:
    """The whole scorecard of one candidate design against one case."""

    case: str
    title: str
    file: str
    points: int
    max_points: int
    percent: float
    revealed: bool
    steps: list[StepResult]
    failure_modes: list[FailureModeResult]
    serving: Serving
    lint: LintSummary

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (field order as declared)."""
        return asdict(self)


def _step_points(passed: int, graded: int) -> int:
    """A step's 0-3 points: the share of its graded checks passed, rounded half up (all when none is graded)."""
    if graded == 0:
        return POINTS_PER_STEP
    return (2 * POINTS_PER_STEP * passed + graded) // (2 * graded)


def _part(bp: Blueprint, d: Design, item: str) -> str:
    """A reference component as the reveal shows it: ``label (id, kind)``; fields and phrases as they are."""
    if item not in bp.components:
        return item
    label = bp.components[item].label
    return f"{label} ({item}, {d.kind[item]})" if label and label != item else f"{item} ({d.kind[item]})"


def _names(items) -> str:
    quoted = [i if i.startswith(("the ", "requirements.", "metrics.")) or " " in i else f"'{i}'" for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


# The follow-up a finding prompts in the failure-mode round: {c} is the component the finding is
# about, {caller} and {callee} the two ends of the flow it is about (else both are {c}).
_FINDING_QUESTIONS = {
    "MLSD201": "{c} has no fallback: what does the user see when it is down?",
    "MLSD202": "{c} is a single replica every request needs: what happens when that machine dies?",
    "MLSD203": "The request path is over its latency budget: which call do you cut, cache or run in parallel?",
    "MLSD206": "{c} gets more requests at peak than it can serve: how many replicas does it need?",
    "MLSD207": "{callee} is called without a timeout and does not shed load: what happens to {caller} when it slows?",
    "MLSD208": "{caller} fails when its lookup in {callee} fails: what does it use when a feature is missing?",
    "MLSD209": "{c} declares no capacity: how many requests a second does one replica take?",
    "MLSD302": "What tells you that serving data no longer looks like the training data?",
    "MLSD303": "When {c} sees a problem, who hears about it?",
    "MLSD304": "How old may the model of {c} get before someone notices?",
    "MLSD401": "{c}: how do training and serving compute the same features?",
    "MLSD404": "What stops bad data from reaching {c}?",
    "MLSD407": "The labels reaching {callee} arrive late: how do recent examples avoid training as negatives?",
    "MLSD502": "The trainer of {c} never sees live data: how does it keep up with users?",
    "MLSD503": "What starts a training run of {c}?",
    "MLSD506": "{c} learns only from what it chose to show: how do new items ever get shown?",
    "MLSD507": "What do new users and new items get from {c}?",
    "MLSD604": "What simple baseline answers when the model cannot, and must the model beat?",
}
MAX_FOLLOW_UPS = 3  # per failure mode; the lint list has every finding


def _finding_question(bp: Blueprint, finding: Finding, fallback: str) -> str:
    template = _FINDING_QUESTIONS.get(finding.rule)
    c = f"'{finding.component}'" if finding.component else "the design"
    caller = callee = c
    if finding.flow is not None:
        flow = bp.flows[finding.flow]
        caller, callee = f"'{flow.source}'", f"'{flow.target}'"
        c = finding.component and c or caller
    if template is None:
        return f"{finding.name.replace('-', ' ').capitalize()} at {c}: {fallback[0].lower()}{fallback[1:]}"
    return template.format(c=c, caller=caller, callee=callee)


def _follow_ups(bp: Blueprint, findings: list[Finding], question: str) -> list[str]:
    asked = list(dict.fromkeys(_finding_question(bp, f, question) for f in findings if not f.accepted))
    if len(asked) > MAX_FOLLOW_UPS:
        more = len(asked) - MAX_FOLLOW_UPS
        asked = [*asked[:MAX_FOLLOW_UPS], f"... and {more} more like {'it' if more == 1 else 'these'} (see lint)."]
    return asked


def _facts(blueprint: Blueprint, config: Any) -> Facts:
    design = design_for(blueprint, config)
    # interview profile: every blank is a prompt, as in a design practised from scratch
    return Facts(blueprint, design, lint(blueprint, config=config, design=design, profile="interview"))


def _outcomes(facts: Facts) -> dict[str, Outcome]:
    return {c.id: c.evaluate(facts) for c in CHECKS}


def grade(blueprint: Blueprint, case_name: str, *, config: Any = None, reveal: bool = False) -> Scorecard:
    """The scorecard of ``blueprint`` against case ``case_name`` (raises :class:`~.cases.UnknownCase`).

    ``config`` is the lint configuration (``[tool.mlsd]``), used for the candidate and the reference
    alike. With ``reveal``, each check and failure mode carries the reference's corresponding part.
    O(lint + knock-outs) for each of the two designs.
    """
    info = find_case(case_name)
    ref_bp = reference(case_name)
    ref = _facts(ref_bp, config)
    mine = _facts(blueprint, config)
    ref_outcomes, outcomes = _outcomes(ref), _outcomes(mine)
    minutes = dict(TIME_BOXES)

    steps = []
    for number, title in STEPS:
        results = []
        for c in (c for c in CHECKS if c.step == number):
            applies = ref_outcomes[c.id].passed
            outcome = outcomes[c.id]
            results.append(
                CheckResult(
                    c.id,
                    c.title,
                    applies,
                    outcome.passed,
                    list(outcome.evidence),
                    c.follow_up(outcome, _names) if applies else None,
                    [_part(ref_bp, ref.design, e) for e in ref_outcomes[c.id].evidence] if reveal else None,
                )
            )
        graded = [r for r in results if r.applies]
        points = _step_points(sum(r.passed for r in graded), len(graded))
        steps.append(StepResult(number, title, minutes[number], points, POINTS_PER_STEP, results))

    modes = []
    ref_modes = {m.key: m for m in ref.failure_modes}
    for m in mine.failure_modes:
        status: Status
        follow_ups: list[str]
        asked = ref_modes[m.key].status != OPEN
        if not asked:
            status, follow_ups = NOT_ASKED, []
        elif m.status == ANSWERED:
            status, follow_ups = COVERED, []
        elif m.status == PARTLY:
            status = PARTLY_COVERED
            follow_ups = _follow_ups(blueprint, list(m.findings), m.question)
        else:
            status, follow_ups = MISSING, _follow_ups(blueprint, list(m.findings), m.question) or [m.question]
        modes.append(
            FailureModeResult(
                m.key,
                m.question,
                status,
                int(status == COVERED),
                list(m.answers),
                follow_ups,
                list(ref_modes[m.key].answers) if reveal else None,
            )
        )

    points = sum(s.points for s in steps) + sum(m.points for m in modes)
    max_points = POINTS_PER_STEP * len(steps) + sum(m.status != NOT_ASKED for m in modes)
    return Scorecard(
        case=info.name,
        title=info.title,
        file=blueprint.file,
        points=points,
        max_points=max_points,
        percent=round(100 * points / max_points, 1) if max_points else 100.0,
        revealed=reveal,
        steps=steps,
        failure_modes=modes,
        serving=_serving(mine),
        lint=LintSummary(
            LINT_PROFILE,
            LINT_PROFILE_NOTE,
            [
                LintFinding(
                    f.rule, f.name, cast("Severity", f.severity), f.message, f.line, f.column, f.component, f.accepted
                )
                for f in mine.findings
            ],
        ),
    )


def _serving(f: Facts) -> Serving:
    load = f.load
    latency = []
    for entry, report in f.latency.items():
        p99, slo = report["p99_ms"], report["slo_ms"]
        latency.append(
            EntryLatency(
                entry,
                p99,
                slo,
                None if p99 is None or slo is None else p99 <= slo,
                list(report["missing"]),
                cast(State, load["entry_points"].get(entry, "served")),
            )
        )
    return Serving(
        latency,
        load["headroom"],
        load["first_saturated"],
        list(load["unknown_capacity"]),
        [KnockOut(m, cast("dict[str, State]", dict(states))) for m, states in f.knock_outs.items()],
    )


def mock_interview(blueprint: Blueprint, case_name: str, *, config: Any = None) -> dict[str, Any]:
    """What ``mlsd serve --practice`` adds to the page: the prompt, the clarifying questions (answers
    folded by the page), the plan with its time boxes, and the scorecard without the reference
    (the page asks for the revealed one when time is up or on request)."""
    from .cases import clarifying_questions, plan, requirement_lines

    ref = reference(case_name)
    info = find_case(case_name)
    return {
        "case": info.name,
        "title": info.title,
        "difficulty": info.difficulty,
        "prompt": requirement_lines(ref),
        "questions": [{"question": q.question, "answer": q.answer} for q in clarifying_questions(ref)],
        "plan": [{"step": n, "title": t, "start": start, "end": end} for n, t, start, end in plan()],
        "scorecard": grade(blueprint, case_name, config=config).to_dict(),
    }


__all__ = [
    "COVERED",
    "MISSING",
    "NOT_ASKED",
    "PARTLY_COVERED",
    "CheckResult",
    "FailureModeResult",
    "Scorecard",
    "StepResult",
    "grade",
    "mock_interview",
]
