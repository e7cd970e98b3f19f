"""Retries, load paths and lost replicas or zones, each figure checked against a hand computation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mlsd_testing import run_mlsd

from mlsd_diagram import loads
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.serving import ServingModel, load_at, simulate


def chain(capacity: float, shedding: bool = True, retries: int = 3, budget: float | None = None) -> str:
    """app -> l1 -> l2 -> db, each call retried ``retries`` times; the db takes ``capacity`` qps (peak 1,000)."""
    shed = ", load_shedding: true" if shedding else ""
    extra = f", retry_budget: {budget}" if budget is not None else ""
    return (
        "mlsd: 1\nname: retries\nrequirements: {scale: {peak_qps: 1000}}\ncomponents:\n"
        f"  app: {{kind: client_app{extra}}}\n  l1: {{kind: api_gateway, latency_p99_ms: 1{extra}}}\n"
        f"  l2: {{kind: online_service, latency_p99_ms: 2{extra}}}\n"
        f"  db: {{kind: feature_store, latency_p99_ms: 5, capacity_qps: {capacity}{shed}}}\nflows:\n"
        f"  - {{from: app, to: l1, mode: request, retries: {retries}}}\n"
        f"  - {{from: l1, to: l2, mode: request, retries: {retries}}}\n"
        f"  - {{from: l2, to: db, mode: request, retries: {retries}}}\n"
    )


def attempts(f: float, r: int = 3) -> float:
    return sum(f**k for k in range(r + 1))


def hand_fixpoint(rate: float, capacity: float) -> float:
    """The db's reject share x solving x = 1 - C / offered(x), offered = rate S(x^16) S(x^4) S(x): the
    smallest root, found by scanning up from 0 and bisecting (the model iterates from 0 to it)."""

    def gap(x: float) -> float:
        offered = rate * attempts(x**16) * attempts(x**4) * attempts(x)
        return max(0.0, 1 - capacity / offered) - x

    grid = [i / 10000 for i in range(10001)]
    low = next(x for x, y in zip(grid, grid[1:]) if gap(x) >= 0 and gap(y) <= 0)
    high = low + 1e-4
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if gap(mid) > 0 else (low, mid)
    return (low + high) / 2


@pytest.mark.parametrize("factor", [1.0, 1.3, 1.5])
def test_three_layers_of_retries_against_a_shedding_database(factor):
    bp = loads(chain(1000))
    result = load_at(bp, factor)
    qps = {c: info["qps"] for c, info in result["components"].items()}
    rate = 1000 * factor
    if factor == 1.0:  # at capacity, nothing fails: no retry, no extra load
        assert qps == {"app": 1000, "l1": 1000, "l2": 1000, "db": 1000}
        assert result["latency"]["app"]["shares"]["failed"] == 0
        return
    x = hand_fixpoint(rate, 1000)
    l1 = rate * attempts(x**16)
    l2 = l1 * attempts(x**4)
    db = l2 * attempts(x)
    assert qps["l1"] == pytest.approx(l1, rel=1e-4)
    assert qps["l2"] == pytest.approx(l2, rel=1e-4)
    assert qps["db"] == pytest.approx(db, rel=1e-4)
    assert result["retries"]["failure"]["db"] == pytest.approx(x, abs=1e-5)  # the reject share
    user = x**64  # each layer fails after 4 tries of the one below
    assert result["latency"]["app"]["shares"]["failed"] == pytest.approx(user, abs=1e-4)
    # the database serves its capacity: the requests that fail are exactly the excess (retries add none)
    assert user == pytest.approx(1 - 1000 / rate, abs=1e-4)
    assert db / rate > 20  # the db is offered over 20x the user rate
    assert result["entry_points"]["app"] == "down"


def test_a_retry_budget_caps_the_attempts():
    bp = loads(chain(1000, budget=0.1))
    result = load_at(bp, 1.3)
    assert result["components"]["db"]["qps"] <= 1300 * 1.1**3 + 1e-6
    assert all(a <= 1.1 + 1e-9 for a in result["retries"]["attempts"].values())


def test_an_overload_kept_going_by_retries_is_metastable(tmp_path):
    # no shedding: an overloaded db fails every attempt (they time out), so every layer retries 3x:
    # 64x the rate at the bottom. From rest, 1x is within capacity (1,000 of 1,200); after 1.5x, 64,000
    # qps keep it overloaded at 1x.
    bp = loads(chain(1200, shedding=False))
    path = simulate(bp, path=[1.0, 1.5, 1.0])["load_path"]
    assert [step["entry_points"]["app"] for step in path] == ["served", "down", "down"]
    assert path[0]["metastable"] == [] and path[1]["metastable"] == []
    assert path[2]["metastable"] == [{"component": "db", "state": "overloaded", "loop": [0, 1, 2]}]
    assert path[2]["components"]["db"]["qps"] == 64000
    assert load_at(bp, 1.0)["entry_points"]["app"] == "served"  # the same load from rest
    path_file = tmp_path / "retries.yaml"
    path_file.write_text(chain(1200, shedding=False))
    text = run_mlsd("simulate", str(path_file), "--load", "1,1.5,1")
    assert "db overloaded: METASTABLE" in text.stdout, text.stdout + text.stderr


LOSS = """mlsd: 1
name: redundancy
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  ranker: {kind: ranking_service, latency_p99_ms: 20, replicas: 4, capacity_qps: 300, zones: 2}
flows:
  - {from: app, to: ranker, mode: request, timeout_ms: 100}
"""


def test_one_replica_and_one_zone_lost_at_peak():
    bp = loads(LOSS)
    intact = load_at(bp, 1.0)
    assert intact["components"]["ranker"]["capacity_qps"] == 1200 and intact["entry_points"]["app"] == "served"
    assert intact["headroom"] == 1.2
    replica = load_at(bp, 1.0, lose="replica")
    assert replica["lost"] == {"ranker": 1}
    assert replica["components"]["ranker"]["capacity_qps"] == 900  # 3 x 300 for 1,000 qps
    assert replica["components"]["ranker"]["state"] == "overloaded"
    zone = load_at(bp, 1.0, lose="zone")
    assert zone["lost"] == {"ranker": 2} and zone["components"]["ranker"]["capacity_qps"] == 600
    findings = [f for f in lint(bp) if f.rule == "MLSD215"]
    assert len(findings) == 1 and "leaves 900 qps" in findings[0].message and "N+1 needs 5" in findings[0].message


def test_n_plus_one_is_quiet():
    bp = loads(LOSS.replace("replicas: 4", "replicas: 6"))  # a zone (3 of 6) leaves 900: still short
    messages = [f.message for f in lint(bp) if f.rule == "MLSD215"]
    assert len(messages) == 1 and "losing one zone" in messages[0]
    bp = loads(LOSS.replace("replicas: 4", "replicas: 8"))  # a zone leaves 1,200
    assert not [f for f in lint(bp) if f.rule == "MLSD215"]


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.5, 3.0),
    st.integers(0, 4),
    st.floats(500, 3000),
)
def test_retries_never_add_capacity(factor, retries, capacity):
    with_retries = load_at(loads(chain(capacity, retries=retries)), factor)["latency"]["app"]["shares"]["failed"]
    without = load_at(loads(chain(capacity, retries=0)), factor)["latency"]["app"]["shares"]["failed"]
    assert with_retries >= without - 1e-5  # the fixpoint is iterated to 1e-9 steps


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 4), st.floats(100, 400))
def test_losing_a_replica_never_raises_headroom(replicas, zones, capacity):
    text = LOSS.replace("replicas: 4", f"replicas: {replicas}").replace("zones: 2", f"zones: {zones}")
    text = text.replace("capacity_qps: 300", f"capacity_qps: {capacity!r}")
    model = ServingModel(loads(text))
    before = model.total_capacity("ranker")
    for what in ("replica", "zone"):
        after = model.total_capacity("ranker", model.lost_replicas(what))
        assert after is not None and before is not None and after <= before
