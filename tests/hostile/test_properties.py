"""Property-based tests: random valid blueprints and random mutations of the bundled ones.

Valid inputs load, stay equal after a YAML round trip and go through every
stage without an exception; invalid inputs always give located errors.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlsd_diagram
from mlsd_diagram import BlueprintError

from strategies import blueprint_data, dump, mutated

ROOT = Path(__file__).resolve().parent.parent.parent
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram" / "templates" / "blueprints").glob("*.yaml"))
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in BUNDLED}

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(blueprint_data())
def test_random_valid_blueprints_load_and_round_trip(data):
    bp = mlsd_diagram.loads(dump(data), name="random.yaml")
    assert sorted(bp.graph.nodes) == sorted(data["components"])
    assert bp.graph.number_of_edges() == len(data["flows"])
    again = mlsd_diagram.loads(dump(bp.model_dump(mode="json", by_alias=True, exclude_defaults=True)))
    assert again == bp


@st.composite
def mutated_bundled(draw):
    name = draw(st.sampled_from(sorted(TEXTS)))
    return name, draw(mutated(TEXTS[name]))


@SETTINGS
@given(mutated_bundled())
def test_mutations_of_bundled_blueprints_give_valid_designs_or_located_errors(case):
    name, text = case
    try:
        bp = mlsd_diagram.loads(text, name=name)
    except BlueprintError as exc:
        assert exc.diagnostics
        last_line = text.count("\n") + 2
        for diagnostic in exc.diagnostics:
            assert diagnostic.file == name
            assert 1 <= diagnostic.line <= last_line and diagnostic.column >= 1
            assert diagnostic.message and "\n" not in diagnostic.message
        return
    assert bp.graph.number_of_nodes() == len(bp.components)
