"""Every transcript in the README and the docs is true: each ```console block's `$ mlsd ...` lines are run
(in a scratch folder that sees the repository's blueprints/ and tests/) and their output compared."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from docs_testing import all_transcripts, run_transcript, transcripts
from mlsd_testing import ROOT

TRANSCRIPTS = all_transcripts()


def test_the_readme_and_the_docs_have_transcripts() -> None:
    pages = {t.page.name for t in TRANSCRIPTS}
    assert {"README.md", "index.md", "cli.md", "lint.md", "simulate.md", "score.md"} <= pages
    assert sum(len(t.steps) for t in TRANSCRIPTS) >= 15


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t.name for t in TRANSCRIPTS])
def test_transcript_matches_the_tool(transcript, tmp_path: Path) -> None:
    differences = run_transcript(transcript, tmp_path)
    report = []
    for command, expected, actual in differences:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "shown", "printed", lineterm="")
        report.append(f"$ {command}\n" + "\n".join(diff))
    assert not differences, f"{transcript.name}: the transcript is stale\n" + "\n".join(report)


def test_a_changed_output_fails(tmp_path: Path) -> None:
    """The check bites: the README's quick start with one figure changed is reported, at that command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "my_feed.yaml: ok (31 components, 51 flows)" in readme
    edited = readme.replace("my_feed.yaml: ok (31 components, 51 flows)", "my_feed.yaml: ok (30 components, 50 flows)")
    quick = next(t for t in transcripts(edited, ROOT / "README.md") if t.steps[0].command.startswith("mlsd new"))
    differences = run_transcript(quick, tmp_path)
    assert [(c, a) for c, _, a in differences] == [
        ("mlsd validate my_feed.yaml", "my_feed.yaml: ok (31 components, 51 flows)\n")
    ]
