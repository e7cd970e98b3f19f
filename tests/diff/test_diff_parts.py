"""Each part of `mlsd diff`'s result (`analyses/diff.py`) pinned whole on small designs and on
simulation results written by hand, fast enough for mutation testing (`make mutate`): a changed
key, a dropped hint, a swapped side or an off-by-one comparison fails one of these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlsd_diagram import loads
from mlsd_diagram.analyses import diff as diff_module
from mlsd_diagram.analyses.diff import (
    FLOW_FIELDS,
    FORMAT_VERSION,
    _compare_findings,
    _compare_score,
    diff_blueprints,
    empty_blueprint,
    introduced_failures,
)
from mlsd_diagram.analyses.findings import Finding
from mlsd_diagram.analyses.score import Score, ScoreTest

OLD = """mlsd: 1
name: parts
components:
  app: {kind: client_app, peak_qps: 100}
  gw: {kind: api_gateway, label: Gateway, latency_p99_ms: 10}
  model: {kind: model_server, latency_p99_ms: 20, group: g}
  spare: {kind: cache, label: Spare}
flows:
  - {from: app, to: gw, mode: request}
  - {from: gw, to: model, mode: request, data: features}
  - {from: gw, to: spare, mode: request}
"""
# model renamed scorer (every field kept), gw relabelled, spare gone, logs added; a flow inserted
# first (indices move), the gateway's call to the model given a timeout, gw -> logs a new stream
NEW = """mlsd: 1
name: parts
components:
  app: {kind: client_app, peak_qps: 100}
  gw: {kind: api_gateway, label: Edge, latency_p99_ms: 10}
  scorer: {kind: model_server, latency_p99_ms: 20, group: g}
  logs: {kind: event_logging}
flows:
  - {from: gw, to: logs, mode: stream, data: requests}
  - {from: app, to: gw, mode: request, timeout_ms: 500}
  - {from: gw, to: scorer, mode: request, data: features}
"""

NO_FLOW_FIELDS: dict[str, Any] = {
    "data": None,
    "tags": [],
    "loop": None,
    "step": None,
    "on_failure": None,
    "timeout_ms": None,
    "retries": None,
    "hedge_after_ms": None,
    "at_least": None,
    "per_request": None,
    "items_per_call": None,
    "events_per_s": None,
    "label_window": None,
    "late_positives": None,
    "label_delay": None,
    "label_source": None,
    "selective_labels": False,
    "point_in_time": False,
}


def _flow(fid: str, index: int, source: str, target: str, mode: str, **fields: Any) -> dict[str, Any]:
    return {"id": fid, "index": index, "from": source, "to": target, "mode": mode, **NO_FLOW_FIELDS, **fields}


def _sim(**sides: Any) -> dict[str, Any]:
    """A simulation result with nothing in it but ``sides``."""
    return {"entry_points": [], "latency": {}, "knock_outs": [], "single_points_of_failure": [], **sides}


def _diff(old: str = OLD, new: str = NEW, **kwargs: Any) -> dict[str, Any]:
    return diff_blueprints(loads(old, "old.yaml"), loads(new, "new.yaml"), **kwargs)


def test_components_added_removed_changed_and_renamed() -> None:
    diff = _diff()
    assert diff["components"] == {
        "added": [
            {
                "id": "scorer",
                "kind": "model_server",
                "label": None,
                "group": "g",
                "stage": "serving",
                "renamed_from": "model",
                "hint": "renamed from 'model'?",
            },
            {"id": "logs", "kind": "event_logging", "label": None, "group": None, "stage": "data"},
        ],
        "removed": [
            {
                "id": "model",
                "kind": "model_server",
                "label": None,
                "group": "g",
                "stage": "serving",
                "renamed_to": "scorer",
                "hint": "renamed to 'scorer'?",
            },
            {"id": "spare", "kind": "cache", "label": "Spare", "group": None, "stage": "serving"},
        ],
        "changed": [{"id": "gw", "changes": [{"field": "label", "old": "Gateway", "new": "Edge"}]}],
    }
    assert diff["summary"]["components"] == {"added": 2, "removed": 2, "changed": 1}
    # the other way round, the rename reads backwards
    back = _diff(NEW, OLD)["components"]
    assert [(c["id"], c.get("hint")) for c in back["added"]] == [("model", "renamed from 'scorer'?"), ("spare", None)]
    assert [(c["id"], c.get("hint")) for c in back["removed"]] == [("scorer", "renamed to 'model'?"), ("logs", None)]


def test_of_two_identical_removed_components_one_is_renamed() -> None:
    old = OLD.replace("  spare: {kind: cache, label: Spare}\n", "  spare: {kind: cache}\n  other: {kind: cache}\n")
    new = OLD.replace("  spare: {kind: cache, label: Spare}\n", "  store: {kind: cache}\n").replace("spare", "store")
    components = _diff(old, new)["components"]
    assert [(c["id"], c.get("renamed_to")) for c in components["removed"]] == [("spare", "store"), ("other", None)]
    assert [(c["id"], c.get("renamed_from")) for c in components["added"]] == [("store", "spare")]


def test_flows_added_removed_changed_with_their_indices_and_hints() -> None:
    flows = _diff()["flows"]
    assert flows == {
        "added": [
            _flow("gw -> logs (stream)", 0, "gw", "logs", "stream", data="requests"),
            _flow(
                "gw -> scorer (request)",
                2,
                "gw",
                "scorer",
                "request",
                data="features",
                hint="follows the rename: was gw -> model (request)",
            ),
        ],
        "removed": [
            _flow(
                "gw -> model (request)",
                1,
                "gw",
                "model",
                "request",
                data="features",
                hint="follows the rename: now gw -> scorer (request)",
            ),
            _flow("gw -> spare (request)", 2, "gw", "spare", "request"),
        ],
        "changed": [
            {
                "id": "app -> gw (request)",
                "index": 1,
                "old_index": 0,
                "from": "app",
                "to": "gw",
                "mode": "request",
                "changes": [{"field": "timeout_ms", "old": None, "new": 500}],
            }
        ],
    }


def test_a_flow_that_changed_mode_or_data_with_a_rename_gets_its_hint() -> None:
    new = OLD.replace("{from: gw, to: spare, mode: request}", "{from: gw, to: spare, mode: stream}")
    flows = _diff(OLD, new)["flows"]
    assert [(f["id"], f["hint"]) for f in flows["added"]] == [("gw -> spare (stream)", "mode changed from request?")]
    assert [(f["id"], f["hint"]) for f in flows["removed"]] == [("gw -> spare (request)", "mode changed to stream?")]
    assert flows["changed"] == []
    # a renamed end and other data: not the same flow, no hint; the same ends, no rename: no "follows" hint
    other = NEW.replace(
        "{from: gw, to: scorer, mode: request, data: features}", "{from: gw, to: scorer, mode: request}"
    )
    flows = _diff(OLD, other)["flows"]
    assert [f.get("hint") for f in flows["added"]] == [None, None]
    assert [f.get("hint") for f in flows["removed"]] == [None, None]


def test_design_fields_are_flattened_and_empty_values_left_out() -> None:
    old = OLD.replace(
        "name: parts\n", "name: parts\nrequirements: {scale: {peak_qps: 1000}, slo: {latency_p99_ms: 200}}\n"
    )
    new = OLD.replace(
        "name: parts\n", "name: renamed\nsummary: what it does\nrequirements: {scale: {peak_qps: 2000}}\n"
    )
    diff = _diff(old, new)
    assert diff["design"] == [
        {"field": "name", "old": "parts", "new": "renamed"},
        {"field": "requirements.scale.peak_qps", "old": 1000, "new": 2000},
        {"field": "requirements.slo.latency_p99_ms", "old": 200, "new": None},
        {"field": "summary", "old": None, "new": "what it does"},
    ]
    assert diff["summary"]["design"] == 4 and diff["summary"]["changed"] is True
    same = _diff(OLD, OLD)
    assert same["design"] == [] and same["summary"]["changed"] is False


def test_a_design_change_alone_or_a_flow_change_alone_is_a_change() -> None:
    assert _diff(OLD, OLD.replace("name: parts", "name: other"))["summary"]["changed"] is True
    component_only = _diff(OLD, OLD.replace("label: Gateway", "label: Edge"))["summary"]
    assert component_only["components"]["changed"] == 1 and component_only["changed"] is True
    flow_only = _diff(OLD, OLD.replace("mode: request, data: features", "mode: request, data: scores"))
    assert flow_only["summary"]["flows"] == {"added": 0, "removed": 0, "changed": 1}
    assert flow_only["summary"]["components"] == {"added": 0, "removed": 0, "changed": 0}
    assert flow_only["summary"]["changed"] is True


def test_the_result_names_its_sides_and_version() -> None:
    diff = _diff()
    assert list(diff) == [
        "version",
        "old",
        "new",
        "design",
        "components",
        "flows",
        "findings",
        "analyses",
        "summary",
    ]
    assert (
        (diff["version"], diff["old"], diff["new"])
        == (FORMAT_VERSION, "old.yaml", "new.yaml")
        == (1, "old.yaml", "new.yaml")
    )
    named = _diff(old_name="HEAD:a.yaml", new_name="a.yaml")
    assert (named["old"], named["new"]) == ("HEAD:a.yaml", "a.yaml")


def test_findings_introduced_and_resolved_without_file_or_column() -> None:
    findings = _diff()["findings"]
    assert (findings["before"], findings["after"]) == (9, 8)  # the spare cache had a finding of its own
    introduced = {(f["rule"], f["component"]) for f in findings["introduced"]}
    resolved = {(f["rule"], f["component"]) for f in findings["resolved"]}
    assert ("MLSD201", "scorer") in introduced and ("MLSD201", "model") in resolved
    for item in findings["introduced"] + findings["resolved"]:
        assert list(item) == [
            "rule",
            "name",
            "severity",
            "message",
            "line",
            "component",
            "flow",
            "flow_id",
            "accepted",
            "reason",
        ]
    assert _diff()["summary"]["findings"] == {
        "introduced": len(findings["introduced"]),
        "resolved": len(findings["resolved"]),
    }


def test_a_design_added_from_nothing() -> None:
    nothing = empty_blueprint()
    assert (nothing.name, nothing.file, dict(nothing.components), nothing.flows) == ("nothing", "/dev/null", {}, [])
    named = empty_blueprint("gone", "a.yaml")
    assert (named.name, named.file) == ("gone", "a.yaml")
    diff = diff_blueprints(nothing, loads(OLD, "new.yaml"))
    assert diff["old"] == "/dev/null"
    assert diff["summary"]["components"] == {"added": 4, "removed": 0, "changed": 0}
    assert diff["summary"]["flows"] == {"added": 3, "removed": 0, "changed": 0}


LATENCY = {"p99_ms": 30, "slo_ms": 50, "path": ["app", "gw"], "missing": [], "hops": 2}


def test_latency_compares_the_p99_slo_path_and_what_is_missing_only() -> None:
    old = _sim(
        latency={
            "app": LATENCY,
            "web": {**LATENCY, "hops": 9},  # only a key the diff does not compare changes
            "tv": LATENCY,
            "gone": LATENCY,
        }
    )
    new = _sim(
        latency={
            "app": {**LATENCY, "p99_ms": 60},
            "web": LATENCY,
            "tv": {**LATENCY, "missing": ["gw"]},
            "new": {**LATENCY, "p99_ms": 50},
        }
    )
    latency = _diff(simulation=(old, new))["analyses"]["latency"]
    kept = {k: LATENCY[k] for k in ("p99_ms", "slo_ms", "path", "missing")}
    assert latency == [
        {"entry": "app", "old": kept, "new": {**kept, "p99_ms": 60}, "over_slo": [False, True]},
        {"entry": "tv", "old": kept, "new": {**kept, "missing": ["gw"]}, "over_slo": [False, False]},
        {"entry": "gone", "old": kept, "new": None, "over_slo": [False, None]},
        {"entry": "new", "old": None, "new": {**kept, "p99_ms": 50}, "over_slo": [None, False]},
    ]


def test_over_the_slo_needs_both_an_slo_and_a_latency() -> None:
    old = _sim(latency={"a": {**LATENCY, "slo_ms": None}, "b": {**LATENCY, "p99_ms": None}})
    new = _sim(latency={"a": {**LATENCY, "slo_ms": None, "p99_ms": 99}, "b": {**LATENCY, "p99_ms": 51}})
    latency = _diff(simulation=(old, new))["analyses"]["latency"]
    assert [(item["entry"], item["over_slo"]) for item in latency] == [("a", [None, None]), ("b", [None, True])]


def test_knock_outs_compare_what_each_entry_point_gets() -> None:
    old = _sim(
        knock_outs=[
            {"components": ["gw"], "entry_points": {"app": "down", "web": "down", "tv": "served"}},
            {"components": ["model", "cache"], "entry_points": {"app": "degraded"}},
            {"components": ["spare"], "entry_points": {"app": "down"}},
        ]
    )
    new = _sim(
        knock_outs=[
            {"components": ["logs"], "entry_points": {"app": "down"}},  # new: nothing to compare with
            {"components": ["model", "cache"], "entry_points": {"web": "down"}},  # app now served
            # the same, in another order; an entry point left out is served
            {"components": ["gw"], "entry_points": {"web": "down", "app": "down", "radio": "served"}},
        ]
    )
    knock_outs = _diff(simulation=(old, new))["analyses"]["knock_outs"]
    assert knock_outs == [
        {"components": ["model", "cache"], "entry_points": {"app": ["degraded", "served"], "web": ["served", "down"]}}
    ]


def test_sets_of_components_read_ids_and_items() -> None:
    old = _sim(
        entry_points=["app", "web"],
        single_points_of_failure=[{"component": "gw"}, {"id": "model"}, {"other": "x"}, None],
        critical=None,
        load={"headroom": 1.5, "first_saturated": "gw"},
    )
    new = _sim(entry_points=["web", "tv"], single_points_of_failure=["gw", 7], critical=["gw"], load=None)
    analyses = _diff(simulation=(old, new))["analyses"]
    assert analyses["entry_points"] == {
        "added": ["tv"],
        "removed": ["app"],
        "before": ["app", "web"],
        "after": ["web", "tv"],
    }
    assert analyses["single_points_of_failure"] == {
        "added": ["7"],
        "removed": ["model"],
        "before": ["gw", "model"],
        "after": ["gw", "7"],
    }
    assert analyses["critical"] == {"added": ["gw"], "removed": [], "before": [], "after": ["gw"]}
    assert analyses["load"] == {"headroom": [1.5, None], "first_saturated": ["gw", None]}
    # present on one side only: still compared
    one_side = _diff(simulation=(_sim(), _sim(critical=["gw"], load={"headroom": 2, "first_saturated": "b"})))
    assert one_side["analyses"]["critical"] == {"added": ["gw"], "removed": [], "before": [], "after": ["gw"]}
    assert one_side["analyses"]["load"] == {"headroom": [None, 2], "first_saturated": [None, "b"]}
    other_side = _diff(simulation=(_sim(critical=["gw"], load={"first_saturated": "gw"}), _sim()))["analyses"]
    assert other_side["critical"] == {"added": [], "removed": ["gw"], "before": ["gw"], "after": []}
    assert other_side["load"] == {"headroom": [None, None], "first_saturated": ["gw", None]}
    neither = _diff(simulation=(_sim(), _sim()))["analyses"]
    assert neither["critical"] is None and neither["load"] is None


def _test(tid: str, shown: bool, reason: str = "why") -> ScoreTest:
    return {"id": tid, "title": f"title {tid}", "shown": shown, "evidence": [], "rules": [], "reason": reason}


def _score(tests: list[ScoreTest], level: int, reason: str) -> Score:
    shown = sum(t["shown"] for t in tests)
    return {"tests": tests, "shown": shown, "total": 14, "manual": [], "mlops_level": level, "mlops_reason": reason}


def test_score_reports_the_tests_that_changed_and_the_level() -> None:
    old = _score([_test("D1", False), _test("D2", True), _test("M1", True, "had it")], 0, "level 0: manual")
    new = _score(
        [_test("D1", True, "now shown"), _test("D2", True), _test("M1", False, "lost it")], 1, "level 1: pipeline"
    )
    assert _compare_score(old, new) == {
        "shown": [2, 2],
        "total": 14,
        "tests": [
            {"id": "D1", "title": "title D1", "old": False, "new": True, "reason": "now shown"},
            {"id": "M1", "title": "title M1", "old": True, "new": False, "reason": "lost it"},
        ],
        "mlops_level": [0, 1],
        "mlops_reason": ["level 0: manual", "level 1: pipeline"],
    }
    assert _diff()["analyses"]["score"] == {
        "shown": [0, 0],
        "total": 14,
        "tests": [],
        "mlops_level": [0, 0],
        "mlops_reason": ["level 0: the design has no training pipeline, so training and deployment are manual"] * 2,
    }


def test_introduced_failures_are_unaccepted_findings_at_or_above_the_level() -> None:
    introduced = [
        {"rule": "A", "severity": "error", "accepted": False},
        {"rule": "B", "severity": "warning", "accepted": False},
        {"rule": "C", "severity": "note", "accepted": False},
        {"rule": "D", "severity": "error", "accepted": True},
    ]
    diff = {"findings": {"introduced": introduced, "resolved": []}}
    assert [f["rule"] for f in introduced_failures(diff)] == ["A"]
    assert [f["rule"] for f in introduced_failures(diff, "error")] == ["A"]
    assert [f["rule"] for f in introduced_failures(diff, "warning")] == ["A", "B"]
    assert [f["rule"] for f in introduced_failures(diff, "note")] == ["A", "B", "C"]


def _keys(shape: Any) -> tuple[frozenset[str], frozenset[str]]:
    return shape.__required_keys__, shape.__required_keys__ | shape.__optional_keys__


def _fits(value: dict[str, Any], shape: Any, extra: frozenset[str] = frozenset()) -> None:
    required, allowed = _keys(shape)
    assert required <= value.keys() <= allowed | extra, (shape.__name__, sorted(value))


def test_the_result_has_the_keys_its_typed_dicts_declare() -> None:
    """mypy checks the consumers against the TypedDicts of analyses/diff.py; this checks the TypedDicts
    against the result (it fails when a key is added to one and not the other)."""
    m = diff_module
    diff = _diff()
    _fits(diff, m.DesignDiff)
    for section, shape in (("components", m.ComponentsDiff), ("flows", m.FlowsDiff)):
        _fits(diff[section], shape)
    for item in diff["components"]["added"] + diff["components"]["removed"]:
        _fits(item, m.ComponentItem)
    assert any("hint" in item for item in diff["components"]["added"])
    for item in diff["components"]["changed"]:
        _fits(item, m.ComponentChange)
        for change in item["changes"]:
            _fits(change, m.FieldChange)
    for item in diff["flows"]["added"] + diff["flows"]["removed"]:
        _fits(item, m.FlowItem, extra=frozenset(FLOW_FIELDS))  # every flow field, by name
        assert set(FLOW_FIELDS) <= item.keys()
    for item in diff["flows"]["changed"]:
        _fits(item, m.FlowChange)
    _fits(diff["findings"], m.FindingsDiff)
    for item in diff["findings"]["introduced"] + diff["findings"]["resolved"]:
        _fits(item, m.FindingItem)
    _fits(diff["summary"], m.SummaryDiff)
    for section in ("components", "flows"):
        _fits(diff["summary"][section], m.SectionCounts)
    _fits(diff["summary"]["findings"], m.FindingCounts)
    old = _sim(latency={"app": LATENCY}, knock_outs=[{"components": ["gw"], "entry_points": {"app": "down"}}])
    new = _sim(
        latency={"app": {**LATENCY, "p99_ms": 60}},
        knock_outs=[{"components": ["gw"], "entry_points": {}}],
        critical=[],
        load={},
    )
    analyses = diff_blueprints(loads(OLD), loads(NEW), simulation=(old, new))["analyses"]
    _fits(analyses, m.AnalysesDiff)
    for key in ("entry_points", "single_points_of_failure", "critical"):
        _fits(analyses[key], m.SetChange)
    (latency,) = analyses["latency"]
    _fits(latency, m.LatencyChange)
    _fits(latency["old"], m.LatencyFigures)
    (knock_out,) = analyses["knock_outs"]
    _fits(knock_out, m.KnockOutChange)
    _fits(analyses["load"], m.LoadChange)
    _fits(analyses["score"], m.ScoreChange)
    score_test = _compare_score(_score([_test("D1", False)], 0, "level 0"), _score([_test("D1", True)], 0, "level 0"))[
        "tests"
    ][0]
    _fits(score_test, m.ScoreTestChange)


def _leaf_types(value: Any) -> set[type]:
    if isinstance(value, dict):
        return {dict}.union(*(_leaf_types(v) for v in value.values()))
    if isinstance(value, list):
        return {list}.union(*(_leaf_types(v) for v in value))
    return {type(value)}


def test_the_result_is_plain_data_not_model_values() -> None:
    """Enum fields (a component's split, a declared kind's stage) changed: the diff holds their JSON text,
    plain str, as `mlsd diff --format json` writes it, never the models' enum members."""
    kinds = "kinds:\n  x-scorer: {stage: serving}\n"
    old = OLD.replace(
        "flows:\n", "  gate: {kind: offline_evaluation, split: random}\n  extra: {kind: x-scorer}\nflows:\n"
    )
    old = old.replace("components:\n", kinds + "components:\n")
    old = old.replace("{from: app, to: gw, mode: request}", "{from: app, to: gw, mode: request, on_failure: skip}")
    new = old.replace("split: random", "split: time").replace("{stage: serving}", "{stage: data}")
    new = new.replace("on_failure: skip", "on_failure: defaults")
    diff = _diff(old, new)
    assert [f["changes"] for f in diff["flows"]["changed"]] == [
        [{"field": "on_failure", "old": "skip", "new": "defaults"}]
    ]
    assert diff["components"]["changed"] == [
        {"id": "gate", "changes": [{"field": "split", "old": "random", "new": "time"}]}
    ]
    assert diff["design"] == [{"field": "kinds.x-scorer.stage", "old": "serving", "new": "data"}]
    assert _leaf_types(diff) <= {dict, list, str, int, float, bool, type(None)}


CHAIN = """mlsd: 1
name: chain
components:
  x: {kind: client_app}
  y: {kind: client_app}
  b: {kind: api_gateway}
  c: {kind: model_server}
flows:
  - {from: x, to: b, mode: request}
  - {from: b, to: c, mode: request}
"""


def test_flows_follow_a_rename_at_either_end_and_only_then() -> None:
    renamed = CHAIN.replace("  b:", "  d:").replace("to: b,", "to: d,").replace("from: b,", "from: d,")
    flows = _diff(CHAIN, renamed)["flows"]
    assert [(f["id"], f["hint"]) for f in flows["added"]] == [
        ("x -> d (request)", "follows the rename: was x -> b (request)"),
        ("d -> c (request)", "follows the rename: was b -> c (request)"),
    ]
    assert [(f["id"], f["hint"]) for f in flows["removed"]] == [
        ("x -> b (request)", "follows the rename: now x -> d (request)"),
        ("b -> c (request)", "follows the rename: now d -> c (request)"),
    ]
    # x -> b became y -> d: the renamed end alone does not make it the same flow
    moved = renamed.replace("{from: x, to: d,", "{from: y, to: d,")
    flows = _diff(CHAIN, moved)["flows"]
    assert [(f["id"], f.get("hint")) for f in flows["added"]] == [
        ("y -> d (request)", None),
        ("d -> c (request)", "follows the rename: was b -> c (request)"),
    ]
    assert [(f["id"], f.get("hint")) for f in flows["removed"]] == [
        ("x -> b (request)", None),
        ("b -> c (request)", "follows the rename: now d -> c (request)"),
    ]


def _design_wide(message: str) -> Finding:
    return Finding("MLSD102", "orphan-component", "warning", message, "d.yaml", 1, 1)


def test_findings_about_the_same_thing_pair_by_message_first() -> None:
    """Two design-wide findings of one rule share an identity: the one whose message is unchanged stays,
    whatever the order; the other is resolved or introduced."""
    first, second, third = _design_wide("first"), _design_wide("second"), _design_wide("third")
    result = _compare_findings([first, second], [second])
    assert [f["message"] for f in result["resolved"]] == ["first"] and result["introduced"] == []
    assert (result["before"], result["after"]) == (2, 1)
    result = _compare_findings([first, second], [third, second])
    assert result["resolved"] == result["introduced"] == []  # third pairs with what is left: first
    result = _compare_findings([second], [first, second])
    assert [f["message"] for f in result["introduced"]] == ["first"] and result["resolved"] == []


def test_the_lint_configuration_applies_to_both_sides() -> None:
    """An ignored rule is gone from both versions' findings and counts for neither version's score."""
    weak = (Path(__file__).resolve().parent.parent / "lint" / "data" / "weak_design.yaml").read_text(encoding="utf-8")
    plain = diff_blueprints(loads(weak, "a.yaml"), loads(weak, "b.yaml"))
    ignoring = diff_blueprints(loads(weak, "a.yaml"), loads(weak, "b.yaml"), {"ignore": ["MLSD302"]})
    findings = ignoring["findings"]
    assert findings["introduced"] == findings["resolved"] == []
    assert findings["before"] == findings["after"] == plain["findings"]["before"] - 1
    # MLSD302 held back one test of the ML Test Score on each side
    assert ignoring["analyses"]["score"]["shown"] == [s + 1 for s in plain["analyses"]["score"]["shown"]]
    assert ignoring["analyses"]["score"]["tests"] == []
