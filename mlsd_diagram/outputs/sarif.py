"""Lint findings as SARIF 2.1.0 for GitHub code scanning; light: no diagram imports.

What GitHub needs and gets here: ``tool.driver.rules`` describing every rule
(with help text and default level), one result per finding with a relative
``artifactLocation.uri`` (against ``%SRCROOT%``) and a ``region`` (line and
column), and ``partialFingerprints`` that stay stable when lines move
(:func:`mlsd_diagram.analyses.identity.fingerprint`: never a line or a flow's index).
Accepted findings are kept, with an ``inSource`` suppression carrying the
reason, so they show as dismissed rather than vanish. With a baseline
(``mlsd lint --baseline``), each result says whether it is ``new`` or ``unchanged``.
A file that is not a valid blueprint (so not linted) gives one ``error`` result per located
error, under the rule ``invalid-blueprint`` (listed only then), so an upload step always gets a log.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from .. import __version__
from ..analyses.findings import Finding
from ..analyses.identity import fingerprint
from ..analyses.practices import DEFAULT_PROFILE
from ..analyses.rules import RULES, Rule
from ..diagnostics import Diagnostic

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mlsd-diagram/"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
INVALID = "invalid-blueprint"
_INVALID_RULE = {
    "id": INVALID,
    "name": "InvalidBlueprint",
    "shortDescription": {"text": "The file is not a valid blueprint, so it was not linted."},
    "fullDescription": {"text": "The file is not a valid blueprint, so it was not linted."},
    "help": {
        "text": "Fix the located errors (`mlsd validate FILE` shows them); the file is linted once it is valid.",
        "markdown": "Fix the located errors (`mlsd validate FILE` shows them); the file is linted once it is valid.",
    },
    "defaultConfiguration": {"level": "error"},
    "properties": {"tags": ["ml-system-design"], "precision": "very-high", "problem.severity": "error"},
}


def artifact_uri(file: str, base: str | os.PathLike | None = None) -> tuple[str, str | None]:
    """(uri, uriBaseId): relative to ``base`` (default: the working directory) when inside it."""
    root = Path(base or os.getcwd()).resolve()
    path = Path(file).resolve()
    try:
        return path.relative_to(root).as_posix(), "%SRCROOT%"
    except ValueError:
        return path.as_uri(), None


def _rule_descriptor(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {
            "text": f"{rule.doc}\n\nSource: {rule.source}",
            "markdown": f"{rule.doc}\n\n**Source.** {rule.source}",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["ml-system-design", rule.category],
            "precision": "high",
            "problem.severity": rule.severity,
        },
    }


def sarif_log(
    findings: Iterable[Finding],
    base: str | os.PathLike | None = None,
    baselined: Collection[Finding] | None = None,
    profile: str = DEFAULT_PROFILE,
    errors: Iterable[Diagnostic] = (),
) -> dict:
    """The SARIF log as a dict: one run of the ``mlsd`` driver with every rule and every finding.

    The run's ``properties.profile`` says which lint profile ran (``review`` or ``interview``).

    With ``baselined`` (the findings a baseline holds), each result has a ``baselineState``:
    ``unchanged`` for those, ``new`` for the others. ``errors``: the located errors of files
    that are not valid blueprints, each an ``error`` result of the ``invalid-blueprint`` rule.
    """
    rules = list(RULES)
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in sorted(findings, key=Finding.sort_key):
        uri, base_id = artifact_uri(f.file, base)
        location = {"uri": uri, **({"uriBaseId": base_id} if base_id else {})}
        result = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": location,
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
            "partialFingerprints": {"mlsdFinding/v1": fingerprint(f, uri)},
            "properties": {"name": f.name, "component": f.component, "flow": f.flow, "flowId": f.flow_id},
        }
        if baselined is not None:
            result["baselineState"] = "unchanged" if f in baselined else "new"
        if f.accepted:
            result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": f.reason or ""}]
        results.append(result)
    errors = sorted(errors)
    for d in errors:
        uri, base_id = artifact_uri(d.file, base)
        location = {"uri": uri, **({"uriBaseId": base_id} if base_id else {})}
        about = f"{INVALID}|{uri}|{d.message}"
        results.append(
            {
                "ruleId": INVALID,
                "ruleIndex": len(rules),
                "level": "error",
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {"startLine": d.line, "startColumn": d.column},
                        }
                    }
                ],
                "partialFingerprints": {"mlsdFinding/v1": hashlib.sha256(about.encode("utf-8")).hexdigest()[:32]},
                **({"baselineState": "new"} if baselined is not None else {}),
            }
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlsd",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r) for r in rules] + ([_INVALID_RULE] if errors else []),
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"profile": profile},
            }
        ],
    }


def sarif_text(
    findings: Iterable[Finding],
    base: str | os.PathLike | None = None,
    baselined: Collection[Finding] | None = None,
    profile: str = DEFAULT_PROFILE,
    errors: Iterable[Diagnostic] = (),
) -> str:
    """The SARIF log as text (2-space indent, trailing newline): same input, same bytes."""
    return json.dumps(sarif_log(findings, base, baselined, profile, errors), indent=2, ensure_ascii=False) + "\n"
