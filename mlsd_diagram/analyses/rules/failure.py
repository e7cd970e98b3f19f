"""Failure and degradation rules (MLSD2xx): what happens when a part is down or slow."""

from __future__ import annotations

from collections.abc import Iterator

from ...blueprint.models import Mode, OnFailure
from .. import traits as T
from ..design import Design
from ..findings import Hit
from ..serving import load_at, request_latency, single_points_of_failure
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
        have = "declares no replicas" if d.components[c].replicas is None else f"has {item['replicas']} replica"
        yield Hit(f"'{c}' {have}, and losing it takes {d.names(item['entry_points'])} down", component=c)


@rule("MLSD203", "latency-budget-exceeded", "error", "[AX] ch. 1, [TS] Monitor 6")
def latency_budget_exceeded(d: Design) -> Iterator[Hit]:
    """An entry point's request latency, step by step, is over the latency SLO.

    **What it checks.** For each entry point, its p99 latency at 1x peak as `mlsd simulate`
    computes it: the distribution of a component's own service time (constant at
    `latency_p99_ms`, or a tail fitted through `latency_p50_ms` and the p99), its queue wait
    when it declares `workers`, then each of its call steps in turn, a step waiting for the
    slowest of its calls; a call is cut at its `timeout_ms`, and a cut call costs the timeout
    plus the fallback that answers it. Calls without a `step` run one after another. The p99 of
    the result must fit `requirements.slo.latency_p99_ms`. An entry point that fails 1% of its
    requests or more at 1x is left to the load rules (MLSD206, MLSD207).

    **Why it matters.** A design whose components cannot meet the latency budget even on paper
    will not meet it in production; the budget decides how many stages and which models fit.
    Retrieval, ranking and re-ranking run one after another, so their latencies add up; only
    calls that are really independent (fan-out to candidate sources) overlap. Without a declared
    median, service times are taken as constant at their p99 (the sum of p99s, a margin);
    with `latency_p50_ms` the tails are added as distributions (the p99 of a sum is less than
    the sum of p99s), and a fan-out waits for its slowest call. Source: [AX] ch. 1 (latency
    requirements of the serving path), [TS] Monitor 6.

    **Example.**

    ```yaml
    requirements: {slo: {latency_p99_ms: 300}}
    components:
      retrieval: {kind: candidate_generation, latency_p99_ms: 150}
      ranker: {kind: ranking_service, latency_p99_ms: 200}
    flows:
      - {from: service, to: retrieval, mode: request, data: candidates, step: 1}
      - {from: service, to: ranker, mode: request, data: scores, step: 2}   # 350 ms in all
    ```

    **How to fix.** Run independent calls in the same `step`, cut stages from the sequence, put a
    `timeout_ms` (with `on_failure: skip` or a fallback) on optional calls, cache, use a lighter
    model, or precompute (batch predictions); or renegotiate the SLO.
    """
    for entry, info in request_latency(d.blueprint, d.serving).items():
        if info["slo_ms"] is not None and info["p99_ms"] is not None and info["p99_ms"] > info["slo_ms"]:
            slowest = [r["component"] for r in info["steps"][1:]]
            yield Hit(
                f"requests from '{entry}' take {info['p99_ms']} ms p99 over their call steps "
                f"({', '.join(slowest)}), over the {info['slo_ms']} ms SLO; `mlsd simulate` shows the steps",
                component=entry,
            )


@rule("MLSD204", "unbounded-automated-action", "note", "[TD] §7 (action limits)")
def unbounded_automated_action(d: Design) -> Iterator[Hit]:
    """A model acts automatically with no human review in the loop.

    **What it checks.** Components with `automated_action: true` from which no flow path leads to
    a client-stage component that sends something back (a human review queue whose verdicts flow
    on, e.g. appeals and labels).

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
        reached = d.reach([c], ("request", "stream", "batch", "telemetry", "deploy"))
        humans = [
            h for h in reached if h != c and d.stage[h] == "client" and any(True for _ in d.succ(h, "stream", "batch"))
        ]
        if not humans:
            yield Hit(
                f"'{c}' acts automatically, but no human review sees its decisions or sends corrections back",
                component=c,
            )


@rule("MLSD205", "latency-unknown", "note", "[AX] ch. 1")
def latency_unknown(d: Design) -> Iterator[Hit]:
    """A request-path component declares no latency although the design has a latency SLO.

    **What it checks.** With `requirements.slo.latency_p99_ms` set, components reached from an
    entry point over request flows without `latency_p99_ms`.

    **Why it matters.** The latency budget (MLSD203, `mlsd simulate`) counts them as 0 ms, so the
    check passes on missing data. Source: [AX] ch. 1.

    **Example.**

    ```yaml
    requirements: {slo: {latency_p99_ms: 200}}
    components:
      ranker: {kind: ranking_service}   # how slow is it?
    ```

    **How to fix.** Add `latency_p99_ms` (a measured or budgeted p99) to each request-path component.
    """
    slo = d.blueprint.requirements.slo
    if slo is None or slo.latency_p99_ms is None:
        return
    for c in d.request_path:
        if d.components[c].latency_p99_ms is None:
            yield Hit(
                f"'{c}' is on the request path but declares no latency_p99_ms; the latency budget counts it as 0 ms",
                component=c,
            )


def _peak_declared(d: Design) -> bool:
    return any(d.serving.entry_peak(e) for e in d.serving.entries)


@rule("MLSD206", "capacity-exceeded", "error", "[SRE] ch. 21-22")
def capacity_exceeded(d: Design) -> Iterator[Hit]:
    """At the declared peak, a request-path component gets more requests than it can serve.

    **What it checks.** The load of `mlsd simulate` at 1x peak: each entry point receives its
    peak QPS (`peak_qps` on it, else `requirements.scale.peak_qps`), passed down request flows
    times `per_request`; a component whose load exceeds `replicas` x `capacity_qps` is saturated,
    and some entry point is not fully served.

    **Why it matters.** A server over capacity either rejects the excess (load shedding) or
    queues it until latency grows without bound and its callers time out or hang; either way
    requests fail at the peak the design was sized for. Source: Google SRE book, ch. 21
    "Handling Overload" and ch. 22 "Addressing Cascading Failures" (plan capacity for the peak;
    a server at its limit must not also be the bottleneck of every request).

    **Example.**

    ```yaml
    requirements: {scale: {peak_qps: 50000}}
    components:
      ranker: {kind: ranking_service, replicas: 4, capacity_qps: 10000}   # 40,000 qps at most
    ```

    **How to fix.** Add replicas or capacity, cut the calls per request (`per_request`, a cache
    in front), or lower the peak the design must take; `mlsd simulate --load L` shows the
    headroom and the first component to saturate.
    """
    if not _peak_declared(d):
        return
    load = load_at(d.blueprint, 1.0, (), d.serving)
    hurt = [e for e, s in load["entry_points"].items() if s != "served"]
    for c in d.ids:
        info = load["components"].get(c)
        if info and info["state"] in ("shedding", "overloaded"):
            yield Hit(
                f"at peak '{c}' receives {info['qps']:g} qps, over its capacity of {info['capacity_qps']:g} "
                f"qps ({d.replicas(c)} x {d.components[c].capacity_qps:g}); {d.names(hurt)} not fully served "
                f"(headroom {load['headroom']}x)",
                component=c,
            )


@rule("MLSD207", "overload-cascade", "warning", "[SRE] ch. 22")
def overload_cascade(d: Design) -> Iterator[Hit]:
    """A request-path component that does not shed load is called without a timeout.

    **What it checks.** Request flows from an entry point or a request-path component to a
    component without `load_shedding: true`, with no `timeout_ms`.

    **Why it matters.** An overloaded server that queues instead of rejecting gets slower and
    slower; a caller with no deadline waits with it, holds its own threads and connections, and
    becomes overloaded in turn: the overload climbs the call graph until the entry point is
    down (a cascading failure). A timeout turns the wait into a failed call that `on_failure` or
    a fallback can answer; load shedding turns the excess into fast errors. Source: Google SRE
    book, ch. 22 "Addressing Cascading Failures" (deadlines, load shedding), ch. 21 "Handling
    Overload".

    **Example.**

    ```yaml
    flows:
      - {from: feed_service, to: ranker, mode: request, data: scores}   # waits forever
    ```

    **How to fix.** Give the call a `timeout_ms` (with `on_failure` or a fallback for when it
    fires), or declare `load_shedding: true` on the callee when it rejects excess load.
    """
    callers = set(d.entry_points) | set(d.request_path)
    for index, flow in enumerate(d.flows):
        if (
            flow.mode is Mode.REQUEST
            and flow.source in callers
            and flow.timeout_ms is None
            and not d.components[flow.target].load_shedding
        ):
            yield Hit(
                f"'{flow.source}' calls '{flow.target}' without a timeout, and '{flow.target}' does not shed "
                f"load: when '{flow.target}' is overloaded, '{flow.source}' hangs with it and the overload "
                "spreads to its callers",
                flow=index,
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
            )


@rule("MLSD209", "capacity-unknown", "note", "[SRE] ch. 21")
def capacity_unknown(d: Design) -> Iterator[Hit]:
    """The design has a peak QPS, but a request-path component declares no capacity.

    **What it checks.** With a peak QPS (`requirements.scale.peak_qps`, or `peak_qps` on an entry
    point), request-path components without `capacity_qps`.

    **Why it matters.** The load simulation (MLSD206, `mlsd simulate --load`) treats them as never
    saturating, so the headroom it reports is an upper bound that may not hold. Source: Google
    SRE book ch. 21 "Handling Overload" (know each service's capacity in requests per second).

    **Example.**

    ```yaml
    requirements: {scale: {peak_qps: 20000}}
    components:
      ranker: {kind: ranking_service, replicas: 8}   # how many qps per replica?
    ```

    **How to fix.** Add `capacity_qps` (a load-tested or budgeted per-replica figure) to each
    request-path component.
    """
    if not _peak_declared(d):
        return
    for c in d.request_path:
        if d.components[c].capacity_qps is None:
            yield Hit(
                f"'{c}' is on the request path but declares no capacity_qps; the load simulation takes it as "
                "never saturating",
                component=c,
            )
