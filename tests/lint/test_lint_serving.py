"""The serving model (analyses/serving/): every rule on small blueprints with hand-computed answers.

Each blueprint is real YAML text loaded as a file would be; the CLI runs through click's CliRunner.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from mlsd_testing import ROOT

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.request_path import entry_points, request_path
from mlsd_diagram.analyses.serving import (
    critical_components,
    knock_out,
    knock_out_detail,
    load_at,
    request_latency,
    serving_model,
    simulate,
    single_points_of_failure,
)
from mlsd_diagram.cli import main
from mlsd_diagram.outputs.views import select_view

# The news feed with service times constant at their p99 (no latency_p50_ms, no workers): its figures are
# exact sums, worked out by hand below. The bundled blueprint itself declares tails (checked at the end).
NEWS = ROOT / "tests" / "lint" / "data" / "news_feed_constant.yaml"
NEWS_BLUEPRINT = ROOT / "blueprints" / "news_feed.yaml"


def _without_tails(text: str) -> str:
    text = re.sub(r", (latency_p50_ms|workers): [0-9.]+", "", text)
    return re.sub(r"\n\s+(latency_p50_ms|workers): [0-9.]+(?=\n)", "", text)


def test_the_constant_copy_of_the_news_feed_is_current() -> None:
    header, _, body = NEWS.read_text(encoding="utf-8").partition("\n")
    assert header.startswith("# generated from blueprints/news_feed.yaml")
    assert body == _without_tails(NEWS_BLUEPRINT.read_text(encoding="utf-8"))


def test_the_bundled_news_feed_declares_tails_and_its_p99_is_less_than_the_sum() -> None:
    info = request_latency(load(NEWS_BLUEPRINT))["app"]
    assert info["p50_ms"] < info["p99_ms"] < info["p999_ms"]
    assert info["p99_ms"] < 129  # the sum of the p99s: tails rarely coincide
    assert info["assumed"]["no_queueing"] == []


def bp_of(text: str, name: str = "t.yaml"):
    return loads(textwrap.dedent(text), name)


# -- latency: steps and timeouts ------------------------------------------------------------

STEPS = """\
    mlsd: 1
    name: steps
    requirements: {slo: {latency_p99_ms: 60}}
    components:
      app: {kind: client_app}
      svc: {kind: online_service, latency_p99_ms: 5}
      a: {kind: candidate_generation, latency_p99_ms: 10}
      b: {kind: ann_index, latency_p99_ms: 30}
      c: {kind: ranking_service, latency_p99_ms: 20}
    flows:
      - {from: app, to: svc, mode: request, data: x}
      - {from: svc, to: a, mode: request, data: x, step: 1}
      - {from: svc, to: b, mode: request, data: x, step: 1}
      - {from: svc, to: c, mode: request, data: x, step: 2}
    """


def test_steps_add_up_and_a_step_costs_its_slowest_call() -> None:
    info = request_latency(bp_of(STEPS))["app"]
    assert info["p99_ms"] == 55  # 5 + max(10, 30) + 20
    assert info["path"] == ["app", "svc", "b", "c"]
    assert [(r["component"], r["step"], r["cost_ms"], r["parallel"]) for r in info["steps"]] == [
        ("app", None, 55, []),
        ("svc", 1, 55, []),
        ("b", 1, 30, ["a"]),
        ("c", 2, 20, []),
    ]
    assert info["slo_ms"] == 60 and info["missing"] == []


def test_without_steps_calls_run_one_after_another() -> None:
    text = re.sub(r", step: \d", "", STEPS)
    assert request_latency(bp_of(text))["app"]["p99_ms"] == 65  # 5 + 10 + 30 + 20


def test_a_timeout_caps_what_a_call_costs() -> None:
    text = STEPS.replace(
        "to: c, mode: request, data: x, step: 2", "to: c, mode: request, data: x, step: 2, timeout_ms: 12"
    )
    info = request_latency(bp_of(text))["app"]
    assert info["p99_ms"] == 47  # 5 + 30 + min(20, 12)
    assert info["steps"][-1] == {
        "component": "c",
        "depth": 2,
        "step": 2,
        "own_ms": 20,
        "total_ms": 20,
        "cost_ms": 12,
        "timeout_ms": 12,
        "parallel": [],
    }
    longer = STEPS.replace("data: x, step: 2", "data: x, step: 2, timeout_ms: 500")
    assert request_latency(bp_of(longer))["app"]["p99_ms"] == 55  # a timeout above the latency changes nothing


def test_unknown_latencies_are_listed_and_no_latency_at_all_is_unknown(tmp_path: Path) -> None:
    text = STEPS.replace("b: {kind: ann_index, latency_p99_ms: 30}", "b: {kind: ann_index}")
    info = request_latency(bp_of(text))["app"]
    assert info["p99_ms"] == 35 and info["missing"] == ["b"]  # 5 + max(10, 0) + 20
    bare = re.sub(r", latency_p99_ms: \d+", "", STEPS)
    info = request_latency(bp_of(bare))["app"]
    old_keys = {k: info[k] for k in ("path", "p99_ms", "slo_ms", "missing", "steps")}
    assert old_keys == {"path": [], "p99_ms": None, "slo_ms": 60, "missing": ["svc", "a", "b", "c"], "steps": []}
    assert info["p50_ms"] is None and info["p999_ms"] is None and info["over_slo_share"] is None
    (tmp_path / "bare.yaml").write_text(textwrap.dedent(bare))
    text_out = CliRunner().invoke(main, ["simulate", str(tmp_path / "bare.yaml")]).output
    assert "app: unknown: no component on its request path declares latency_p99_ms" in text_out
    assert " 0 ms" not in text_out


def test_news_feed_latency_is_its_sequential_steps() -> None:
    info = request_latency(load(NEWS))["app"]
    # gateway 5 + feed_service 15 + [A/B 2 | cache 3] + [inbox 8 | retrieval 6 + 2 + 10 + 12]
    #   + ranker (45 + features 8) + re-ranker (8 + integrity 15)
    assert info["p99_ms"] == 5 + 15 + 3 + 30 + 53 + 23 == 129
    assert info["path"] == [
        "app",
        "gateway",
        "feed_service",
        "feed_cache",
        "candidate_gen",
        "user_emb_cache",
        "user_encoder",
        "post_ann",
        "ranker",
        "features",
        "reranker",
        "integrity_model",
    ]


# -- failure states ----------------------------------------------------------------------------

FEED = """\
    mlsd: 1
    name: feed
    components:
      app: {kind: client_app}
      svc: {kind: online_service, replicas: 2}
      ads: {kind: online_service, replicas: 2}
      ranker: {kind: ranking_service, replicas: 2}
      features: {kind: feature_store, replicas: 2}
      popular: {kind: fallback_ranker, replicas: 2}
    flows:
      - {from: app, to: svc, mode: request, data: x}
      - {from: svc, to: ads, mode: request, data: x, on_failure: skip}
      - {from: svc, to: ranker, mode: request, data: x}
      - {from: ranker, to: features, mode: request, data: x, on_failure: defaults}
      - {from: ranker, to: popular, mode: fallback}
    """


def test_skip_and_defaults_degrade_the_caller_instead_of_failing_it() -> None:
    bp = bp_of(FEED)
    assert knock_out(bp, set()) == {"app": "served"}
    assert knock_out(bp, {"ads"}) == {"app": "degraded"}
    assert knock_out(bp, {"features"}) == {"app": "degraded"}
    detail = knock_out_detail(bp, {"ads", "features"})
    assert detail["answered_by"] == {
        "app": [
            {"component": "svc", "call": "ads", "on_failure": "skip"},
            {"component": "ranker", "call": "features", "on_failure": "defaults"},
        ]
    }


def test_a_failed_call_fails_the_caller_unless_a_fallback_answers() -> None:
    bp = bp_of(FEED)
    assert knock_out(bp, {"ranker"}) == {"app": "degraded"}  # popular answers for the ranker
    assert knock_out_detail(bp, {"ranker"})["answered_by"] == {"app": [{"component": "ranker", "fallback": "popular"}]}
    assert knock_out(bp, {"ranker", "popular"}) == {"app": "down"}
    assert knock_out(bp, {"svc"}) == {"app": "down"}
    assert knock_out(bp, {"popular"}) == {"app": "served"}  # an unused fallback
    text = FEED.replace("to: ads, mode: request, data: x, on_failure: skip", "to: ads, mode: request, data: x")
    assert knock_out(bp_of(text), {"ads"}) == {"app": "down"}  # on_failure: fail is the default
    with pytest.raises(KeyError, match="ghost"):
        knock_out(bp, {"ghost"})


SLOW = """\
    mlsd: 1
    name: slow
    requirements: {scale: {peak_qps: 100}}
    components:
      app: {kind: client_app}
      svc: {kind: online_service, latency_p99_ms: 5, capacity_qps: 1000}
      ranker: {kind: ranking_service, latency_p99_ms: 30, capacity_qps: 1000}
      features: {kind: feature_store, latency_p99_ms: 4}
      popular: {kind: fallback_ranker, latency_p99_ms: 2}
    flows:
      - {from: app, to: svc, mode: request, data: x}
      - {from: svc, to: ranker, mode: request, data: x, timeout_ms: 25}
      - {from: ranker, to: features, mode: request, data: x}
    """


def test_a_callee_slower_than_the_timeout_counts_as_failed() -> None:
    # ranker takes 30 + 4 = 34 ms > 25 ms: svc stops waiting, so the call fails (issue 12: "a slower or
    # stuck callee counts as failed after it"); it costs the timeout.
    bp = bp_of(SLOW)
    assert request_latency(bp)["app"]["p99_ms"] == 30  # 5 + min(34, 25)
    assert knock_out(bp, set()) == {"app": "down"}  # on_failure: fail, and nothing answers for the ranker
    assert load_at(bp, 1)["entry_points"] == {"app": "down"}
    assert load_at(bp, 1)["headroom"] == 0 and load_at(bp, 1)["first_saturated"] is None
    skip = bp_of(SLOW.replace("timeout_ms: 25}", "timeout_ms: 25, on_failure: skip}"))
    assert knock_out(skip, set()) == {"app": "degraded"}
    assert knock_out_detail(skip, set())["answered_by"] == {
        "app": [
            {"component": "svc", "call": "ranker", "timed_out": True},
            {"component": "svc", "call": "ranker", "on_failure": "skip"},
        ]
    }
    fallback = bp_of(
        SLOW.replace(
            "      - {from: ranker, to: features",
            "      - {from: ranker, to: popular, mode: fallback}\n      - {from: ranker, to: features",
        )
    )
    assert knock_out(fallback, set()) == {"app": "degraded"}  # the ranker's fallback answers in time
    assert knock_out_detail(fallback, set())["answered_by"] == {
        "app": [
            {"component": "svc", "call": "ranker", "timed_out": True},
            {"component": "ranker", "fallback": "popular"},
        ]
    }
    assert knock_out(fallback, {"popular"}) == {"app": "down"}
    model = serving_model(fallback)
    sweep = model.single_knock_outs()  # the one-pass sweep agrees with the fixpoint, component by component
    assert sweep is not None and sweep["popular"] == {"app": "down"}
    assert all(sweep[c] == serving_model(fallback).entry_states({c}) for c in model.relevant)
    in_time = bp_of(SLOW.replace("timeout_ms: 25}", "timeout_ms: 34}"))  # exactly its latency: in time
    assert knock_out(in_time, set()) == {"app": "served"}
    assert load_at(in_time, 1)["headroom"] == 10 and load_at(in_time, 1)["first_saturated"] == "svc"


def test_a_caller_of_caches_only_goes_down_when_they_are_down() -> None:
    bp = bp_of("""\
        mlsd: 1
        name: caches
        components:
          app: {kind: client_app}
          svc: {kind: online_service}
          c1: {kind: cache}
          c2: {kind: cache}
        flows:
          - {from: app, to: svc, mode: request, data: x}
          - {from: svc, to: c1, mode: request, data: x}
          - {from: svc, to: c2, mode: request, data: x}
        """)
    assert knock_out(bp, {"c1", "c2"}) == {"app": "down"}
    assert knock_out(bp, {"c1"}) == {"app": "down"}  # a call fails its caller unless it says skip


MUTUAL = """\
    mlsd: 1
    name: mutual
    components:
      app: {kind: client_app}
      svc: {kind: online_service}
      a: {kind: ranking_service}
      b: {kind: ranking_service}
    flows:
      - {from: app, to: svc, mode: request, data: x}
      - {from: svc, to: a, mode: request, data: x}
      - {from: a, to: b, mode: fallback}
      - {from: b, to: a, mode: fallback}
    """


@pytest.mark.parametrize("swap", [False, True], ids=["a-b first", "b-a first"])
def test_mutual_fallbacks_reach_the_same_fixpoint_in_either_order(swap: bool) -> None:
    text = textwrap.dedent(MUTUAL)
    if swap:
        text = text.replace(
            "  - {from: a, to: b, mode: fallback}\n  - {from: b, to: a, mode: fallback}\n",
            "  - {from: b, to: a, mode: fallback}\n  - {from: a, to: b, mode: fallback}\n",
        )
    bp = loads(text, "mutual.yaml")
    assert knock_out(bp, {"a"}) == {"app": "degraded"}  # b answers for a
    assert knock_out(bp, {"b"}) == {"app": "served"}
    assert knock_out(bp, {"a", "b"}) == {"app": "down"}  # neither vouches for the other


def test_critical_components_and_single_points_of_failure() -> None:
    bp = bp_of(FEED.replace("svc: {kind: online_service, replicas: 2}", "svc: {kind: online_service}"))
    assert critical_components(bp) == [{"component": "svc", "replicas": 1, "entry_points": ["app"]}]
    assert single_points_of_failure(bp) == [{"component": "svc", "replicas": 1, "entry_points": ["app"]}]
    replicated = bp_of(FEED)
    assert [c["component"] for c in critical_components(replicated)] == ["svc"]
    assert single_points_of_failure(replicated) == []
    result = simulate(replicated)
    assert result["critical"] == ["svc"] and result["single_points_of_failure"] == []


def test_a_custom_client_kind_is_an_entry_point_everywhere() -> None:
    bp = bp_of("""\
        mlsd: 1
        name: partner
        kinds:
          x-partner: {stage: client}
        components:
          partner: {kind: x-partner}
          svc: {kind: online_service}
          store: {kind: data_warehouse}
        flows:
          - {from: partner, to: svc, mode: request, data: x}
          - {from: store, to: svc, mode: batch, data: y}
        """)
    assert entry_points(bp) == ["partner"] and request_path(bp) == ["svc"]
    assert select_view(bp.graph, "serving").components == ("partner", "svc", "store")


# -- load ----------------------------------------------------------------------------------------

LOAD = """\
    mlsd: 1
    name: load
    requirements: {scale: {peak_qps: 100}}
    components:
      app: {kind: client_app}
      svc: {kind: online_service, replicas: 2, capacity_qps: 100}
      model: {kind: inference_service, replicas: 2, capacity_qps: 200}
      cache: {kind: cache, capacity_qps: 50}
      popular: {kind: fallback_ranker, capacity_qps: 1000}
      lookup: {kind: online_service}
    flows:
      - {from: app, to: svc, mode: request, data: x}
      - {from: svc, to: cache, mode: request, data: x, per_request: 0.2, on_failure: skip}
      - {from: svc, to: model, mode: request, data: x, per_request: 3}
      - {from: svc, to: lookup, mode: request, data: x, timeout_ms: 20}
      - {from: model, to: popular, mode: fallback}
    """


def test_load_flows_down_times_per_request_and_headroom_is_the_first_saturation() -> None:
    result = load_at(bp_of(LOAD), 1)
    assert {
        c: (i["qps"], i["capacity_qps"], i["utilization"], i["state"]) for c, i in result["components"].items()
    } == {
        "app": (100, None, None, "ok"),
        "svc": (100, 200, 0.5, "ok"),
        "model": (300, 400, 0.75, "ok"),
        "cache": (20, 50, 0.4, "ok"),
        "popular": (0, 1000, 0, "ok"),
        "lookup": (100, None, None, "ok"),
    }
    assert result["entry_points"] == {"app": "served"}
    # model saturates first: 400 / 300 = 1.333 (svc at 2.0, cache at 2.5)
    assert result["headroom"] == 1.333 and result["first_saturated"] == "model"
    assert result["unknown_capacity"] == ["lookup"]
    assert load_at(bp_of(LOAD), 1.333)["entry_points"] == {"app": "served"}


def test_a_failed_components_load_goes_to_its_fallback() -> None:
    result = load_at(bp_of(LOAD), 1, {"model"})
    assert result["components"]["model"]["state"] == "failed" and result["components"]["model"]["qps"] == 300
    assert result["components"]["popular"]["qps"] == 300  # all of it, at 0.3 of its capacity
    assert result["entry_points"] == {"app": "degraded"}
    assert result["answered_by"] == {"app": [{"component": "model", "fallback": "popular"}]}


def test_shedding_serves_capacity_and_its_fallback_takes_the_rest() -> None:
    text = LOAD.replace(
        "model: {kind: inference_service, replicas: 2, capacity_qps: 200}",
        "model: {kind: inference_service, replicas: 2, capacity_qps: 200, load_shedding: true}",
    )
    result = load_at(bp_of(text), 2)  # 600 qps at the model, 400 served
    model = result["components"]["model"]
    assert (model["qps"], model["utilization"], model["state"]) == (600, 1.5, "shedding")
    assert result["components"]["popular"]["qps"] == 200  # the excess it turned away
    assert result["components"]["svc"]["state"] == "ok"  # svc at 200 of 200: still within capacity
    assert result["entry_points"] == {"app": "degraded"}  # some requests get the fallback's answer
    no_fallback = text.replace("  - {from: model, to: popular, mode: fallback}\n", "")
    assert load_at(bp_of(no_fallback), 2)["entry_points"] == {"app": "down"}  # some requests fail


def test_overload_without_shedding_cascades_up_callers_without_a_timeout() -> None:
    text = LOAD.replace("- {from: model, to: popular, mode: fallback}\n", "")
    result = load_at(bp_of(text), 2)
    assert result["components"]["model"]["state"] == "overloaded"
    assert result["components"]["svc"]["state"] == "failed"  # stuck waiting: no timeout on its call
    assert result["entry_points"] == {"app": "down"}
    # with a timeout and a fallback, svc sees a failed call and the fallback answers
    timed = LOAD.replace(
        "to: model, mode: request, data: x, per_request: 3",
        "to: model, mode: request, data: x, per_request: 3, timeout_ms: 50",
    )
    result = load_at(bp_of(timed), 2)
    assert result["components"]["model"]["state"] == "overloaded"
    assert result["components"]["svc"]["state"] == "ok"
    assert result["components"]["popular"]["qps"] == 600  # every timed-out call
    assert result["entry_points"] == {"app": "degraded"}


def test_an_entry_points_own_peak_overrides_the_designs() -> None:
    text = LOAD.replace("app: {kind: client_app}", "app: {kind: client_app, peak_qps: 10}")
    result = load_at(bp_of(text), 1)
    assert result["components"]["svc"]["qps"] == 10 and result["headroom"] == 13.333


def test_no_peak_means_no_load_and_no_headroom() -> None:
    result = load_at(bp_of(FEED), 1)
    assert result["headroom"] is None and all(i["qps"] == 0 for i in result["components"].values())
    with pytest.raises(ValueError, match="positive"):
        load_at(bp_of(FEED), 0)


# -- results are functions of the blueprint, not of a cache ---------------------------------------------


def test_a_model_copy_gets_its_own_answers() -> None:
    bp = bp_of(FEED)
    assert knock_out(bp, {"ads"}) == {"app": "degraded"}
    flows = [f.model_copy(update={"on_failure": None}) if f.target == "ads" else f for f in bp.flows]
    changed = bp.model_copy(update={"flows": flows})
    assert knock_out(changed, {"ads"}) == {"app": "down"}
    assert knock_out(bp, {"ads"}) == {"app": "degraded"}
    slow = bp_of(STEPS)
    assert request_latency(slow)["app"]["p99_ms"] == 55
    comps = dict(slow.components)
    comps["c"] = comps["c"].model_copy(update={"latency_p99_ms": 100.0})
    assert request_latency(slow.model_copy(update={"components": comps}))["app"]["p99_ms"] == 135
    grown = slow.model_copy(update={"components": {**comps, "extra": comps["a"]}})
    assert "extra" in grown.graph and "extra" not in slow.graph


# -- validation of the new fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "- {from: svc, to: a, mode: request, data: x, step: 1}\n  - {from: svc, to: b, mode: request, data: x}",
            "10:5: error: request flow from 'svc' has no 'step', but its request flow 0 has one",
        ),
        (
            "- {from: svc, to: a, mode: request, data: x, timeout_ms: -5}\n  - {from: svc, to: b, mode: request, data: x}",
            "9:60: error: 'timeout_ms' should be greater than 0, got -5",
        ),
        (
            "- {from: svc, to: a, mode: request, data: x, on_failure: maybe}\n  - {from: svc, to: b, mode: request, data: x}",
            "9:60: error: unknown on_failure 'maybe' (expected one of: fail, skip, defaults)",
        ),
        (
            "- {from: svc, to: a, mode: request, data: x}\n  - {from: svc, to: b, mode: fallback, timeout_ms: 5}",
            "10:40: error: 'timeout_ms' applies to request flows only; this is a 'fallback' flow",
        ),
        (
            "- {from: svc, to: a, mode: request, data: x, per_request: true}\n  - {from: svc, to: b, mode: request, data: x}",
            "9:61: error: 'per_request' should be a number, got true",
        ),
    ],
)
def test_serving_fields_are_validated_with_located_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "mlsd: 1\nname: bad\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "  a: {kind: cache}\n  b: {kind: cache}\nflows:\n  " + text + "\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_peak_qps_belongs_on_an_entry_point(tmp_path: Path) -> None:
    path = tmp_path / "peak.yaml"
    path.write_text(
        "mlsd: 1\nname: p\ncomponents:\n  app: {kind: client_app, peak_qps: 5}\n"
        "  svc: {kind: online_service, peak_qps: 5, capacity_qps: 0}\n"
        "flows:\n  - {from: app, to: svc, mode: request, data: x}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "5:31: error: 'peak_qps' applies to entry points only" in result.output
    assert "5:58: error: 'capacity_qps' should be greater than 0, got 0" in result.output


# -- the command ---------------------------------------------------------------------------------------


def test_cli_simulate_text_on_the_news_feed() -> None:
    out = CliRunner().invoke(main, ["simulate", str(NEWS)])
    assert out.exit_code == 0, out.output
    text = out.output
    assert re.search(r"^  gateway +app down$", text, re.M)
    assert re.search(r"^  ranker +app degraded \(p99 79 ms\)  \(fallback feed_cache answered for ranker\)$", text, re.M)
    assert re.search(
        r"^  inbox +app degraded \(p99 129 ms\)  \(feed_service skipped inbox \(on_failure: skip\)\)$", text, re.M
    )
    assert "  app: 129 ms of 200 ms SLO\n" in text
    assert "        step 3: ranker  53 ms  (own 45 ms; with its calls 53 ms; timeout 80 ms)\n" in text
    assert "Critical (losing one alone takes an entry point down): gateway, feed_service, reranker\n" in text
    assert "Headroom: 1.6x peak (first to saturate: candidate_gen)" in text


def test_cli_simulate_json_keeps_its_keys_and_adds_critical_and_load() -> None:
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["simulate", str(NEWS), "--format", "json"]).output)
    keys = ["entry_points", "knock_outs", "single_points_of_failure", "critical", "latency", "load"]
    assert list(data)[: len(keys)] == keys  # new keys are only added after these (here: the streams)
    assert set(data) - set(keys) <= {"streams", "availability", "load_path"}
    assert set(data["latency"]["app"]) >= {"path", "p99_ms", "slo_ms", "missing"}
    assert data["latency"]["app"]["p99_ms"] == 129
    load = data["load"]
    assert (load["factor"], load["headroom"], load["first_saturated"]) == (1, 1.6, "candidate_gen")
    assert load["entry_points"] == {"app": "served"}
    assert load["components"]["ranker"] == {"qps": 120000, "capacity_qps": 210000, "utilization": 0.571, "state": "ok"}
    two = json.loads(runner.invoke(main, ["simulate", str(NEWS), "--format", "json", "--load", "2"]).output)["load"]
    # at 2x the retrieval, ranker and integrity model shed; the ranker's fallback (the feed cache) takes its
    # excess on top of its own reads and is overloaded, so some feeds fail
    assert two["factor"] == 2 and two["entry_points"] == {"app": "down"}
    assert {c: i["state"] for c, i in two["components"].items() if i["state"] != "ok"} == {
        "candidate_gen": "shedding",
        "ranker": "shedding",
        "integrity_model": "shedding",
        "feed_cache": "overloaded",
    }
    assert (
        two["components"]["feed_cache"]["qps"] == 240000 + 30000 + 48000
    )  # its reads, the ranker's and integrity's excess
    together = json.loads(
        runner.invoke(main, ["simulate", str(NEWS), "--format", "json", "--knock-out", "ranker,feed_cache"]).output
    )
    [knocked] = together["knock_outs"]
    assert {k: knocked[k] for k in ("components", "entry_points", "answered_by")} == {
        "components": ["ranker", "feed_cache"],
        "entry_points": {"app": "down"},
        "answered_by": {},
    }
    assert knocked["latency"]["app"]["shares"] == {"served": 0, "degraded": 0, "failed": 1}


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_cli_bad_load_is_a_clear_error(value: str) -> None:
    out = CliRunner().invoke(main, ["simulate", str(NEWS), "--load", value])
    assert out.exit_code == 2
    assert f"--load must be a positive number (a multiple of the peak QPS, e.g. 1 or 2.5), got '{value}'" in out.output


def test_cli_bad_knock_out_names_the_nearest_component() -> None:
    bad = CliRunner().invoke(main, ["simulate", str(NEWS), "--knock-out", "rankr"])
    assert bad.exit_code == 2 and "did you mean 'ranker'?" in bad.output


def test_same_input_same_bytes() -> None:
    runner = CliRunner()
    outs = {
        runner.invoke(main, ["simulate", str(NEWS), "--format", fmt, "--load", "3"]).output for fmt in ("json", "json")
    }
    assert len(outs) == 1


def test_blueprints_built_in_code_pass_the_serving_checks() -> None:
    from mlsd_diagram import Blueprint

    bp = Blueprint.model_validate(
        {
            "mlsd": 1,
            "name": "code",
            "components": {
                "app": {"kind": "client_app"},
                "svc": {"kind": "online_service"},
                "log": {"kind": "event_logging"},
            },
            "flows": [
                {"from": "app", "to": "svc", "mode": "request", "timeout_ms": 5},
                {"from": "svc", "to": "log", "mode": "stream"},
            ],
        }
    )
    assert knock_out(bp, {"svc"}) == {"app": "down"}
    with pytest.raises(ValueError, match="'timeout_ms' applies to request flows only"):
        Blueprint.model_validate(
            {
                "mlsd": 1,
                "name": "code",
                "components": {"app": {"kind": "client_app"}, "log": {"kind": "event_logging"}},
                "flows": [{"from": "app", "to": "log", "mode": "stream", "timeout_ms": 5}],
            }
        )


NO_SLO = """\
mlsd: 1
name: No SLO
components:
  app: {kind: client_app, peak_qps: 100}
  api: {kind: online_service, capacity_qps: 300, latency_p99_ms: 20}
flows:
  - {from: app, to: api, mode: request}
"""


def test_without_an_slo_the_headroom_is_served_not_within_the_slo(tmp_path: Path) -> None:
    # api takes 300 of the app's 100 qps: every entry point is served up to 3x, and no SLO bounds it sooner
    (tmp_path / "noslo.yaml").write_text(NO_SLO)
    lines = CliRunner().invoke(main, ["simulate", str(tmp_path / "noslo.yaml")]).output.splitlines()
    assert (
        lines[-1] == "Served headroom (no SLO declared): 3x peak (every entry point served; limited by api saturates)"
    )
    assert not any("within the SLO" in line for line in lines)
    (tmp_path / "slo.yaml").write_text(
        NO_SLO.replace("name: No SLO\n", "name: SLO\nrequirements:\n  slo: {latency_p99_ms: 100}\n")
    )
    lines = CliRunner().invoke(main, ["simulate", str(tmp_path / "slo.yaml")]).output.splitlines()
    assert lines[-1] == "SLO headroom: 3x peak (served and within the SLO; limited by api saturates)"
