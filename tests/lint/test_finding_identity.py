"""One identity for a finding (`analyses/identity.py`), read the same way by the baseline, the SARIF
fingerprint and `mlsd diff`: each test here fails on one plausible bug in it (issue 31's mutants)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mlsd_diagram import loads
from mlsd_diagram.analyses.baseline import in_baseline, load_baseline
from mlsd_diagram.analyses.diff import diff_blueprints
from mlsd_diagram.analyses.findings import Finding
from mlsd_diagram.analyses.identity import finding_about, fingerprint, flow_ids, match, recorded_key
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.outputs.sarif import sarif_log

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"


def _weak(extra_flows: str = "") -> str:
    return WEAK.read_text(encoding="utf-8") + extra_flows


def _design_wide(message: str, line: int = 1) -> Finding:
    return Finding("MLSD102", "orphan-component", "warning", message, "design.yaml", line, 1)


def test_flow_ids_number_repeats_from_two_in_declaration_order() -> None:
    blueprint = loads(
        "mlsd: 1\nname: t\ncomponents:\n  a: {kind: client_app}\n  b: {kind: api_gateway}\nflows:\n"
        "  - {from: a, to: b, mode: request}\n"
        "  - {from: a, to: b, mode: stream}\n"
        "  - {from: a, to: b, mode: request}\n"
        "  - {from: b, to: a, mode: stream}\n"
        "  - {from: a, to: b, mode: request}\n"
    )
    assert flow_ids(blueprint) == [
        "a -> b (request)",
        "a -> b (stream)",
        "a -> b (request) #2",
        "b -> a (stream)",
        "a -> b (request) #3",
    ]


def test_two_identical_flow_findings_are_two_identities_everywhere(tmp_path: Path) -> None:
    """Two unlabeled copies of one flow: two findings, two flow ids, two fingerprints, two baseline entries."""
    twice = "  - {from: scheduler, to: checks, mode: batch}\n" * 2
    blueprint = loads(_weak(twice), name="design.yaml")
    findings = [f for f in lint(blueprint) if f.rule == "MLSD103"]
    assert [f.flow_id for f in findings] == ["scheduler -> checks (batch)", "scheduler -> checks (batch) #2"]
    assert finding_about(findings[0]) != finding_about(findings[1])
    results = sarif_log(findings, base=tmp_path)["runs"][0]["results"]
    prints = [r["partialFingerprints"]["mlsdFinding/v1"] for r in results]
    assert len(prints) == 2 and prints[0] != prints[1]
    # a baseline holding only the first: the second is new (a collision would have passed it)
    document = {"findings": [findings[0].to_dict()]}
    (tmp_path / "baseline.json").write_text(json.dumps(document), encoding="utf-8")
    assert in_baseline(findings, load_baseline(tmp_path / "baseline.json")) == [True, False]


def test_every_fingerprint_and_baseline_key_of_the_bundled_designs_is_unique() -> None:
    """No two findings of a file share a fingerprint or a baseline key: a collision would hide one."""
    root = Path(__file__).resolve().parents[2]
    files = sorted([*root.glob("blueprints/*.yaml"), *root.glob("mlsd_diagram/starters/blueprints/*.yaml"), WEAK])
    seen = 0
    for path in files:
        blueprint = loads(path.read_text(encoding="utf-8"), name=str(path))
        findings = lint(blueprint)
        seen += len(findings)
        prints = Counter(fingerprint(f, path.name) for f in findings)
        keys = Counter(recorded_key(f, f.file) for f in findings)
        assert [p for p, n in prints.items() if n > 1] == [], path
        assert [k for k, n in keys.items() if n > 1] == [], path
    assert seen >= 10  # the check saw findings


def test_design_wide_findings_of_one_rule_differ_by_message_in_sarif() -> None:
    first, second = _design_wide("nothing watches the model"), _design_wide("nothing watches the data")
    assert fingerprint(first, "design.yaml") != fingerprint(second, "design.yaml")
    # ... and not by line: the same finding moved down keeps its fingerprint
    assert fingerprint(first, "design.yaml") == fingerprint(_design_wide(first.message, line=40), "design.yaml")
    results = sarif_log([first, second])["runs"][0]["results"]
    assert len({r["partialFingerprints"]["mlsdFinding/v1"] for r in results}) == 2


def test_a_flow_finding_is_fingerprinted_by_its_flow_id_never_by_its_index() -> None:
    here = Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 3, 5, None, 4, flow_id="a -> b (batch)")
    moved = Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 9, 5, None, 7, flow_id="a -> b (batch)")
    other = Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 3, 5, None, 4, flow_id="a -> c (batch)")
    assert fingerprint(here, "d.yaml") == fingerprint(moved, "d.yaml")
    assert fingerprint(here, "d.yaml") != fingerprint(other, "d.yaml")
    # a finding with an index but no flow id is not about a flow (no fallback to the index)
    bare = Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 3, 5, None, 4)
    assert fingerprint(bare, "d.yaml") == fingerprint(
        Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 3, 5), "d.yaml"
    )


def test_every_result_names_its_rule_by_index(tmp_path: Path) -> None:
    """`rules[ruleIndex].id == ruleId` for every result, the invalid-blueprint ones included."""
    from mlsd_diagram.diagnostics import Diagnostic

    blueprint = loads(_weak("  - {from: scheduler, to: checks, mode: batch}\n"), name="design.yaml")
    findings = lint(blueprint)
    broken = Diagnostic("broken.yaml", 2, 3, "not a blueprint")
    run = sarif_log(findings, base=tmp_path, errors=[broken])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(findings) + 1
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert {r["ruleId"] for r in run["results"]} >= {"MLSD103", "invalid-blueprint"}


def test_a_finding_that_moves_to_another_flow_is_introduced_and_resolved() -> None:
    old = loads(_weak("  - {from: scheduler, to: checks, mode: batch}\n"), name="old.yaml")
    new = loads(_weak("  - {from: scheduler, to: batch_features, mode: batch}\n"), name="new.yaml")
    findings = diff_blueprints(old, new)["findings"]
    assert [(f["rule"], f["flow_id"]) for f in findings["introduced"]] == [
        ("MLSD103", "scheduler -> batch_features (batch)")
    ]
    assert [(f["rule"], f["flow_id"]) for f in findings["resolved"]] == [("MLSD103", "scheduler -> checks (batch)")]


def test_a_finding_that_stays_on_its_flow_is_neither_introduced_nor_resolved() -> None:
    flow = "  - {from: scheduler, to: checks, mode: batch}\n"
    old = loads(_weak(flow), name="old.yaml")
    new = loads("# moved\n" + _weak(flow).replace("flows:\n", "flows:\n  - {from: app, to: checks, mode: stream}\n"))
    findings = diff_blueprints(old, new)["findings"]
    assert "MLSD103" not in [f["rule"] for f in findings["resolved"]]
    assert ("MLSD103", "scheduler -> checks (batch)") not in [(f["rule"], f["flow_id"]) for f in findings["introduced"]]


def test_fingerprints_are_the_published_hash_of_what_a_finding_is_about() -> None:
    """The SARIF fingerprint is a contract with code scanning (a changed one reopens every alert): pinned."""
    import hashlib

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    flow = Finding("MLSD103", "unlabeled-flow", "warning", "m", "d.yaml", 3, 5, None, 4, flow_id="a -> b (batch)")
    component = Finding("MLSD102", "orphan-component", "warning", "m", "d.yaml", 3, 5, "cache")
    wide = _design_wide("nothing watches the model")
    assert fingerprint(flow, "d.yaml") == sha("MLSD103|d.yaml||a -> b (batch)")
    assert fingerprint(component, "d.yaml") == sha("MLSD102|d.yaml|cache|")
    assert fingerprint(wide, "design.yaml") == sha("MLSD102|design.yaml|||nothing watches the model")
    assert finding_about(flow) == ("MLSD103", "", "a -> b (batch)")
    assert finding_about(component) == ("MLSD102", "cache", "")


def test_a_component_finding_is_known_by_its_component_not_its_message() -> None:
    one = Finding("MLSD102", "orphan-component", "warning", "first words", "d.yaml", 3, 5, "cache")
    reworded = Finding("MLSD102", "orphan-component", "warning", "other words", "d.yaml", 9, 5, "cache")
    other = Finding("MLSD102", "orphan-component", "warning", "first words", "d.yaml", 3, 5, "store")
    assert fingerprint(one, "d.yaml") == fingerprint(reworded, "d.yaml")
    assert fingerprint(one, "d.yaml") != fingerprint(other, "d.yaml")
    assert finding_about(one) != finding_about(other)
    # two design-wide findings with one message but different rules stay apart
    rule_a = _design_wide("same words")
    rule_b = Finding("MLSD103", "unlabeled-flow", "warning", "same words", "design.yaml", 1, 1)
    assert fingerprint(rule_a, "design.yaml") != fingerprint(rule_b, "design.yaml")


def test_match_pairs_equal_messages_first_whatever_their_order() -> None:
    """Among findings about the same thing, those whose message did not change pair with each other."""
    old = [("k", "x"), ("k", "y"), ("j", "z")]
    new = [("k", "y"), ("k", "x")]
    pairs, only_old, only_new = match(old, new, key=lambda item: item[0], prefer=lambda item: item[1])
    assert pairs == [(("k", "y"), ("k", "y")), (("k", "x"), ("k", "x"))]
    assert only_old == [("j", "z")] and only_new == []


def test_match_pairs_changed_messages_with_what_is_left_in_order() -> None:
    """Same key, no equal message: the leftovers pair one to one in declaration order, after the exact pairs."""
    old = [("k", "a"), ("k", "b"), ("k", "same")]
    new = [("k", "c"), ("k", "same"), ("k", "d"), ("k", "e")]
    pairs, only_old, only_new = match(old, new, key=lambda item: item[0], prefer=lambda item: item[1])
    assert pairs == [(("k", "a"), ("k", "c")), (("k", "same"), ("k", "same")), (("k", "b"), ("k", "d"))]
    assert only_old == [] and only_new == [("k", "e")]
    # without `prefer`, first come first paired
    plain, _, rest = match(old, new, key=lambda item: item[0])
    assert plain == [(("k", "a"), ("k", "c")), (("k", "b"), ("k", "same")), (("k", "same"), ("k", "d"))]
    assert rest == [("k", "e")]
