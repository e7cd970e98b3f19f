"""The analyses' results have types mypy can see (TypedDicts) and the JSON keeps its published shape:
the keys the real commands print are the keys docs/score.md documents and the keys the types declare,
so a key added to one and forgotten in the other fails here."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from mlsd_testing import ROOT

from mlsd_diagram import load
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
