"""Every case-study starter is filled in as a real system of its kind: a feature table, items per call on
the calls that score or read many items, unit prices, a rollout plan and structured alternatives; and
`mlsd estimate` on it (the real CLI, JSON output) counts items and gives a monthly cost."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlsd_diagram import loads
from mlsd_diagram.blueprint.rollout import Alternative
from mlsd_diagram.cli import main
from mlsd_diagram.starters import starters

CASES = {s.name: s for s in starters() if s.name != "blank"}  # blank is the empty skeleton: nothing to size
# designs whose request path reads precomputed results: no model scores items per request
PRECOMPUTED = {"people_you_may_know", "street_view_blurring"}
# ... and street view's serves stored tiles, reading no features either
NO_ITEMS = {"street_view_blurring"}


def test_the_ten_case_studies_are_checked():
    assert len(CASES) == 10


@pytest.mark.parametrize("name", sorted(CASES))
def test_starter_declares_features_items_prices_rollout_and_alternatives(name):
    bp = loads(CASES[name].text, f"{name}.yaml")
    models = [c for c in bp.components.values() if c.task]
    assert any(m.features for m in models), "no model declares its features"
    for m in models:
        for feature in m.features:
            assert feature.source in bp.components and feature.default and feature.freshness, feature
    assert any(c.cost for c in bp.components.values()), "no unit prices"
    assert any(c.cost and c.cost.per_gb_month for c in bp.components.values()), "no storage price"
    assert any(c.retention for c in bp.components.values()), "no retention"
    plans = [c for c in bp.components.values() if c.ramp]
    assert plans and all(p.kill_switch and p.rollback_on for p in plans), "no complete rollout plan"
    assert plans[0].ramp[-1].share == 1
    structured = [a for a in bp.context.alternatives if isinstance(a, Alternative)]
    assert structured and all(a.pros and a.cons for a in structured)
    if name not in NO_ITEMS:
        assert any(f.items_per_call for f in bp.flows if f.mode == "request"), "no items per call"


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimate_counts_items_and_gives_a_monthly_cost(name, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(CASES[name].text, encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    total = [f for f in figures if f["section"] == "cost" and f["component"] is None]
    assert len(total) == 1 and total[0]["value"] > 0 and total[0]["unit"] == "per month"
    parts = [f["value"] for f in figures if f["section"] == "cost" and f["component"] is not None]
    assert total[0]["value"] == pytest.approx(sum(parts))
    items = {(f["component"], f["quantity"]): f for f in figures if f["section"] == "items"}
    if name in PRECOMPUTED:
        return
    scored = [f for (c, q), f in items.items() if q == "predictions/s"]
    assert scored, "no predictions/s from items"
    for f in scored:
        # every model sized by items is declared with at least the replicas its items need
        sized = items[(f["component"], "replicas from predictions/s")]
        declared = int(sized["note"].split()[0])
        assert declared >= sized["value"], sized
