"""Availability estimates (analyses/availability.py) and MLSD213, on small blueprints computed by hand."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lint_serving_properties import designs, load_design

from mlsd_diagram import loads
from mlsd_diagram.analyses import availability as availability_module
from mlsd_diagram.analyses.availability import Term, availability
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.analyses.serving import ServingModel
from mlsd_diagram.cli import main


def _bp(text: str):
    return loads(textwrap.dedent(text), "availability.yaml")


SERIES = """\
    mlsd: 1
    name: series
    requirements: {slo: {availability: 99.95}}
    components:
      app: {kind: client_app}
      service: {kind: online_service, availability: 0.999}
      ranker: {kind: ranking_service, availability: 0.9995}
      cache: {kind: cache}
    flows:
      - {from: app, to: service, mode: request, data: x}
      - {from: service, to: ranker, mode: request, data: y}
      - {from: service, to: cache, mode: request, data: z}
    """

FALLBACK = """\
    mlsd: 1
    name: fallback
    requirements: {slo: {availability: 99.95}}
    components:
      app: {kind: client_app}
      service: {kind: online_service, availability: 0.9999}
      ranker: {kind: ranking_service, availability: 0.999}
      popular: {kind: fallback_ranker, availability: 0.99}
    flows:
      - {from: app, to: service, mode: request, data: x}
      - {from: service, to: ranker, mode: request, data: y}
      - {from: ranker, to: popular, mode: fallback, data: popular items}
    """


def test_two_components_in_series_add_their_unavailability() -> None:
    est = availability(_bp(SERIES))["app"]
    # by hand: 1 - (1 - 0.999) - (1 - 0.9995) = 1 - 0.001 - 0.0005
    assert est.availability == pytest.approx(1 - 0.001 - 0.0005, abs=1e-12)
    assert [t.components for t in est.first_order] == [("service",), ("ranker",)]
    assert [t.unavailability for t in est.first_order] == pytest.approx([0.001, 0.0005])
    assert est.second_order == ()
    assert est.unknown == ("cache",)  # on the path, no availability: assumed always up
    assert est.declared
    assert [t.components for t in est.dominant(1)] == [("service",)]


def test_a_model_and_its_fallback_count_only_together() -> None:
    est = availability(_bp(FALLBACK))["app"]
    # the ranker alone is answered by its fallback: no first-order term; the pair adds 0.001 x 0.01
    assert [t.components for t in est.first_order] == [("service",)]
    assert est.second_order == (Term(("ranker", "popular"), pytest.approx(0.001 * 0.01)),)
    assert est.availability == pytest.approx(1 - 0.0001 - 0.001 * 0.01, abs=1e-12)
    assert est.unavailability == pytest.approx(0.0001 + 0.00001, abs=1e-12)
    # the knock-out logic agrees: each alone leaves the app answered, both together take it down
    model = ServingModel(_bp(FALLBACK))
    assert model.entry_states({"ranker"})["app"] == "degraded"
    assert model.entry_states({"popular"})["app"] == "served"
    assert model.entry_states({"ranker", "popular"})["app"] == "down"


def test_a_skipped_call_never_takes_the_entry_point_down() -> None:
    text = SERIES.replace("data: z}", "data: z, on_failure: skip}").replace(
        "cache: {kind: cache}", "cache: {kind: cache, availability: 0.9}"
    )
    est = availability(_bp(text))["app"]
    assert [t.components for t in [*est.first_order, *est.second_order]] == [("service",), ("ranker",)]


def test_each_entry_point_counts_what_it_relies_on() -> None:
    text = """\
        mlsd: 1
        name: two
        components:
          app: {kind: client_app}
          partner: {kind: client_app}
          shared: {kind: online_service, availability: 0.999}
          own: {kind: online_service, availability: 0.99}
        flows:
          - {from: app, to: shared, mode: request, data: x}
          - {from: partner, to: shared, mode: request, data: x}
          - {from: partner, to: own, mode: request, data: x}
        """
    result = availability(_bp(text))
    assert list(result) == ["app", "partner"]
    assert result["app"].availability == pytest.approx(0.999)
    assert result["partner"].availability == pytest.approx(1 - 0.001 - 0.01)


def test_blank_everywhere_is_unknown_not_a_finding() -> None:
    text = SERIES.replace(", availability: 0.999}", "}").replace(", availability: 0.9995}", "}")
    est = availability(_bp(text))["app"]
    assert est.availability == 1 and not est.declared and est.unknown == ("service", "ranker", "cache")
    assert [f for f in lint(_bp(text)) if f.rule == "MLSD213"] == []


def test_the_rule_names_the_estimate_and_the_dominant_terms() -> None:
    findings = [f for f in lint(_bp(SERIES)) if f.rule == "MLSD213"]
    assert [(f.component, f.severity) for f in findings] == [("app", "error")]
    message = findings[0].message
    assert "99.85%" in message and "99.95% availability SLO" in message
    assert message.index("'service' (0.001)") < message.index("'ranker' (0.0005)")
    assert "1 part(s) it relies on declare no availability" in message


def test_the_rule_passes_at_the_slo_and_with_a_good_fallback() -> None:
    exact = SERIES.replace("availability: 99.95}", "availability: 99.85}")  # 1 - 0.001 - 0.0005, float noise aside
    assert [f for f in lint(_bp(exact)) if f.rule == "MLSD213"] == []
    assert [f for f in lint(_bp(FALLBACK)) if f.rule == "MLSD213"] == []  # 99.989% >= 99.95%
    no_slo = SERIES.replace("    requirements: {slo: {availability: 99.95}}\n", "")
    assert [f for f in lint(_bp(no_slo)) if f.rule == "MLSD213"] == []


def test_pairs_beyond_the_budget_are_counted_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(availability_module, "PAIR_BUDGET", 0)
    est = availability(_bp(FALLBACK))["app"]
    assert est.second_order == () and est.pairs_untried == 1


@pytest.mark.parametrize("value, message", [("1", "less than 1"), ("0", "greater than 0"), ('"0.9"', "number")])
def test_availability_is_a_fraction_strictly_between_0_and_1(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "mlsd: 1\nname: bad\ncomponents:\n  app: {kind: client_app}\n"
        f"  svc: {{kind: online_service, availability: {value}}}\n"
        "flows:\n  - {from: app, to: svc, mode: request, data: x}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "5:" in result.output and message in result.output and "Traceback" not in result.output


@settings(max_examples=150, deadline=None)
@given(designs(), st.data())
def test_the_pairs_searched_are_every_pair_that_fails_only_together(design, data) -> None:
    """The pruned pair search finds what trying every pair of declared components finds."""
    for c, comp in design["components"].items():
        if c != "app" and data.draw(st.booleans()):
            comp["availability"] = data.draw(st.sampled_from([0.9, 0.99, 0.999]))
    bp = load_design(design)
    model = ServingModel(bp)
    declared = [c for c in model.ids if c in model.relevant_set and bp.components[c].availability is not None]
    alone = {c: model.entry_states({c}) for c in declared}
    expected: dict[str, list[tuple[str, str]]] = {e: [] for e in model.entries}
    for a, b in itertools.combinations(declared, 2):
        for e, state in model.entry_states({a, b}).items():
            if state == "down" and alone[a][e] != "down" and alone[b][e] != "down":
                expected[e].append((a, b))
    got = availability(bp, model)
    assert {e: [t.components for t in est.second_order] for e, est in got.items()} == expected
    for e, est in got.items():
        assert [t.components for t in est.first_order] == [(c,) for c in declared if alone[c][e] == "down"]
        assert 0 <= est.availability <= 1 or len(est.first_order) > 1
