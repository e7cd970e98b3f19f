"""The practice fields of issue 14: durations, which components are models, rules that say what to declare."""

from __future__ import annotations

import pytest

from mlsd_diagram import loads
from mlsd_diagram.analyses.design import Design
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.blueprint.models import minutes


@pytest.mark.parametrize(
    "text, value", [("30s", 0.5), ("15m", 15), ("6h", 360), ("7d", 10080), ("2w", 20160), ("1.5h", 90)]
)
def test_durations_in_minutes(text: str, value: float) -> None:
    assert minutes(text) == value


MODELS = """\
mlsd: 1
name: which are models
components:
  app: {kind: client_app}
  service: {kind: online_service}
  eta: {kind: online_service, task: regression}
  graph: {kind: candidate_source}
  index: {kind: ann_index, model: tt-v3}
  ranker: {kind: ranking_service}
flows:
  - {from: app, to: service, mode: request, data: call}
  - {from: service, to: eta, mode: request, data: minutes}
  - {from: service, to: graph, mode: request, data: candidates}
  - {from: service, to: index, mode: request, data: neighbours}
  - {from: service, to: ranker, mode: request, data: order}
"""


def test_only_models_get_model_rules() -> None:
    design = Design(loads(MODELS, "m.yaml"))
    assert design.online_models == ["eta", "ranker"]
    unmonitored = {f.component for f in lint(loads(MODELS, "m.yaml"), select=["MLSD301"])}
    assert unmonitored == {"eta", "ranker"}


def test_a_rule_without_its_facts_says_what_to_declare() -> None:
    text = (
        MODELS.replace(
            "ranker: {kind: ranking_service}",
            "ranker: {kind: ranking_service}\n  log: {kind: event_logging}\n  trainer: {kind: training_pipeline}",
        )
        + "  - {from: app, to: log, mode: stream, data: clicks, tags: [interactions]}\n"
        "  - {from: log, to: trainer, mode: batch, data: examples, tags: [labels]}\n"
        "  - {from: trainer, to: ranker, mode: deploy, data: model}\n"
    )
    chosen = ["MLSD304", "MLSD407"]
    messages = {f.rule: f.message for f in lint(loads(text, "m.yaml"), select=chosen, profile="interview")}
    assert "declare max_model_age" in messages["MLSD304"]
    assert "declare it on the flow that forms the labels, e.g. label_window: 15m" in messages["MLSD407"]
    # the review profile: the design uses neither field anywhere, so one note each, saying what to declare
    notes = {f.rule: f for f in lint(loads(text, "m.yaml"), select=chosen)}
    assert {(f.severity, f.component, f.line) for f in notes.values()} == {("note", None, 1)}
    assert "declare max_model_age" in notes["MLSD304"].message
    assert "declare label_window" in notes["MLSD407"].message


def test_every_practice_names_fields_and_tags_the_models_have() -> None:
    """A practice field that is not a Component or Flow field would never count as declared."""
    from mlsd_diagram.analyses.practices import PRACTICES
    from mlsd_diagram.blueprint.models import Component, Flow

    fields = set(Component.model_fields) | set(Flow.model_fields)
    for practice in PRACTICES:
        assert set(practice.fields) <= fields, practice.fields
        assert practice.note(1) != practice.note(2)  # singular and plural items


def test_a_practice_declared_once_turns_the_note_back_into_findings() -> None:
    """Review profile: no timeout anywhere is one note; one timeout anywhere makes the rest warnings."""
    text = (
        "mlsd: 1\nname: t\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "  ranker: {kind: ranking_service}\n  cache: {kind: cache}\nflows:\n"
        "  - {from: app, to: svc, mode: request, data: call}\n"
        "  - {from: svc, to: ranker, mode: request, data: scores}\n"
        "  - {from: svc, to: cache, mode: request, data: cached}\n"
    )
    unsaid = [(f.severity, f.flow) for f in lint(loads(text, "t.yaml"), select=["MLSD207"])]
    assert unsaid == [("note", None)]
    said = text.replace("data: cached}", "data: cached, timeout_ms: 5}")
    inconsistent = [(f.severity, f.flow) for f in lint(loads(said, "t.yaml"), select=["MLSD207"])]
    assert inconsistent == [("warning", 0), ("warning", 1)]
    interview = [(f.severity, f.flow) for f in lint(loads(text, "t.yaml"), select=["MLSD207"], profile="interview")]
    assert interview == [("warning", 0), ("warning", 1), ("warning", 2)]


def test_errors_never_depend_on_the_profile() -> None:
    """A rule raised to error by the configuration keeps every finding in the review profile."""
    text = (
        "mlsd: 1\nname: t\ncomponents:\n  app: {kind: client_app}\n  svc: {kind: online_service}\n"
        "flows:\n  - {from: app, to: svc, mode: request, data: call}\n"
    )
    assert [f.severity for f in lint(loads(text, "t.yaml"), select=["MLSD202"])] == ["note"]  # the control
    config = {"severity": {"MLSD202": "error"}}
    review = lint(loads(text, "t.yaml"), select=["MLSD202"], config=config)
    interview = lint(loads(text, "t.yaml"), select=["MLSD202"], config=config, profile="interview")
    assert review == interview and [f.severity for f in review] == ["error"]
