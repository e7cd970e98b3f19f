"""The design summary: ML Test Score evidence and the MLOps level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.score import score
from mlsd_diagram.cli import main
from mlsd_testing import BLUEPRINTS

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"


def test_thirteen_architecture_tests_and_fifteen_manual_cover_the_28() -> None:
    result = score(load(WEAK))
    ids = [t["id"] for t in result["tests"]] + [m["id"] for m in result["manual"]]
    assert len(ids) == len(set(ids)) == 28 and result["total"] == 13
    for area in ("Data", "Model", "Infra", "Monitor"):
        assert sorted(int(i.split()[1]) for i in ids if i.startswith(area)) == list(range(1, 8))


def test_weak_design_is_level_0_and_says_why() -> None:
    result = score(load(WEAK))
    shown = {t["id"] for t in result["tests"] if t["shown"]}
    assert shown == {"Data 1", "Infra 4", "Monitor 3"}
    assert result["mlops_level"] == 0
    assert result["mlops_reason"] == "level 0 (manual process): level 1 needs retraining on fresh production data"
    tests = {t["id"]: t for t in result["tests"]}
    assert tests["Infra 7"]["reason"].startswith("MLSD501 no-model-registry:")
    assert tests["Data 1"]["evidence"] == ["checks"]


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.name)
def test_bundled_blueprints_reach_level_2(path: Path) -> None:
    result = score(load(path))
    assert result["mlops_level"] == 2, result["mlops_reason"]
    assert result["shown"] >= 12, [t for t in result["tests"] if not t["shown"]]


def test_no_training_is_level_0() -> None:
    bp = loads("mlsd: 1\nname: x\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
               "flows:\n  - {from: app, to: svc, mode: request, data: call}\n", "x.yaml")
    result = score(bp)
    assert result["mlops_level"] == 0 and "no training pipeline" in result["mlops_reason"]
    assert result["shown"] == 0


def test_accepted_findings_are_still_gaps() -> None:
    text = WEAK.read_text() + "lint:\n  accept: [{rule: MLSD301, component: recommender, reason: prototype}]\n"
    tests = {t["id"]: t for t in score(loads(text, "w.yaml"))["tests"]}
    assert not tests["Monitor 7"]["shown"] and "(accepted: prototype)" in tests["Monitor 7"]["reason"]


def test_cli_score() -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["score", str(WEAK)])
    assert text.exit_code == 0
    assert text.output.startswith(f"{WEAK}: ML Test Score: 3 of 13 architecture tests shown\nMLOps level 0")
    assert "  [yes] Data 1    Feature expectations are captured in a schema: shown by 'checks'" in text.output
    data = json.loads(runner.invoke(main, ["score", str(WEAK), "--format", "json"]).output)
    assert data["mlops_level"] == 0 and data["shown"] == 3
