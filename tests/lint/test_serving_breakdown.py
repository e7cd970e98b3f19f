"""The serving model's views for the design doc and the page: latency parts, critical path, load table.

They restate ``request_latency`` and ``load_at`` in another shape, so each is checked against them
on random designs (the strategy of test_lint_serving_properties) and once by hand.
"""

from __future__ import annotations

import json
import math
import sys

from hypothesis import given, settings
from test_lint_serving_properties import designs

from mlsd_diagram import loads
from mlsd_diagram.analyses.request_path import request_path
from mlsd_diagram.analyses.serving import (
    critical_path,
    latency_breakdown,
    load_at,
    load_sweep,
    load_table,
    request_latency,
)

HAND = """
mlsd: 1
name: parts
requirements: {scale: {peak_qps: 100}, slo: {latency_p99_ms: 50}}
components:
  app: {kind: client_app}
  svc: {kind: online_service, latency_p99_ms: 4, replicas: 2, capacity_qps: 100}
  a: {kind: feature_store, latency_p99_ms: 7}
  b: {kind: ranking_service, latency_p99_ms: 9, capacity_qps: 500}
  c: {kind: reranking_service, latency_p99_ms: 30}
flows:
  - {from: app, to: svc, mode: request, data: x}
  - {from: svc, to: a, mode: request, data: x, step: 1, per_request: 3}
  - {from: svc, to: b, mode: request, data: x, step: 1}
  - {from: svc, to: c, mode: request, data: x, step: 2, timeout_ms: 12}
"""


def test_parts_by_hand():
    bp = loads(HAND, name="parts.yaml")
    info = latency_breakdown(bp)["app"]
    assert info["p99_ms"] == 4 + 9 + 12 and info["flows"] == [0, 2, 3]
    svc = info["parts"][1]
    assert (svc["component"], svc["own_ms"], svc["total_ms"]) == ("svc", 4, 25)
    assert [[(c["component"], c["cost_ms"], c["slowest"], c["cut"]) for c in s["calls"]] for s in svc["steps"]] == [
        [("a", 7, False, False), ("b", 9, True, False)],
        [("c", 12, True, True)],
    ]
    assert critical_path(bp) == {
        "entry": "app",
        "p99_ms": 25,
        "slo_ms": 50,
        "components": ["app", "svc", "b", "c"],
        "flows": [0, 2, 3],
    }
    rows = {r["component"]: r for r in load_table(bp)["rows"]}
    assert rows["a"]["qps"] == 300 and rows["a"]["qps_per_replica"] == 300 and rows["a"]["utilization"] is None
    assert (rows["svc"]["capacity_per_replica"], rows["svc"]["capacity_qps"], rows["svc"]["qps_per_replica"]) == (
        100,
        200,
        50,
    )


@settings(max_examples=60)
@given(designs())
def test_parts_add_up_and_agree_with_request_latency(design):
    bp = loads(json.dumps(design), name="g.json")
    report = request_latency(bp)
    # constant service times (no per_request share under 1 mixing in calls that are not made): p99s add up;
    # otherwise the p99 of a sum or of the slowest call is not the sum or the largest of the p99s
    exact = all((f.get("per_request") or 1) >= 1 for f in design["flows"])
    for entry, info in latency_breakdown(bp).items():
        assert info["p99_ms"] == report[entry]["p99_ms"] and info["missing"] == report[entry]["missing"]
        slowest = {entry}
        for part in info["parts"]:
            if exact and part["total_ms"] < sys.float_info.max:  # one that hangs (overloaded) is no sum
                assert math.isclose(
                    (part["own_ms"] or 0) + sum(s["cost_ms"] for s in part["steps"]), part["total_ms"], abs_tol=0.01
                )
            for step in part["steps"]:
                assert step["cost_ms"] == max(c["cost_ms"] for c in step["calls"])
                assert sum(c["slowest"] for c in step["calls"]) == 1
                slowest |= {c["component"] for c in step["calls"] if c["slowest"]}
        assert slowest == (set(report[entry]["path"]) if info["p99_ms"] is not None else {entry})
    path = critical_path(bp)
    timed = {e: r["p99_ms"] for e, r in report.items() if r["p99_ms"] is not None}
    assert (path is None) == (not timed)
    if path:
        assert path["p99_ms"] == max(timed.values()) and path["components"] == report[path["entry"]]["path"]


@settings(max_examples=30)
@given(designs())
def test_load_views_agree_with_load_at(design):
    bp = loads(json.dumps(design), name="g.json")
    sweep = load_sweep(bp, (0.5, 1, 3))
    for factor, at in zip(sweep["factors"], sweep["at"], strict=True):
        expected = load_at(bp, factor)
        assert at["components"] == expected["components"] and at["entry_points"] == expected["entry_points"]
        assert (sweep["headroom"], sweep["first_saturated"]) == (expected["headroom"], expected["first_saturated"])
    table = load_table(bp, 1)
    expected = load_at(bp, 1)
    assert [r["component"] for r in table["rows"]] == request_path(bp)
    for row in table["rows"]:
        assert {k: row[k] for k in ("qps", "capacity_qps", "utilization", "state")} == expected["components"][
            row["component"]
        ]


def test_the_load_at_peak_without_the_slo_search_is_the_same_load():
    """MLSD206 reads the load at peak but not the SLO headroom, whose bisection over full evaluations was
    most of `mlsd lint`'s time on the news feed: ``slo=False`` skips it and changes nothing else."""
    from pathlib import Path

    from mlsd_diagram import load
    from mlsd_diagram.analyses.serving import load_at

    bp = load(Path(__file__).resolve().parents[2] / "blueprints" / "news_feed.yaml")
    full, quick = load_at(bp, 1.0), load_at(bp, 1.0, slo=False)
    assert full["slo_headroom"] is not None and full["slo_limit"] is not None
    assert quick["slo_headroom"] is None and quick["slo_limit"] is None
    assert {k: v for k, v in full.items() if not k.startswith("slo_")} == {
        k: v for k, v in quick.items() if not k.startswith("slo_")
    }
