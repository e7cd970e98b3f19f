"""`mlsd lint` over many files: an invalid blueprint is reported as located errors, and every other file
is still linted and reported, in text, JSON and SARIF (issue 23: one invalid file hid all the rest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mlsd_testing import multitool_results, run_mlsd

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"
BROKEN = "mlsd: 1\nname: Broken\ncomponents:\n  app: {kind: client_app}\n  api: {kind: api_gatway}\n"
BROKEN_ERROR = "broken.yaml:5:15: error: unknown kind 'api_gatway'"


def _files(tmp_path: Path) -> None:
    shutil.copy(WEAK, tmp_path / "weak.yaml")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")


def test_text_reports_the_valid_file_and_locates_the_invalid_one(tmp_path: Path) -> None:
    _files(tmp_path)
    done = run_mlsd("lint", "broken.yaml", "weak.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "weak.yaml:10:3: MLSD201 no-fallback (error)" in done.stdout  # the valid file's findings
    assert "weak.yaml: 3 errors" in done.stdout
    assert "1 file not linted: not a valid blueprint (located errors on standard error)" in done.stdout
    assert done.stderr.startswith(BROKEN_ERROR), done.stderr
    assert "Traceback" not in done.stderr


def test_json_holds_the_findings_and_the_errors(tmp_path: Path) -> None:
    _files(tmp_path)
    done = run_mlsd("lint", "weak.yaml", "broken.yaml", "--format", "json", "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["files"] == ["weak.yaml"]
    assert {f["file"] for f in document["findings"]} == {"weak.yaml"} and document["summary"]["error"] == 3
    assert document["errors"][0]["file"] == "broken.yaml"
    assert (document["errors"][0]["line"], document["errors"][0]["column"]) == (5, 15)
    assert document["errors"][0]["message"].startswith("unknown kind 'api_gatway'")


def test_sarif_is_written_with_the_invalid_file_as_error_results(tmp_path: Path) -> None:
    """A code-scanning upload step needs a log even when a blueprint is invalid; GitHub's rules pass."""
    _files(tmp_path)
    done = run_mlsd("lint", "weak.yaml", "broken.yaml", "--format", "sarif", "-o", "out.sarif", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(BROKEN_ERROR)
    run = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]
    invalid = [r for r in run["results"] if r["ruleId"] == "invalid-blueprint"]
    assert len(invalid) == 1 and invalid[0]["level"] == "error"
    assert invalid[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"
    assert invalid[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 5, "startColumn": 15}
    assert run["tool"]["driver"]["rules"][invalid[0]["ruleIndex"]]["id"] == "invalid-blueprint"
    assert any(r["ruleId"] == "MLSD201" for r in run["results"])  # the valid file is linted
    results = multitool_results(tmp_path / "out.sarif", tmp_path / "validation.sarif")
    assert [r for r in results if r.get("level", "warning") == "error"] == [], results


def test_all_files_valid_keeps_the_sarif_rules_as_they_were(tmp_path: Path) -> None:
    shutil.copy(WEAK, tmp_path / "weak.yaml")
    run_mlsd("lint", "weak.yaml", "--format", "sarif", "-o", "out.sarif", cwd=tmp_path)
    run = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]
    assert "invalid-blueprint" not in [r["id"] for r in run["tool"]["driver"]["rules"]]
