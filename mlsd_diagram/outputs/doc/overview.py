"""The parts of a design doc around the seven steps: motivation, scope, alternatives, cost,
security, privacy, integration points, milestones and risks (the blueprint's ``context``), the
components acting on their own, and where each component's notes are shown.
"""

from __future__ import annotations

import re
from typing import Any

from ...analyses import traits as T
from ...analyses.design import Design
from ...blueprint.models import Blueprint, minutes
from ...blueprint.rollout import alternative_text
from .rollout import alternatives_table
from .rows import Prompts, component_row, ref

# (field, step, prompt); step 8 is "Cost, security and milestones", step 9 "Risks"
_CONTEXT_PROMPTS: tuple[tuple[str, int, str], ...] = (
    (
        "motivation",
        1,
        "why this system, and why now: the problem, who has it, what it costs today (`context.motivation`).",
    ),
    ("scope_in", 1, "what the design covers (`context.scope_in`)."),
    ("scope_out", 1, "what the design leaves out on purpose (`context.scope_out`)."),
    (
        "alternatives",
        2,
        "the whole-system designs considered instead (rules, a vendor, no ML) and why not chosen "
        "(`context.alternatives`).",
    ),
    ("integrations", 6, "the systems this design plugs into and who owns them (`context.integrations`)."),
    ("cost", 8, "what it costs to build and run: hardware, labeling, people (`context.cost`)."),
    ("security", 8, "access control, abuse and model-stealing concerns, and their mitigations (`context.security`)."),
    ("milestones", 8, "the delivery steps, in order, from baseline to full launch (`context.milestones`)."),
    (
        "risks",
        9,
        "the risks beyond what lint finds (adoption, data, regulation), each with a mitigation (`context.risks`).",
    ),
)


def context_sections(bp: Blueprint, decide: Prompts) -> dict[str, Any]:
    """``context`` as plain data, with a prompt for each missing entry."""
    ctx = bp.context
    for name, step, text in _CONTEXT_PROMPTS:
        if not getattr(ctx, name):
            decide.add(step, f"context_{name}", text)
    header = [
        (name, value)
        for name, value in (
            ("Owner", ctx.owner),
            ("Status", ctx.status),
            ("Reviewers", ", ".join(ctx.reviewers)),
            ("Date", ctx.date),
        )
        if value
    ]
    return {
        "header": [{"name": name, "value": value} for name, value in header],
        "motivation": ctx.motivation or "",
        "scope_in": list(ctx.scope_in),
        "scope_out": list(ctx.scope_out),
        "alternatives": [a for a in ctx.alternatives if isinstance(a, str)],
        "alternatives_table": alternatives_table(bp),
        # every whole-system alternative in declared order, one line each (the talk track's answer)
        "alternatives_lines": [alternative_text(a) for a in ctx.alternatives],
        "milestones": list(ctx.milestones),
        "cost": ctx.cost or "",
        "risks": list(ctx.risks),
        "security": ctx.security or "",
        "privacy": ctx.privacy or "",
        "integrations": list(ctx.integrations),
    }


def _keeps_data(d: Design, c: str) -> bool:
    """Stores of events, tables, labels, features, embeddings, predictions and models."""
    return (
        d.is_(c, "SINK")
        or d.has(c, T.LABELS)
        or d.has(c, T.FEATURE_STORE)
        or d.has(c, T.EMBEDDING_INDEX)
        or d.has(c, T.REGISTRY)
        or (d.is_(c, "DEGRADE") and not d.has(c, T.BASELINE))
        or bool(d.components[c].retention)
    )


def privacy(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    """Retention and erasure of every store that keeps data, and ``context.privacy``.

    A prompt asks for ``context.privacy`` only when the design carries personal data (a flow
    tagged ``pii``); per-store retention is lint's question (``pii-retention-unbounded``).
    """
    personal_in = {f.target for f in bp.flows if "pii" in f.tags}
    # personal data stays personal downstream: a redactor that hashes ids or truncates addresses
    # makes it pseudonymous, which is still personal data (it can be joined back to a person)
    reached = d.graph.reach(sorted(personal_in), ("stream", "batch")) if personal_in else {}
    # what users do (clicks, views, queries) is logged with their ids: personal too, tagged or not
    users = list(dict.fromkeys([*d.entry_points, *(f.source for f in bp.flows if "interactions" in f.tags)]))
    from_users = d.graph.reach(users, ("stream", "batch"))
    promise = _erasure_days(bp.context.privacy or "")
    rows = []
    for c in d.ids:
        if not _keeps_data(d, c):
            continue
        row = ref(bp, c)
        retention = bp.components[c].retention or ""
        row["retention"] = retention
        row["personal"] = c in reached or c in from_users
        # where it comes from, when that is upstream (a pii flow into the row itself needs no pointer)
        if c in reached:
            via = [u for u in _chain(reached, c) if u in personal_in and u != c] if c not in personal_in else []
        else:
            via = [u for u in _chain(from_users, c) if u != c][-1:]  # the entry point whose users it logs
        row["personal_via"] = ref(bp, via[0]) if via else None
        row["erasure"] = [ref(bp, u) for u, i in d.graph.pred(c) if "erasure" in bp.flows[i].tags]
        # a store keeping personal data longer than the erasure promise must delete on request, not wait
        row["outlives_promise"] = bool(
            promise is not None and row["personal"] and retention and minutes(retention) > promise * 24 * 60
        )
        rows.append(row)
    if personal_in and not bp.context.privacy:
        decide.add(
            3,
            "context_privacy",
            "how a deletion request reaches the lake, features, embeddings and trained models, and how long "
            "each keeps personal data (`context.privacy`).",
        )
    erasure = [i for i, f in enumerate(bp.flows) if "erasure" in f.tags]
    return {"stores": rows, "erasure_flows": erasure, "text": bp.context.privacy or "", "erasure_days": promise}


_PROMISE = re.compile(r"within\s+(\d+(?:\.\d+)?)\s*(?:days?|d)\b", re.IGNORECASE)


def _erasure_days(text: str) -> float | None:
    """The erasure promise of ``context.privacy`` in days ('... removed within 30 days'), or None."""
    found = _PROMISE.search(text)
    return float(found.group(1)) if found else None


def _chain(parent: dict[str, str | None], node: str) -> list[str]:
    """``node`` and its parents up to a start of :meth:`Design.reach`."""
    chain = [node]
    while parent.get(chain[-1]) is not None:
        chain.append(parent[chain[-1]])  # type: ignore[arg-type]
    return chain


def integration_points(bp: Blueprint, d: Design) -> list[dict[str, Any]]:
    """Components at the design's edge: data-stage components no flow feeds (upstream systems) and
    client-stage components that are neither entry points nor people labeling (downstream consumers)."""
    entries = set(d.entry_points)
    return [
        ref(bp, c)
        for c in d.ids
        if (d.stage[c] == "data" and not any(True for _ in d.graph.pred_any(c)))
        or (d.stage[c] == "client" and c not in entries and not d.has(c, T.LABELS))
    ]


def automated_actions(bp: Blueprint) -> list[dict[str, Any]]:
    """Components whose output is acted on with no human in between."""
    return [component_row(bp, c) for c, comp in bp.components.items() if comp.automated_action]


def decisions(bp: Blueprint) -> list[dict[str, Any]]:
    """Models with ``decisions``: each action, its threshold and who reviews it, in file order."""
    rows = []
    for c, comp in bp.components.items():
        if comp.decisions:
            row = ref(bp, c)
            row["decisions"] = [
                {
                    "action": dec.action,
                    "threshold": "" if dec.threshold is None else f"{dec.threshold:g}",
                    "reviewed_by": ref(bp, dec.reviewed_by) if dec.reviewed_by in bp.components else None,
                }
                for dec in comp.decisions
            ]
            rows.append(row)
    return rows


def practice(bp: Blueprint, d: Design, shown: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Practice facts on components other than the models of step 4 (``shown``): schedules and
    write modes of batch jobs, exploration and holdout shares, rollout capabilities, joint releases,
    artifacts no trainer produces (prompts, corpora, vendor models)."""
    schedules, exposure, rollout = [], [], []
    for c, comp in bp.components.items():
        if (comp.cadence or comp.write_mode or comp.ttl) and not d.has(c, T.TRAINER):  # trainers: their own table
            row = ref(bp, c)
            row["cadence"] = comp.cadence or ""
            row["ttl"] = comp.ttl or ""
            row["write_mode"] = comp.write_mode.value.replace("_", " ") if comp.write_mode else ""
            schedules.append(row)
        if (comp.exploration_share or comp.holdout_share) and c not in shown:
            row = ref(bp, c)
            row["exploration"] = f"{comp.exploration_share * 100:.3g}%" if comp.exploration_share else ""
            row["holdout"] = f"{comp.holdout_share * 100:.3g}%" if comp.holdout_share else ""
            exposure.append(row)
        if comp.capabilities or comp.deployed_with or comp.artifacts:
            row = ref(bp, c)
            row["capabilities"] = [cap.value.replace("_", " ") for cap in comp.capabilities]
            row["artifacts"] = [a.value.replace("_", " ") for a in comp.artifacts]
            row["deployed_with"] = ref(bp, comp.deployed_with) if comp.deployed_with in bp.components else None
            rollout.append(row)
    return {"schedules": schedules, "exposure": exposure, "rollout": rollout}


def place_notes(bp: Blueprint, placements: list[tuple[str, list[str]]]) -> dict[str, list[dict[str, Any]]]:
    """Each component with notes, in the first section (of ``placements``, in priority order) that
    covers it; the rest under ``"appendix"``. Every note is shown exactly once."""
    placed: dict[str, str] = {}
    for section, ids in placements:
        for c in ids:
            placed.setdefault(c, section)
    out: dict[str, list[dict[str, Any]]] = {section: [] for section, _ in placements}
    out["appendix"] = []
    for c, comp in bp.components.items():
        if comp.notes:
            out[placed.get(c, "appendix")].append(component_row(bp, c))
    return out


__all__ = [
    "automated_actions",
    "context_sections",
    "decisions",
    "integration_points",
    "place_notes",
    "practice",
    "privacy",
]
