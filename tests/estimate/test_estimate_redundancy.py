"""N+1 in `mlsd estimate` is one computation with MLSD215 and `mlsd simulate --lose`: the three agree.

Each design is small enough to size by hand; each verdict is read from the real CLI's output.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlsd_diagram.cli import main

# 1,000 qps at peak through api into a ranker with room to spare; api is the one under test.
DESIGN = """\
mlsd: 1
name: N plus one
requirements: {{scale: {{peak_qps: 1000}}}}
components:
  app: {{kind: client_app}}
  api: {{kind: online_service, capacity_qps: 300, replicas: {replicas}{zones}}}
  ranker: {{kind: ranking_service, capacity_qps: 1000, replicas: 4}}
flows:
  - {{from: app, to: api, mode: request}}
  - {{from: api, to: ranker, mode: request}}
"""


def _write(tmp_path, replicas: int, zones: int | None = None):
    path = tmp_path / "bp.yaml"
    path.write_text(DESIGN.format(replicas=replicas, zones=f", zones: {zones}" if zones else ""))
    return str(path)


def _run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result


def _verdicts(path: str, what: str) -> tuple[dict, bool, str]:
    """(estimate's N+1 figure for api, whether MLSD215 warns on api, api's state in simulate --lose)."""
    est = json.loads(_run("estimate", path, "--format", "json").output)
    figure = next(
        f for f in est["figures"] if f["section"] == "redundancy" and f["component"] == "api" and what in f["quantity"]
    )
    lint = json.loads(_run("lint", path, "--format", "json").output)
    findings = lint["findings"]
    warned = any(f["rule"] == "MLSD215" and f.get("component") == "api" for f in findings)
    sim = json.loads(_run("simulate", path, "--lose", what, "--format", "json").output)
    return figure, warned, sim["load"]["components"]["api"]["state"]


@pytest.mark.parametrize(
    "replicas,short,n_plus_one",
    [
        (4, True, 5),  # 4 x 300 = 1,200 serves 1,000; one lost leaves 900: ceil(1000 / 300) + 1 = 5
        (5, False, 5),  # one lost leaves 1,200 for 1,000
    ],
)
def test_estimate_lint_and_simulate_agree_on_losing_a_replica(tmp_path, replicas, short, n_plus_one):
    figure, warned, state = _verdicts(_write(tmp_path, replicas), "replica")
    assert figure["value"] == n_plus_one
    assert figure["worked"] == "ceil(1,000 / 300) + 1"
    assert ("short" in figure["note"]) is short
    assert ("enough" in figure["note"]) is not short
    assert warned is short
    assert (state in ("shedding", "overloaded")) is short
    if short:
        assert figure["note"] == "4 declared: short, 900 QPS left for 1,000 (MLSD215)"


def test_two_zones_n_plus_one_by_hand(tmp_path):
    """6 replicas over 2 zones: a zone takes ceil(6 / 2) = 3, leaving 900 for 1,000: short.
    N+1 for a zone = ceil(1,000 / 300) + 3 = 7; with 8 over 2 zones, 4 are left: 1,200, enough."""
    figure, warned, state = _verdicts(_write(tmp_path, 6, zones=2), "zone")
    assert figure["quantity"] == "replicas for N+1 (one zone lost)"
    assert (figure["value"], figure["worked"]) == (7, "ceil(1,000 / 300) + 3")
    assert figure["note"] == "6 declared: short, 900 QPS left for 1,000 (MLSD215)"
    assert warned and state in ("shedding", "overloaded")
    figure, warned, state = _verdicts(_write(tmp_path, 8, zones=2), "zone")
    assert figure["note"] == "8 declared: enough, 1,200 QPS left for 1,000"
    assert not warned and state == "ok"


def test_one_replica_needed_still_gets_n_plus_one(tmp_path):
    """100 qps on a 1,000-qps replica: "replicas needed: 1" at 60% utilization, yet losing that one replica
    is a knock-out: N+1 is ceil(100 / 1,000) + 1 = 2."""
    path = tmp_path / "one.yaml"
    path.write_text(
        "mlsd: 1\nname: One\nrequirements: {scale: {peak_qps: 100}}\ncomponents:\n"
        "  app: {kind: client_app}\n  api: {kind: online_service, capacity_qps: 1000, replicas: 1}\n"
        "flows:\n  - {from: app, to: api, mode: request}\n"
    )
    text = _run("estimate", str(path)).output
    assert "api  1 replica  ceil(100 / (1,000 x 0.6))  (1 declared)" in text
    line = next(x for x in text.splitlines() if "N+1 (one replica lost)" in x)
    assert "2 replicas" in line and "ceil(100 / 1,000) + 1" in line
    assert "1 declared: short, losing its one replica is a knock-out" in line
