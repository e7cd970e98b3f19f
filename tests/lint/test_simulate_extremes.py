"""Simulate on extreme but valid designs: a latency past what a float holds, a very deep call chain."""

from __future__ import annotations

import json
import sys

from mlsd_testing import run_mlsd

from mlsd_diagram.cli.simulate import MAX_INDENT


def _chain(n: int, skips: int = 1, slo: bool = False) -> str:
    """A client calling a chain of services; with ``skips`` > 1 each also calls 2..skips ahead, in sequence."""
    head = "requirements: {slo: {latency_p99_ms: 200}}\n" if slo else ""
    comps = "  c0: {kind: client_app, peak_qps: 10}\n" + "".join(
        f"  c{i}: {{kind: online_service, latency_p99_ms: 1}}\n" for i in range(1, n)
    )
    flows = "".join(
        f"  - {{from: c{i}, to: c{i + s}, mode: request}}\n" for s in range(1, skips + 1) for i in range(n - s)
    )
    return f"mlsd: 1\nname: Chain\n{head}components:\n{comps}flows:\n{flows}"


def _strict_json(text: str):
    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_a_latency_past_the_largest_float_is_still_json_and_over_budget(tmp_path):
    # Each service calls the next two in sequence: the p99 grows like the Fibonacci numbers, and
    # fib(1,600) ms is past 1.8e308, where a float becomes infinity (which JSON cannot hold).
    path = tmp_path / "fib.yaml"
    path.write_text(_chain(1600, skips=2, slo=True))
    result = run_mlsd("simulate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    latency = _strict_json(result.stdout)["latency"]["c0"]
    assert latency["p99_ms"] == sys.float_info.max
    text = run_mlsd("simulate", str(path))
    assert "c0: \u221e ms of 200 ms SLO  OVER BUDGET" in text.stdout, text.stdout[:2000]
    assert "inf" not in text.stdout.lower().replace("info", "")


def test_a_deep_call_chain_is_not_printed_as_a_wall_of_indentation(tmp_path):
    n = 600
    path = tmp_path / "deep.yaml"
    path.write_text(_chain(n))
    result = run_mlsd("simulate", str(path))
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "step 1: c" in line]
    assert len(rows) == n - 1  # one row per call below the entry: c1 (depth 1) ... c599 (depth 599)
    widest = max(len(line) - len(line.lstrip(" ")) for line in rows)
    assert widest == 2 * (MAX_INDENT + 1)
    stripped = [line.strip() for line in rows]
    assert stripped[MAX_INDENT - 1].startswith(f"step 1: c{MAX_INDENT} ")  # still shown by indentation
    assert stripped[MAX_INDENT].startswith(f"[depth {MAX_INDENT + 1}] step 1: c{MAX_INDENT + 1} ")
    assert stripped[-1].startswith(f"[depth {n - 1}] step 1: c{n - 1} ")
    assert len(result.stdout) < 200 * n  # linear in the depth, not quadratic


def test_a_call_cut_by_its_timeout_is_explained_not_a_crash(tmp_path):
    # The ranker's p99 (100 ms) is over the service's 80 ms timeout: the call counts as failed and
    # the fallback answers. Text simulate used to exit 3 (KeyError: 'on_failure') on the reason.
    path = tmp_path / "cut.yaml"
    path.write_text(
        "mlsd: 1\nname: Cut\nrequirements: {scale: {peak_qps: 100}}\ncomponents:\n"
        "  app: {kind: client_app}\n  svc: {kind: online_service, latency_p99_ms: 10}\n"
        "  ranker: {kind: ranking_service, latency_p99_ms: 100}\n"
        "  popular: {kind: fallback_ranker, latency_p99_ms: 3}\nflows:\n"
        "  - {from: app, to: svc, mode: request}\n"
        "  - {from: svc, to: ranker, mode: request, timeout_ms: 80}\n"
        "  - {from: ranker, to: popular, mode: fallback}\n"
    )
    result = run_mlsd("simulate", str(path))
    assert result.returncode == 0, result.stderr
    assert "svc's call to ranker timed out; fallback popular answered for ranker" in result.stdout


def test_the_knock_out_budget_counts_calls_as_well_as_components(monkeypatch):
    # app -> s1; s1 calls s2, s3, s4; s2 calls s3, s4; s3 calls s4 (a dense DAG in small). Knocking out
    # s1 re-evaluates s1 (3 calls) and app (1 call): 2 components + 4 calls = 6; s2 then re-evaluates
    # s2, s1, app: 3 + (2 + 3 + 1) = 9, 15 in all; s3: 4 + 7 = 11. With a budget of 6, s1 and s2 get
    # their latency (each starts within the budget) and s3 and s4 their states only. Counting
    # components alone (2, then 5) would have let s3 through too: a DAG of 25,000 calls took 16 s.
    from mlsd_diagram import loads
    from mlsd_diagram.analyses.serving import queries, simulate

    flows = "".join(
        f"  - {{from: {a}, to: {b}, mode: request}}\n"
        for a, b in [("app", "s1"), ("s1", "s2"), ("s1", "s3"), ("s1", "s4"), ("s2", "s3"), ("s2", "s4"), ("s3", "s4")]
    )
    comps = "  app: {kind: client_app, peak_qps: 10}\n" + "".join(
        f"  s{i}: {{kind: online_service, latency_p99_ms: 1}}\n" for i in range(1, 5)
    )
    bp = loads(f"mlsd: 1\nname: Dense\ncomponents:\n{comps}flows:\n{flows}")
    monkeypatch.setattr(queries, "KNOCK_OUT_BUDGET", 6)
    result = simulate(bp)
    timed = {k["components"][0]: k["latency"] is not None for k in result["knock_outs"]}
    assert timed == {"s1": True, "s2": True, "s3": False, "s4": False}
    assert all(k["entry_points"] == {"app": "down"} for k in result["knock_outs"])  # states either way
