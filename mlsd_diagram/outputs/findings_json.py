"""Lint findings as JSON (``mlsd lint --format json``); light: no diagram imports.

The document, documented in the README ("JSON output")::

    {"version": 1,
     "files": ["blueprints/news_feed.yaml"],
     "findings": [{"rule", "name", "severity", "message", "file", "line", "column",
                   "component", "flow", "accepted", "reason"}, ...],
     "summary": {"error": 0, "warning": 0, "note": 0, "accepted": 0}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..analyses.findings import Finding
from ..analyses.lint import counts

FORMAT_VERSION = 1


def findings_document(findings: Iterable[Finding], files: Iterable[str] = ()) -> dict:
    """The JSON document as a dict; findings in their deterministic order."""
    ordered = sorted(findings, key=Finding.sort_key)
    return {
        "version": FORMAT_VERSION,
        "files": list(files),
        "findings": [f.to_dict() for f in ordered],
        "summary": counts(ordered),
    }


def findings_json(findings: Iterable[Finding], files: Iterable[str] = ()) -> str:
    """The JSON document as text (2-space indent, trailing newline): same input, same bytes."""
    return json.dumps(findings_document(findings, files), indent=2, ensure_ascii=False) + "\n"
