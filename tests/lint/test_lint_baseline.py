"""`mlsd lint --baseline`: fail only on findings the baseline does not hold, whatever lines moved;
SARIF fingerprints that follow a finding across edits, checked by the real SARIF Multitool."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mlsd_testing import multitool_results, run_mlsd

from mlsd_diagram import loads
from mlsd_diagram.analyses.baseline import BaselineEntry, in_baseline
from mlsd_diagram.analyses.lint import lint

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"
# weak_design.yaml gets an unlabeled batch flow (MLSD103, a flow finding) as its last flow
UNLABELED = "  - {from: scheduler, to: checks, mode: batch}\n"
# inserted as the first flow: every flow's index moves by one, and every line below by two
INSERTED = "  # a comment line\n  - {from: app, to: gateway, mode: stream, data: clicks}\n"


def _weak(extra_flows: str = "", first_flows: str = "", top: str = "") -> str:
    text = WEAK.read_text(encoding="utf-8")
    head, flows = text.split("flows:\n")
    return top + head + "flows:\n" + first_flows + flows + extra_flows


def _lint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run_mlsd("lint", "design.yaml", *args, cwd=tmp_path)


@pytest.fixture()
def baseline(tmp_path: Path) -> Path:
    (tmp_path / "design.yaml").write_text(_weak(UNLABELED), encoding="utf-8")
    done = _lint(tmp_path, "--format", "json", "-o", "baseline.json")
    assert done.returncode == 1, done.stderr  # the weak design has errors: that is what a baseline is for
    document = json.loads((tmp_path / "baseline.json").read_text())
    unlabeled = [f for f in document["findings"] if f["rule"] == "MLSD103"]
    assert [(f["flow"], f["flow_id"]) for f in unlabeled] == [(11, "scheduler -> checks (batch)")]
    return tmp_path / "baseline.json"


def test_known_findings_pass_after_lines_and_flow_indices_move(tmp_path: Path, baseline: Path) -> None:
    (tmp_path / "design.yaml").write_text(_weak(UNLABELED, INSERTED, top="# moved down\n\n"), encoding="utf-8")
    plain = _lint(tmp_path, "--fail-on", "warning")
    assert plain.returncode == 1  # without the baseline the same design fails
    done = _lint(tmp_path, "--fail-on", "warning", "--baseline", str(baseline))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    unlabeled = [line for line in lines if "MLSD103" in line]
    # the flow is now index 12 on another line, and still the baseline's
    assert unlabeled == [
        "design.yaml:34:5: MLSD103 unlabeled-flow (warning): batch flow from 'scheduler' to 'checks' "
        "does not say what data it carries; add 'data:' [in baseline]"
    ]
    assert all(line.endswith("[in baseline]") for line in lines if ": MLSD" in line)
    assert "baseline" in lines[-1] and "14 of 14 findings already known, 0 new" in lines[-1]


def test_a_new_finding_fails_and_only_it_is_new(tmp_path: Path, baseline: Path) -> None:
    # a second unlabeled flow: a new finding about a new flow
    design = _weak(UNLABELED + "  - {from: scheduler, to: batch_features, mode: batch}\n", INSERTED)
    (tmp_path / "design.yaml").write_text(design, encoding="utf-8")
    done = _lint(tmp_path, "--fail-on", "warning", "--baseline", str(baseline))
    assert done.returncode == 1, done.stdout + done.stderr
    new = [line for line in done.stdout.splitlines() if ": MLSD" in line and not line.endswith("[in baseline]")]
    assert new == [
        "design.yaml:33:5: MLSD103 unlabeled-flow (warning): batch flow from 'scheduler' to "
        "'batch_features' does not say what data it carries; add 'data:'"
    ]
    # at the default fail level (error) the new warning does not fail
    assert _lint(tmp_path, "--baseline", str(baseline)).returncode == 0


def test_a_changed_message_is_a_new_finding(tmp_path: Path, baseline: Path) -> None:
    # MLSD501's message names the path from trainer to recommender: a new hop changes it
    design = (
        _weak(UNLABELED)
        .replace(
            "  - {from: evaluation, to: recommender, mode: deploy, data: model file copied to the servers}\n",
            "  - {from: evaluation, to: copier, mode: deploy, data: model file}\n"
            "  - {from: copier, to: recommender, mode: deploy, data: model file copied to the servers}\n",
        )
        .replace(
            "  evaluation: {kind: offline_evaluation}\n",
            "  evaluation: {kind: offline_evaluation}\n  copier: {kind: deployment_controller}\n",
        )
    )
    (tmp_path / "design.yaml").write_text(design, encoding="utf-8")
    done = _lint(tmp_path, "--baseline", str(baseline))
    assert done.returncode == 1, done.stdout + done.stderr
    new = [line for line in done.stdout.splitlines() if ": MLSD" in line and not line.endswith("[in baseline]")]
    assert len(new) == 1 and "MLSD501" in new[0] and "copier" in new[0], new


def test_matching_is_one_to_one() -> None:
    found = lint(loads(_weak(UNLABELED), "design.yaml"))
    entries = [BaselineEntry(f.rule, f.file, f.message, f.component, f.flow_id) for f in found]
    assert all(in_baseline(found, entries))
    assert in_baseline([*found, found[0]], entries) == [True] * len(found) + [False]
    assert not any(in_baseline(found, []))


def test_baselines_written_before_flow_id_match_flow_findings_by_message(tmp_path: Path, baseline: Path) -> None:
    document = json.loads(baseline.read_text())
    for finding in document["findings"]:
        del finding["flow_id"]
    baseline.write_text(json.dumps(document))
    (tmp_path / "design.yaml").write_text(_weak(UNLABELED, INSERTED), encoding="utf-8")
    assert _lint(tmp_path, "--fail-on", "warning", "--baseline", str(baseline)).returncode == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "missing.json:1:1: error: baseline: cannot read file: No such file or directory"),
        ("{not json", "bad.json:1:2: error: baseline: not JSON ("),
        ('{"version": 1}', "bad.json:1:1: error: baseline: no 'findings' list; write one with `mlsd lint"),
        ('{"findings": [{"rule": 1}]}', "bad.json:1:1: error: baseline: finding 0 needs 'rule', 'file' and 'message'"),
        # the shapes that once hung or exited 3 ("this is a bug"), issue 23
        ('{"findings": [\n' + "[" * 200_000, "bad.json:2:63: error: baseline: nesting is deeper than 64 levels"),
        (
            '{"findings": [],\n "n": ' + "7" * 5_000 + "}",
            "bad.json:2:7: error: baseline: a number longer than 30 digits",
        ),
        (b'{"findings": []}\n\xff', "bad.json:2:1: error: baseline: not UTF-8 text"),
    ],
)
def test_a_bad_baseline_is_a_clear_error(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    shutil.copy(WEAK, tmp_path / "design.yaml")
    name = "missing.json" if content is None else "bad.json"
    if isinstance(content, bytes):
        (tmp_path / name).write_bytes(content)
    elif content is not None:
        (tmp_path / name).write_text(content)
    done = _lint(tmp_path, "--baseline", name)
    assert done.returncode == 2
    assert done.stderr.startswith(expected), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_baseline_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO used to hang `lint --baseline` forever (open waits for a writer)."""
    shutil.copy(WEAK, tmp_path / "design.yaml")
    os.mkfifo(tmp_path / "fifo.json")
    done = _lint(tmp_path, "--baseline", "fifo.json")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "fifo.json:1:1: error: baseline: not a regular file (a FIFO); baselines are read from regular files only\n"
    )


def test_a_baseline_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """522 MB once took 31 s and 2.2 GB; now the size is checked first (a sparse file: nothing is written)."""
    shutil.copy(WEAK, tmp_path / "design.yaml")
    with open(tmp_path / "huge.json", "wb") as handle:
        handle.truncate(522 * 10**6)
    done = _lint(tmp_path, "--baseline", "huge.json")
    assert done.returncode == 2, done.stderr
    assert done.stderr == "huge.json:1:1: error: baseline: file is 497.8 MiB; baselines are limited to 32 MiB\n"


def _sarif(tmp_path: Path, design: str, *args: str) -> dict:
    (tmp_path / "design.yaml").write_text(design, encoding="utf-8")
    _lint(tmp_path, "--format", "sarif", "-o", "out.sarif", *args)
    return json.loads((tmp_path / "out.sarif").read_text())


def _prints(log: dict) -> dict[tuple, str]:
    return {
        (r["ruleId"], r["properties"]["component"], r["properties"]["flowId"]): r["partialFingerprints"][
            "mlsdFinding/v1"
        ]
        for r in log["runs"][0]["results"]
    }


def test_sarif_fingerprints_survive_moved_lines_and_flows(tmp_path: Path) -> None:
    before = _prints(_sarif(tmp_path, _weak(UNLABELED)))
    after_log = _sarif(tmp_path, _weak(UNLABELED, INSERTED, top="# moved\n"))
    after = _prints(after_log)
    assert after == before
    assert len(set(before.values())) == len(before)  # one fingerprint per finding
    lines = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in after_log["runs"][0]["results"]
    }
    assert lines["MLSD103"] == 33  # it did move (from line 30)
    other = _prints(_sarif(tmp_path, _weak("  - {from: scheduler, to: batch_features, mode: batch}\n")))
    assert (
        other[("MLSD103", None, "scheduler -> batch_features (batch)")]
        != before[("MLSD103", None, "scheduler -> checks (batch)")]
    )


def test_sarif_with_a_baseline_marks_new_results_and_passes_the_multitool(tmp_path: Path, baseline: Path) -> None:
    log = _sarif(
        tmp_path,
        _weak(UNLABELED + "  - {from: scheduler, to: batch_features, mode: batch}\n", INSERTED),
        "--baseline",
        str(baseline),
    )
    states = {(r["ruleId"], r["properties"]["flowId"]): r["baselineState"] for r in log["runs"][0]["results"]}
    assert states.pop(("MLSD103", "scheduler -> batch_features (batch)")) == "new"
    assert set(states.values()) == {"unchanged"}
    report = tmp_path / "validation.sarif"
    results = multitool_results(tmp_path / "out.sarif", report)
    assert [r for r in results if r.get("level", "warning") == "error"] == [], results
