#!/usr/bin/env python3
"""Whole-process times of `mlsd validate`, `lint` and `simulate` on hostile-but-valid shapes at the size limits.

The shapes that once took minutes (issues 18 and 23): many misspelled flow targets (the did-you-mean
search), a huge ``lint.accept`` list, a long request chain, a request DAG with many flows, each
as large as the limits allow (mlsd_diagram/blueprint/limits.py), one component with 550,000 unknown
fields (8 MB), hostile ``lint --baseline`` files (200,000-deep nesting, a 5,000-digit number, 522 MB,
a FIFO), and ``mlsd report`` of the 10,000-component chain (target 10 s: it draws the diagram too). The ``over-`` shapes are the
sizes first reported (142k acceptances, 168k flows): they are beyond the limits now, so they end in
a located error (exit 2), which must come as fast. Each run is the real CLI in a subprocess of its
own (start-up included), under a memory cap and a timeout; the target is under 5 s each. Rendering is left out: Graphviz is bounded by
MLSD_DOT_MEMORY and MLSD_DOT_TIMEOUT instead.

    python benchmarks/hostile.py            # every shape
    python benchmarks/hostile.py chain dag  # some of them
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlsd_diagram.blueprint.limits import LIMITS  # noqa: E402

TARGET_SECONDS = 5.0
TARGETS = {"report": 10.0}  # the report draws the 10,000-component diagram with Graphviz as well
# Timed for information, without a target: the design doc of a design this size runs to megabytes.
UNTARGETED = {"doc"}
MEMORY = 4 * 2**30
TIMEOUT = 300


def misspellings(n: int = 2000) -> str:
    """``n`` components, and ``n`` flows whose target is misspelled (one letter swapped): n errors, each hinted."""
    comps = "".join(f"  service_{i:05d}: {{kind: online_service}}\n" for i in range(n))
    flows = "".join(f"  - {{from: service_{i:05d}, to: servcie_{(i + 1) % n:05d}, mode: stream}}\n" for i in range(n))
    return f"mlsd: 1\nname: Misspelled\ncomponents:\n{comps}flows:\n{flows}"


def accepts(n: int = LIMITS.accepts) -> str:
    """A small design that accepts ``n`` findings (short rows, so that they fit in the 8 MiB file limit)."""
    rows = "".join(f"    - {{rule: MLSD{102 + i % 5}, component: c{i % 3}, reason: r}}\n" for i in range(n))
    return (
        "mlsd: 1\nname: Accepting\ncomponents:\n  c0: {kind: client_app}\n  c1: {kind: online_service}\n"
        "  c2: {kind: feature_store}\nflows:\n  - {from: c0, to: c1, mode: request}\n"
        f"  - {{from: c1, to: c2, mode: request}}\nlint:\n  accept:\n{rows}"
    )


def chain(n: int = LIMITS.components) -> str:
    """A client calling a chain of ``n - 1`` services, one request flow after another."""
    comps = "  c0: {kind: client_app, peak_qps: 100}\n" + "".join(
        f"  c{i}: {{kind: online_service, latency_p99_ms: 1}}\n" for i in range(1, n)
    )
    flows = "".join(f"  - {{from: c{i}, to: c{i + 1}, mode: request}}\n" for i in range(n - 1))
    return f"mlsd: 1\nname: Chain\ncomponents:\n{comps}flows:\n{flows}"


def everything(components: int = LIMITS.components, flows: int = LIMITS.flows) -> str:
    """Every count at its limit at once: the request chain of ``components``, topped up to ``flows``
    request flows by calls that skip ahead (c_i also calls c_i+2, then c_i+3, ...). Called in sequence,
    the skips make the latency grow like the Fibonacci numbers, past what a float holds."""
    comps = "  c0: {kind: client_app, peak_qps: 100}\n" + "".join(
        f"  c{i}: {{kind: online_service, latency_p99_ms: 1}}\n" for i in range(1, components)
    )
    rows, skip = [], 1
    while len(rows) < flows:
        rows += [f"  - {{from: c{i}, to: c{i + skip}, mode: request}}\n" for i in range(components - skip)]
        skip += 1
    return f"mlsd: 1\nname: Everything\ncomponents:\n{comps}flows:\n{''.join(rows[:flows])}"


def _dag_size(flows: int) -> int:
    """The most components whose full DAG has at most ``flows`` flows."""
    n = 2
    while (n + 1) * n // 2 <= flows:
        n += 1
    return n


def dag(n: int = _dag_size(LIMITS.flows)) -> str:
    """A request DAG of ``n`` components where each calls every later one: n(n-1)/2 flows (168k for 580)."""
    comps = "  c0: {kind: client_app, peak_qps: 100}\n" + "".join(
        f"  c{i}: {{kind: online_service}}\n" for i in range(1, n)
    )
    flows = "".join(f"  - {{from: c{i}, to: c{j}, mode: request}}\n" for i in range(n) for j in range(i + 1, n))
    return f"mlsd: 1\nname: DAG\ncomponents:\n{comps}flows:\n{flows}"


def unknown_fields(n: int = 550_000) -> str:
    """One component with ``n`` unknown fields: 8 MB of one-line errors (each once built its own hint index)."""
    fields = "".join(f"    f{i}: 1\n" for i in range(n))
    return f"mlsd: 1\nname: Fields\ncomponents:\n  c:\n    kind: online_service\n{fields}"


def _baseline(kind: str, folder: Path) -> Path:
    """A hostile ``lint --baseline`` file: deep nesting, a long number, a huge (sparse) file or a FIFO."""
    path = folder / f"baseline-{kind}.json"
    if kind == "deep":
        path.write_text('{"findings": [' + "[" * 200_000)
    elif kind == "digits":
        path.write_text('{"findings": [], "n": ' + "7" * 5_000 + "}")
    elif kind == "huge":
        with open(path, "wb") as handle:
            handle.truncate(522 * 10**6)
    else:
        os.mkfifo(path)
    return path


BASELINES = ("deep", "digits", "huge", "fifo")

SHAPES = {
    "misspellings": (misspellings, ["validate", "lint", "simulate"]),
    "accepts": (accepts, ["validate", "lint", "simulate"]),
    "chain": (chain, ["validate", "lint", "simulate"]),
    "dag": (dag, ["validate", "lint", "simulate"]),
    "everything": (everything, ["validate", "lint", "simulate", "doc"]),
    "over-accepts": (lambda: accepts(142_000), ["validate", "lint"]),
    "over-dag": (lambda: dag(580), ["validate", "lint"]),
    "unknown-fields": (unknown_fields, ["validate", "lint"]),
    "baseline": (lambda: accepts(10), [f"lint --baseline {kind}" for kind in BASELINES]),
    "report": (chain, ["report"]),
}


def _caps() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    os.setpgrp()  # its own group: a timeout ends it and only it


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: str, path: Path, extra: tuple[str, ...] = ()) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and exit code of one whole `mlsd COMMAND FILE` process.

    The CPU time is the steadier figure on a shared machine: other processes stretch the wall time,
    not the work done."""
    cpu = _cpu_of_children()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mlsd_diagram", command, str(path), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_caps,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
        code = -9
    return time.perf_counter() - start, _cpu_of_children() - cpu, code


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in SHAPES]
    if unknown:
        print(
            f"hostile.py: unknown shape {unknown[0]!r}; expected some of: {', '.join(SHAPES)} (none: every one)",
            file=sys.stderr,
        )
        return 2
    slow = 0
    with tempfile.TemporaryDirectory(prefix="mlsd-hostile-") as tmp:
        for name in names or list(SHAPES):
            make, commands = SHAPES[name]
            path = Path(tmp) / f"{name}.yaml"
            text = make()
            path.write_text(text)
            for command in commands:
                extra: tuple[str, ...] = ()
                if command == "doc":
                    extra = ("--no-render", "-o", str(path.with_suffix(".md")))
                elif command == "report":
                    extra = ("-o", str(path.with_suffix(".html")))
                elif command.startswith("lint --baseline"):
                    extra = ("--baseline", str(_baseline(command.split()[-1], Path(tmp))))
                took, cpu, code = run(command.split()[0], path, extra)
                target = TARGETS.get(command, TARGET_SECONDS)
                over = command not in UNTARGETED and took >= target
                mark = f"  SLOW (target {target:g} s)" if over else ""
                if command in UNTARGETED:
                    mark = "  (no target)"
                slow += over
                print(
                    f"{name:<14} {len(text) / 2**20:5.1f} MiB  {command:<24} {took:6.2f} s wall "
                    f"{cpu:6.2f} s CPU  exit {code}{mark}",
                    flush=True,
                )
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
