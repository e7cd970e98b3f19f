"""`> Decide:` prompts appear exactly where the blueprint is silent: remove a field, see its prompt."""

from __future__ import annotations

import copy

import pytest
import yaml
from docmarkdown import STEP_TITLES, doc_for, sections

S1, S2, S3, S4, S5, S6, S7 = STEP_TITLES


def _drop_field(data, *path):
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


def _drop_component(data, cid):
    del data["components"][cid]
    data["flows"] = [f for f in data["flows"] if cid not in (f["from"], f["to"])]


def _drop_flows(data, **match):
    data["flows"] = [f for f in data["flows"] if not all(f.get(k) == v for k, v in match.items())]


def _drop_loops(data):
    for flow in data["flows"]:
        flow.pop("loop", None)


CASES = [
    # (what is removed, how, the section the prompt must appear in, a piece of the prompt)
    ("summary", lambda d: _drop_field(d, "summary"), "title", "(`summary`)"),
    ("objective", lambda d: _drop_field(d, "requirements", "objective"), S1, "`requirements.objective`"),
    ("ml_task", lambda d: _drop_field(d, "requirements", "ml_task"), S1, "`requirements.ml_task`"),
    ("scale", lambda d: _drop_field(d, "requirements", "scale"), S1, "`requirements.scale`"),
    (
        "latency slo",
        lambda d: _drop_field(d, "requirements", "slo", "latency_p99_ms"),
        S1,
        "`requirements.slo.latency_p99_ms`",
    ),
    (
        "availability",
        lambda d: _drop_field(d, "requirements", "slo", "availability"),
        S1,
        "`requirements.slo.availability`",
    ),
    (
        "freshness",
        lambda d: _drop_field(d, "requirements", "slo", "freshness_minutes"),
        S1,
        "`requirements.slo.freshness_minutes`",
    ),
    ("constraints", lambda d: _drop_field(d, "requirements", "constraints"), S1, "`requirements.constraints`"),
    ("model task", lambda d: _drop_field(d, "components", "ranker", "task"), S2, "`components.ranker.task`"),
    ("model inputs", lambda d: _drop_field(d, "components", "ranker", "inputs"), S2, "`components.ranker.inputs`"),
    ("model outputs", lambda d: _drop_field(d, "components", "ranker", "outputs"), S2, "`components.ranker.outputs`"),
    ("re-ranking", lambda d: _drop_component(d, "reranker"), S2, "(a `reranking_service`)"),
    ("retrieval", lambda d: _drop_component(d, "retrieval"), S2, "how candidates are retrieved"),
    ("data sources", lambda d: _drop_component(d, "orders"), S3, "`data_source` components"),
    ("feature store", lambda d: _drop_component(d, "features"), S3, "(a `feature_store`"),
    ("feature pipelines", lambda d: _drop_component(d, "batch_features"), S3, "how features are computed"),
    ("data validation", lambda d: _drop_component(d, "checks"), S3, "(a `data_validation` component)"),
    ("labels", lambda d: [_drop_component(d, "checks"), _drop_component(d, "log")], S3, "where the labels come from"),
    (
        "pii",
        lambda d: [
            _drop_component(d, "redactor"),
            [f["tags"].remove("pii") for f in d["flows"] if "pii" in f.get("tags", [])],
        ],
        S3,
        "which data holds personal information",
    ),
    ("training triggers", lambda d: _drop_component(d, "orchestrator"), S4, "what starts a training run"),
    ("baseline", lambda d: _drop_component(d, "popular"), S4, "the baseline every model must beat"),
    ("registry", lambda d: _drop_component(d, "registry"), S4, "(a `model_registry`)"),
    ("offline metrics", lambda d: _drop_field(d, "metrics", "offline"), S5, "`metrics.offline`"),
    ("online metrics", lambda d: _drop_field(d, "metrics", "online"), S5, "`metrics.online`"),
    ("business metrics", lambda d: _drop_field(d, "metrics", "business"), S5, "`metrics.business`"),
    ("evaluation gate", lambda d: _drop_component(d, "eval"), S5, "(an `offline_evaluation` component)"),
    ("experimentation", lambda d: _drop_component(d, "ab"), S5, "(an `experimentation` component)"),
    (
        "experiment design",
        lambda d: _drop_field(d, "components", "ab", "experiment_design"),
        S5,
        "(`experiment_design` on the experimentation component)",
    ),
    (
        "component latency",
        lambda d: _drop_field(d, "components", "ranker", "latency_p99_ms"),
        S6,
        "`components.ranker.latency_p99_ms`",
    ),
    (
        "fallback",
        lambda d: _drop_flows(d, **{"from": "ranker", "mode": "fallback"}),
        S6,
        "what callers get when ranker is down",
    ),
    ("rollout", lambda d: _drop_component(d, "rollout"), S6, "(a `deployment_controller`)"),
    (
        "monitoring",
        lambda d: [_drop_component(d, "monitoring"), _drop_component(d, "online_metrics")],
        S7,
        "what is watched in production",
    ),
    (
        "telemetry",
        lambda d: _drop_flows(d, **{"from": "ranker", "mode": "telemetry"}),
        S7,
        "what ranker reports to monitoring",
    ),
    ("drift", lambda d: _drop_component(d, "drift"), S7, "(a `drift_detector`)"),
    ("alerting", lambda d: _drop_component(d, "alerting"), S7, "(an `alerting` component)"),
    ("retraining loop", lambda d: _drop_loops(d), S7, "`loop: retraining`"),
]


@pytest.fixture(scope="module")
def baseline():
    from docmarkdown import DATA

    return doc_for((DATA / "ranker.yaml").read_text(encoding="utf-8"), "ranker.yaml")


@pytest.mark.parametrize("what,remove,section,needle", CASES, ids=[c[0] for c in CASES])
def test_removing_a_field_makes_its_prompt_appear_in_its_section(what, remove, section, needle, ranker_data, baseline):
    assert needle not in baseline, f"the complete blueprint should not ask about {what}"
    data = copy.deepcopy(ranker_data)
    remove(data)
    markdown = doc_for(yaml.safe_dump(data, sort_keys=False), "ranker.yaml")
    parts = sections(markdown)
    prompt_lines = [line for line in parts[section].splitlines() if line.startswith("> Decide:") and needle in line]
    assert len(prompt_lines) == 1, parts[section]
    # Only there among the seven steps; the Open questions list repeats it as a checklist item.
    others = [name for name in [*STEP_TITLES, "title"] if name != section and needle in parts.get(name, "")]
    assert others == []
    assert any(needle in line for line in parts["Risks and open questions"].splitlines() if line.startswith("- [ ]"))


def test_complete_blueprint_asks_nothing(baseline):
    prompts = [line for line in baseline.splitlines() if line.startswith("> Decide:")]
    assert prompts == []
    assert "MDE 0.5% in sessions per user" in sections(baseline)[S5]  # the experiment design is shown instead


def test_blank_starter_is_mostly_prompts():
    from mlsd_diagram.starters import starter

    markdown = doc_for(starter("blank").text, "blank.yaml")
    assert sum(1 for line in markdown.splitlines() if line.startswith("> Decide:")) >= 10


SP = "Cost, security and milestones"
RISKS = "Risks and open questions"


def _drop_flow_field(data, field):
    for flow in data["flows"]:
        flow.pop(field, None)


# Issue 15's fields: removing one adds exactly one prompt (and nothing else), in the section that shows it.
FIELD_CASES = [
    *[
        (f"ranker {f}", lambda d, f=f: _drop_field(d, "components", "ranker", f), S4, f"`components.ranker.{f}`")
        for f in (
            "model",
            "alternatives",
            "loss",
            "positives",
            "negatives",
            "positive_rate",
            "class_balancing",
            "calibration",
            "position_debiasing",
            "training_setup",
            "tuning",
            "compression",
        )
    ],
    (
        "retrieval negative_sampling",
        lambda d: _drop_field(d, "components", "retrieval", "negative_sampling"),
        S4,
        "`components.retrieval.negative_sampling`",
    ),
    (
        "ranker score_use",  # and with it the calibration question, which depends on the use
        lambda d: _drop_field(d, "components", "ranker", "score_use"),
        S4,
        "`components.ranker.score_use`",
    ),
    (
        "value model",
        lambda d: _drop_field(d, "components", "ranker", "value_model"),
        S2,
        "`components.ranker.value_model`",
    ),
    ("split", lambda d: _drop_field(d, "components", "eval", "split"), S5, "`components.eval.split`"),
    ("label window", lambda d: _drop_flow_field(d, "label_window"), S3, "`label_window`"),
    ("label delay", lambda d: _drop_flow_field(d, "label_delay"), S3, "`label_delay`"),
    ("label source", lambda d: _drop_flow_field(d, "label_source"), S3, "`label_source`"),
    ("late positives", lambda d: _drop_flow_field(d, "late_positives"), S3, ".late_positives`"),
    ("motivation", lambda d: _drop_field(d, "context", "motivation"), S1, "`context.motivation`"),
    ("scope in", lambda d: _drop_field(d, "context", "scope_in"), S1, "`context.scope_in`"),
    ("scope out", lambda d: _drop_field(d, "context", "scope_out"), S1, "`context.scope_out`"),
    ("alternatives", lambda d: _drop_field(d, "context", "alternatives"), S2, "`context.alternatives`"),
    ("privacy", lambda d: _drop_field(d, "context", "privacy"), S3, "`context.privacy`"),
    ("integrations", lambda d: _drop_field(d, "context", "integrations"), S6, "`context.integrations`"),
    ("cost", lambda d: _drop_field(d, "context", "cost"), SP, "`context.cost`"),
    ("security", lambda d: _drop_field(d, "context", "security"), SP, "`context.security`"),
    ("milestones", lambda d: _drop_field(d, "context", "milestones"), SP, "`context.milestones`"),
    ("risks", lambda d: _drop_field(d, "context", "risks"), RISKS, "`context.risks`"),
]


def _prompts(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("> Decide:")]


@pytest.mark.parametrize("what,remove,section,needle", FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_removing_a_new_field_adds_exactly_its_prompt(what, remove, section, needle, ranker_data, baseline):
    assert needle not in baseline, f"the complete blueprint should not ask about {what}"
    data = copy.deepcopy(ranker_data)
    remove(data)
    markdown = doc_for(yaml.safe_dump(data, sort_keys=False), "ranker.yaml")
    added = [p for p in _prompts(markdown) if p not in _prompts(baseline)]
    assert len(added) == 1 and needle in added[0], added
    assert added[0] in sections(markdown)[section].splitlines()
    checklist = [line for line in sections(markdown)[RISKS].splitlines() if line.startswith("- [ ]") and needle in line]
    assert len(checklist) == 1


def test_the_calibration_question_follows_the_score_use(ranker_data):
    """Calibration matters when the value is used (blend, auction, threshold), not for a pure ranking."""
    data = copy.deepcopy(ranker_data)
    del data["components"]["ranker"]["calibration"]
    data["components"]["ranker"]["score_use"] = "ranking"
    assert "`components.ranker.calibration`" not in doc_for(yaml.safe_dump(data, sort_keys=False))
    data["components"]["ranker"]["score_use"] = "auction"
    assert "`components.ranker.calibration`" in doc_for(yaml.safe_dump(data, sort_keys=False))


def test_a_model_no_trainer_trains_gets_no_development_prompts(ranker_data):
    data = copy.deepcopy(ranker_data)
    data["flows"] = [f for f in data["flows"] if not (f["from"] == "rollout" and f["to"] == "ranker")]
    for key in ("loss", "tuning", "model"):
        del data["components"]["ranker"][key]
    markdown = doc_for(yaml.safe_dump(data, sort_keys=False))
    assert "`components.ranker.loss`" not in markdown
    assert "**Model**" not in sections(markdown)[S4].split("#### ranker")[1]  # shown facts only
    assert "- **Loss**: binary cross-entropy" not in markdown


def test_batch_jobs_are_not_asked_for_request_latency():
    from mlsd_diagram.starters import starter

    data = yaml.safe_load(starter("people_you_may_know").text)
    data["flows"] = [f for f in data["flows"] if not (f["from"] == "batch_scoring" and f["mode"] == "telemetry")]
    asked = [p for p in _prompts(doc_for(yaml.safe_dump(data, sort_keys=False))) if "Nightly pair scoring reports" in p]
    assert len(asked) == 1
    assert "run duration" in asked[0] and "latency" not in asked[0]
