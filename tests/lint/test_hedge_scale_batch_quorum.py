"""Hedged calls, autoscaling, batching servers and step quorums (issues 25 and 26), each figure by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlsd_testing import run_mlsd

from mlsd_diagram import loads
from mlsd_diagram.analyses.availability import availability
from mlsd_diagram.analyses.serving import ServingModel, knock_out, load_at, simulate

HEAD = "mlsd: 1\nname: t\nrequirements: {scale: {peak_qps: 1000}}\ncomponents:\n"


def hedged(delay: float | None, hit: float = 0.9, store_ms: float = 100) -> str:
    """app -> cache (own 1 ms, ``hit`` answered at once) -> store (``store_ms``) on a miss."""
    hedge = "" if delay is None else f", hedge_after_ms: {delay}"
    return (
        HEAD + f"  app: {{kind: client_app}}\n  cache: {{kind: cache, latency_p99_ms: 1, hit_ratio: {hit}}}\n"
        f"  store: {{kind: database, latency_p99_ms: {store_ms}}}\nflows:\n"
        f"  - {{from: app, to: cache, mode: request{hedge}}}\n  - {{from: cache, to: store, mode: request}}\n"
    )


def test_a_hedged_call_takes_the_first_of_two_copies_and_sends_the_slow_share_twice():
    """The cache answers 1 ms (90%) or 1 + 100 = 101 ms (10%). Hedged after 10 ms, T = min(X1, 10 + X2):
    X1 = 1: 1 ms (0.9); X1 = 101 and X2 = 1: 11 ms (0.1 x 0.9 = 0.09); both 101: min(101, 111) = 101 ms
    (0.01). So p50 1, p99 11 (0.9 + 0.09 = 0.99 reach 11 ms), p99.9 101; unhedged the p99 is 101.
    Load: the share slower than 10 ms (0.1) is sent twice: the cache gets 1,000 x 1.1 = 1,100 qps and
    the store its misses, 1,100 x 0.1 = 110 qps."""
    plain = load_at(loads(hedged(None)), 1.0)
    assert plain["latency"]["app"]["p99_ms"] == 101
    result = load_at(loads(hedged(10)), 1.0)
    assert result["latency"]["app"]["p50_ms"] == 1
    assert result["latency"]["app"]["p99_ms"] == 11
    assert result["latency"]["app"]["p999_ms"] == 101
    assert result["components"]["cache"]["qps"] == 1100
    assert result["components"]["store"]["qps"] == 110


def test_a_hedge_later_than_every_slow_answer_never_fires_and_costs_nothing():
    """Hedged after 200 ms, no answer (at most 101 ms) is that late: nothing is sent twice, p99 101."""
    result = load_at(loads(hedged(200)), 1.0)
    assert result["latency"]["app"]["p99_ms"] == 101
    assert result["components"]["cache"]["qps"] == 1000


@settings(max_examples=40, deadline=None)
@given(
    hit=st.floats(0.05, 0.95),
    store_ms=st.integers(2, 400),
    delay=st.integers(1, 500),
)
def test_hedging_never_raises_the_p99(hit: float, store_ms: int, delay: int) -> None:
    """min(X1, d + X2) <= X1 for every draw: the hedged p99 is never above the unhedged one."""
    before = load_at(loads(hedged(None, round(hit, 3), store_ms)), 1.0)["latency"]["app"]["p99_ms"]
    after = load_at(loads(hedged(delay, round(hit, 3), store_ms)), 1.0)["latency"]["app"]["p99_ms"]
    assert after <= before


def scaled(min_r: int, max_r: int, peak: int = 500) -> str:
    """app -> ranker: 100 qps per replica, autoscaled between ``min_r`` and ``max_r`` replicas."""
    return (
        f"mlsd: 1\nname: t\nrequirements: {{scale: {{peak_qps: {peak}}}}}\ncomponents:\n"
        "  app: {kind: client_app}\n"
        f"  ranker: {{kind: model_server, latency_p99_ms: 10, capacity_qps: 100, min_replicas: {min_r}, "
        f"max_replicas: {max_r}, scale_up_s: 90}}\nflows:\n  - {{from: app, to: ranker, mode: request}}\n"
    )


def test_autoscaling_sustained_load_meets_max_replicas_a_surge_meets_min_replicas():
    """500 qps at peak, 100 qps per replica, 2..8 replicas. Sustained: 8 x 100 = 800, headroom
    800 / 500 = 1.6, 5 replicas needed (500 / 100). A surge faster than the 90 s scale-up meets
    2 x 100 = 200: surge headroom 200 / 500 = 0.4, and at 1x the ranker is over capacity (500 > 200)."""
    result = load_at(loads(scaled(2, 8)), 1.0)
    assert result["headroom"] == 1.6
    assert result["components"]["ranker"]["capacity_qps"] == 800
    assert result["components"]["ranker"]["state"] == "ok"
    auto = result["autoscaling"]
    assert auto["components"]["ranker"] == {
        "min_replicas": 2,
        "max_replicas": 8,
        "scale_up_s": 90,
        "replicas_needed": 5,
    }
    assert auto["surge_headroom"] == 0.4
    assert auto["surge_first_saturated"] == "ranker"
    assert auto["surge"]["components"]["ranker"]["capacity_qps"] == 200
    assert auto["surge"]["components"]["ranker"]["state"] == "overloaded"
    assert auto["surge"]["entry_points"] == {"app": "down"}


def test_autoscaling_in_the_text_report_and_the_floor_counts_for_single_points_of_failure(tmp_path: Path):
    """min_replicas 1: the autoscaler may leave one replica, so the ranker is a single point of failure."""
    path = tmp_path / "s.yaml"
    path.write_text(scaled(1, 8))
    text = run_mlsd("simulate", str(path))
    assert text.returncode == 0, text.stderr
    assert "Headroom: 1.6x peak (first to saturate: ranker)" in text.stdout
    assert "autoscaled: ranker 1..8 replicas, scale-up 90 s: 5 needed at this load" in text.stdout
    assert "Surge headroom (a surge faster than scale-up meets min_replicas): 0.2x peak" in text.stdout
    data = json.loads(run_mlsd("simulate", "--format", "json", str(path)).stdout)
    assert data["single_points_of_failure"] == ["ranker"]
    assert data["load"]["autoscaling"]["surge_headroom"] == 0.2


@settings(max_examples=30, deadline=None)
@given(low=st.integers(1, 20), extra=st.integers(0, 20), peak=st.integers(1, 5000))
def test_max_replicas_never_lowers_the_sustained_headroom(low: int, extra: int, peak: int) -> None:
    fixed = ServingModel(loads(scaled(low, low, peak))).headroom()[0]
    grown = ServingModel(loads(scaled(low, low + extra, peak))).headroom()[0]
    assert grown >= fixed


def batching(size: int | None, peak: int = 300) -> str:
    batch = "" if size is None else f", max_batch_size: {size}, batch_timeout_ms: 8"
    return (
        f"mlsd: 1\nname: t\nrequirements: {{scale: {{peak_qps: {peak}}}}}\ncomponents:\n"
        "  app: {kind: client_app}\n"
        f"  model: {{kind: model_server, latency_p99_ms: 20, capacity_qps: 50, replicas: 2{batch}}}\n"
        "flows:\n  - {from: app, to: model, mode: request}\n"
    )


def test_a_batching_server_waits_for_its_batch_and_serves_a_full_batch_in_one_service_time():
    """capacity_qps 50 per single-request batch; a batch of 4 costs one service time, so a replica takes
    50 x 4 = 200 qps and 2 replicas 400: headroom 400 / 300 = 1.333 (unbatched 100 / 300 = 0.333, and
    300 > 100 overloads it). Latency: 8 ms waiting for the batch + 20 ms = 28 ms."""
    plain = load_at(loads(batching(None)), 1.0)
    assert plain["headroom"] == 0.333
    assert plain["components"]["model"]["state"] == "overloaded"
    result = load_at(loads(batching(4)), 1.0)
    assert result["components"]["model"]["capacity_qps"] == 400
    assert result["components"]["model"]["state"] == "ok"
    assert result["headroom"] == 1.333
    assert result["latency"]["app"]["p99_ms"] == 28


def candidates(at_least: int | None, sources: int = 2) -> str:
    """api asks ``sources`` candidate sources in parallel (step 1, skipped on failure), then ranks (step 2)."""
    quorum = "" if at_least is None else f", at_least: {at_least}"
    shares = [0.99, 0.98, 0.97]
    comps = "".join(
        f"  src{i}: {{kind: candidate_source, latency_p99_ms: {10 * (i + 1)}, availability: {shares[i]}}}\n"
        for i in range(sources)
    )
    flows = "".join(
        f"  - {{from: api, to: src{i}, mode: request, step: 1, on_failure: skip{quorum}}}\n" for i in range(sources)
    )
    return (
        HEAD
        + "  app: {kind: client_app}\n  api: {kind: api_gateway, latency_p99_ms: 5}\n"
        + comps
        + "  rank: {kind: model_server, latency_p99_ms: 20}\nflows:\n  - {from: app, to: api, mode: request}\n"
        + flows
        + "  - {from: api, to: rank, mode: request, step: 2}\n"
    )


def test_at_least_one_candidate_source_must_answer():
    """Without a quorum, losing both sources leaves the api 'degraded' (both skipped). With at_least: 1 it
    is down; with one left it is degraded. Latency with src0 out: 5 + 20 (src1) + 20 = 45 ms, degraded."""
    assert knock_out(loads(candidates(None)), {"src0", "src1"}) == {"app": "degraded"}
    bp = loads(candidates(1))
    assert knock_out(bp, {"src0", "src1"}) == {"app": "down"}
    assert knock_out(bp, {"src0"}) == {"app": "degraded"}
    result = simulate(bp, [{"src0"}])
    figures = result["knock_outs"][0]["latency"]["app"]
    assert figures["p99_ms"] == 45
    assert figures["shares"] == {"served": 0, "degraded": 1, "failed": 0}
    both = simulate(bp, [{"src0", "src1"}])["knock_outs"][0]
    assert both["entry_points"] == {"app": "down"}
    assert both["latency"]["app"]["shares"]["failed"] == 1


def test_at_least_two_of_three_and_the_availability_pairs_it_makes():
    """at_least: 2 of 3: one source out is degraded, any two down. No source is critical alone, so the
    availability is 1 - the pairs: (0.01 x 0.02) + (0.01 x 0.03) + (0.02 x 0.03) = 0.0002 + 0.0003 +
    0.0006 = 0.0011, availability 0.9989. Without the quorum nothing takes the app down: 1."""
    bp = loads(candidates(2, 3))
    assert knock_out(bp, {"src2"}) == {"app": "degraded"}
    assert knock_out(bp, {"src0", "src2"}) == {"app": "down"}
    assert simulate(bp)["critical"] == ["api", "rank"]  # no source alone
    estimate = availability(bp)["app"]
    assert estimate.first_order == ()
    assert [t.components for t in estimate.second_order] == [("src0", "src1"), ("src0", "src2"), ("src1", "src2")]
    assert estimate.availability == pytest.approx(0.9989, abs=1e-12)
    assert availability(loads(candidates(None, 3)))["app"].availability == 1


def test_at_least_all_makes_every_source_critical():
    """at_least: 2 of 2: each source's loss alone takes the app down (first order 0.01 + 0.02)."""
    bp = loads(candidates(2))
    assert simulate(bp)["critical"] == ["api", "src0", "src1", "rank"]
    assert availability(bp)["app"].availability == pytest.approx(1 - 0.03, abs=1e-12)


BAD = [
    ("min_replicas: 4, max_replicas: 3", "'min_replicas' (4) is over 'max_replicas' (3)"),
    ("min_replicas: 2", "'min_replicas' needs 'max_replicas' beside it"),
    ("scale_up_s: 30", "'scale_up_s' applies to autoscaled components"),
    ("replicas: 9, min_replicas: 1, max_replicas: 3", "'replicas' (9) is outside the autoscaler's range 1..3"),
    ("max_batch_size: 8", "'max_batch_size' needs 'batch_timeout_ms' beside it"),
    ("batch_timeout_ms: 0", "batch_timeout_ms"),
    ("max_batch_size: 0, batch_timeout_ms: 5", "max_batch_size"),
]


@pytest.mark.parametrize(("fields", "message"), BAD)
def test_nonsense_scaling_fields_are_located_errors(tmp_path: Path, fields: str, message: str):
    path = tmp_path / "bad.yaml"
    path.write_text(
        HEAD + f"  app: {{kind: client_app}}\n  m: {{kind: model_server, {fields}}}\nflows:\n"
        "  - {from: app, to: m, mode: request}\n"
    )
    done = run_mlsd("simulate", str(path))
    assert done.returncode == 2
    assert f"{path}:6:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


FLOW_BAD = [
    ("hedge_after_ms: 0", "hedge_after_ms"),
    ("hedge_after_ms: 50, timeout_ms: 50", "'hedge_after_ms' (50) is not under 'timeout_ms' (50)"),
    ("at_least: 1", "'at_least' applies to a step's calls"),
    ("step: 1, at_least: 2", "'at_least: 2', but step 1 of 'app' makes 1 call"),
]


@pytest.mark.parametrize(("fields", "message"), FLOW_BAD)
def test_nonsense_hedges_and_quorums_are_located_errors(tmp_path: Path, fields: str, message: str):
    path = tmp_path / "bad.yaml"
    path.write_text(
        HEAD + "  app: {kind: client_app}\n  m: {kind: model_server}\nflows:\n"
        f"  - {{from: app, to: m, mode: request, {fields}}}\n"
    )
    done = run_mlsd("lint", str(path))
    assert done.returncode == 2
    assert f"{path}:8:" in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr


SCALING = Path(__file__).parent / "data" / "scaling.yaml"


def test_estimate_counts_the_batch_the_autoscaler_and_the_hedge():
    """tests/lint/data/scaling.yaml at 500 qps: the ranker needs ceil(500 / (50 x 4 x 0.6)) = ceil(4.17)
    = 5 replicas: 1 over its max_replicas 4, and a surge meets 1 (4 under the target). The hedged cache
    takes 500 x 1.1 = 550 qps (10% of calls are slower than the 10 ms delay)."""
    done = run_mlsd("estimate", "--format", "json", str(SCALING))
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["figures"]
    ranker = next(f for f in figures if f["section"] == "replicas" and f["component"] == "ranker")
    assert ranker["value"] == 5
    assert ranker["worked"] == "ceil(500 / (50 x 4 x 0.6))"
    assert (
        ranker["note"]
        == "autoscaled 1..4: 1 over max_replicas; a surge faster than scale-up meets 1 (4 under the target)"
    )
    cache = next(f for f in figures if f["section"] == "qps" and f["component"] == "cache")
    assert cache["value"] == 550
    assert cache["worked"] == "500 (api) x 1 x 1.1 (hedged)"


def test_the_quorum_in_the_simulate_json_and_the_single_point_of_failure_floor():
    """Both candidate sources out: the app is down (the quorum); the ranker may run on its one
    min_replicas replica, so lint names the floor."""
    done = run_mlsd("simulate", "--format", "json", "--knock-out", "popular,cache", str(SCALING))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["knock_outs"][0]["entry_points"] == {"app": "down"}
    assert data["load"]["autoscaling"]["surge_headroom"] == 0.4
    lint = run_mlsd("lint", str(SCALING))
    assert "'ranker' may scale down to 1 replica (min_replicas), and losing it takes 'app' down" in lint.stdout


def test_a_hedged_exponential_on_the_grid():
    """p50 10 ms, p99 100 ms fits a pure exponential (the shift 10 - theta ln 2 would be negative):
    theta = 100 / ln 100 = 21.715 ms. Hedged after d = 30 ms, for t >= d: P(T > t) = e^(-t / theta) x
    e^(-(t - d) / theta), so the p99 solves 2t - d = theta ln 100 = 100: t = (100 + 30) / 2 = 65 ms.
    The share not answered by 30 ms is e^(-30 / 21.715) = 0.2512, so the model takes 1,000 x 1.2512
    = 1,251.2 qps. Within the grid's 0.5 ms."""
    text = (
        HEAD + "  app: {kind: client_app}\n  model: {kind: model_server, latency_p50_ms: 10, latency_p99_ms: 100}\n"
        "flows:\n  - {from: app, to: model, mode: request, hedge_after_ms: 30}\n"
    )
    result = load_at(loads(text), 1.0)
    assert result["latency"]["app"]["p99_ms"] == pytest.approx(65, abs=0.5)
    assert result["components"]["model"]["qps"] == pytest.approx(1251.2, abs=0.5)
