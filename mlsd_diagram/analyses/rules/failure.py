"""Failure and degradation rules (MLSD2xx): what happens when a part is down or slow."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...blueprint.models import Mode, OnFailure
from .. import practices as P
from .. import traits as T
from ..availability import availability
from ..design import Design
from ..findings import Hit
from ..serving import OK as OK_STATE
from ..serving import OVERLOADED, SHEDDING, load_at, request_latency, single_points_of_failure
from ..streams import stream_load
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
        if info["state"] == "down":
            continue  # it fails at 1x: the load rules say why
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
        if any(d.stage[r] == "client" and any(True for _ in d.succ(r, "stream", "batch")) for r in reviewers):
            continue  # a decision band goes to people whose verdicts flow on
        callers = [u for u, _ in d.pred(c, "request")]
        reached = d.reach([c, *callers], ("request", "stream", "batch", "telemetry", "deploy"))
        humans = [
            h
            for h in reached
            if h != c
            and h not in callers
            and d.stage[h] == "client"
            and any(True for _ in d.succ(h, "stream", "batch"))
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
                practice=P.LATENCY,
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
                f"qps ({d.replicas(c)} x {d.serving.capacity_per_replica(c) or 0:g}); {d.names(hurt)} not fully served "
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
                practice=P.TIMEOUT,
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
                practice=P.CAPACITY,
            )


@rule("MLSD210", "degraded-latency-over-slo", "warning", "[SRE] ch. 22, [TaS]")
def degraded_latency_over_slo(d: Design) -> Iterator[Hit]:
    """When a request-path model or feature store fails, the answer that replaces it is slower than the SLO.

    **What it checks.** For each model and feature store on the request path, the latency of
    every entry point at 1x peak (as `mlsd simulate` computes it) in two failures: knocked out
    (each call to it fails at once) and hung (each call waits its full `timeout_ms` before the
    fallback or `on_failure` answers; without a timeout the caller hangs). Warns when an entry
    point still answers but its p99 is over `requirements.slo.latency_p99_ms`, and when an entry
    point that survives the part failing fast goes down when it hangs (nested timeouts that leave
    no time for the fallback). Without an SLO only the second is checked.

    **Why it matters.** A fallback is only graceful if it answers in time: a ranker that hangs
    until an 80 ms timeout, then a popularity fallback, can blow a 100 ms budget on every request
    the moment the ranker slows down, which is exactly when the fallback is needed. Timeouts must
    leave room for what runs after them. Source: [SRE] ch. 22 "Addressing Cascading Failures"
    (deadlines and degraded modes), Dean and Barroso, "The Tail at Scale" (CACM 2013).

    **Example.**

    ```yaml
    requirements: {slo: {latency_p99_ms: 90}}
    flows:
      - {from: service, to: ranker, mode: request, timeout_ms: 80}   # 10 + 80 + 3 = 93 ms hung
      - {from: ranker, to: popular, mode: fallback}
    ```

    **How to fix.** Shorten the timeout to what the budget leaves (SLO minus the rest of the
    path minus the fallback), make the fallback faster (precomputed, cached), or hedge the call.
    """
    slo = d.serving.slo_ms if d.serving.slo_ms is not None else math.inf
    intact = d.serving.figures(d.serving.evaluation(1.0))
    if any(f["state"] == "down" for f in intact.values()):
        return  # failing already at 1x: the load rules say why
    # an entry point already over its SLO intact is MLSD203's; here only what failure adds
    within = {e for e, f in intact.items() if f["p99_ms"] is None or f["p99_ms"] <= slo}
    for item in d.serving.failure_latencies(d.failure_latency_parts):
        worst: tuple[float, str, str] | None = None
        for how, key in (("fails fast", "fails_fast"), ("hangs", "hangs")):
            for e, f in item[key].items():
                late = e in within and f["state"] != "down" and f["p99_ms"] is not None and f["p99_ms"] > slo
                if late and (worst is None or f["p99_ms"] > worst[0]):
                    worst = (f["p99_ms"], e, how)
        fast_down = {e for e, f in item["fails_fast"].items() if f["state"] == "down"}
        hung_down = [e for e, f in item["hangs"].items() if f["state"] == "down" and e not in fast_down]
        if hung_down:
            yield Hit(
                f"when '{item['component']}' hangs, requests from {d.names(hung_down)} fail, though they are "
                "answered when it fails fast: the timeouts in front of it leave no time for what answers for it "
                "(an inner timeout plus its fallback is longer than an outer timeout, or a caller has none)",
                component=item["component"],
                practice=P.TIMEOUT,  # with no timeout declared anywhere, a hang is unknown, not a finding
            )
            continue
        if worst is not None:
            p99, e, how = worst
            yield Hit(
                f"when '{item['component']}' {how}, requests from '{e}' are answered in {p99:g} ms p99, over the "
                f"{slo:g} ms SLO: the timeout and the answer that replaces it do not fit the budget",
                component=item["component"],
            )


@rule("MLSD211", "timeout-cuts-calls", "warning", "[TaS], [SRE] ch. 22")
def timeout_cuts_calls(d: Design) -> Iterator[Hit]:
    """A call's timeout is shorter than the callee's normal latency: it cuts more than 1% of the calls.

    **What it checks.** In the design with nothing failed, at 1x peak, the share of each request
    call that its `timeout_ms` cuts (the callee, with its queue and its own calls, answers later
    than the timeout). Warns over 1%.

    **Why it matters.** A timeout is a guard against a sick callee; one set below the callee's
    p99 fails healthy calls every second, so the degraded answer (or an error) becomes part of the
    normal service, and retries on cut calls add load exactly when the callee is slow. Source:
    Dean and Barroso, "The Tail at Scale" (CACM 2013); [SRE] ch. 22 (deadlines).

    **Example.**

    ```yaml
    components:
      ranker: {kind: ranking_service, latency_p50_ms: 30, latency_p99_ms: 60}
    flows:
      - {from: service, to: ranker, mode: request, timeout_ms: 40}   # cuts about 14% of calls
    ```

    **How to fix.** Set the timeout above the callee's p99 (with its queueing at peak), or make
    the callee faster; when the cut is wanted (a hedge), say so with a fallback or `on_failure`.
    """
    ev = d.serving.evaluation(1.0)
    for index, share in sorted(ev.cut_share.items()):
        if share > 0.01 and d.flows[index].source in d.serving.relevant_set:
            flow = d.flows[index]
            yield Hit(
                f"the {flow.timeout_ms:g} ms timeout on '{flow.source}' -> '{flow.target}' cuts {100 * share:.3g}% "
                "of the calls with nothing failed: set it above the callee's p99",
                flow=index,
            )


@rule("MLSD212", "fan-out-tail-unknown", "note", "[TaS]")
def fan_out_tail_unknown(d: Design) -> Iterator[Hit]:
    """A fan-out waits for the slowest of several calls to a callee whose latency tail is unknown.

    **What it checks.** Request flows with `per_request` of 2 or more (shards, parallel
    candidates) to a callee that declares `latency_p99_ms` but no `latency_p50_ms`: its service
    time is taken as constant at the p99, so the fan-out costs nothing extra, while in reality
    the caller waits for the slowest of N calls.

    **Why it matters.** With N parallel calls, `1 - 0.99^N` of requests wait on at least one
    call slower than its p99 (10 shards: 9.6%); the p99 of the fan-out is near each shard's
    p99.9. Declaring the median lets the model fit the tail. Source: Dean and Barroso, "The Tail
    at Scale" (CACM 2013).

    **Example.**

    ```yaml
    components:
      shard: {kind: ann_index, latency_p99_ms: 20}              # no p50
    flows:
      - {from: search, to: shard, mode: request, per_request: 10}
    ```

    **How to fix.** Declare `latency_p50_ms` on the callee (from a load test or production), or
    hedge the fan-out.
    """
    for index, flow in enumerate(d.flows):
        if flow.mode is not Mode.REQUEST or flow.source not in d.serving.relevant_set:
            continue
        k = flow.per_request or 1
        callee = d.components[flow.target]
        if k >= 2 and callee.latency_p99_ms is not None and callee.latency_p50_ms is None:
            share = 1 - 0.99 ** int(k)
            yield Hit(
                f"'{flow.source}' waits for the slowest of {k:g} calls to '{flow.target}', whose tail is unknown "
                f"(no latency_p50_ms): {100 * share:.3g}% of requests wait on a call slower than its p99",
                flow=index,
            )


SATURATED = (SHEDDING, OVERLOADED)


@rule("MLSD215", "capacity-without-redundancy", "warning", "[SRE] ch. 2, ch. 22")
def capacity_without_redundancy(d: Design) -> Iterator[Hit]:
    """At peak, losing one replica (or one zone) of a request-path component puts it over capacity.

    **What it checks.** The load of `mlsd simulate --lose replica` at 1x peak: one replica taken
    from every request-path component that runs two or more (`replicas` x `capacity_qps`, or
    the `workers` bound, less one replica's share); and, where `zones` is declared, `--lose
    zone`: one zone's share of its replicas. Warns on each component that is within capacity
    with all its replicas and over it without one.

    **Why it matters.** Replicas are lost every day: a rolling update, a machine, a zone. A
    service sized exactly for its peak (4 x 300 qps for 1,000 qps) has no spare: at peak, an
    update leaves 900 qps for 1,000 and a zone outage 600. Google plans capacity as N+1 or
    N+2: enough to serve the peak with one (or two) units down. Source: [SRE] ch. 2
    ("N+2"), ch. 22 (capacity planning against cascading failures).

    **Example.**

    ```yaml
    requirements: {scale: {peak_qps: 1000}}
    components:
      ranker: {kind: ranking_service, replicas: 4, capacity_qps: 300}   # 900 qps with one down
    ```

    **How to fix.** Add a replica (N+1: replicas = ceil(peak / capacity) + 1), or one zone's
    share across zones, or shed the excess to a fallback at the degraded capacity.
    """
    model = d.serving
    if not any(model.entry_peak(e) for e in model.entries):
        return
    intact = model.load(1.0)["components"]
    found: dict[str, str] = {}
    for what in ("replica", "zone"):
        lost = model.lost_replicas(what)
        lost = {c: n for c, n in lost.items() if model.replicas[c] >= 2}
        if not lost:
            continue
        after = model.load(1.0, lost=lost)["components"]
        for c in model.request_path:
            if c in lost and c not in found and intact[c]["state"] == OK_STATE and after[c]["state"] in SATURATED:
                have = model.total_capacity(c, lost)
                found[c] = (
                    f"at peak '{c}' receives {after[c]['qps']:g} qps; losing one {what} "
                    f"({lost[c]} of {model.replicas[c]} replicas) leaves {have or 0:g} qps of capacity: "
                    f"it is sized with no spare (N+1 needs "
                    f"{math.ceil(after[c]['qps'] / (model.capacity_per_replica(c) or 1)) + lost[c]} replicas)"
                )
    for c in d.ids:
        if c in found:
            yield Hit(found[c], component=c)


@rule("MLSD216", "retry-amplification", "warning", "[SRE] ch. 21-22")
def retry_amplification(d: Design) -> Iterator[Hit]:
    """Retries can multiply the load on a component past its capacity, or multiply across layers unbudgeted.

    **What it checks.** Request flows with `retries`. At 1x peak, the worst case (every attempt
    failing: each call makes `retries + 1` attempts, at most `1 + retry_budget` of the caller's
    calls) is carried down the request path; warns at a component whose worst-case attempts
    exceed its capacity. Warns too at a retrying call below another retrying call when neither
    caller declares a `retry_budget`: retries multiply across layers (3 retries at 3 layers: up to
    64 attempts at the bottom).

    **Why it matters.** Retries help with rare, independent failures and hurt under overload:
    a component that sheds or slows down sees its callers retry, which adds load exactly when it
    has none to spare, and can keep it overloaded after the spike that caused it has passed (a
    metastable failure: `mlsd simulate --load 1,1.5,1` shows it). Source: [SRE] ch. 21
    "Handling Overload" (per-request and per-client retry budgets), ch. 22 (retry amplification);
    Bronson et al., "Metastable Failures in Distributed Systems" (HotOS 2021).

    **Example.**

    ```yaml
    flows:
      - {from: app, to: api, mode: request, retries: 3}
      - {from: api, to: service, mode: request, retries: 3}
      - {from: service, to: db, mode: request, retries: 3}   # up to 64 attempts per request
    ```

    **How to fix.** Retry at one layer only (usually the one closest to the client), declare a
    `retry_budget` (0.1) on callers, and let the component shed load instead of queueing.
    """
    model = d.serving
    if not model.retrying:
        return
    worst = dict.fromkeys(model.relevant, 0.0)
    for e in model.entries:
        worst[e] += model.entry_peak(e) or 0.0
    for c in model.top_down:
        miss = model.miss_share(c)
        for call in model.calls[c]:
            worst[call.callee] += worst[c] * miss * call.per_request * model.attempts_per_call(call, 1.0)
    for c in model.request_path:
        cap = model.total_capacity(c)
        retried_into = any(
            call.retries for caller in model.relevant for call in model.calls[caller] if call.callee == c
        )
        if cap is not None and retried_into and worst[c] > cap * (1 + 1e-9):
            yield Hit(
                f"at peak, with every attempt failing, retries send '{c}' up to {worst[c]:g} qps, over its capacity "
                f"of {cap:g} qps: once it is overloaded, retries keep it there",
                component=c,
            )
    for index, flow in enumerate(d.flows):
        if flow.mode is not Mode.REQUEST or not flow.retries or flow.source not in model.relevant_set:
            continue
        above = [
            call
            for caller in model.relevant
            for call in model.calls[caller]
            if call.callee == flow.source and call.retries
        ]
        if (
            above
            and model.retry_budget[flow.source] is None
            and all(model.retry_budget[call.caller] is None for call in above)
        ):
            yield Hit(
                f"'{flow.source}' retries '{flow.target}' ({flow.retries}x) and is itself retried by "
                f"{d.names(sorted({call.caller for call in above}))}, with no retry_budget: attempts multiply "
                "across layers",
                flow=index,
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


@rule(
    "MLSD214",
    "stream-lag-unbounded",
    "warning",
    'Kleppmann, Designing Data-Intensive Applications, ch. 11 ("Stream Processing": consumer lag)',
)
def stream_lag_unbounded(d: Design) -> Iterator[Hit]:
    """A stream consumer is offered more events per second than it can process: its lag grows forever.

    **What it checks.** The events per second on each stream flow: its `events_per_s`, else the
    producer's load at 1x peak (as `mlsd simulate` computes it) x `per_request` (default one event
    per request). A consumer's events are the sum over its stream flows; its `capacity_qps` x
    `replicas` is the events per second it processes. Warns when the events exceed it, with the
    growth of the backlog per hour.

    **Why it matters.** A consumer that falls behind never catches up: the backlog grows by the
    excess every second, features and counters it computes get older by the hour, and the log
    retention eventually drops events it never read. Source: Kleppmann, *Designing Data-Intensive
    Applications*, ch. 11 "Stream Processing" (consumer offsets, lag, and a consumer that cannot
    keep up).

    **Example.**

    ```yaml
    components:
      counters: {kind: stream_processor, capacity_qps: 10}
    flows:
      - {from: event_log, to: counters, mode: stream, events_per_s: 1000}   # 3,564,000 events/hour behind
    ```

    **How to fix.** Add consumers (replicas, partitions), raise the per-replica capacity (batch
    the writes), sample or aggregate upstream, or correct `events_per_s` when the rate is smaller.
    """
    for c, info in stream_load(d.blueprint, d.serving).items():
        lag = info["lag_per_hour"]
        if lag is None or lag <= 0:
            continue
        yield Hit(
            f"'{c}' is offered {info['events_per_s']:,.6g} events/s by its stream flows, over the "
            f"{info['capacity']:,.6g} events/s it processes (replicas x capacity_qps): its lag grows by "
            f"{lag:,.0f} events per hour without bound",
            component=c,
        )
