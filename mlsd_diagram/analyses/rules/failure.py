"""Failure and degradation rules (MLSD2xx): what happens when a part is down or slow."""

from __future__ import annotations

from typing import Iterator

from ..design import Design
from ..findings import Hit
from ..simulate import _model, request_latency, single_points_of_failure
from .registry import rule


@rule("MLSD201", "no-fallback", "error", "[SRE] ch. 22, [RoML] #1")
def no_fallback(d: Design) -> Iterator[Hit]:
    """A model on the request path has no fallback: when it fails, requests fail.

    **What it checks.** Knocks out each SERVE component on the request path, alone, and asks
    whether every entry point that reaches it is still served or degraded: through a `fallback`
    flow from it (or from a caller) to a live component, or through a DEGRADE component
    (cache, fallback ranker, predictions store) that a caller also reads (see "Simulate").

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
    `popular: {kind: fallback_ranker}` and `{from: ranker, to: popular, mode: fallback}`.
    """
    model = _model(d.blueprint)
    for c in d.online_models:
        down = model.down_entries({c})
        if down:
            yield Hit(f"when '{c}' fails, requests from {d.names(down)} fail: no fallback flow, cache or fallback "
                      "ranker can answer instead", component=c)


@rule("MLSD202", "single-point-of-failure", "warning", "[SRE] ch. 22")
def single_point_of_failure(d: Design) -> Iterator[Hit]:
    """A request-path component with fewer than two replicas takes an entry point down when lost.

    **What it checks.** Each request-path component whose knock-out alone leaves an entry point
    `down` (no fallback, no cache to answer from) and whose `replicas` is below 2 (or not given).
    This is `mlsd simulate`'s list of single points of failure.

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
    for item in single_points_of_failure(d.blueprint):
        c = item["component"]
        have = "declares no replicas" if d.components[c].replicas is None else f"has {item['replicas']} replica"
        yield Hit(f"'{c}' {have}, and losing it takes {d.names(item['entry_points'])} down", component=c)


@rule("MLSD203", "latency-budget-exceeded", "error", "[AX] ch. 1, [TS] Monitor 6")
def latency_budget_exceeded(d: Design) -> Iterator[Hit]:
    """The slowest request path sums to more than the latency SLO.

    **What it checks.** For each entry point, the slowest path over request flows, summing each
    component's `latency_p99_ms`, against `requirements.slo.latency_p99_ms`.

    **Why it matters.** A design whose components cannot meet the latency budget even on paper
    will not meet it in production; the budget decides how many stages and which models fit.
    Summing p99s is pessimistic on purpose. Source: [AX] ch. 1, [TS] Monitor 6.

    **Example.**

    ```yaml
    requirements: {slo: {latency_p99_ms: 100}}
    components:
      retrieval: {kind: candidate_generation, latency_p99_ms: 40}
      ranker: {kind: ranking_service, latency_p99_ms: 80}
    ```

    **How to fix.** Cut stages from the slowest path, call independent stages in parallel, cache,
    use a lighter model, or precompute (batch predictions); or renegotiate the SLO.
    """
    for entry, info in request_latency(d.blueprint).items():
        if info["slo_ms"] is not None and info["p99_ms"] > info["slo_ms"]:
            yield Hit(f"slowest request path {' -> '.join(info['path'])} sums to {info['p99_ms']} ms p99, over the "
                      f"{info['slo_ms']} ms SLO", component=entry)


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
        humans = [h for h in reached if h != c and d.stage[h] == "client"
                  and any(True for _ in d.succ(h, "stream", "batch"))]
        if not humans:
            yield Hit(f"'{c}' acts automatically, but no human review sees its decisions or sends corrections back",
                      component=c)


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
            yield Hit(f"'{c}' is on the request path but declares no latency_p99_ms; the latency budget counts it "
                      "as 0 ms", component=c)
