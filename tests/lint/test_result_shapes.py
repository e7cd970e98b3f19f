"""The analyses' results have types mypy can see (TypedDicts) and the JSON keeps its published shape:
the keys the real commands print are the keys docs/score.md documents and the keys the types declare,
so a key added to one and forgotten in the other fails here."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from mlsd_testing import ROOT

from mlsd_diagram import load, loads
from mlsd_diagram.analyses.failure_modes import FailureModeDict, failure_modes
from mlsd_diagram.analyses.funnel import FunnelDict, funnel
from mlsd_diagram.analyses.score import ManualTest, Score, ScoreTest
from mlsd_diagram.cli import main

NEWS = ROOT / "blueprints" / "news_feed.yaml"


def _documented_score_keys() -> tuple[set[str], set[str], set[str]]:
    """The keys of the JSON shape docs/score.md publishes: top level, a test, a manual test."""
    text = (ROOT / "docs" / "score.md").read_text(encoding="utf-8")
    shape = re.search(r"JSON: `(\{.*?\})`\.", text, re.DOTALL)
    assert shape is not None, "docs/score.md no longer shows the JSON shape"
    body = shape.group(1)
    tests = re.search(r'"tests": \[\{(.*?)\}\]', body, re.DOTALL)
    manual = re.search(r'"manual": \[\{(.*?)\}\]', body, re.DOTALL)
    assert tests is not None and manual is not None
    top = set(re.findall(r'"(\w+)":', body.replace(tests.group(0), '"tests":').replace(manual.group(0), '"manual":')))
    return top, set(re.findall(r'"(\w+)"', tests.group(1))), set(re.findall(r'"(\w+)"', manual.group(1)))


def test_score_json_has_the_documented_keys_and_the_typed_ones() -> None:
    result = CliRunner().invoke(main, ["score", "--format", "json", str(NEWS)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    top, test_keys, manual_keys = _documented_score_keys()
    assert set(data) == top == set(Score.__required_keys__)
    assert data["tests"] and data["manual"]
    for test in data["tests"]:
        assert set(test) == test_keys == set(ScoreTest.__required_keys__)
        assert isinstance(test["shown"], bool) and isinstance(test["evidence"], list)
    for item in data["manual"]:
        assert set(item) == manual_keys == set(ManualTest.__required_keys__)
    assert data["total"] == len(data["tests"]) and data["shown"] == sum(t["shown"] for t in data["tests"])
    assert data["mlops_level"] in (0, 1, 2)


def test_funnel_and_failure_mode_dicts_have_the_typed_keys() -> None:
    blueprint = load(NEWS)
    found = funnel(blueprint)
    assert found.applies
    as_dict = found.to_dict()
    assert set(as_dict) == set(FunnelDict.__required_keys__)
    assert as_dict["ranking"] == list(found.ranking) and as_dict["ranking"]
    modes = [m.to_dict() for m in failure_modes(blueprint)]
    assert modes
    for mode in modes:
        assert set(mode) == set(FailureModeDict.__required_keys__)
        assert mode["status"] in ("answered", "partly answered", "not answered yet")
    assert json.loads(json.dumps(modes)) == modes  # plain JSON data


def _fits(value: object, shape: type) -> None:
    """``value`` has every required key of the TypedDict ``shape`` and no key it does not declare."""
    assert isinstance(value, dict)
    keys = set(value)
    assert shape.__required_keys__ <= keys, (shape.__name__, shape.__required_keys__ - keys)  # type: ignore[attr-defined]
    assert keys <= shape.__required_keys__ | shape.__optional_keys__, (shape.__name__, keys)  # type: ignore[attr-defined]


def test_simulate_json_has_the_keys_its_types_declare() -> None:
    from mlsd_diagram.analyses.serving import shapes

    # every bundled blueprint, with a knock-out set, a lost zone and a load path, so the optional keys appear
    seen: set[str] = set()
    for path in sorted((ROOT / "blueprints").glob("*.yaml")):
        for extra in ([], ["--lose", "zone", "--load", "0.5,1,3"]):
            result = CliRunner().invoke(main, ["simulate", "--format", "json", *extra, str(path)])
            assert result.exit_code in (0, 1), result.output
            data = json.loads(result.output)
            _fits(data, shapes.Simulation)
            seen |= set(data)
            _fits(data["load"], shapes.LoadAt)
            for step in data.get("load_path", []):
                _fits(step, shapes.LoadAt)
            for info in data["load"]["components"].values():
                _fits(info, shapes.ComponentLoad)
            for figures in data["load"]["latency"].values():
                _fits(figures, shapes.LatencyFigures)
                _fits(figures["shares"], shapes.Shares)
            for outcome in data["knock_outs"]:
                _fits(outcome, shapes.KnockOutOutcome)
    assert {"load_path", "availability"} <= seen  # the optional keys were exercised


# an overload that retries keep going after the load falls back (metastable; tests/lint/test_retries_redundancy.py)
RETRY_STORM = """\
mlsd: 1
name: retries
requirements: {scale: {peak_qps: 1000}}
components:
  app: {kind: client_app}
  l1: {kind: api_gateway, latency_p99_ms: 1}
  l2: {kind: online_service, latency_p99_ms: 2}
  db: {kind: feature_store, latency_p99_ms: 5, capacity_qps: 1200}
flows:
  - {from: app, to: l1, mode: request, retries: 3}
  - {from: l1, to: l2, mode: request, retries: 3}
  - {from: l2, to: db, mode: request, retries: 3}
"""


def _designs() -> list[Path]:
    return sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
        (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
    )


def test_simulate_nested_objects_have_the_keys_their_types_declare() -> None:
    """Each nested object of ``simulate``'s JSON (latency steps, reasons, limits, autoscaling, retries,
    metastable steps, availability, streams) fits its TypedDict; every optional part is exercised."""
    from mlsd_diagram.analyses.serving import shapes, simulate

    seen: set[str] = set()
    blueprints = [load(path) for path in [*_designs(), ROOT / "tests" / "lint" / "data" / "scaling.yaml"]]
    blueprints.append(loads(RETRY_STORM))
    for blueprint in blueprints:
        for kwargs in ({}, {"lose": "zone", "path": [0.5, 1.0, 3.0]}, {"load": 4.0}, {"path": [1.0, 1.5, 1.0]}):
            data = json.loads(json.dumps(simulate(blueprint, **kwargs)))  # type: ignore[arg-type]
            for info in data["latency"].values():
                _fits(info, shapes.RequestLatency)
                _fits(info["assumed"], shapes.Assumed)
                for row in info["steps"]:
                    _fits(row, shapes.LatencyStep)
                    seen.add("steps")
            for load_at in [data["load"], *data.get("load_path", [])]:
                _fits(load_at, shapes.LoadAt)
                for reasons in load_at["answered_by"].values():
                    for reason in reasons:
                        _fits(reason, shapes.Reason)
                        seen.add("reason")
                if load_at["slo_limit"] is not None:
                    _fits(load_at["slo_limit"], shapes.SloLimit)
                    seen.add("slo_limit")
                if "autoscaling" in load_at:
                    scaling = load_at["autoscaling"]
                    _fits(scaling, shapes.Autoscaling)
                    _fits(scaling["surge"], shapes.Surge)
                    for item in scaling["components"].values():
                        _fits(item, shapes.AutoscaledComponent)
                    seen.add("autoscaling")
                if "retries" in load_at:
                    _fits(load_at["retries"], shapes.RetryFigures)
                    seen.add("retries")
                for item in load_at.get("metastable", []):
                    _fits(item, shapes.Metastable)
                    seen.add("metastable")
            for outcome in data["knock_outs"]:
                for reasons in outcome["answered_by"].values():
                    for reason in reasons:
                        _fits(reason, shapes.Reason)
            for info in data.get("availability", {}).values():
                _fits(info, shapes.Availability)
                for term in info["terms"]:
                    _fits(term, shapes.AvailabilityTerm)
                seen.add("availability")
            for info in data.get("streams", {}).values():
                _fits(info, shapes.StreamLoad)
                seen.add("streams")
    assert seen == {
        "steps",
        "reason",
        "slo_limit",
        "autoscaling",
        "retries",
        "metastable",
        "availability",
        "streams",
    }, seen


def test_doc_and_report_tables_have_the_keys_their_types_declare() -> None:
    """The tables the design doc and the report read: the latency breakdown, the load table, the
    failure latencies, the latency under load and the retry layers."""
    from mlsd_diagram.analyses.retries import RetriedBy, RetryLayer, RetryLayers, retry_layers
    from mlsd_diagram.analyses.serving import latency_breakdown, load_table, serving_model, shapes

    layers = 0
    for path in _designs():
        blueprint = load(path)
        model = serving_model(blueprint)
        for parts in latency_breakdown(blueprint, model).values():
            _fits(parts, shapes.LatencyParts)
            for part in parts["parts"]:
                _fits(part, shapes.LatencyPart)
                for step in part["steps"]:
                    _fits(step, shapes.PartStep)
                    for call in step["calls"]:
                        _fits(call, shapes.PartCall)
        table = load_table(blueprint, 1.0, model)
        _fits(table, shapes.LoadTable)
        for row in table["rows"]:
            _fits(row, shapes.LoadRow)
        for item in model.failure_latencies(model.request_path[:3]):
            _fits(item, shapes.FailureLatency)
        for at in model.latency_under_load((1.0, 2.0)):
            _fits(at, shapes.LatencyAtLoad)
        retries = retry_layers(blueprint, model)
        _fits(retries, RetryLayers)
        for layer in retries["layers"]:
            _fits(layer, RetryLayer)
            for call in layer["retried_by"]:
                _fits(call, RetriedBy)
            layers += 1
    assert layers  # some bundled design retries


def test_lint_and_estimate_json_have_the_keys_their_types_declare() -> None:
    from mlsd_diagram.analyses.figures import EstimatesDict, FigureDict, InputDict, MissingDict
    from mlsd_diagram.analyses.findings import FindingDict
    from mlsd_diagram.outputs.findings_json import FindingsDocument

    result = CliRunner().invoke(main, ["lint", "--format", "json", str(ROOT / "tests" / "rules" / "MLSD201")])
    document = json.loads(result.output)
    _fits(document, FindingsDocument)
    assert document["findings"]
    for finding in document["findings"]:
        _fits(finding, FindingDict)
    missing = 0
    for path in _designs():
        result = CliRunner().invoke(main, ["estimate", "--format", "json", str(path)])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data.pop("file") == str(path)
        _fits(data, EstimatesDict)
        for figure in data["figures"]:
            _fits(figure, FigureDict)
            for item in figure["inputs"]:
                _fits(item, InputDict)
        for item in data["missing"]:
            _fits(item, MissingDict)
            missing += 1
    assert missing  # the blank starter misses estimates


def test_the_report_page_data_has_the_keys_its_types_declare() -> None:
    """The data the browser page reads (``mlsd report``, ``mlsd serve``): every object fits its TypedDict."""
    from mlsd_diagram.analyses.findings import FindingDict
    from mlsd_diagram.analyses.lint import design_for
    from mlsd_diagram.outputs import report as R

    findings = retries = 0
    for path in (NEWS, ROOT / "tests" / "lint" / "data" / "weak_design.yaml"):
        blueprint = load(path)
        design = design_for(blueprint, None)
        data = R.page_data(blueprint, "<svg/>", None, design)
        data["precomputed"] = R.precompute_knock_outs(blueprint, data, model=design.serving)
        data = json.loads(json.dumps(data))
        _fits(data, R.PageData)
        for row in data["components"]:
            _fits(row, R.ComponentRow)
        for row in data["flows"]:
            _fits(row, R.FlowRow)
        for finding in data["findings"]:
            _fits(finding, FindingDict)
            findings += 1
        _fits(data["request_path"], R.RequestPathView)
        _fits(data["load"], R.LoadView)
        _fits(data["resilience"], R.ResilienceView)
        for row in data["resilience"]["availability"]:
            _fits(row, R.AvailabilityRow)
        for row in data["resilience"]["retries"]:
            _fits(row, R.RetryRow)
            retries += 1
        _fits(data["precomputed"], R.PrecomputedKnockOuts)
        for codes in data["precomputed"]["table"].values():
            _fits(codes, R.KnockOutCodes)
        _fits(R.knock_out_view(blueprint, [design.request_path[0]], design.serving), R.KnockOutView)
    assert findings and retries
