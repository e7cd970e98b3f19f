"""The parts of a Design, each on its own: the flow graph, the component facts, the ML facts
(analyses/flow_graph.py, component_facts.py, ml_facts.py); each figure written by hand."""

from __future__ import annotations

from mlsd_diagram import loads
from mlsd_diagram.analyses import traits as T
from mlsd_diagram.analyses.component_facts import ComponentFacts
from mlsd_diagram.analyses.design import Design
from mlsd_diagram.analyses.flow_graph import FlowGraph

LOOP = """\
mlsd: 1
name: loop
kinds:
  x-trainer: {stage: training, roles: [OFFLINE]}
components:
  app: {kind: client_app}
  ranker: {kind: ranking_service, model: r}
  events: {kind: event_stream}
  labels: {kind: labeling}
  features: {kind: batch_feature_pipeline}
  train: {kind: training_pipeline, model: r}
  registry: {kind: model_registry}
  x-trainer: {kind: x-trainer}
flows:
  - {from: app, to: ranker, mode: request}
  - {from: app, to: events, mode: stream}
  - {from: events, to: labels, mode: batch}
  - {from: labels, to: train, mode: batch}
  - {from: events, to: features, mode: batch}
  - {from: features, to: train, mode: batch, tags: [features]}
  - {from: train, to: registry, mode: deploy}
  - {from: registry, to: ranker, mode: deploy}
  - {from: features, to: x-trainer, mode: batch}
"""


def test_the_flow_graph_walks_by_mode_in_file_order() -> None:
    graph = FlowGraph(loads(LOOP).flows)
    assert list(graph.succ("app")) == [("ranker", 0), ("events", 1)]
    assert list(graph.succ("app", "stream")) == [("events", 1)]
    assert list(graph.pred("train")) == [("labels", 3), ("features", 5)]
    assert list(graph.pred("ranker", "request")) == [("app", 0)]
    parent = graph.reach(["app"], ("stream", "batch"))
    assert list(parent) == ["app", "events", "labels", "features", "train", "x-trainer"]
    assert graph.path_to(parent, "train") == ["app", "events", "labels", "train"]
    assert "labels" not in graph.reach(["app"], ("stream", "batch"), avoid={"labels"})
    back = graph.reach(["ranker"], ("deploy",), backward=True)
    assert back == {"ranker": None, "registry": "ranker", "train": "registry"}


def test_component_facts_read_roles_and_traits_a_custom_kind_by_behaviour() -> None:
    facts = ComponentFacts(loads(LOOP))
    assert facts.ids[0] == "app" and facts.order["x-trainer"] == 7
    assert facts.is_("ranker", "SERVE") and facts.is_model("ranker") and not facts.is_model("train")
    # a custom kind has the trainer trait when it behaves as one: training stage, offline, fed by features
    assert facts.with_trait(T.TRAINER) == ["train", "x-trainer"]
    assert facts.has("labels", T.LABELS) and not facts.has("events", T.LABELS)


def test_the_ml_facts_find_the_trainer_the_live_data_and_the_features() -> None:
    d = Design(loads(LOOP))
    assert d.ml.trainers == ["train", "x-trainer"]
    assert d.ml.trainers_of("ranker") == ["train"]  # the registry deploys it; x-trainer trains no model
    assert d.ml.live_data == {"app", "ranker", "events", "labels", "features", "train", "x-trainer"}
    assert d.ml.learns_from_live("ranker")
    # what users did reaches the trainer through the features, not only through the labelers
    assert d.ml.learns_from_what_it_showed("ranker")
    assert d.ml.has_feature_input("train")
    assert d.ml.upstream_flows("train") == [1, 2, 3, 4, 5]
    # without the feature pipeline's input, what users did reaches the trainer only through the labelers
    only_labels = Design(loads(LOOP.replace("  - {from: events, to: features, mode: batch}\n", "")))
    assert only_labels.ml.learns_from_live("ranker")
    assert not only_labels.ml.learns_from_what_it_showed("ranker")
