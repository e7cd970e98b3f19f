#!/usr/bin/env python3
"""The serving model's sweeps on synthetic blueprints of 100, 1,000 and 5,000 components.

Each synthetic blueprint repeats a 25-component ML system (benchmarks/lint.py's) whose request
path declares steps, timeouts, on_failure, capacities, load shedding and a peak QPS. For each
size it prints, timed in-process on a loaded blueprint (parsing excluded, best of 3):

- the full knock-out sweep: ``simulate()``, i.e. every request-path component knocked out in
  turn, the critical components, the latency by steps and the load at 1x;
- a load sweep: ``load_at()`` at 0.5x to 5x peak, with the headroom.

The whole sweep at 1,000 components must stay under 1 s.

    python benchmarks/simulate.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint import MODULE_COMPONENTS, MODULE_FLOWS, PER_MODULE  # noqa: E402

from mlsd_diagram import loads  # noqa: E402
from mlsd_diagram.analyses.serving import ServingModel, load_at, simulate  # noqa: E402

FACTORS = (0.5, 1, 1.5, 2, 3, 5)
# The request path of the lint benchmark's module, with the serving fields a real design declares.
SERVING_FLOWS = {
    "{{from: app{i}, to: gateway{i}, mode: request, data: request}}": "{{from: app{i}, to: gateway{i}, mode: request, data: request, timeout_ms: 300}}",
    "{{from: gateway{i}, to: service{i}, mode: request, data: request}}": "{{from: gateway{i}, to: service{i}, mode: request, data: request, timeout_ms: 250}}",
    "{{from: service{i}, to: ab{i}, mode: request, data: arm}}": "{{from: service{i}, to: ab{i}, mode: request, data: arm, step: 1, timeout_ms: 10, on_failure: defaults}}",
    "{{from: service{i}, to: cache{i}, mode: request, data: last answer}}": "{{from: service{i}, to: cache{i}, mode: request, data: last answer, step: 1, timeout_ms: 10, "
    "on_failure: skip}}",
    "{{from: service{i}, to: ranker{i}, mode: request, data: candidates}}": "{{from: service{i}, to: ranker{i}, mode: request, data: candidates, step: 2, timeout_ms: 80, "
    "per_request: 2}}",
    "{{from: ranker{i}, to: features{i}, mode: request, data: features}}": "{{from: ranker{i}, to: features{i}, mode: request, data: features, timeout_ms: 15, "
    "on_failure: defaults}}",
}
SERVING_COMPONENTS = {
    "gateway{i}: {{kind: api_gateway, replicas: 3, latency_p99_ms: 5}}": "gateway{i}: {{kind: api_gateway, replicas: 3, latency_p99_ms: 5, capacity_qps: 1000, load_shedding: true}}",
    "service{i}: {{kind: online_service, replicas: 4, latency_p99_ms: 10}}": "service{i}: {{kind: online_service, replicas: 4, latency_p99_ms: 10, capacity_qps: 500}}",
    "ranker{i}: {{kind: ranking_service, replicas: 4, latency_p99_ms: 40, model: ranker-v{i}}}": "ranker{i}: {{kind: ranking_service, replicas: 4, latency_p99_ms: 40, model: ranker-v{i}, "
    "capacity_qps: 600, load_shedding: true}}",
    "features{i}: {{kind: feature_store, replicas: 3, latency_p99_ms: 8}}": "features{i}: {{kind: feature_store, replicas: 3, latency_p99_ms: 8, capacity_qps: 2000}}",
    "cache{i}: {{kind: cache, replicas: 3, latency_p99_ms: 2}}": "cache{i}: {{kind: cache, replicas: 3, latency_p99_ms: 2, capacity_qps: 3000}}",
    "popular{i}: {{kind: fallback_ranker, replicas: 2, latency_p99_ms: 3}}": "popular{i}: {{kind: fallback_ranker, replicas: 2, latency_p99_ms: 3, capacity_qps: 1000}}",
    "ab{i}: {{kind: experimentation, replicas: 2, latency_p99_ms: 1}}": "ab{i}: {{kind: experimentation, replicas: 2, latency_p99_ms: 1, capacity_qps: 2000}}",
}


def synthetic(components: int) -> str:
    """A blueprint text of ``components`` components (a multiple of 25) with serving fields."""
    comps, flows = MODULE_COMPONENTS, MODULE_FLOWS
    for old, new in SERVING_COMPONENTS.items():
        assert old in comps, old
        comps = comps.replace(old, new)
    for old, new in SERVING_FLOWS.items():
        assert old in flows, old
        flows = flows.replace(old, new)
    modules = range(components // PER_MODULE)
    return (
        "mlsd: 1\nname: synthetic\nrequirements: {scale: {peak_qps: 1000}, slo: {latency_p99_ms: 200}}\n"
        "components:\n"
        + "".join(comps.format(i=i) for i in modules)
        + "flows:\n"
        + "".join(flows.format(i=i) for i in modules)
    )


def sweep(bp) -> tuple[dict, list[dict]]:
    """The full knock-out sweep (``simulate``) and the load sweep, on one blueprint."""
    model = ServingModel(bp)
    result = simulate(bp)
    loads_at = [load_at(bp, factor, (), model) for factor in FACTORS]
    return result, loads_at


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(
        f"{'components':>10} {'request path':>12} {'knock-out sweep s':>17} {'load sweep s':>12} "
        f"{'whole s':>8} {'ratio':>6}  headroom (first to saturate); entry points served at {FACTORS}"
    )
    previous = None
    at_1000 = None
    for size in (100, 1_000, 5_000):
        bp = loads(synthetic(size), "synthetic.yaml")
        knock_s = best_of(lambda: simulate(bp))
        model = ServingModel(bp)
        load_s = best_of(lambda: [load_at(bp, factor, (), model) for factor in FACTORS])
        whole = best_of(lambda: sweep(bp))
        result, loads_at = sweep(bp)
        served = [sum(s == "served" for s in r["entry_points"].values()) for r in loads_at]
        ratio = "" if previous is None else f"{whole / previous:.1f}x"
        print(
            f"{size:>10} {len(model.request_path):>12} {knock_s:>17.3f} {load_s:>12.3f} {whole:>8.3f} {ratio:>6}  "
            f"{loads_at[0]['headroom']}x ({loads_at[0]['first_saturated']}); {served} of "
            f"{len(result['entry_points'])}"
        )
        previous = whole
        if size == 1_000:
            at_1000 = whole
    print("size ratio between rows: 10x, then 5x; linear growth shows the same ratios.")
    print(
        f"whole sweep (knock-outs, critical, latency, load at {len(FACTORS)} factors) at 1,000 components: "
        f"{at_1000:.3f} s ({'under' if at_1000 < 1 else 'OVER'} the 1 s budget)"
    )


if __name__ == "__main__":
    main()
