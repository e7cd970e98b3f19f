"""The design doc's rollout plan (ramp, kill switch, rollback criteria of each component that rolls
model versions out) and its alternatives table (the alternatives declared as {option, pros, cons})."""

from __future__ import annotations

from typing import Any

from ...analyses import traits as T
from ...analyses.design import Design
from ...blueprint.models import Blueprint
from ...blueprint.models_types import Capability
from ...blueprint.rollout import Alternative
from .markdown import escape_inline as _e
from .markdown import format_number
from .rows import Prompts, ref

_RAMPED = {Capability.SHADOW, Capability.CANARY, Capability.AB_TEST}


def _share(share: float) -> str:
    return format_number(round(share * 100, 3)) + "%"


def rollout_plans(bp: Blueprint, d: Design, decide: Prompts) -> list[dict[str, Any]]:
    """Each component that rolls versions out (a rollout component, or one with shadow, canary or
    A/B testing built in) with its plan; one prompt for the first whose plan misses a part."""
    plans = []
    for c, comp in bp.components.items():
        if not (d.has(c, T.ROLLOUT) or _RAMPED & set(comp.capabilities) or comp.ramp or comp.rollback_on):
            continue
        row = ref(bp, c)
        row["ramp"] = [{"share": _share(s.share), "hold": s.hold or ""} for s in comp.ramp]
        row["kill_switch"] = comp.kill_switch or ""
        row["rollback_on"] = [
            {"metric": r.metric, "threshold": r.threshold, "window": r.window or ""} for r in comp.rollback_on
        ]
        plans.append(row)
        missing = [
            text
            for text, absent in (
                ("the ramp (share of traffic and hold time of each step)", not comp.ramp),
                ("the kill switch", not comp.kill_switch),
                ("the rollback criteria (metric, threshold, window)", not comp.rollback_on),
            )
            if absent
        ]
        if missing:
            at = f"components.{c}"
            decide.add(
                6,
                "rollout_plan",
                f"{', '.join(missing[:-1]) + ' and ' if len(missing) > 1 else ''}{missing[-1]} of a new version "
                f"rolled out by {_e(row['label'])} (`{at}.ramp`, `{at}.kill_switch`, `{at}.rollback_on`).",
            )
    return plans


def _alternative_row(scope: str, cid: str, item: Alternative) -> dict[str, Any]:
    return {"scope": scope, "id": cid, "option": item.option, "pros": list(item.pros), "cons": list(item.cons)}


def alternatives_table(bp: Blueprint) -> list[dict[str, Any]]:
    """The alternatives declared as {option, pros, cons}: the whole system's, then each component's."""
    rows = [_alternative_row("the whole system", "", a) for a in bp.context.alternatives if isinstance(a, Alternative)]
    for c, comp in bp.components.items():
        rows += [_alternative_row(comp.label or c, c, a) for a in comp.alternatives if isinstance(a, Alternative)]
    return rows


__all__ = ["alternatives_table", "rollout_plans"]
