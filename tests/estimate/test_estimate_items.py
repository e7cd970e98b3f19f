"""Capacity that counts items, not only requests: a ranker scoring N candidates per call, a feature store
reading N keys per call, through the real loader and CLI; every figure computed by hand."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mlsd_diagram import loads
from mlsd_diagram.analyses.estimate import estimate
from mlsd_diagram.cli import main

RANKER = """\
mlsd: 1
name: Ranker scoring candidates
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  api: {kind: online_service, capacity_qps: 2000, replicas: 2}
  ranker: {kind: ranking_service, task: ranking, capacity_qps: 500, replicas: 10, capacity_items_per_s: 200000}
  features: {kind: feature_store, capacity_qps: 5000, replicas: 4}
flows:
  - {from: app, to: api, mode: request}
  - {from: api, to: ranker, mode: request, items_per_call: 2000}
  - {from: ranker, to: features, mode: request, per_request: 2, items_per_call: 1000}
"""


def _figures(text: str):
    return {(f.section, f.component, f.quantity): f for f in estimate(loads(text, name="ranker.yaml")).figures}


def test_a_ranker_scoring_candidates_is_sized_by_predictions_not_requests():
    figures = _figures(RANKER)
    # 1,000 requests/s x 1 call x 2,000 candidates = 2,000,000 predictions/s
    scored = figures[("items", "ranker", "predictions/s")]
    assert scored.value == 2_000_000 and scored.approx == "2M predictions/s"
    assert scored.worked == "1,000 (api) x 1 x 2,000"
    # ceil(2,000,000 / (200,000 x 0.6)) = ceil(16.67) = 17, where requests alone ask for ceil(1000 / 300) = 4
    replicas = figures[("items", "ranker", "replicas from predictions/s")]
    assert replicas.value == 17
    assert replicas.worked == "ceil(2,000,000 / (200,000 x 0.6))"
    assert replicas.note == "10 declared: 7 under the 60% target"
    assert figures[("replicas", "ranker", "replicas needed")].value == 4
    # the ranker calls the store twice per request, 1,000 keys a call: 1,000 x 2 x 1,000 = 2M feature reads/s
    reads = figures[("items", "features", "feature reads/s")]
    assert reads.value == 2_000_000 and reads.formula == "caller QPS x per_request x items_per_call"


def test_items_without_an_item_capacity_name_the_field_to_add():
    result = estimate(loads(RANKER, name="ranker.yaml"))
    assert [(m.component, m.quantity, m.fields) for m in result.missing if m.section == "items"] == [
        ("features", "replicas from feature reads/s", ("components.features.capacity_items_per_s",))
    ]


def test_the_cli_prints_and_serialises_the_item_figures(tmp_path):
    path = tmp_path / "ranker.yaml"
    path.write_text(RANKER)
    text = CliRunner().invoke(main, ["estimate", str(path)]).output
    assert "Items per second: predictions and feature reads:" in text
    line = next(x for x in text.splitlines() if "replicas from predictions/s" in x)
    assert line.split()[:3] == ["ranker", "17", "replicas"] and "(10 declared: 7 under the 60% target)" in line
    data = json.loads(CliRunner().invoke(main, ["estimate", str(path), "--format", "json"]).output)
    assert {
        k: v
        for k, v in next(f for f in data["figures"] if f["quantity"] == "predictions/s").items()
        if k in ("section", "component", "value")
    } == {"section": "items", "component": "ranker", "value": 2_000_000}


def test_items_per_call_is_a_request_flow_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(RANKER + "  - {from: api, to: features, mode: batch, items_per_call: 10}\n")
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 2 and "items_per_call" in result.output and "Traceback" not in result.output
    assert f"{path}:13:" in result.output
