"""Lint findings as JSON (``mlsd lint --format json``); light: no diagram imports.

The document, documented in the README ("JSON output")::

    {"version": 1,
     "profile": "review",
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
from ..analyses.practices import DEFAULT_PROFILE

FORMAT_VERSION = 1


def findings_document(findings: Iterable[Finding], files: Iterable[str] = (), profile: str = DEFAULT_PROFILE) -> dict:
    """The JSON document as a dict; findings in their deterministic order; ``profile`` is the lint profile that ran."""
    ordered = sorted(findings, key=Finding.sort_key)
    return {
        "version": FORMAT_VERSION,
        "profile": profile,
        "files": list(files),
        "findings": [f.to_dict() for f in ordered],
        "summary": counts(ordered),
    }


def findings_json(findings: Iterable[Finding], files: Iterable[str] = (), profile: str = DEFAULT_PROFILE) -> str:
    """The JSON document as text (2-space indent, trailing newline): same input, same bytes."""
    return json.dumps(findings_document(findings, files, profile), indent=2, ensure_ascii=False) + "\n"
