"""The practice cases: every starter blueprint but the blank one, its requirements as the prompt.

A case's *reference design* is the starter itself. The exercise (``mlsd practice start``) gives the
candidate only what an interviewer says at the start: the objective, the users and scale, the
SLOs and the constraints; the framing (``ml_task``), the metrics and every component but the
clients are the candidate's to propose. Everything here is read from the starter, so adding a
starter adds a case.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from importlib import resources

from ..analyses.design import Design
from ..analyses.framework import STEPS, TIME_BOXES, WRAP_UP_MINUTES
from ..blueprint.loader import loads
from ..blueprint.models import Blueprint
from ..starters import STARTER_FOLDER, SUFFIX

NOT_A_CASE = frozenset({"blank"})  # a skeleton to start from, not an exercise


class UnknownCase(LookupError):
    """A case name that is not a starter; the message lists the cases."""


@dataclass(frozen=True)
class Case:
    """One exercise: the starter's name, its title, a one-line prompt and a difficulty."""

    name: str
    title: str
    prompt: str
    difficulty: str


def _names() -> list[str]:
    """The case names: the starters' file stems, sorted (the folder is the list; nothing is parsed)."""
    folder = resources.files("mlsd_diagram.starters").joinpath(STARTER_FOLDER)
    stems = [e.name[: -len(SUFFIX)] for e in folder.iterdir() if e.is_file() and e.name.endswith(SUFFIX)]
    return sorted(s for s in stems if not s.startswith(".") and s not in NOT_A_CASE)


def reference(name: str) -> Blueprint:
    """The reference design of case ``name``: the starter, parsed anew (a blueprint is mutable)."""
    check_case(name)
    text = (
        resources.files("mlsd_diagram.starters")
        .joinpath(STARTER_FOLDER)
        .joinpath(name + SUFFIX)
        .read_text(encoding="utf-8")
    )
    return loads(text, f"<case {name}>")


def _case(name: str) -> Case:
    bp = reference(name)
    return Case(name, bp.name, bp.requirements.objective or bp.summary or "", _difficulty(bp))


def _difficulty(bp: Blueprint) -> str:
    """easy / medium / hard from what the reference has to get right: its models, a retrieval funnel,
    people in the labeling loop, its size."""
    from ..analyses.funnel import funnel

    d = Design(bp)
    models = len(dict.fromkeys([*d.online_models, *d.with_role("SERVE")]))
    shape = funnel(bp, d)
    weight = models + (2 if shape.retrieval and (shape.ranking or shape.reranking) else 0)
    weight += (1 if d.ml.labelers else 0) + len(bp.components) // 10
    return "easy" if weight <= 4 else "medium" if weight <= 6 else "hard"


def cases() -> list[Case]:
    """Every case, sorted by name."""
    return [_case(name) for name in _names()]


def case(name: str) -> Case:
    """The case called ``name``; raises :class:`UnknownCase` naming the cases."""
    return _case(name)


def check_case(name: str) -> None:
    """Raise :class:`UnknownCase` unless ``name`` is a case (cheap: no blueprint is parsed)."""
    if name in NOT_A_CASE:
        raise UnknownCase(f"'{name}' is the blank starter, not a case (see `mlsd practice list`)")
    if name not in _names():
        names = _names()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UnknownCase(f"unknown case '{name}'{hint} (cases: {', '.join(names)}; see `mlsd practice list`)")


# -- the exercise ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A clarifying question a strong candidate asks, with the interviewer's answer."""

    question: str
    answer: str


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def requirement_lines(bp: Blueprint) -> list[str]:
    """The prompt's facts: objective, scale, SLOs and constraints, as sentences (no framing, no design)."""
    req = bp.requirements
    lines = []
    if req.objective:
        lines.append(f"Objective: {req.objective}.")
    if req.scale:
        scale = req.scale.model_dump(exclude_none=True)
        lines.append("Scale: " + ", ".join(f"{k.replace('_', ' ')} {_number(v)}" for k, v in scale.items()) + ".")
    if req.slo:
        slo = req.slo
        parts = []
        if slo.latency_p99_ms is not None:
            parts.append(f"p99 latency {_number(slo.latency_p99_ms)} ms")
        if slo.availability is not None:
            parts.append(f"availability {slo.availability:g}%")
        if slo.freshness_minutes is not None:
            parts.append(f"new data reflected within {_number(slo.freshness_minutes)} minutes")
        if parts:
            lines.append("SLOs: " + ", ".join(parts) + ".")
    lines.extend(f"Constraint: {c}." for c in req.constraints)
    return lines


def clarifying_questions(bp: Blueprint) -> list[Question]:
    """What a strong candidate asks before designing, answered from the reference (those it answers)."""
    d = Design(bp)
    found: list[Question] = []
    metrics = bp.metrics
    success = [*metrics.business, *metrics.online]
    if success:
        found.append(
            Question("How will we know it works: which business and product metrics move?", ", ".join(success))
        )
    ctx = bp.context
    scope = []
    if ctx is not None and ctx.scope_in:
        scope.append("In scope: " + "; ".join(ctx.scope_in) + ".")
    if ctx is not None and ctx.scope_out:
        scope.append("Out of scope: " + "; ".join(ctx.scope_out) + ".")
    if scope:
        found.append(Question("What is in scope, and what is not?", " ".join(scope)))
    sources = [
        bp.components[c].label or c
        for c in d.ids
        if d.stage[c] == "data" and not any(True for _ in d.graph.pred_any(c)) and any(True for _ in d.graph.succ(c))
    ]
    if sources:
        found.append(Question("Which data do we have today?", "; ".join(sources) + "."))
    labelled = [f for f in bp.flows if "labels" in f.tags]
    labels = [f.label_source for f in labelled if f.label_source] or [f.data for f in labelled if f.data]
    if labels:
        found.append(Question("How do we learn what a good outcome was (labels)?", "; ".join(dict.fromkeys(labels))))
    if ctx is not None and ctx.integrations:
        found.append(Question("Which teams and systems must we integrate with?", "; ".join(ctx.integrations) + "."))
    return found


def plan() -> list[tuple[int, str, int, int]]:
    """The 45-minute plan: (step, title, start minute, end minute), then the wrap-up as step 8."""
    titles = dict(STEPS)
    rows, start = [], 0
    for number, minutes in TIME_BOXES:
        rows.append((number, titles[number], start, start + minutes))
        start += minutes
    rows.append((8, "Failure modes and questions back", start, start + WRAP_UP_MINUTES))
    return rows


def prompt_markdown(name: str, blueprint_file: str) -> str:
    """The exercise sheet: prompt, folded clarifying questions, the plan, how to check the design."""
    bp = reference(name)
    c = case(name)
    out = [f"# Practice: {c.title}", "", f"Difficulty: {c.difficulty}.", "", "## The prompt", ""]
    out += [f"- {line}" for line in requirement_lines(bp)]
    out += ["", "## Clarifying questions", "", "Ask them first; each answer is folded.", ""]
    for q in clarifying_questions(bp):
        out += [f"<details><summary>{q.question}</summary>", "", q.answer, "", "</details>", ""]
    out += ["## The 45-minute plan", "", "| minutes | step |", "|---|---|"]
    out += [f"| {start}-{end} | {number}. {title} |" for number, title, start, end in plan()]
    out += [
        "",
        "## Your design",
        "",
        f"Complete `{blueprint_file}` (it has the requirements and the clients), then:",
        "",
        "```sh",
        f"mlsd practice check {blueprint_file} --case {name}            # the scorecard",
        f"mlsd practice check {blueprint_file} --case {name} --reveal   # side by side with the reference",
        f"mlsd serve {blueprint_file} --practice {name}                 # mock interview: timer, live scorecard",
        "```",
        "",
    ]
    return "\n".join(out)


def _yaml(value: object) -> str:
    """A scalar as YAML (JSON's quoting is valid YAML and leaves nothing to interpretation)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, ensure_ascii=False)


def exercise_blueprint(name: str) -> str:
    """The candidate's starting blueprint: requirements (without the framing) and the clients only."""
    bp = reference(name)
    d = Design(bp)
    req = bp.requirements
    out = [
        f"# Practice: {case(name).title}. Design the system, then run",
        f"#   mlsd practice check THIS_FILE --case {name}",
        "mlsd: 1",
        f"name: {_yaml(bp.name)}",
        "requirements:",
    ]
    if req.objective:
        out.append(f"  objective: {_yaml(req.objective)}")
    out.append("  # ml_task: how you frame it as an ML task (step 2)")
    if req.scale:
        scale = req.scale.model_dump(exclude_none=True)
        out.append("  scale: {" + ", ".join(f"{k}: {_yaml(v)}" for k, v in scale.items()) + "}")
    if req.slo:
        slo = req.slo.model_dump(exclude_none=True)
        out.append("  slo: {" + ", ".join(f"{k}: {_yaml(v)}" for k, v in slo.items()) + "}")
    if req.constraints:
        out.append("  constraints:")
        out += [f"    - {_yaml(c)}" for c in req.constraints]
    out += [
        "# metrics: {offline: [...], online: [...], business: [...]}   (steps 1 and 5)",
        "components:",
    ]
    for c in d.entry_points:
        comp = bp.components[c]
        label = f", label: {_yaml(comp.label)}" if comp.label else ""
        out.append(f"  {c}: {{kind: {bp.components[c].kind}{label}}}")
    out += [
        "  # your components: serving, data, features, training, monitoring (`mlsd kinds` lists the kinds)",
        "flows: []",
        "",
    ]
    return "\n".join(out)


__all__ = [
    "Case",
    "Question",
    "UnknownCase",
    "case",
    "cases",
    "check_case",
    "clarifying_questions",
    "exercise_blueprint",
    "plan",
    "prompt_markdown",
    "reference",
    "requirement_lines",
]
