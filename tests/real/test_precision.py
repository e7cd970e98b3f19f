"""Lint precision targets on systems nobody here designed, and on our own blueprints.

tests/real/*.yaml are published production systems written from their public write-ups (unknown
facts left blank); tests/real/reviewed.yaml judges each of their findings. benchmarks/precision.py
prints the same figures.
"""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.outputs.doc import doc_context, render_markdown

ROOT = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("precision", ROOT / "benchmarks" / "precision.py")
assert _spec and _spec.loader
precision = importlib.util.module_from_spec(_spec)
sys.modules["precision"] = precision  # its dataclasses look their module up
_spec.loader.exec_module(precision)

SYSTEMS = precision.SYSTEMS
OWN = precision.OWN
REVIEWED = precision.verdicts()


def test_at_least_four_published_systems_each_citing_its_sources() -> None:
    assert len(SYSTEMS) >= 4
    for path in SYSTEMS:
        bp = load(path)
        uncited = [c for c, comp in bp.components.items() if not (comp.notes or "").strip()]
        assert uncited == [], f"{path.name}: components without a source in their notes: {uncited}"


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.name)
def test_published_system_has_at_most_two_wrong_findings_and_every_finding_is_reviewed(path: Path) -> None:
    judged = precision.judge(path, REVIEWED.get(path.name, []))
    assert judged.unreviewed() == [], "review these findings in tests/real/reviewed.yaml"
    assert judged.stale == [], "these reviewed findings no longer fire: remove them from tests/real/reviewed.yaml"
    assert len(judged.wrong()) <= precision.MAX_WRONG, [str(f) for f, _ in judged.wrong()]
    assert all(v.verdict in ("wrong", "open", "right") and v.reason.strip() for _, v in judged.findings if v)


@pytest.mark.parametrize("path", SYSTEMS, ids=lambda p: p.name)
def test_the_interview_profile_asks_more_and_errors_do_not_move(path: Path) -> None:
    bp = load(path)
    review, interview = lint(bp), lint(bp, profile="interview")
    assert len(interview) > len(review)  # blanks of unused practice fields are one note each in review
    assert [f for f in review if f.severity == "error"] == [f for f in interview if f.severity == "error"]


@pytest.mark.parametrize("path", OWN, ids=lambda p: p.name)
def test_starters_and_bundled_blueprints_lint_with_no_error_and_at_most_two_warnings(path: Path) -> None:
    found = [f for f in lint(load(path)) if not f.accepted]
    assert [f for f in found if f.severity == "error"] == []
    assert len([f for f in found if f.severity == "warning"]) <= precision.MAX_WARNINGS, [str(f) for f in found]


def _plain(markdown: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))  # the doc escapes Markdown and HTML characters


@pytest.mark.parametrize("path", [*OWN, *SYSTEMS], ids=lambda p: p.name)
def test_the_doc_lists_every_finding_of_the_interview_profile(path: Path) -> None:
    bp = load(path)
    doc = _plain(render_markdown(doc_context(bp, stem=path.stem, image=False, source=path.name)))
    missing = [str(f) for f in lint(bp, profile="interview") if f.message not in doc]
    assert missing == []
    # the control: the review profile's design-level notes are not what the doc lists
    notes = [f.message for f in lint(bp) if f.component is None and f.flow is None and f.rule != "MLSD604"]
    assert not any(message in doc for message in notes)
