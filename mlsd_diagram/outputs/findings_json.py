"""Lint findings as JSON (``mlsd lint --format json``); light: no diagram imports.

The document, documented in docs/lint.md ("JSON output")::

    {"version": 1,
     "profile": "review",
     "files": ["blueprints/news_feed.yaml"],
     "findings": [{"rule", "name", "severity", "message", "file", "line", "column",
                   "component", "flow", "accepted", "reason"}, ...],
     "errors": [{"file", "line", "column", "message"}, ...],
     "summary": {"error": 0, "warning": 0, "note": 0, "accepted": 0}}

``errors`` are the located errors of the files that are not valid blueprints (and so were not linted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TypedDict

from ..analyses.findings import Finding, FindingDict
from ..analyses.lint import counts
from ..analyses.practices import DEFAULT_PROFILE
from ..diagnostics import Diagnostic

FORMAT_VERSION = 1


class ErrorDict(TypedDict):
    """A located error of a file that is not a valid blueprint."""

    file: str
    line: int
    column: int
    message: str


class FindingsDocument(TypedDict):
    """The document of ``mlsd lint --format json`` (the module docstring)."""

    version: int
    profile: str
    files: list[str]
    findings: list[FindingDict]
    errors: list[ErrorDict]
    summary: dict[str, int]


def findings_document(
    findings: Iterable[Finding],
    files: Iterable[str] = (),
    profile: str = DEFAULT_PROFILE,
    errors: Iterable[Diagnostic] = (),
) -> FindingsDocument:
    """The JSON document as a dict; findings and errors in their deterministic order; ``profile`` is the lint
    profile that ran."""
    ordered = sorted(findings, key=Finding.sort_key)
    return {
        "version": FORMAT_VERSION,
        "profile": profile,
        "files": list(files),
        "findings": [f.to_dict() for f in ordered],
        "errors": [{"file": d.file, "line": d.line, "column": d.column, "message": d.message} for d in sorted(errors)],
        "summary": counts(ordered),
    }


def findings_json(
    findings: Iterable[Finding],
    files: Iterable[str] = (),
    profile: str = DEFAULT_PROFILE,
    errors: Iterable[Diagnostic] = (),
) -> str:
    """The JSON document as text (2-space indent, trailing newline): same input, same bytes."""
    return json.dumps(findings_document(findings, files, profile, errors), indent=2, ensure_ascii=False) + "\n"
