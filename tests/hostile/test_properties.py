"""Property-based tests: random valid blueprints and random mutations of the bundled ones.

Valid inputs load, stay equal after a YAML round trip and go through every
stage without an exception; invalid inputs always give located errors.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import blueprint_data, dump, mutated

import mlsd_diagram
from mlsd_diagram import BlueprintError
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.score import score
from mlsd_diagram.analyses.serving import simulate
from mlsd_diagram.outputs.doc import doc_context, render_markdown
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.mermaid import to_mermaid

ROOT = Path(__file__).resolve().parent.parent.parent
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
)
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in BUNDLED}

# 800 + 1,200 examples: the 2,000 the hardening issue asks of CI.
VALID = settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MUTATED = settings(max_examples=1200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def every_stage(bp) -> None:
    """Lint, simulate, score, DOT, Mermaid and the design doc: none may raise on a valid blueprint."""
    for finding in lint(bp):
        assert finding.line >= 1 and finding.column >= 1
    result = simulate(bp)
    assert set(result) >= {"entry_points", "knock_outs", "single_points_of_failure", "latency"}
    score(bp)
    assert to_dot(bp).startswith("digraph mlsd {")
    assert re.search(r"(?m)^flowchart (LR|TB)$", to_mermaid(bp))  # after the front matter, if any
    assert "## 1" in render_markdown(doc_context(bp, stem="random", image=False))


@VALID
@given(blueprint_data())
def test_random_valid_blueprints_load_and_round_trip(data):
    bp = mlsd_diagram.loads(dump(data), name="random.yaml")
    assert sorted(bp.graph.nodes) == sorted(data["components"])
    assert bp.graph.number_of_edges() == len(data["flows"])
    again = mlsd_diagram.loads(dump(bp.model_dump(mode="json", by_alias=True, exclude_defaults=True)))
    assert again == bp
    every_stage(bp)


@st.composite
def mutated_bundled(draw):
    name = draw(st.sampled_from(sorted(TEXTS)))
    return name, draw(mutated(TEXTS[name]))


@MUTATED
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
    every_stage(bp)
