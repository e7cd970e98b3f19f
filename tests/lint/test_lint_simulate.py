"""Knock-out simulation, single points of failure and the request-path latency budget."""

from __future__ import annotations

import json
import re
import textwrap

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.simulate import (entry_points, knock_out, knock_out_detail, latency_graph, request_latency,
                                            simulate, single_points_of_failure)
from mlsd_diagram.cli import main
from mlsd_testing import BLUEPRINTS, ROOT

NEWS = ROOT / "blueprints" / "news_feed.yaml"

CHAIN = textwrap.dedent("""\
    mlsd: 1
    name: chain
    requirements: {slo: {latency_p99_ms: 50}}
    components:
      app: {kind: client_app}
      partner: {kind: client_app}
      gateway: {kind: api_gateway, latency_p99_ms: 5}
      ranker: {kind: ranking_service, replicas: 3, latency_p99_ms: 30}
      features: {kind: feature_store, replicas: 2, latency_p99_ms: 10}
      cache: {kind: cache, replicas: 2, latency_p99_ms: 2}
      popular: {kind: fallback_ranker, replicas: 2}
      reader: {kind: online_service, replicas: 2}
    flows:
      - {from: app, to: gateway, mode: request, data: a}
      - {from: gateway, to: ranker, mode: request, data: b}
      - {from: gateway, to: cache, mode: request, data: c}
      - {from: ranker, to: features, mode: request, data: d}
      - {from: ranker, to: popular, mode: fallback}
      - {from: partner, to: reader, mode: request, data: e}
      - {from: reader, to: features, mode: request, data: f}
    """)


def test_states_follow_the_documented_model() -> None:
    bp = loads(CHAIN, "chain.yaml")
    assert entry_points(bp) == ["app", "partner"]
    assert knock_out(bp, set()) == {"app": "served", "partner": "served"}
    assert knock_out(bp, {"ranker"}) == {"app": "degraded", "partner": "served"}  # fallback flow to popular
    assert knock_out(bp, {"ranker", "popular"}) == {"app": "degraded", "partner": "served"}  # gateway reads a cache
    assert knock_out(bp, {"ranker", "popular", "cache"}) == {"app": "down", "partner": "served"}
    assert knock_out(bp, {"cache"}) == {"app": "served", "partner": "served"}  # a cache miss
    assert knock_out(bp, {"features"}) == {"app": "degraded", "partner": "down"}
    assert knock_out(bp, {"gateway"}) == {"app": "down", "partner": "served"}
    assert knock_out(bp, {"app"}) == {"app": "down", "partner": "served"}
    with pytest.raises(KeyError, match="ghost"):
        knock_out(bp, {"ghost"})


def test_single_points_of_failure_need_fewer_than_two_replicas() -> None:
    bp = loads(CHAIN, "chain.yaml")
    # gateway: no replicas declared, takes app down. features: takes partner down, but has 2 replicas.
    assert single_points_of_failure(bp) == [{"component": "gateway", "replicas": 1, "entry_points": ["app"]}]
    assert simulate(bp)["single_points_of_failure"] == ["gateway"]


def test_knock_out_detail_lists_what_still_answers() -> None:
    bp = loads(CHAIN, "chain.yaml")
    detail = knock_out_detail(bp, {"ranker"})
    assert detail["entry_points"] == {"app": "degraded", "partner": "served"}
    assert detail["states"]["ranker"] == "down" and detail["states"]["gateway"] == "degraded"
    assert detail["components"] == ["app", "partner", "gateway", "features", "cache", "popular", "reader"]
    assert detail["flows"] == [0, 2, 4, 5, 6]  # ranker's calls are gone; its fallback flow (4) is travelled
    whole = knock_out_detail(bp, set())
    assert whole["flows"] == [0, 1, 2, 3, 5, 6] and "popular" not in whole["components"]


def test_simulate_json_structure_on_the_news_feed() -> None:
    result = simulate(load(NEWS))
    assert list(result) == ["entry_points", "knock_outs", "single_points_of_failure", "latency"]
    states = {k["components"][0]: k["entry_points"]["app"] for k in result["knock_outs"]}
    assert states["gateway"] == "down" and states["ranker"] == "degraded" and states["feed_cache"] == "served"
    assert result["latency"]["app"] == {"path": ["app", "gateway", "feed_service", "ranker", "features"],
                                        "p99_ms": 73, "slo_ms": 200, "missing": []}
    together = simulate(load(NEWS), [{"ranker", "feed_cache"}])
    assert together["knock_outs"] == [{"components": ["ranker", "feed_cache"], "entry_points": {"app": "down"}}]  # its fallback is out too


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.name)
def test_latency_matches_networkx_longest_path(path) -> None:
    bp = load(path)
    graph = latency_graph(bp)
    for entry, info in request_latency(bp).items():
        reach = graph.subgraph(nx.descendants(graph, entry) | {entry})
        own = bp.components[entry].latency_p99_ms or 0
        assert info["p99_ms"] == pytest.approx(own + nx.dag_longest_path_length(reach, default_weight=0))
        assert info["path"][0] == entry


def test_latency_names_components_without_a_latency() -> None:
    text = CHAIN.replace("gateway: {kind: api_gateway, latency_p99_ms: 5}", "gateway: {kind: api_gateway}")
    info = request_latency(loads(text, "x.yaml"))
    assert info["app"]["missing"] == ["gateway", "popular"] or info["app"]["missing"] == ["gateway"]
    assert info["app"]["p99_ms"] == 40 and info["partner"]["missing"] == ["reader"]


RANK = {"served": 0, "degraded": 1, "down": 2}


@st.composite
def designs(draw):
    n = draw(st.integers(3, 9))
    ids = [f"c{i}" for i in range(n)]
    kinds = ["online_service", "ranking_service", "cache", "fallback_ranker", "feature_store"]
    comps = {"app": {"kind": "client_app"}}
    for c in ids:
        comps[c] = {"kind": draw(st.sampled_from(kinds)), "latency_p99_ms": draw(st.integers(0, 50))}
    flows = [{"from": "app", "to": "c0", "mode": "request", "data": "x"}]
    for i in range(n):
        for j in range(i + 1, n):
            mode = draw(st.sampled_from([None, None, "request", "fallback"]))
            if mode:
                flows.append({"from": ids[i], "to": ids[j], "mode": mode, **({"data": "x"} if mode == "request" else {})})
    return {"mlsd": 1, "name": "generated", "components": comps, "flows": flows}


@settings(max_examples=60, deadline=None)
@given(designs(), st.data())
def test_more_knock_outs_never_improve_an_entry_point(design, data) -> None:
    bp = loads(json.dumps(design), "gen.yaml")
    ids = sorted(c for c in design["components"] if c != "app")
    small = set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    large = small | set(data.draw(st.lists(st.sampled_from(ids), max_size=3)))
    assert RANK[knock_out(bp, small)["app"]] <= RANK[knock_out(bp, large)["app"]]
    graph = latency_graph(bp)
    reach = graph.subgraph(nx.descendants(graph, "app") | {"app"})
    assert request_latency(bp)["app"]["p99_ms"] == pytest.approx(nx.dag_longest_path_length(reach, default_weight=0))


def test_cli_simulate_text_and_json() -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["simulate", str(NEWS)])
    assert text.exit_code == 0
    assert re.search(r"^  gateway +app down$", text.output, re.M) and "Single points of failure: none" in text.output
    assert re.search(r"^  integrity_model +app degraded$", text.output, re.M)
    assert "  app: 73 ms of 200 ms SLO: app -> gateway -> feed_service -> ranker -> features" in text.output
    data = json.loads(runner.invoke(main, ["simulate", str(NEWS), "--format", "json", "--knock-out", "ranker,inbox"]).output)
    assert data["knock_outs"] == [{"components": ["inbox", "ranker"], "entry_points": {"app": "degraded"}}]
    bad = runner.invoke(main, ["simulate", str(NEWS), "--knock-out", "rankr"])
    assert bad.exit_code == 2 and "did you mean 'ranker'?" in bad.output
