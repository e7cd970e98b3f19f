"""The serving model's latency distributions, each figure checked against a hand computation.

Every expected value here is computed in the test from a closed form (queueing theory, order
statistics, the Erlang distribution), independently of ``analyses/distribution.py``; the
model must agree to 0.5 ms or 1% (the accuracy docs/simulate.md gives for these designs).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlsd_testing import run_mlsd

from mlsd_diagram import loads
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.serving import ServingModel, load_at, simulate

LN2, LN50, LN100 = math.log(2), math.log(50), math.log(100)


def close(got: float | None, want: float) -> bool:
    return got is not None and abs(got - want) <= max(0.5, 0.01 * want)


def solve(cdf, level: float, high: float = 1e6) -> float:
    """The t with cdf(t) = level, by bisection (cdf increasing)."""
    low = 0.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if cdf(mid) < level else (low, mid)
    return (low + high) / 2


def exp_fields(theta: float) -> str:
    """``latency_p50_ms`` and ``latency_p99_ms`` of a pure exponential of mean ``theta`` (shift 0)."""
    return f"latency_p50_ms: {theta * LN2!r}, latency_p99_ms: {theta * LN100!r}"


def blueprint(components: str, flows: str, peak: float | None = None, slo: float | None = None):
    req = []
    if peak is not None:
        req.append(f"scale: {{peak_qps: {peak}}}")
    if slo is not None:
        req.append(f"slo: {{latency_p99_ms: {slo}}}")
    return loads(
        f"mlsd: 1\nname: hand\nrequirements: {{{', '.join(req)}}}\ncomponents:\n"
        f"  app: {{kind: client_app}}\n{components}flows:\n{flows}"
    )


def erlang_c(n: int, a: float) -> float:
    """Erlang C from its textbook sum (not the recursion the model uses)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


# -- queueing: M/M/1 and M/M/10 ----------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 10])
@pytest.mark.parametrize("rho", [0.5, 0.9, 0.95])
def test_mmn_p99_matches_queueing_theory(workers, rho):
    theta = 10.0  # mean service time, ms (pure exponential: p50 6.93 ms, p99 46.05 ms)
    mu = 1 / theta
    lam = rho * workers * mu  # per ms
    bp = blueprint(
        f"  model: {{kind: model_server, {exp_fields(theta)}, workers: {workers}}}\n",
        "  - {from: app, to: model, mode: request}\n",
        peak=lam * 1000,
    )
    got = simulate(bp)["latency"]["app"]
    if workers == 1:  # M/M/1: the response time is exponential with rate mu - lambda
        want = LN100 / (mu - lam)
        want999 = math.log(1000) / (mu - lam)
    else:  # wait (0 w.p. 1 - C, else Exp(n mu - lambda)) plus service Exp(mu)
        c = erlang_c(workers, lam / mu)
        a, b = workers * mu - lam, mu

        def cdf(t: float) -> float:
            if abs(a - b) < 1e-9 * b:  # equal rates: the sum is Erlang-2
                both = 1 - math.exp(-b * t) * (1 + b * t)
            else:
                both = 1 - (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a)
            return (1 - c) * (1 - math.exp(-b * t)) + c * both

        want, want999 = solve(cdf, 0.99), solve(cdf, 0.999)
    assert close(got["p99_ms"], want), (got["p99_ms"], want)
    assert close(got["p999_ms"], want999), (got["p999_ms"], want999)
    if workers == 10 and rho == 0.9:
        assert 61 < got["p99_ms"] < 63  # the figure: 62 ms, where the idle p99 is 46 ms
    if workers == 1 and rho == 0.9:
        assert 455 < got["p99_ms"] < 466  # 460 ms (within 1%)


def test_without_workers_latency_does_not_move_with_load_and_says_so():
    bp = blueprint(
        f"  model: {{kind: model_server, {exp_fields(10.0)}, capacity_qps: 100}}\n",
        "  - {from: app, to: model, mode: request}\n",
        peak=90,
    )
    low, high = simulate(bp, load=0.1)["latency"]["app"], simulate(bp, load=1.0)["latency"]["app"]
    assert low["p99_ms"] == high["p99_ms"]
    assert close(high["p99_ms"], 10 * LN100)
    assert high["assumed"]["no_queueing"] == ["model"]


# -- fan-outs and sums ---------------------------------------------------------------------------


def test_slowest_of_ten_exponential_shards():
    theta = 5.0
    bp = blueprint(
        f"  shard: {{kind: ann_index, {exp_fields(theta)}}}\n",
        "  - {from: app, to: shard, mode: request, per_request: 10}\n",
    )
    got = simulate(bp)["latency"]["app"]["p99_ms"]
    want = -theta * math.log(1 - 0.99 ** (1 / 10))  # max of 10: F(t)^10 = 0.99
    assert close(got, want), (got, want)
    assert got > theta * LN100 * 1.4  # a shard's p99.9-ish, well over its p99 (23 ms)


def test_five_exponential_stages_add_as_distributions_not_p99s():
    theta = 20 / LN100  # each stage: p99 20 ms
    comps = "".join(f"  s{i}: {{kind: online_service, {exp_fields(theta)}}}\n" for i in range(5))
    flows = "".join(f"  - {{from: app, to: s{i}, mode: request, step: {i + 1}}}\n" for i in range(5))
    bp = blueprint(comps, flows, slo=90)
    got = simulate(bp)["latency"]["app"]["p99_ms"]

    def erlang5(t: float) -> float:
        x = t / theta
        return 1 - math.exp(-x) * sum(x**k / math.factorial(k) for k in range(5))

    want = solve(erlang5, 0.99)
    assert close(got, want), (got, want)
    assert 50 < got < 80  # not the 100 ms sum of p99s
    findings = [f.rule for f in lint(bp)]
    assert "MLSD203" not in findings  # 90 ms SLO: a false MLSD203 with sums of p99s


# -- caches and timeouts -------------------------------------------------------------------------


def _cache_design(timeout: float = 10.0, hit: float = 0.9) -> str:
    return blueprint(
        f"  svc: {{kind: online_service, latency_p99_ms: 2}}\n"
        f"  cache: {{kind: cache, latency_p99_ms: 1, hit_ratio: {hit}}}\n"
        f"  store: {{kind: feature_store, latency_p50_ms: 3, latency_p99_ms: 16}}\n",
        f"  - {{from: app, to: svc, mode: request}}\n"
        f"  - {{from: svc, to: cache, mode: request, timeout_ms: {timeout}, on_failure: skip}}\n"
        f"  - {{from: cache, to: store, mode: request}}\n",
        peak=1000,
    )


def _store_tail(t: float) -> float:
    """P(store > t) for the shifted exponential through p50 3 and p99 16."""
    theta = (16 - 3) / LN50
    shift = 3 - theta * LN2
    return 1.0 if t < shift else math.exp(-(t - shift) / theta)


def test_a_90_percent_hit_cache_is_a_mixture_and_a_timeout_cuts_only_its_slow_misses():
    bp = _cache_design()
    model = ServingModel(bp)
    ev = model.evaluation(1.0)
    cut = ev.cut_share[1]  # the svc -> cache flow
    want_cut = 0.1 * _store_tail(10 - 1)  # a miss: 1 ms of cache, then the store over 9 ms
    assert abs(cut - want_cut) < 0.0005, (cut, want_cut)
    assert 0.005 < cut < 0.01  # under 1% of the calls, not every call
    result = simulate(bp)
    app = result["latency"]["app"]
    assert app["state"] == "served"
    assert abs(app["shares"]["degraded"] - want_cut) < 0.0005
    # p99 of the call: P(call > t) = 0.1 * P(store > t - 1) for t < 10: the 1% level is a miss
    want_p99 = 2 + 1 + solve(lambda t: 1 - _store_tail(t), 1 - 0.01 / 0.1)
    assert close(app["p99_ms"], want_p99), (app["p99_ms"], want_p99)
    assert load_at(bp, 1.0)["components"]["store"]["qps"] == pytest.approx(100)  # only misses reach it
    assert "MLSD211" not in {f.rule for f in lint(bp)}


def test_a_cold_cache_sends_every_request_to_the_store():
    bp = _cache_design()
    cold = simulate(bp, cold={"cache"})
    assert cold["load"]["components"]["store"]["qps"] == pytest.approx(1000)
    share = _store_tail(9)
    assert abs(cold["latency"]["app"]["shares"]["degraded"] - share) < 0.002  # every miss may be cut
    assert cold["latency"]["app"]["state"] == "degraded"


def test_a_hung_ranker_costs_its_timeout_then_the_fallback():
    bp = blueprint(
        "  svc: {kind: online_service, latency_p99_ms: 10}\n"
        "  ranker: {kind: ranking_service, latency_p99_ms: 45}\n"
        "  popular: {kind: fallback_ranker, latency_p99_ms: 3}\n",
        "  - {from: app, to: svc, mode: request}\n"
        "  - {from: svc, to: ranker, mode: request, timeout_ms: 80}\n"
        "  - {from: ranker, to: popular, mode: fallback}\n",
        peak=100,
        slo=90,
    )
    intact = simulate(bp)
    assert intact["latency"]["app"]["p99_ms"] == 55
    hung = simulate(bp, [{"ranker"}], hung={"ranker"})
    assert hung["latency"]["app"]["p99_ms"] == 93  # 10 + the 80 ms timeout + 3 ms of fallback
    assert hung["latency"]["app"]["state"] == "degraded"
    fast = simulate(bp, [{"ranker"}])["knock_outs"][0]["latency"]["app"]
    assert fast["p99_ms"] == 13  # knocked out: fails at once, the fallback answers
    assert fast["shares"] == {"served": 0, "degraded": 1, "failed": 0}
    findings = {f.rule: f for f in lint(bp)}
    assert "MLSD210" in findings and "ranker" in findings["MLSD210"].message  # 93 ms hung > 90 ms SLO


def test_a_hung_callee_without_a_timeout_hangs_the_caller():
    bp = blueprint(
        "  svc: {kind: online_service, latency_p99_ms: 10}\n  db: {kind: feature_store, latency_p99_ms: 5}\n",
        "  - {from: app, to: svc, mode: request}\n  - {from: svc, to: db, mode: request}\n",
    )
    got = simulate(bp, hung={"db"})["latency"]["app"]
    assert got["shares"] == {"served": 0, "degraded": 0, "failed": 1}
    assert got["state"] == "down" and got["p50_ms"] is None


def test_a_slow_callee_eats_the_callers_workers_littles_law():
    # 4 workers, each held 10 ms + 90 ms of database: 4 / 0.1 s = 40 requests per second, whatever
    # capacity_qps says; at 50 qps the pool saturates and, without shedding, hangs.
    bp = blueprint(
        "  svc: {kind: online_service, latency_p99_ms: 10, workers: 4, capacity_qps: 1000}\n"
        "  db: {kind: feature_store, latency_p99_ms: 90}\n",
        "  - {from: app, to: svc, mode: request}\n  - {from: svc, to: db, mode: request}\n",
        peak=50,
    )
    result = simulate(bp)
    svc = result["load"]["components"]["svc"]
    assert svc["capacity_qps"] == 40
    assert svc["state"] == "overloaded"
    assert result["load"]["headroom"] == 0.8
    assert result["load"]["entry_points"]["app"] == "down"


# -- properties ------------------------------------------------------------------------------------


@st.composite
def designs(draw):
    n = draw(st.integers(2, 5))
    comps, flows = [], []
    for i in range(n):
        p99 = draw(st.floats(1, 80))
        p50 = draw(st.one_of(st.none(), st.floats(0.1, 1).map(lambda f: f * p99)))
        workers = draw(st.one_of(st.none(), st.integers(1, 8)))
        fields = [f"latency_p99_ms: {p99!r}"]
        if p50 is not None:
            fields.append(f"latency_p50_ms: {p50!r}")
        if workers is not None:
            fields.append(f"workers: {workers}, replicas: 2")
        if draw(st.booleans()):
            fields.append(
                f"capacity_qps: {draw(st.floats(50, 500))!r}, load_shedding: {str(draw(st.booleans())).lower()}"
            )
        comps.append(f"  c{i}: {{kind: online_service, {', '.join(fields)}}}\n")
    flows.append("  - {from: app, to: c0, mode: request, timeout_ms: 400}\n")
    for i in range(1, n):
        parent = draw(st.integers(0, i - 1))
        extra = []
        if draw(st.booleans()):
            extra.append(f"timeout_ms: {draw(st.floats(5, 200))!r}")
        extra.append(f"on_failure: {draw(st.sampled_from(['fail', 'skip', 'defaults']))}")
        flows.append(f"  - {{from: c{parent}, to: c{i}, mode: request, {', '.join(extra)}}}\n")
    return blueprint("".join(comps), "".join(flows), peak=draw(st.floats(10, 300)), slo=100)


@settings(max_examples=40, deadline=None)
@given(designs(), st.floats(0.1, 2.0), st.floats(1.01, 2.0))
def test_properties_of_the_distributions(bp, factor, more):
    model = ServingModel(bp)
    at_low, at_high = model.evaluation(factor), model.evaluation(factor * more)
    low, high = model.figures(at_low)["app"], model.figures(at_high)["app"]
    if low["p99_ms"] is not None:
        assert low["p50_ms"] <= low["p99_ms"] <= low["p999_ms"]
    if low["p99_ms"] is not None and high["p99_ms"] is not None and high["shares"]["failed"] == 0:
        # More load never lowers a p99, up to the grid's accuracy: half a step per operation, and
        # the step follows the slowest reach in the design, which can be a queue's tail that a
        # timeout cuts (a saturating callee behind a 5 ms timeout put 1 ms steps on a 9 ms p99).
        steps = 0.0 if at_low.grid is None else at_low.grid.dt
        steps += 0.0 if at_high.grid is None else at_high.grid.dt
        assert high["p99_ms"] >= low["p99_ms"] - max(0.5, steps)
    assert sum(low["shares"].values()) == pytest.approx(1, abs=1e-5)
    base = model.evaluation(factor)
    for c in model.request_path:
        knocked = model.figures(model.evaluation(factor, [c], base=base))["app"]
        assert knocked["shares"]["served"] <= low["shares"]["served"] + 1e-9  # a knock-out never helps


@settings(max_examples=30, deadline=None)
@given(designs(), st.lists(st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0, 4.0]), min_size=2, max_size=4))
def test_a_load_sweep_on_one_model_equals_a_fresh_model_at_each_factor(bp, factors):
    # one model re-evaluates only what each new load factor moves (and reuses the latency horizon when
    # no queue's load moved): every figure and the grid must be those of a full evaluation from scratch
    shared = ServingModel(bp)
    for factor in factors:
        fresh = ServingModel(bp)
        again, full = shared.evaluation(factor), fresh.evaluation(factor)
        assert again.grid == full.grid
        assert shared.figures(again) == fresh.figures(full)


def test_the_latency_horizon_is_reused_only_when_no_queue_s_load_moved():
    flows = "  - {from: app, to: svc, mode: request}\n"
    plain = ServingModel(blueprint("  svc: {kind: online_service, latency_p99_ms: 10}\n", flows, peak=100))
    queued = ServingModel(
        blueprint("  svc: {kind: online_service, latency_p99_ms: 10, workers: 4, replicas: 2}\n", flows, peak=100)
    )
    assert plain.queueing_components == ()
    assert queued.queueing_components == ("svc",)
    for model, moved in ((plain, False), (queued, True)):
        near = model.evaluation(1.0)
        scenario = replace(near.scenario, factor=2.0)
        load = model.load(2.0)
        qps = {c: float(info["qps"]) for c, info in load["components"].items()}
        assert qps["svc"] == 200  # the load moved in both; only the queue makes the horizon move with it
        assert model._same_horizon(scenario, near, qps, {}) is not moved
        assert model._same_horizon(near.scenario, near, near.qps, near.reject)


def test_simulate_text_shows_the_distribution_and_the_hang(tmp_path):
    path = tmp_path / "hang.yaml"
    path.write_text(
        "mlsd: 1\nname: Hang\nrequirements: {scale: {peak_qps: 100}, slo: {latency_p99_ms: 90}}\ncomponents:\n"
        "  app: {kind: client_app}\n  svc: {kind: online_service, latency_p99_ms: 10}\n"
        "  ranker: {kind: ranking_service, latency_p50_ms: 20, latency_p99_ms: 45}\n"
        "  popular: {kind: fallback_ranker, latency_p99_ms: 3}\nflows:\n"
        "  - {from: app, to: svc, mode: request}\n"
        "  - {from: svc, to: ranker, mode: request, timeout_ms: 80}\n"
        "  - {from: ranker, to: popular, mode: fallback}\n"
    )
    result = run_mlsd("simulate", str(path), "--hang", "ranker", "--knock-out", "ranker")
    assert result.returncode == 0, result.stderr
    assert "ranker  app degraded (p99 13 ms)" in result.stdout, result.stdout  # knocked out: fails at once
    assert "p50 93 ms, p99 93 ms, p99.9 93 ms; served 0%, degraded 100%, failed 0%; over the SLO 100%" in result.stdout
    wrong = run_mlsd("simulate", str(path), "--hang", "rankr")
    assert wrong.returncode == 2 and "--hang names 'rankr'" in wrong.stderr and "ranker" in wrong.stderr
