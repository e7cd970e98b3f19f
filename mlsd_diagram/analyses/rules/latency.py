"""Failure and degradation rules (MLSD2xx), when a part is slow: the latency budget, timeouts, fan-out tails."""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...blueprint.models import Mode
from .. import practices as P
from ..design import Design
from ..findings import Hit
from ..serving import request_latency
from .registry import rule


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
        for how, figures in (("fails fast", item["fails_fast"]), ("hangs", item["hangs"])):
            for e, f in figures.items():
                p99 = f["p99_ms"]
                late = e in within and f["state"] != "down" and p99 is not None and p99 > slo
                if late and p99 is not None and (worst is None or p99 > worst[0]):
                    worst = (p99, e, how)
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
