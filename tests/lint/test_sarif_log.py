"""The SARIF log of `mlsd lint --format sarif` (outputs/sarif.py), read as code scanning reads it: valid
against the SARIF 2.1.0 schema, every result pointing at its rule, located, fingerprinted by what it is
about, with its baseline state and its suppression. In-process, so `make mutate` sees its mutants."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
from mlsd_testing import ROOT

from mlsd_diagram import __version__, loads
from mlsd_diagram.analyses.findings import Finding
from mlsd_diagram.analyses.identity import fingerprint
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.rules import RULES
from mlsd_diagram.diagnostics import Diagnostic
from mlsd_diagram.outputs.sarif import artifact_uri, sarif_log, sarif_text

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
WEAK = ROOT / "tests" / "lint" / "data" / "weak_design.yaml"


def _findings(tmp_path: Path) -> list[Finding]:
    path = tmp_path / "design.yaml"
    path.write_text(
        WEAK.read_text(encoding="utf-8") + "  - {from: scheduler, to: checks, mode: batch}\n", encoding="utf-8"
    )
    findings = lint(loads(path.read_text(encoding="utf-8"), name=str(path)))
    assert len({f.severity for f in findings}) >= 2 and any(f.flow_id for f in findings)
    return findings


def _run(log: dict) -> dict:
    jsonschema.validate(log, SCHEMA)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    (run,) = log["runs"]
    return run


def test_the_driver_lists_every_rule_as_its_page_says(tmp_path: Path) -> None:
    run = _run(sarif_log(_findings(tmp_path), base=tmp_path, profile="interview"))
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("mlsd", __version__, __version__)
    assert driver["informationUri"] == "https://pypi.org/project/mlsd-diagram/"
    assert run["columnKind"] == "unicodeCodePoints" and run["properties"] == {"profile": "interview"}
    assert [r["id"] for r in driver["rules"]] == RULES.ids()  # no invalid-blueprint rule without errors
    for descriptor, rule in zip(driver["rules"], RULES):
        assert descriptor["name"] == "".join(word.capitalize() for word in rule.name.split("-"))
        assert descriptor["shortDescription"] == descriptor["fullDescription"] == {"text": rule.summary}
        assert descriptor["help"] == {
            "text": f"{rule.doc}\n\nSource: {rule.source}",
            "markdown": f"{rule.doc}\n\n**Source.** {rule.source}",
        }
        assert descriptor["defaultConfiguration"] == {"level": rule.severity}
        assert descriptor["properties"] == {
            "tags": ["ml-system-design", rule.category],
            "precision": "high",
            "problem.severity": rule.severity,
        }
    assert driver["rules"][[r.id for r in RULES].index("MLSD201")]["name"] == "NoFallback"


def test_each_result_is_its_finding_located_and_fingerprinted(tmp_path: Path) -> None:
    findings = _findings(tmp_path)
    run = _run(sarif_log(list(reversed(findings)), base=tmp_path))
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(findings)
    for result, f in zip(results, sorted(findings, key=Finding.sort_key)):  # sorted, whatever the input order
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == f.rule
        assert result["level"] == f.severity and result["message"] == {"text": f.message}
        assert result["locations"] == [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "design.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": f.line, "startColumn": f.column},
                }
            }
        ]
        assert result["partialFingerprints"] == {"mlsdFinding/v1": fingerprint(f, "design.yaml")}
        assert result["properties"] == {"name": f.name, "component": f.component, "flow": f.flow, "flowId": f.flow_id}
        assert "baselineState" not in result and "suppressions" not in result
    assert [r["level"] for r in results].count("warning") == sum(f.severity == "warning" for f in findings)


def test_baseline_states_and_accepted_findings(tmp_path: Path) -> None:
    findings = sorted(_findings(tmp_path), key=Finding.sort_key)
    known = findings[0]
    accepted = Finding(
        "MLSD102", "orphan-component", "warning", "m", str(tmp_path / "design.yaml"), 900, 3, "x", None, True, "why"
    )
    silent = Finding("MLSD102", "orphan-component", "note", "n", str(tmp_path / "design.yaml"), 901, 3, "y", None, True)
    run = _run(sarif_log([*findings, accepted, silent], base=tmp_path, baselined=[known]))
    states = [r["baselineState"] for r in run["results"]]
    assert states == ["unchanged", *["new"] * (len(findings) + 1)]
    assert run["results"][-2]["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "why"}]
    assert run["results"][-1]["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": ""}]
    assert run["results"][-1]["level"] == "note"


def test_an_invalid_file_is_an_error_result_of_its_own_rule(tmp_path: Path) -> None:
    inside = Diagnostic(str(tmp_path / "b.yaml"), 4, 2, "unknown kind 'rankr'")
    outside = Diagnostic("/elsewhere/a.yaml", 1, 1, "not a blueprint")
    run = _run(sarif_log([], base=tmp_path, errors=[inside, outside], baselined=[]))
    rules = run["tool"]["driver"]["rules"]
    assert rules[-1]["id"] == "invalid-blueprint" and rules[-1]["defaultConfiguration"] == {"level": "error"}
    assert len(rules) == len(RULES) + 1
    first, second = run["results"]  # sorted: /elsewhere/... before the tmp path
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "file:///elsewhere/a.yaml"},
        "region": {"startLine": 1, "startColumn": 1},
    }
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "b.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 2},
    }
    for result, uri, message in (
        (first, "file:///elsewhere/a.yaml", "not a blueprint"),
        (second, "b.yaml", inside.message),
    ):
        assert result["ruleId"] == "invalid-blueprint" and result["ruleIndex"] == len(RULES)
        assert result["level"] == "error" and result["message"] == {"text": message}
        about = f"invalid-blueprint|{uri}|{message}"
        assert result["partialFingerprints"] == {
            "mlsdFinding/v1": hashlib.sha256(about.encode("utf-8")).hexdigest()[:32]
        }
        assert result["baselineState"] == "new"
    assert "baselineState" not in _run(sarif_log([], base=tmp_path, errors=[inside]))["results"][0]


def test_artifact_uris_and_the_text_form(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "sub").mkdir()
    assert artifact_uri(str(tmp_path / "sub" / "d.yaml"), tmp_path) == ("sub/d.yaml", "%SRCROOT%")
    monkeypatch.chdir(tmp_path / "sub")
    assert artifact_uri("d.yaml") == ("d.yaml", "%SRCROOT%")  # the working directory by default
    assert artifact_uri(str(tmp_path / "d.yaml")) == ((tmp_path / "d.yaml").as_uri(), None)
    findings = _findings(tmp_path)
    text = sarif_text(findings, base=tmp_path)
    assert text.endswith("}\n") and text.startswith('{\n  "$schema"')
    assert json.loads(text) == sarif_log(findings, base=tmp_path)
    assert sarif_text(findings, base=tmp_path) == text
    broken = Diagnostic(str(tmp_path / "b.yaml"), 2, 1, "not a blueprint")
    both = sarif_text(findings, base=tmp_path, baselined=findings[:1], profile="interview", errors=[broken])
    assert json.loads(both) == sarif_log(findings, tmp_path, findings[:1], "interview", [broken])
    assert '"baselineState": "unchanged"' in both and '"ruleId": "invalid-blueprint"' in both
    outside = Finding("MLSD102", "orphan-component", "warning", "m", "/elsewhere/d.yaml", 1, 1, "c")
    (result,) = sarif_log([outside], base=tmp_path)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/d.yaml"}
    accented = Finding("MLSD102", "orphan-component", "warning", "café", str(tmp_path / "d.yaml"), 1, 1, "c")
    assert '"text": "café"' in sarif_text([accented], base=tmp_path)  # not escaped
