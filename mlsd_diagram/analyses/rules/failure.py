"""Failure and degradation rules (MLSD2xx), when a part is down: fallbacks, single points of failure,
feature defaults, availability. The same category's rules about slow parts are in ``latency.py``, about
overloaded parts in ``capacity.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...blueprint.models import Mode, OnFailure
from .. import practices as P
from .. import traits as T
from ..availability import availability
from ..design import Design
from ..findings import Hit
from ..serving import single_points_of_failure
from .registry import rule


@rule("MLSD201", "no-fallback", "error", "[SRE] ch. 22, [RoML] #1")
def no_fallback(d: Design) -> Iterator[Hit]:
    """A model on the request path has no fallback: when it fails, requests fail.

    **What it checks.** Knocks out each SERVE component on the request path, alone, and asks
    whether every entry point that reaches it is still served or degraded: through a `fallback`
    flow from it (or from a caller) to a live component, or through a call to it marked
    `on_failure: skip` or `defaults` (see "Simulate").

    **Why it matters.** Models fail in ways plain services do not: a bad model push, a
    feature outage, an overloaded GPU pool. Graceful degradation (serve the cached or popular
    answer) keeps the product up while the model is fixed; Zinkevich's first rule is to have a
    heuristic to fall back on. Source: [SRE] ch. 22 "Addressing cascading failures", [RoML] #1.

    **Example.**

    ```yaml
    flows:
      - {from: app, to: ranker, mode: request, data: feed request}
      # nothing to serve when ranker is down
    ```

    **How to fix.** Add a DEGRADE component and a fallback flow:
    `popular: {kind: fallback_ranker}` and `{from: ranker, to: popular, mode: fallback}`; or,
    when the caller can answer without the model, mark the call `on_failure: skip`.
    """
    for c in d.online_models:
        down = [e for e, s in d.serving.entry_states({c}).items() if s == "down"]
        if down:
            yield Hit(
                f"when '{c}' fails, requests from {d.names(down)} fail: no fallback flow, cache or fallback "
                "ranker can answer instead",
                component=c,
            )


@rule("MLSD202", "single-point-of-failure", "warning", "[SRE] ch. 22")
def single_point_of_failure(d: Design) -> Iterator[Hit]:
    """A request-path component with fewer than two replicas takes an entry point down when lost.

    **What it checks.** Each request-path component whose knock-out alone leaves an entry point
    `down` (a *critical* component: no fallback answers for it and no caller skips it) and whose
    `replicas` is below 2 (or not given). This is `mlsd simulate`'s list of single points of
    failure; its list of critical components includes the replicated ones.

    **Why it matters.** One instance fails with its host, its zone and its deploys; when every
    request depends on it, so does the whole product. Source: [SRE] ch. 22.

    **Example.**

    ```yaml
    components:
      gateway: {kind: api_gateway}   # one instance, every request passes through it
    ```

    **How to fix.** Declare `replicas: 2` or more (spread across zones), or give its callers a
    fallback; accept it with a reason when a managed service provides the redundancy.
    """
    for item in single_points_of_failure(d.blueprint, d.serving):
        c = item["component"]
        comp = d.components[c]
        have = "declares no replicas" if comp.replicas is None else f"has {item['replicas']} replica"
        if comp.min_replicas is not None:  # autoscaled: the floor is what it may run on
            have = f"may scale down to {comp.min_replicas} replica (min_replicas)"
        blank = P.REPLICAS if comp.replicas is None and comp.min_replicas is None else None
        yield Hit(
            f"'{c}' {have}, and losing it takes {d.names(item['entry_points'])} down", component=c, practice=blank
        )


@rule("MLSD204", "unbounded-automated-action", "note", "[TD] §7 (action limits)")
def unbounded_automated_action(d: Design) -> Iterator[Hit]:
    """A model acts automatically with no human review in the loop.

    **What it checks.** Components with `automated_action: true` from which, or from whose callers
    (the service that calls the model and acts on its score, e.g. queues a grey band for
    analysts), no flow path leads to a client-stage component that sends something back (a human
    review queue whose verdicts flow on, e.g. appeals and labels). A `decisions` entry whose
    `reviewed_by` names such a queue counts too (`{action: review, threshold: 0.6, reviewed_by:
    analysts}`).

    **Why it matters.** Systems that block accounts, remove content or bid money on a model's
    say-so need limits and a way for people to catch and reverse its mistakes; without them one
    bad model version acts on everyone. Source: [TD] §7.

    **Example.**

    ```yaml
    components:
      classifier: {kind: inference_service, automated_action: true}   # removes posts
    ```

    **How to fix.** Route decisions (or a sample, or the low-confidence ones) to a
    `human_review` component whose verdicts flow back as labels; document rate limits in
    `notes`.
    """
    for c in d.ids:
        if not d.components[c].automated_action:
            continue
        reviewers = [r for dec in d.components[c].decisions if (r := dec.reviewed_by) in d.components]
        if any(d.stage[r] == "client" and any(True for _ in d.graph.succ(r, "stream", "batch")) for r in reviewers):
            continue  # a decision band goes to people whose verdicts flow on
        callers = [u for u, _ in d.graph.pred(c, "request")]
        reached = d.graph.reach([c, *callers], ("request", "stream", "batch", "telemetry", "deploy"))
        humans = [
            h
            for h in reached
            if h != c
            and h not in callers
            and d.stage[h] == "client"
            and any(True for _ in d.graph.succ(h, "stream", "batch"))
        ]
        if not humans:
            yield Hit(
                f"'{c}' acts automatically, but no human review sees its decisions or sends corrections back",
                component=c,
            )


@rule("MLSD208", "missing-feature-default", "warning", "[AX] ch. 1, [SRE] ch. 22")
def missing_feature_default(d: Design) -> Iterator[Hit]:
    """A model fails its prediction when one feature lookup fails.

    **What it checks.** Request flows from a model (a SERVE component) to a feature store or
    another features-stage component with `on_failure: fail` (the default) and no `timeout_ms`.

    **Why it matters.** Design reviews ask "what if a feature is missing?": an online feature
    lookup times out, a key is absent, the store is degraded. Models are trained to cope with
    missing values, so a prediction with default values is usually better than no answer; when
    the call neither times out nor falls back to defaults, one slow feature store takes every
    prediction down with it. Source: [AX] ch. 1 (serving: what happens when a feature is
    missing), Google SRE book ch. 22 (graceful degradation).

    **Example.**

    ```yaml
    flows:
      - {from: ranker, to: features, mode: request, data: user features}
    ```

    **How to fix.** `{from: ranker, to: features, mode: request, data: user features,
    timeout_ms: 10, on_failure: defaults}`; or say `on_failure: fail` with a `timeout_ms` and a
    fallback flow from the model when a prediction without the features is worse than none.
    """
    for index, flow in enumerate(d.flows):
        u, v = flow.source, flow.target
        if (
            flow.mode is Mode.REQUEST
            and d.is_(u, "SERVE")
            and not d.is_(u, "OFFLINE")
            and (d.has(v, T.FEATURE_STORE) or d.stage[v] == "features")
            and flow.failure_policy is OnFailure.FAIL
            and flow.timeout_ms is None
        ):
            yield Hit(
                f"'{u}' fails when its call to '{v}' fails (on_failure: fail, no timeout): one missing or slow "
                "feature fails the prediction; give the call a timeout_ms and on_failure: defaults",
                flow=index,
                practice=P.FEATURE_DEFAULTS if flow.on_failure is None else None,
            )


def _term(names: tuple[str, ...], unavailability: float) -> str:
    who = f"'{names[0]}'" if len(names) == 1 else f"'{names[0]}' and '{names[1]}' together"
    return f"{who} ({unavailability:.3g})"


@rule(
    "MLSD213",
    "availability-below-slo",
    "error",
    'Google SRE book ch. 3 ("Embracing Risk": error budgets) and ch. 4 ("Service Level Objectives")',
)
def availability_below_slo(d: Design) -> Iterator[Hit]:
    """An entry point's availability, from its parts' `availability`, is below the availability SLO.

    **What it checks.** For each entry point, an estimate from the components' `availability` (the
    share of time each answers) and the knock-outs of `mlsd simulate`: one minus the sum of the
    unavailabilities (1 - availability) of the components whose loss alone takes the entry point
    down (first order), and of the products for the pairs whose loss takes it down only together,
    such as a model and its fallback (second order). Compares it with
    `requirements.slo.availability` (a percent). Components without `availability` count as
    always up (the estimate is then optimistic); a design that declares no availability on
    anything an entry point relies on is not checked.

    **Why it matters.** Components in series multiply their availabilities: five dependencies at
    99.9% each cannot give 99.95%. The SLO is the budget the parts must share; a design whose
    parts already spend it on paper will spend it in production. A fallback turns a critical
    component's unavailability into a tiny second-order term. Source: [SRE] ch. 3 "Embracing
    Risk" (error budgets), ch. 4 "Service Level Objectives".

    **Example.**

    ```yaml
    requirements: {slo: {availability: 99.95}}
    components:
      service: {kind: online_service, availability: 0.999}
      ranker: {kind: ranking_service, availability: 0.9995}   # 1 - 0.001 - 0.0005 = 99.85%
    ```

    **How to fix.** Give the weakest critical components a fallback (or a skipped call), make them
    more available (replicas across zones, a managed service with a stronger SLA), take them off
    the request path (precompute, cache), or agree on a lower SLO.
    """
    slo = d.blueprint.requirements.slo
    if slo is None or slo.availability is None:
        return
    if all(comp.availability is None for comp in d.components.values()):
        return  # nothing declared: unknown, not a finding (and no knock-outs to run)
    target = slo.availability / 100
    for e, est in availability(d.blueprint, d.serving).items():
        if not est.declared or est.availability >= target - 1e-12:  # 1 - 0.001 - 0.0005 meets 99.85%
            continue
        terms = ", ".join(_term(t.components, t.unavailability) for t in est.dominant())
        unknown = (
            f"; {len(est.unknown)} part(s) it relies on declare no availability (counted as always up)"
            if est.unknown
            else ""
        )
        yield Hit(
            f"requests from '{e}' are answered about {100 * est.availability:.6g}% of the time, below the "
            f"{slo.availability:g}% availability SLO; the largest terms of its {est.unavailability:.3g} "
            f"unavailability: {terms}{unknown}",
            component=e,
        )
