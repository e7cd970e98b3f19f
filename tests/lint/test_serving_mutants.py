"""Hand-computed load figures that pin down mlsd_diagram/analyses/serving/load.py (issue 31 mutants).

Each blueprint is real YAML loaded in process (mutmut's mutants are only seen in process); each
expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import math

import pytest

from mlsd_diagram import loads
from mlsd_diagram.analyses.serving import ServingModel, load_at
from mlsd_diagram.analyses.serving.load import _at_most

TWO_ENTRIES = """\
mlsd: 1
name: two entries
requirements: {scale: {peak_qps: 1000}}
components:
  web: {kind: client_app, peak_qps: 300}
  mobile: {kind: client_app}
  ranker: {kind: ranking_service, latency_p99_ms: 20, replicas: 5, capacity_qps: 300, zones: 2}
  cache: {kind: cache, latency_p99_ms: 1, hit_ratio: 0.75, replicas: 3, zones: 1}
  store: {kind: feature_store, latency_p99_ms: 5, min_replicas: 2, max_replicas: 6, capacity_qps: 1000}
flows:
  - {from: web, to: ranker, mode: request}
  - {from: mobile, to: ranker, mode: request}
  - {from: ranker, to: cache, mode: request}
  - {from: cache, to: store, mode: request}
"""


def _model(text: str = TWO_ENTRIES) -> ServingModel:
    return ServingModel(loads(text, "mutants.yaml"))


def test_an_entry_point_with_its_own_peak_keeps_it_the_others_take_the_designs() -> None:
    model = _model()
    assert model.entry_peak("web") == 300  # its own peak_qps
    assert model.entry_peak("mobile") == 1000  # the design's peak_qps


def test_base_load_sums_the_entries_and_passes_on_the_cache_misses() -> None:
    # ranker: 300 (web) + 1,000 (mobile) = 1,300; cache: 1,300; store: the misses, 1,300 x (1 - 0.75) = 325
    assert _model().base_load() == {"web": 300, "mobile": 1000, "ranker": 1300, "cache": 1300, "store": 325}


def test_the_miss_share_is_one_less_the_hit_ratio_and_one_when_cold() -> None:
    model = _model()
    assert model.miss_share("cache") == 0.25  # 1 - 0.75
    assert model.miss_share("cache", cold=["cache"]) == 1.0
    assert model.miss_share("ranker") == 1.0  # no hit_ratio: every request makes the calls


def test_a_zone_loss_is_the_ceiling_share_and_one_zone_loses_nothing_by_zones() -> None:
    model = _model()
    # ranker: ceil(5 / 2) = 3 of 5; cache: zones 1 is no zone split (not listed); store: no zones
    assert model.lost_replicas("zone") == {"ranker": 3}
    assert model.lost_replicas("replica") == {"ranker": 1, "cache": 1, "store": 1}  # past the entry points
    with pytest.raises(ValueError, match=r"^lose what\? 'replica' or 'zone', got 'rack'$"):
        model.lost_replicas("rack")


def test_total_capacity_never_goes_below_zero_replicas() -> None:
    model = _model()
    assert model.total_capacity("ranker") == 1500  # 5 x 300
    assert model.total_capacity("ranker", {"ranker": 3}) == 600  # (5 - 3) x 300
    assert model.total_capacity("ranker", {"cache": 3}) == 1500  # another component's loss
    assert model.total_capacity("ranker", {"ranker": 7}) == 0  # max(0, 5 - 7) x 300
    assert model.total_capacity("web") is None  # no capacity declared


def test_a_surge_loses_max_less_min_replicas_of_the_autoscaled_only() -> None:
    model = _model()
    assert model.autoscaled == ["store"]
    assert model.surge_lost() == {"store": 4}  # 6 - 2
    assert model.total_capacity("store", model.surge_lost()) == 2000  # (6 - 4) x 1,000


def test_headroom_is_the_first_component_to_saturate_floored_to_a_thousandth() -> None:
    # ranker 1,500 / 1,300 = 1.1538...; store 6,000 / 325 = 18.46; cache and entries declare no capacity
    assert _model().headroom() == (1.153, "ranker")
    # losing 3 ranker replicas: 600 / 1,300 = 0.4615...
    assert _model().headroom({"ranker": 3}) == (0.461, "ranker")


def test_headroom_ties_go_to_the_first_declared() -> None:
    # ranker 1,300 and store 325 x 4 = 1,300 give the same factor 1.0: ranker is declared first
    text = TWO_ENTRIES.replace("replicas: 5, capacity_qps: 300", "replicas: 1, capacity_qps: 1300")
    text = text.replace("max_replicas: 6, capacity_qps: 1000", "max_replicas: 4, capacity_qps: 81.25")
    assert _model(text).headroom() == (1.0, "ranker")


def test_headroom_without_a_peak_or_a_capacity_is_unknown() -> None:
    no_peak = TWO_ENTRIES.replace("requirements: {scale: {peak_qps: 1000}}\n", "").replace(", peak_qps: 300", "")
    assert _model(no_peak).headroom() == (None, None)


def test_attempts_per_call_sum_the_retries_and_stop_at_the_budget() -> None:
    text = (
        "mlsd: 1\nname: t\ncomponents:\n  app: {kind: client_app}\n"
        "  gw: {kind: api_gateway, latency_p99_ms: 1, retry_budget: 0.5}\n"
        "  svc: {kind: online_service, latency_p99_ms: 2}\n"
        "  db: {kind: feature_store, latency_p99_ms: 5}\nflows:\n"
        "  - {from: app, to: gw, mode: request, retries: 2}\n"
        "  - {from: gw, to: svc, mode: request, retries: 2}\n"
        "  - {from: svc, to: db, mode: request}\n"
    )
    model = _model(text)
    app_gw, gw_svc, svc_db = model.calls["app"][0], model.calls["gw"][0], model.calls["svc"][0]
    assert model.attempts_per_call(app_gw, 0.5) == 1.75  # 1 + 0.5 + 0.25
    assert model.attempts_per_call(app_gw, 1.0) == 3.0  # the worst case: retries + 1
    assert model.attempts_per_call(gw_svc, 0.5) == 1.5  # 1.75, capped at 1 + retry_budget 0.5
    assert model.attempts_per_call(svc_db, 0.5) == 1.0  # no retries: one attempt
    assert model.retrying


def test_at_most_is_the_poisson_binomial_tail() -> None:
    three = [0.5, 0.5, 0.5]
    assert _at_most(three, 0) == 0.125  # none of three: 1/8
    assert _at_most(three, 1) == 0.5  # none or one: 1/8 + 3/8
    assert _at_most(three, 2) == 0.875  # all but all three: 1 - 1/8
    assert _at_most(three, 3) == 1.0
    assert _at_most([0.2, 0.5], 1) == pytest.approx(0.9)  # 1 - 0.2 x 0.5


def _states(result: dict) -> dict[str, str]:
    return {c: info["state"] for c, info in result["components"].items()}


def test_load_reports_the_rounds_it_took() -> None:
    model = _model()
    # at 1x nothing saturates: round 1 finds the same (empty) saturations it started from
    assert model.load(1.0)["rounds"] == 1
    # at 2x the ranker takes 2,600 of 1,500 (no shedding): round 1 finds it overloaded, round 2 confirms
    at_two = model.load(2.0)
    assert at_two["rounds"] == 2 and _states(at_two)["ranker"] == "overloaded"


def test_load_states_and_loads_by_hand() -> None:
    model = _model()
    intact = model.load(1.0)
    # 1,300 at the ranker of 1,500: utilization 0.867; the store takes the cache's misses, 325 of 6,000
    assert intact["components"]["ranker"] == {"qps": 1300, "capacity_qps": 1500, "utilization": 0.867, "state": "ok"}
    assert intact["components"]["store"] == {"qps": 325, "capacity_qps": 6000, "utilization": 0.054, "state": "ok"}
    assert intact["components"]["cache"]["utilization"] is None  # no capacity declared
    assert intact["entry_points"] == {"web": "served", "mobile": "served"} and intact["answered_by"] == {}
    # a cold cache passes every request on: the store takes all 1,300
    assert model.load(1.0, cold=["cache"])["components"]["store"]["qps"] == 1300
    # the store knocked out: it fails, and the cache (which needs it) fails with it; the ranker is down too
    knocked = model.load(1.0, knocked=["store"])
    assert _states(knocked) == {
        "web": "failed",
        "mobile": "failed",
        "ranker": "failed",
        "cache": "failed",
        "store": "failed",
    }
    assert knocked["entry_points"] == {"web": "down", "mobile": "down"}
    # the cache hung: it takes its 1,300 and calls nobody, so the store gets nothing
    hung = model.load(1.0, hung=["cache"])
    assert _states(hung)["cache"] == "hung" and hung["components"]["store"]["qps"] == 0
    # every ranker replica lost: capacity 0, utilization reported as the largest float
    gone = model.load(1.0, lost={"ranker": 5})
    assert gone["components"]["ranker"]["capacity_qps"] == 0
    assert gone["components"]["ranker"]["utilization"] == 1.7976931348623157e308
    assert gone["components"]["ranker"]["state"] == "overloaded"


SHED = """\
mlsd: 1
name: shedding
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  ranker: {kind: ranking_service, latency_p99_ms: 20, capacity_qps: 1000, load_shedding: true}
  popular: {kind: fallback_ranker, latency_p99_ms: 2}
flows:
  - {from: app, to: ranker, mode: request}
  - {from: ranker, to: popular, mode: fallback}
"""


def test_a_shedding_component_sends_its_excess_to_its_fallback() -> None:
    model = _model(SHED)
    result = model.load(1.5)
    # 1,500 offered to 1,000: the ranker sheds the 500 over, and its fallback answers those 500
    assert result["components"]["ranker"] == {
        "qps": 1500,
        "capacity_qps": 1000,
        "utilization": 1.5,
        "state": "shedding",
    }
    assert result["components"]["popular"]["qps"] == 500
    assert result["entry_points"] == {"app": "degraded"}
    assert result["answered_by"] == {"app": [{"component": "ranker", "fallback": "popular"}]}
    # the fallback knocked out: nothing answers the 500, the app is down and no load moves
    alone = model.load(1.5, knocked=["popular"])
    assert alone["entry_points"] == {"app": "down"} and alone["components"]["popular"]["qps"] == 0
    # at 1x nothing is shed: the fallback takes nothing
    assert model.load(1.0)["components"]["popular"]["qps"] == 0


RETRY = """\
mlsd: 1
name: retry
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  svc: {kind: online_service, latency_p99_ms: 2}
  db: {kind: feature_store, latency_p99_ms: 5, capacity_qps: 5000}
flows:
  - {from: app, to: svc, mode: request}
  - {from: svc, to: db, mode: request, retries: 3}
"""


def test_retries_with_nothing_failing_settle_in_one_round() -> None:
    result = _model(RETRY).attempts(1.0)
    # nothing fails: every chance stays 0, one attempt per call, and round 1 changes nothing
    assert result["converged"] is True and result["rounds"] == 1
    assert result["failure"] == {"app": 0.0, "svc": 0.0, "db": 0.0}
    assert result["attempts"] == {0: 1.0, 1: 1.0}
    assert result["offered"] == {"app": 1000.0, "svc": 1000.0, "db": 1000.0}


def test_retries_against_a_knocked_out_database_converge_to_every_try() -> None:
    result = _model(RETRY).attempts(1.0, knocked=["db"])
    # the db fails every attempt: its chance goes 0, 1/2, 3/4, ... (damped by halves), 1 - 2^-n after
    # round n; round n changes it by 2^-(n-1), under 1e-9 first at n = 31 (2^-30 = 9.3e-10)
    assert result["converged"] is True and result["rounds"] == 31
    assert result["failure"]["db"] == pytest.approx(1.0, abs=1e-9)
    assert result["failure"]["svc"] == pytest.approx(1.0, abs=1e-9)  # its only call fails after 4 tries
    # svc -> db: 1 + f + f^2 + f^3 -> 4 tries; the db is offered 4 x 1,000
    assert result["attempts"][1] == pytest.approx(4.0, abs=1e-7)
    assert result["offered"]["db"] == pytest.approx(4000.0, abs=1e-4)
    assert result["attempts"][0] == 1.0  # app -> svc has no retries


def test_retries_stop_at_a_fallback_that_answers() -> None:
    text = RETRY.replace("  db: {", "  backup: {kind: feature_store, latency_p99_ms: 5}\n  db: {")
    text += "  - {from: db, to: backup, mode: fallback}\n"
    result = _model(text).attempts(1.0, knocked=["db"])
    # the db still fails every attempt (4 tries), but its fallback answers: svc never fails
    assert result["failure"]["svc"] == 0.0
    assert result["attempts"][1] == pytest.approx(4.0, abs=1e-7)
    knocked_too = _model(text).attempts(1.0, knocked=["db", "backup"])
    assert knocked_too["failure"]["svc"] == pytest.approx(1.0, abs=1e-9)  # no live fallback


def test_retries_start_from_the_failure_chances_given() -> None:
    # started at the db failing every attempt, with nothing knocked: round 1 sees the 4 tries, then the
    # db (5,000 of capacity for 4,000) answers and the chances fall back to 0
    result = _model(RETRY).attempts(1.0, start={"db": 1.0, "elsewhere": 1.0})
    assert result["failure"]["db"] == pytest.approx(0.0, abs=1e-9)
    # round 1 changes it from 1 to 0 (kept: 1/2), round n by 2^-(n-1): under 1e-9 first at n = 31
    assert result["rounds"] == 31


LN2, LN100 = math.log(2), math.log(100)


def _worker_model(extra: str) -> ServingModel:
    """app -> model, the model's response an exponential of mean 10 ms (p50 10 ln 2, p99 10 ln 100)."""
    return _model(
        "mlsd: 1\nname: t\nrequirements: {scale: {peak_qps: 100}}\ncomponents:\n  app: {kind: client_app}\n"
        f"  model: {{kind: model_server, latency_p50_ms: {10 * LN2!r}, latency_p99_ms: {10 * LN100!r}{extra}}}\n"
        "flows:\n  - {from: app, to: model, mode: request}\n"
    )


def test_workers_bound_a_replicas_capacity_by_littles_law() -> None:
    # 2 workers each holding a request 10 ms on average: 2 x 1,000 / 10 = 200 qps
    assert _worker_model(", workers: 2").capacity_per_replica("model") == pytest.approx(200, rel=1e-6)
    assert _worker_model(", workers: 2, capacity_qps: 150").capacity_per_replica("model") == 150  # the lower
    assert _worker_model(", workers: 2, capacity_qps: 300").capacity_per_replica("model") == pytest.approx(
        200, rel=1e-6
    )
    # a batch of 2 held 10 ms (the 4 ms wait to fill it holds no worker): 2 x 2 x 1,000 / 10 = 400 qps
    batched = _worker_model(", workers: 2, max_batch_size: 2, batch_timeout_ms: 4")
    assert batched.capacity_per_replica("model") == pytest.approx(400, rel=1e-3)
    assert batched.capacity_per_replica("model") == batched.capacity_per_replica("model")  # memoized alike


def test_a_batch_of_two_doubles_capacity_qps() -> None:
    # capacity_qps 50 per single-request batch; a batch of 2 costs one service time: 100 per replica
    model = _worker_model(", capacity_qps: 50, max_batch_size: 2, batch_timeout_ms: 4")
    assert model.capacity_per_replica("model") == 100
    assert _worker_model(", capacity_qps: 50").capacity_per_replica("model") == 50  # no batch


def test_headroom_skips_components_no_load_reaches_and_is_zero_when_a_call_always_times_out() -> None:
    # ranker 1,000 / 1,000 = 1.0; the fallback takes no load at base (capacity 100 of 0 qps): skipped
    assert _model(SHED.replace("latency_p99_ms: 2}", "latency_p99_ms: 2, capacity_qps: 100}")).headroom() == (
        1.0,
        "ranker",
    )
    # the app gives the ranker (20 ms) 10 ms: every call times out, so no load is fully served
    slow = SHED.replace("mode: request}", "mode: request, timeout_ms: 10}")
    assert _model(slow).headroom() == (0.0, None)


def test_retries_pass_on_a_caches_misses_and_all_of_a_cold_cache() -> None:
    text = RETRY.replace(
        "svc: {kind: online_service, latency_p99_ms: 2}", "svc: {kind: cache, latency_p99_ms: 1, hit_ratio: 0.75}"
    )
    model = _model(text)
    assert model.attempts(1.0)["offered"]["db"] == 250  # 1,000 x (1 - 0.75)
    assert model.attempts(1.0, cold=["svc"])["offered"]["db"] == 1000  # cold: every request misses
    assert model.load(1.0, cold=["svc"])["components"]["db"]["qps"] == 1000


QUORUM = """\
mlsd: 1
name: quorum
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  api: {kind: api_gateway, latency_p99_ms: 5}
  src0: {kind: candidate_source, latency_p99_ms: 10}
  src1: {kind: candidate_source, latency_p99_ms: 10}
  src2: {kind: candidate_source, latency_p99_ms: 10}
flows:
  - {from: app, to: api, mode: request, retries: 1}
  - {from: api, to: src0, mode: request, step: 1, on_failure: skip, at_least: 2}
  - {from: api, to: src1, mode: request, step: 1, on_failure: skip, at_least: 2}
  - {from: api, to: src2, mode: request, step: 1, on_failure: skip, at_least: 2}
"""


def test_retries_see_a_quorum_fail_only_past_n_less_k_misses() -> None:
    model = _model(QUORUM)
    # one of three sources out: at most 3 - 2 = 1 may get nothing, so the api still answers
    one = model.attempts(1.0, knocked=["src0"])
    assert one["failure"]["api"] == 0.0 and one["attempts"][0] == 1.0
    # two out: the quorum of 2 fails every time; app -> api makes 1 + 1 = 2 tries; api is offered 2,000
    two = model.attempts(1.0, knocked=["src0", "src1"])
    assert two["failure"]["api"] == pytest.approx(1.0, abs=1e-9)
    assert two["attempts"][0] == pytest.approx(2.0, abs=1e-9)
    assert two["offered"]["api"] == pytest.approx(2000.0, abs=1e-5)


def test_retries_at_exactly_capacity_fail_nothing_and_past_it_storm() -> None:
    model = _model(RETRY.replace("capacity_qps: 5000", "capacity_qps: 1000"))  # no shedding
    at_capacity = model.attempts(1.0)  # 1,000 of 1,000: not over, nothing fails
    assert at_capacity["failure"]["db"] == 0.0 and at_capacity["rounds"] == 1
    # 1,500 of 1,000 without shedding: every attempt times out, 4 tries each: 6,000 offered
    over = model.attempts(1.5)
    assert over["failure"]["db"] == pytest.approx(1.0, abs=1e-9) and over["rounds"] == 31  # as knocked out
    assert over["offered"]["db"] == pytest.approx(6000.0, abs=1e-4)


def test_retries_without_a_peak_offer_nothing_and_see_lost_replicas() -> None:
    no_peak = _model(RETRY.replace("requirements: {scale: {peak_qps: 1000}}\n", ""))
    assert no_peak.attempts(1.0)["offered"] == {"app": 0.0, "svc": 0.0, "db": 0.0}  # no peak_qps anywhere
    # 2 db replicas of 1,000: 1,500 fits 2,000; one lost leaves 1,000, and 1,500 storms to 4 x 1,500
    model = _model(RETRY.replace("capacity_qps: 5000", "capacity_qps: 1000, replicas: 2"))
    assert model.attempts(1.5)["failure"]["db"] == 0.0
    lost = model.attempts(1.5, lost={"db": 1})
    assert lost["failure"]["db"] == pytest.approx(1.0, abs=1e-9)
    assert lost["offered"]["db"] == pytest.approx(6000.0, abs=1e-4)


def test_a_shedding_database_with_a_lost_replica_rejects_past_what_is_left() -> None:
    model = _model(RETRY.replace("capacity_qps: 5000", "capacity_qps: 1000, replicas: 2, load_shedding: true"))
    assert model.attempts(1.5)["failure"]["db"] == 0.0  # 1,500 of 2,000
    lost = model.attempts(1.5, lost={"db": 1})
    # one replica left, 1,000: the db rejects the share x of what it is offered past 1,000 (x > 1/3, the
    # share of 1,500 before retries), and serves exactly 1,000: offered x (1 - x) = 1,000
    x, offered = lost["failure"]["db"], lost["offered"]["db"]
    assert x > 1 / 3 and offered * (1 - x) == pytest.approx(1000.0, rel=1e-6)


HEDGED_RETRIED = """\
mlsd: 1
name: hedged and retried
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  cache: {kind: cache, latency_p99_ms: 1, hit_ratio: 0.9, capacity_qps: CAP}
  store: {kind: database, latency_p99_ms: 100}
flows:
  - {from: app, to: cache, mode: request, hedge_after_ms: 10, retries: 1}
  - {from: cache, to: store, mode: request}
"""


@pytest.mark.parametrize(
    ("cap", "qps", "state", "headroom"), [(1050, 2200, "overloaded", 0.954), (1200, 1100, "ok", 1.09)]
)
def test_the_retry_fixpoint_offers_the_hedged_load(cap: int, qps: int, state: str, headroom: float) -> None:
    """The cache answers 1 ms on a hit (90%) and 101 ms on a miss: hedged after 10 ms, the 10% slower than
    the delay is sent twice, 1,000 x 1.1 = 1,100 qps per attempt. With capacity 1,050 and no shedding that
    is over capacity, so every attempt fails (f = 1) and the one retry doubles the attempts:
    1,000 x 2 x 1.1 = 2,200 qps. With capacity 1,200 nothing fails: 1,100 qps, one attempt. (Without the
    hedge's 1.1 in the retry fixpoint, 1,000 < 1,050 would read as no failure and give 1,100.) Headroom counts
    one attempt with its hedge: 1,050 / 1,100 = 0.954 and 1,200 / 1,100 = 1.09 (the hedge divided instead of
    multiplied gives 1.155 and 1.32)."""
    result = load_at(loads(HEDGED_RETRIED.replace("CAP", str(cap))), 1.0)
    cache = result["components"]["cache"]
    assert (cache["qps"], cache["state"], result["headroom"]) == (qps, state, headroom)


SHEDDING_CHAIN = """\
mlsd: 1
name: shedding chain
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  a: {kind: model_server, latency_p99_ms: 10, capacity_qps: 600, load_shedding: true}
  b: {kind: model_server, latency_p99_ms: 5}
  c: {kind: feature_store, latency_p99_ms: 5, capacity_qps: 700, load_shedding: true}
  d: {kind: cache, latency_p99_ms: 1}
flows:
  - {from: app, to: a, mode: request, step: 1}
  - {from: app, to: c, mode: request, step: 2}
  - {from: a, to: b, mode: fallback}
  - {from: b, to: c, mode: request}
  - {from: c, to: d, mode: fallback}
"""


def test_the_load_fixpoint_runs_until_the_fallbacks_inflow_settles() -> None:
    """1,000 qps to a (600, sheds) and c (700, sheds). Round 1: both saturate. Round 2: a turns 400 away to its
    fallback b, c turns 300 away to d. Round 3: b calls c, so c gets 1,000 + 400 = 1,400 and turns 700 away:
    d's inflow moves 300 -> 700 with the same components shedding. Round 4 settles: d 700 qps. (Stopping
    when only an inflow's value moved would leave d at 300.)"""
    result = load_at(loads(SHEDDING_CHAIN), 1.0)
    figures = {c: (v["qps"], v["state"]) for c, v in result["components"].items()}
    assert figures == {
        "app": (1000, "ok"),
        "a": (1000, "shedding"),
        "b": (400, "ok"),
        "c": (1400, "shedding"),
        "d": (700, "ok"),
    }
    assert result["entry_points"] == {"app": "degraded"}
