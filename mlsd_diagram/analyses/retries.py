"""Retry amplification per layer: what a design's retries can do to each component below them.

Built on :class:`~.serving.ServingModel` (its attempts, loads and capacities; nothing here changes
them). Two views of the same calls:

- **worst case** (every attempt failing): each call makes ``retries + 1`` attempts, at most
  ``1 + retry_budget`` of its caller's calls (:meth:`~.serving.ServingModel.attempts_per_call`
  with a failure chance of 1), carried down the request path from the entry points' peak. This
  is what lint ``retry-amplification`` compares with capacity.
- **at the load** (the fixpoint of :meth:`~.serving.ServingModel.attempts`): the attempts actually
  offered when each attempt fails with the chance the design gives it (rejected by a shedding
  component, or failed below), and the share each shedding component turns away.

A *layer* is a request-path component whose worst-case attempts exceed its calls without retries:
one a retrying call reaches, directly or through the calls below it.
"""

from __future__ import annotations

from typing import TypedDict

from ..blueprint.models import Blueprint
from .serving import ServingModel


class RetriedBy(TypedDict):
    """A retrying call into a layer."""

    caller: str
    flow: int
    retries: int
    retry_budget: float | None


class RetryLayer(TypedDict):
    """One component that retries above it amplify (see :func:`retry_layers`)."""

    component: str
    retried_by: list[RetriedBy]
    calls_per_request: float
    worst_attempts_per_request: float
    worst_qps: float
    offered_qps: float
    capacity_qps: float | None
    utilization: float | None
    shedding: bool
    reject_share: float | None
    attempt_failure: float


class RetryLayers(TypedDict):
    """Retry amplification per layer (:func:`retry_layers`)."""

    factor: float
    user_qps: float
    converged: bool
    entry_failure: dict[str, float]
    layers: list[RetryLayer]


def worst_case_load(model: ServingModel, factor: float = 1.0) -> dict[str, float]:
    """QPS offered to every relevant component at ``factor`` x peak when every attempt fails.

    Each call carries ``per_request`` x its worst-case attempts (``retries + 1``, capped by the
    caller's ``retry_budget``) of what its caller receives, after the caller's cache. O(R + F).
    """
    worst = dict.fromkeys(model.relevant, 0.0)
    for e in model.entries:
        worst[e] += factor * (model.entry_peak(e) or 0.0)
    for c in model.top_down:
        miss = model.miss_share(c)
        for call in model.calls[c]:
            worst[call.callee] += worst[c] * miss * call.per_request * model.attempts_per_call(call, 1.0)
    return worst


def _plain_load(model: ServingModel, factor: float) -> dict[str, float]:
    """QPS at every relevant component at ``factor`` x peak, one attempt per call."""
    return {c: factor * q for c, q in model.base_load().items()}


def retry_layers(blueprint: Blueprint, model: ServingModel | None = None, factor: float = 1.0) -> RetryLayers:
    """Retry amplification per layer at ``factor`` x peak (the design doc's table).

    ``{"factor", "user_qps", "converged", "entry_failure": {ENTRY: share of user requests that fail},
    "layers": [{"component", "retried_by": [{"caller", "flow", "retries", "retry_budget"}],
    "calls_per_request", "worst_attempts_per_request", "worst_qps", "offered_qps", "capacity_qps",
    "utilization", "shedding", "reject_share", "attempt_failure"}]}``, layers in declaration order.
    ``*_per_request`` are per user request (the entry points' total QPS); ``reject_share`` is
    ``1 - capacity / offered`` for a shedding component over capacity (0 within it; None for one
    that does not shed: over capacity it hangs instead). Empty ``layers`` when no call retries or no
    peak QPS is declared. O(rounds x (R + F)).
    """
    model = model or ServingModel(blueprint)
    user = factor * sum(model.entry_peak(e) or 0.0 for e in model.entries)
    result: RetryLayers = {"factor": factor, "user_qps": user, "converged": True, "entry_failure": {}, "layers": []}
    if not model.retrying or user <= 0:
        return result
    worst = worst_case_load(model, factor)
    plain = _plain_load(model, factor)
    fixpoint = model.attempts(factor)
    offered, failure = fixpoint["offered"], fixpoint["failure"]
    result["converged"] = fixpoint["converged"]
    result["entry_failure"] = {e: failure[e] for e in model.entries}
    for c in model.ids:
        if c not in model.request_path or worst[c] <= plain[c] * (1 + 1e-9):
            continue
        cap = model.total_capacity(c)
        qps = offered[c]
        shedding = bool(model.shedding[c])
        if cap is None or qps <= cap:
            reject: float | None = 0.0
        else:
            reject = 1 - cap / qps if shedding else None
        result["layers"].append(
            {
                "component": c,
                "retried_by": [
                    {
                        "caller": call.caller,
                        "flow": call.index,
                        "retries": call.retries,
                        "retry_budget": model.retry_budget[call.caller],
                    }
                    for caller in model.ids
                    if caller in model.relevant_set
                    for call in model.calls[caller]
                    if call.callee == c and call.retries
                ],
                "calls_per_request": plain[c] / user,
                "worst_attempts_per_request": worst[c] / user,
                "worst_qps": worst[c],
                "offered_qps": qps,
                "capacity_qps": cap,
                "utilization": None if cap is None else (qps / cap if cap > 0 else None),
                "shedding": shedding,
                "reject_share": reject,
                "attempt_failure": failure[c],
            }
        )
    return result


__all__ = ["RetriedBy", "RetryLayer", "RetryLayers", "retry_layers", "worst_case_load"]
