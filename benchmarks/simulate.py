#!/usr/bin/env python3
"""The serving model's sweeps on synthetic blueprints of 100, 1,000 and 5,000 components.

Each synthetic blueprint repeats a 25-component ML system (benchmarks/lint.py's) whose request
path declares steps, timeouts, on_failure, capacities, load shedding and a peak QPS. For each
size it prints, timed in-process on a loaded blueprint (parsing excluded, best of 3):

- the full knock-out sweep: ``simulate()``, i.e. every request-path component knocked out in
  turn, the critical components, the latency by steps and the load at 1x;
- a load sweep: ``load_at()`` at 0.5x to 5x peak, with the headroom.

Each size runs twice: with constant service times (only ``latency_p99_ms``: exact values, no
grid) and with tails and queues (``latency_p50_ms`` and ``workers`` on the service, ranker and
feature store: distributions on a grid). Last, the whole process: ``mlsd simulate FILE --format
json`` at 1,000 components with tails, timed from the shell's point of view (start-up, parsing,
the sweep, the JSON). Target: under 3 s.

    python benchmarks/simulate.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
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
# Serving fields added to each request-path component (inserted before its closing braces). With
# TAILS, the model servers also declare a median and workers: their latency is a distribution on
# a grid (queue waits, fitted tails), the expensive case.
SERVING_FIELDS = {
    "gateway": "capacity_qps: 1000, load_shedding: true",
    "service": "capacity_qps: 500",
    "ranker": "capacity_qps: 600, load_shedding: true",
    "features": "capacity_qps: 2000",
    "cache": "capacity_qps: 3000",
    "popular": "capacity_qps: 1000",
    "ab": "capacity_qps: 2000",
}
TAIL_FIELDS = {
    "service": "latency_p50_ms: 4, workers: 16",
    "ranker": "latency_p50_ms: 18, workers: 8",
    "features": "latency_p50_ms: 3, workers: 32",
}


def _with_fields(comps: str, fields: dict[str, str]) -> str:
    for name, extra in fields.items():
        head = f"  {name}{{i}}: {{{{kind:"
        start = comps.index(head)
        end = comps.index("}}", start)
        comps = comps[:end] + f", {extra}" + comps[end:]
    return comps


def synthetic(components: int, tails: bool = False) -> str:
    """A blueprint text of ``components`` components (a multiple of 25) with serving fields."""
    comps, flows = _with_fields(MODULE_COMPONENTS, SERVING_FIELDS), MODULE_FLOWS
    if tails:
        comps = _with_fields(comps, TAIL_FIELDS)
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


def whole_process(size: int) -> float:
    """Seconds for ``mlsd simulate FILE --format json`` on a synthetic blueprint with tails (best of 3)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.yaml"
        path.write_text(synthetic(size, tails=True), encoding="utf-8")
        command = [sys.executable, "-m", "mlsd_diagram", "simulate", str(path), "--format", "json"]
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, timeout=300, check=False)
            best = min(best, time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(done.stderr.decode())
        return best


def main() -> None:
    print(
        f"{'components':>10} {'tails':>5} {'request path':>12} {'knock-out sweep s':>17} {'load sweep s':>12} "
        f"{'whole s':>8}  headroom (first to saturate); app p99 at 1x; entry points served at {FACTORS}"
    )
    for tails in (False, True):
        for size in (100, 1_000, 5_000):
            bp = loads(synthetic(size, tails), "synthetic.yaml")
            knock_s = best_of(lambda: simulate(bp))
            model = ServingModel(bp)
            load_s = best_of(lambda: [load_at(bp, factor, (), model) for factor in FACTORS])
            whole = best_of(lambda: sweep(bp))
            result, loads_at = sweep(bp)
            served = [sum(s == "served" for s in r["entry_points"].values()) for r in loads_at]
            p99 = result["latency"]["app0"]["p99_ms"]
            print(
                f"{size:>10} {'yes' if tails else 'no':>5} {len(model.request_path):>12} {knock_s:>17.3f} "
                f"{load_s:>12.3f} {whole:>8.3f}  {loads_at[0]['headroom']}x ({loads_at[0]['first_saturated']}); "
                f"{p99} ms; {served} of {len(result['entry_points'])}"
            )
    print("size ratio between rows: 10x, then 5x; linear growth shows the same ratios.")
    seconds = whole_process(1_000)
    print(
        f"whole process (mlsd simulate --format json, tails and queues) at 1,000 components: {seconds:.2f} s "
        f"({'under' if seconds < 3 else 'OVER'} the 3 s budget)"
    )


if __name__ == "__main__":
    main()
