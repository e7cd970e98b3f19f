"""The design doc's availability budget and retry amplification tables (section 6).

Every figure comes from the analyses (:func:`~mlsd_diagram.analyses.availability.availability`,
:func:`~mlsd_diagram.analyses.retries.retry_layers`); here they are only labelled and put in the
units a reader checks them in (percent, minutes of downtime per 30 days).
"""

from __future__ import annotations

import math
from typing import Any

from ...analyses.availability import availability
from ...analyses.retries import retry_layers
from ...analyses.serving import ServingModel
from ...blueprint.models import Blueprint

MINUTES_PER_30_DAYS = 30 * 24 * 60


def decimal(x: float, significant: int = 3) -> str:
    """``x`` as a plain decimal to ``significant`` digits: 1e-05 -> ``0.00001`` (no exponent)."""
    if x <= 0:
        return "0"
    digits = max(0, significant - 1 - math.floor(math.log10(x)))
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_of(share: float) -> str:
    """An availability as a percent with its unavailability to three digits: 0.999698 -> ``99.9698``."""
    gap = (1 - share) * 100
    digits = 2 if gap <= 0 else max(2, 2 - math.floor(math.log10(gap)))
    text = f"{share * 100:.{digits}f}"
    return text.rstrip("0").rstrip(".")


def _label(bp: Blueprint, cid: str) -> str:
    return bp.components[cid].label or cid


def _ref(bp: Blueprint, cid: str) -> dict[str, str]:
    return {"id": cid, "label": _label(bp, cid)}


def availability_budget(bp: Blueprint, model: ServingModel) -> dict[str, Any]:
    """Per entry point that relies on a declared ``availability``: the SLO, the estimate and its terms.

    ``{"declared": bool, "slo": percent or None, "entries": [{"entry", "label", "availability",
    "unavailability", "budget", "within", "downtime_min", "budget_min", "terms": [{"components",
    "order", "unavailability", "downtime_min", "of_budget"}], "dominant" (the terms tied for the largest),
    "unknown", "pairs_untried"}]}``;
    terms largest first (first-order terms are critical components, second-order ones pairs that
    only fail together). ``budget`` is ``1 - SLO``, ``of_budget`` a term's share of it.
    """
    slo = bp.requirements.slo.availability if bp.requirements.slo else None
    target = None if slo is None else slo / 100
    budget = None if target is None else 1 - target
    entries = []
    for e, est in availability(bp, model).items():
        if not est.declared:
            continue
        ordered = est.dominant(len(est.first_order) + len(est.second_order))
        largest = ordered[0].unavailability if ordered else 0.0
        terms: list[dict[str, Any]] = [
            {
                "components": [_ref(bp, c) for c in t.components],
                "order": "first" if len(t.components) == 1 else "second",
                "unavailability": t.unavailability,
                "unavailability_text": decimal(t.unavailability),
                "downtime_min": t.unavailability * MINUTES_PER_30_DAYS,
                "of_budget": t.unavailability / budget if budget else None,
            }
            for t in ordered
        ]
        entries.append(
            {
                "entry": e,
                "label": _label(bp, e),
                "availability": est.availability,
                "availability_text": percent_of(est.availability),
                "unavailability": est.unavailability,
                "unavailability_text": decimal(est.unavailability),
                "budget": budget,
                "budget_text": None if budget is None else decimal(budget),
                "within": None if target is None else est.availability >= target - 1e-12,  # as the lint rule
                "downtime_min": est.unavailability * MINUTES_PER_30_DAYS,
                "budget_min": None if budget is None else budget * MINUTES_PER_30_DAYS,
                "terms": terms,
                "dominant": [terms[i] for i, t in enumerate(ordered) if t.unavailability >= largest * (1 - 1e-9)],
                "unknown": [_ref(bp, c) for c in est.unknown],
                "pairs_untried": est.pairs_untried,
            }
        )
    return {"declared": bool(entries), "slo": slo, "entries": entries}


def retry_amplification(bp: Blueprint, model: ServingModel) -> dict[str, Any]:
    """:func:`~mlsd_diagram.analyses.retries.retry_layers` at 1x peak with labels.

    ``{"declared": some call retries, "peak": a peak QPS is declared, "converged", "user_qps",
    "entry_failure": [{"entry", "label", "failure"}], "layers": [... with "id", "label",
    "retried_by" labelled]}``.
    """
    table = retry_layers(bp, model, 1.0)
    layers = [
        {
            **layer,
            "id": layer["component"],
            "label": _label(bp, layer["component"]),
            "retried_by": [{**r, "id": r["caller"], "label": _label(bp, r["caller"])} for r in layer["retried_by"]],
        }
        for layer in table["layers"]
    ]
    return {
        "declared": model.retrying,
        "peak": table["user_qps"] > 0,
        "converged": table["converged"],
        "user_qps": table["user_qps"],
        "entry_failure": [
            {"entry": e, "label": _label(bp, e), "failure": f} for e, f in table["entry_failure"].items()
        ],
        "layers": layers,
    }


def serving_prompts(simulation: dict[str, Any], decide: Any) -> None:
    """The ``Decide:`` prompts of the availability and retry tables when the blueprint is silent."""
    if not simulation or not simulation.get("entry_points"):
        return
    if not simulation["availability"]["declared"]:
        decide.add(
            6,
            "availability_budget",
            "how available each request-path component is (`components.ID.availability`, e.g. 0.999 for "
            "99.9 %), to split the availability SLO between them.",
        )
    if not simulation["retries"]["declared"]:
        decide.add(
            6,
            "retries",
            "which calls retry a failed attempt (`retries` on a request flow: idempotent reads, once) and "
            "each retrying caller's `retry_budget` (e.g. 0.1: retries at most 10 % of its calls).",
        )


__all__ = ["availability_budget", "retry_amplification", "serving_prompts"]
