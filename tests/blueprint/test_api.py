"""The Python API: load, loads, Blueprint built in code, the graph and locations."""

from __future__ import annotations

import pytest
from mlsd_testing import run_mlsd

import mlsd_diagram
from mlsd_diagram import Blueprint, BlueprintError, Component, Flow, Mode

TEXT = """\
mlsd: 1
name: Tiny
kinds:
  x-filter: {stage: serving, roles: [DEGRADE], description: Rule-based filter}
components:
  app: {kind: client_app}
  lb:  {kind: load_balancer, replicas: 2, latency_p99_ms: 3}
  model:
    kind: inference_cluster
    latency_p99_ms: 20
  safe: {kind: x-filter}
flows:
  - {from: app, to: lb, mode: request, data: query}
  - from: lb
    to: model
    mode: request
  - {from: lb, to: model, mode: telemetry, data: logs}
  - {from: model, to: safe, mode: fallback}
"""


def test_loads_keeps_aliases_and_resolves_kinds():
    bp = mlsd_diagram.loads(TEXT, name="tiny.yaml")
    assert bp.file == "tiny.yaml"
    assert bp.components["lb"].kind == "load_balancer"
    assert bp.kind_of("lb").name == "api_gateway"
    assert bp.kind_of("model").name == "inference_service"
    assert bp.kind_of("safe").custom and bp.kind_of("safe").has("DEGRADE")


def test_graph_carries_component_and_flow_attributes():
    graph = mlsd_diagram.loads(TEXT).graph
    assert sorted(graph.nodes) == ["app", "lb", "model", "safe"]
    assert graph.nodes["model"]["kind"] == "inference_service"
    assert graph.nodes["model"]["kind_written"] == "inference_cluster"
    assert graph.nodes["model"]["roles"] == frozenset({"SERVE"})
    assert graph.nodes["safe"]["stage"] == "serving"
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: e[2])
    assert [(u, v, k, d["mode"], d["index"]) for u, v, k, d in edges] == [
        ("app", "lb", 0, "request", 0),
        ("lb", "model", 1, "request", 1),
        ("lb", "model", 2, "telemetry", 2),
        ("model", "safe", 3, "fallback", 3),
    ]


def test_locations_of_components_and_flows():
    bp = mlsd_diagram.loads(TEXT)
    assert bp.component_location("app") == (6, 3)
    assert bp.component_location("model") == (8, 3)
    assert bp.flow_location(0) == (13, 5)
    assert bp.flow_location(1) == (14, 5)
    assert bp.locate("flows", 1, "to") == (15, 9)


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TEXT)
    bp = mlsd_diagram.load(path)
    assert bp.file == str(path) and len(bp.flows) == 4


def test_load_missing_file_is_a_located_error(tmp_path):
    # The reason after "cannot read file: " is the OS's own text (it varies by OS and locale).
    with pytest.raises(BlueprintError) as info:
        mlsd_diagram.load(tmp_path / "nope.yaml")
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == (str(tmp_path / "nope.yaml"), 1, 1)
    assert diagnostic.message.startswith("cannot read file: ") and len(diagnostic.message) > len("cannot read file: ")


def test_missing_file_exits_two_with_one_located_line(tmp_path):
    result = run_mlsd("validate", "nope.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("nope.yaml:1:1: error: cannot read file: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_blueprint_built_in_code():
    bp = Blueprint(
        mlsd=1,
        name="Code",
        components={"app": Component(kind="client_app"), "svc": Component(kind="online_service")},
        flows=[Flow(source="app", target="svc", mode=Mode.REQUEST, data="q")],
    )
    assert list(bp.graph.edges()) == [("app", "svc")]
    assert bp.locate("components", "app") == (1, 1)


def test_blueprint_built_in_code_is_checked():
    with pytest.raises(ValueError, match="flow 'to' names 'ghost', which is not a component"):
        Blueprint(
            mlsd=1,
            name="Bad",
            components={"app": Component(kind="client_app")},
            flows=[Flow(source="app", target="ghost", mode="request")],
        )


def test_errors_are_sorted_and_all_reported():
    with pytest.raises(BlueprintError) as info:
        mlsd_diagram.loads("mlsd: 1\nname: x\ncomponents:\n  b: {kind: nope}\n  a: {kind: nada, replicas: 0}\n")
    assert [(d.line, d.column) for d in info.value.diagnostics] == [(4, 13), (5, 13), (5, 29)]


def test_yaml_round_trip_keeps_the_blueprint_equal():
    import yaml

    bp = mlsd_diagram.loads(TEXT)
    dumped = yaml.safe_dump(bp.model_dump(mode="json", by_alias=True, exclude_defaults=True), sort_keys=False)
    assert mlsd_diagram.loads(dumped) == bp
