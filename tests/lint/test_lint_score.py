"""The design summary: ML Test Score evidence and the MLOps level."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from mlsd_testing import BLUEPRINTS

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.score import score
from mlsd_diagram.cli import main

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"


def test_fourteen_architecture_tests_and_fourteen_manual_cover_the_28() -> None:
    result = score(load(WEAK))
    ids = [t["id"] for t in result["tests"]] + [m["id"] for m in result["manual"]]
    assert len(ids) == len(set(ids)) == 28 and result["total"] == 14
    for area in ("Data", "Model", "Infra", "Monitor"):
        assert sorted(int(i.split()[1]) for i in ids if i.startswith(area)) == list(range(1, 8))


def test_weak_design_is_level_0_and_says_why() -> None:
    result = score(load(WEAK))
    shown = {t["id"] for t in result["tests"] if t["shown"]}
    assert shown == {"Data 1", "Infra 4"}  # Monitor 3: its features are today's values (MLSD408)
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
    assert result["total"] == 14


def test_no_training_is_level_0() -> None:
    bp = loads(
        "mlsd: 1\nname: x\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "flows:\n  - {from: app, to: svc, mode: request, data: call}\n",
        "x.yaml",
    )
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
    assert text.output.startswith(f"{WEAK}: ML Test Score: 2 of 14 architecture tests shown\nMLOps level 0")
    assert "  [yes] Data 1    Feature expectations are captured in a schema: shown by 'checks'" in text.output
    data = json.loads(runner.invoke(main, ["score", str(WEAK), "--format", "json"]).output)
    assert data["mlops_level"] == 0 and data["shown"] == 2


def test_config_ignored_rule_does_not_fail_a_test_in_score_doc_or_report(tmp_path, monkeypatch) -> None:
    """[tool.mlsd] ignore reaches every reader of the findings, not only `mlsd lint`."""
    from mlsd_diagram.outputs.report import page_data

    text = BLUEPRINTS[0].read_text(encoding="utf-8")
    # A 1 ms SLO: MLSD203 (latency-budget-exceeded) fires on any design with latencies.
    text = re.sub(r"(slo: \{latency_p99_ms: )\d+", r"\g<1>1", text, count=1)
    assert "slo: {latency_p99_ms: 1," in text
    (tmp_path / "tight.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def monitor6() -> tuple[bool, str, str]:
        result = json.loads(runner.invoke(main, ["score", "tight.yaml", "--format", "json"]).output)
        doc = runner.invoke(main, ["doc", "tight.yaml", "-o", "tight.md", "--no-render"])
        assert doc.exit_code == 0, doc.output
        line = next(x for x in (tmp_path / "tight.md").read_text().splitlines() if "Monitor 6" in x)
        from mlsd_diagram.analyses.lint import load_config

        report = page_data(load(tmp_path / "tight.yaml"), svg="<svg/>", lint_config=load_config())
        in_report = next(t for t in report["score"]["tests"] if t["id"] == "Monitor 6")["shown"]
        test = next(t for t in result["tests"] if t["id"] == "Monitor 6")
        assert test["shown"] == in_report
        return test["shown"], test["reason"], line

    shown, reason, line = monitor6()
    assert not shown and reason.startswith("MLSD203"), reason
    assert "| no |" in line and "MLSD203 latency-budget-exceeded" in line
    (tmp_path / "pyproject.toml").write_text('[tool.mlsd]\nignore = ["MLSD203"]\n', encoding="utf-8")
    shown, reason, line = monitor6()
    assert shown, reason
    assert "| yes |" in line and "no finding from MLSD203" in line


def test_a_daily_retrain_without_max_model_age_is_still_level_1() -> None:
    """Level 1 reads evidence of retraining on live data, not the staleness rule (MLSD304)."""
    text = (BLUEPRINTS[0].parent / "news_feed.yaml").read_text(encoding="utf-8")
    stripped = re.sub(r",?\s*max_model_age: \w+", "", text)
    stripped = re.sub(r"\n  - \{[^\n]*tags: \[[^\]]*model_age[^\]]*\][^\n]*\}", "", stripped)
    assert "model_age" not in stripped  # the control: nothing says how old the model may get
    bp = loads(stripped, "news_feed.yaml")
    result = score(bp)
    tests = {t["id"]: t for t in result["tests"]}
    assert not tests["Model 4"]["shown"]  # the staleness test is not shown
    assert result["mlops_level"] >= 1, result["mlops_reason"]
    assert "retraining on fresh production data" in result["mlops_reason"].split("needs")[0]


def test_level_2_needs_ci_of_the_pipeline_code_not_only_a_registry_and_a_canary() -> None:
    """Google Cloud's level 2 is CI/CD of the pipeline: its code built and tested on each change."""
    text = (BLUEPRINTS[0].parent / "news_feed.yaml").read_text(encoding="utf-8")
    assert score(loads(text, "news_feed.yaml"))["mlops_level"] == 2
    without = re.sub(r",\n    ci: \"[^\"]*\"", "", text)
    assert "ci:" not in without  # the control: nothing declares how the pipeline's code is tested
    result = score(loads(without, "news_feed.yaml"))
    assert result["mlops_level"] == 1
    assert result["mlops_reason"].endswith("level 2 needs CI of the pipeline code (ci on a trainer or scheduler)")


MONITOR6 = """\
mlsd: 1
name: m6
components:
  app: {kind: client_app}
  model: {kind: inference_service, task: binary_classification}
  drift: {kind: drift_detector}
  reference: {kind: data_lake}
  alerting: {kind: alerting}
  training: {kind: training_pipeline}
flows:
  - {from: app, to: model, mode: request, data: request}
  - {from: model, to: drift, mode: telemetry, data: score distribution, tags: [predictions]}
  - {from: reference, to: drift, mode: batch, data: training statistics}
  - {from: drift, to: alerting, mode: stream, data: drift alerts}
"""


def test_monitor_6_is_not_credited_by_a_drift_detector() -> None:
    """Breck et al. (2017), Monitor 6: "The model has not experienced a dramatic or slow-leak regression in
    training speed, serving latency, throughput, or RAM usage": a drift detector watches distributions."""
    tests = {t["id"]: t for t in score(loads(MONITOR6, "m6.yaml"))["tests"]}
    assert not tests["Monitor 6"]["shown"] and tests["Monitor 6"]["evidence"] == []
    served = MONITOR6.replace("  alerting:", "  monitoring: {kind: monitoring}\n  alerting:") + (
        '  - {from: model, to: monitoring, mode: telemetry, data: "latency, throughput and memory", tags: [metrics]}\n'
    )
    tests = {t["id"]: t for t in score(loads(served, "m6.yaml"))["tests"]}
    assert tests["Monitor 6"]["evidence"] == ["monitoring"]
