"""Broken and hostile blueprints give the same located errors, exit 2 and no output in every command."""

from __future__ import annotations

import pytest
from mlsd_testing import ROOT, run_mlsd

CORPUS = ROOT / "tests" / "corpus"
CASES = ["five_mistakes", "billion_laughs", "python_object_tag", "binary", "request_cycle", "empty_file"]
COMMANDS = {
    "lint": ["lint"],
    "lint-sarif": ["lint", "--format", "sarif"],
    "simulate": ["simulate"],
    "estimate": ["estimate"],
    "score": ["score"],
    "render": ["render", "-f", "png", "-f", "svg", "-f", "mermaid", "-o", "{out}"],
    "doc": ["doc", "-o", "{out}/doc.md"],
    "report": ["report", "-o", "{out}/report.html"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", CASES)
def test_every_command_reports_located_errors_and_writes_nothing(tmp_path, command, case):
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in COMMANDS[command]]
    result = run_mlsd(*args, f"{case}.yaml", cwd=CORPUS, memory_mb=1024, cpu_seconds=30)
    expected = [f"{case}.yaml:{line}" for line in (CORPUS / f"{case}.expect").read_text().splitlines()]
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == expected
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists() or not any(out.rglob("*"))
