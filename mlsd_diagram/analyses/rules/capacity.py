"""Failure and degradation rules (MLSD2xx), when a part is overloaded: capacity at peak, cascades,
redundancy, retries, stream lag.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from ...blueprint.models import Mode
from .. import practices as P
from ..design import Design
from ..findings import Hit
from ..retries import worst_case_load
from ..serving import OK as OK_STATE
from ..serving import OVERLOADED, SHEDDING, load_at
from ..streams import stream_load
from .registry import rule


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
    load = load_at(d.blueprint, 1.0, (), d.serving, slo=False)  # the SLO headroom is not read here
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
    worst = worst_case_load(model)  # the design doc's retry table reads the same figures
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
