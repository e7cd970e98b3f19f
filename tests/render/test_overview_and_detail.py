"""The overview (one node per stage, flows between stages counted by mode) and ``--detail``, hand-checked on a
small blueprint: what a reader sees is each stage's box and the counts on each edge."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from mlsd_diagram.blueprint.models import Blueprint
from mlsd_diagram.outputs.diagram import render, run_dot
from mlsd_diagram.outputs.dot import flow_groups, to_dot
from mlsd_diagram.outputs.mermaid import to_mermaid
from mlsd_diagram.outputs.views import overview, select_view

SVG_NS = "{http://www.w3.org/2000/svg}"

SMALL = Blueprint.model_validate(
    {
        "mlsd": 1,
        "name": "small",
        "components": {
            "app": {"kind": "client_app"},
            "api": {"kind": "online_service"},
            "ranker": {"kind": "ranking_service"},
            "store": {"kind": "feature_store"},
            "log": {"kind": "event_logging"},
            "train": {"kind": "training_pipeline"},
            "registry": {"kind": "model_registry"},
            "metrics": {"kind": "monitoring"},
        },
        "flows": [
            {"from": "app", "to": "api", "mode": "request"},  # 0 client -> serving
            {"from": "api", "to": "ranker", "mode": "request"},  # 1 inside serving
            {"from": "ranker", "to": "store", "mode": "request"},  # 2 serving -> features
            {"from": "api", "to": "log", "mode": "stream", "data": "events"},  # 3 serving -> data
            {"from": "log", "to": "train", "mode": "batch"},  # 4 data -> training
            {"from": "train", "to": "registry", "mode": "batch"},  # 5 inside training
            {"from": "registry", "to": "ranker", "mode": "deploy", "data": "m1"},  # 6 training -> serving
            {"from": "registry", "to": "api", "mode": "deploy", "data": "m2"},  # 7 training -> serving
            {"from": "api", "to": "metrics", "mode": "telemetry"},  # 8 serving -> monitoring
            {"from": "ranker", "to": "metrics", "mode": "telemetry"},  # 9 serving -> monitoring
            {"from": "ranker", "to": "log", "mode": "stream"},  # 10 serving -> data
            {"from": "store", "to": "metrics", "mode": "telemetry"},  # 11 features -> monitoring
        ],
    }
)


def _laid_out(dot_text: str) -> dict:
    return json.loads(run_dot(dot_text, ["json"])["json"])  # with the drawing operations: the label text


def test_overview_groups_by_stage_and_counts_flows_by_mode():
    summary = overview(SMALL.graph)
    assert summary.stages == {
        "client": ("app",),
        "serving": ("api", "ranker"),
        "features": ("store",),
        "data": ("log",),
        "training": ("train", "registry"),
        "monitoring": ("metrics",),
    }
    assert summary.links == {
        ("client", "serving"): (0,),
        ("serving", "features"): (2,),
        ("serving", "data"): (3, 10),
        ("data", "training"): (4,),
        ("training", "serving"): (6, 7),
        ("serving", "monitoring"): (8, 9),
        ("features", "monitoring"): (11,),
    }
    assert summary.inner == {"client": 0, "serving": 1, "features": 0, "data": 0, "training": 1, "monitoring": 0}


def test_overview_draws_one_box_per_stage_and_mode_counts_on_edges():
    graph = _laid_out(to_dot(SMALL, view="overview"))
    names = {o["_gvid"]: o["id"] for o in graph["objects"] if "pos" in o}
    assert sorted(names.values()) == sorted(
        f"stage-{s}" for s in ("client", "serving", "features", "data", "training", "monitoring")
    )
    labels = {}
    for edge in graph["edges"]:
        if edge.get("style") == "invis":  # the grid's scaffolding
            continue
        tail, head = names[edge["tail"]], names[edge["head"]]
        if edge.get("dir") == "back":
            tail, head = head, tail
        text = " ".join(op["text"] for op in edge["_ldraw_"] if op.get("op") == "T")
        labels[(tail[len("stage-") :], head[len("stage-") :])] = text
    assert labels == {
        ("client", "serving"): "request \u00d71",
        ("serving", "features"): "request \u00d71",
        ("serving", "data"): "stream \u00d72",
        ("data", "training"): "batch \u00d71",
        ("training", "serving"): "deploy \u00d72",
        ("serving", "monitoring"): "telemetry \u00d72",
        ("features", "monitoring"): "telemetry \u00d71",
    }
    assert graph["rankdir"] == "LR"  # left to right, in a grid of two rows, to fit a slide
    stage_text = [
        " ".join(op["text"] for op in o["_ldraw_"] if op.get("op") == "T")
        for o in graph["objects"]
        if o.get("id") == "stage-serving"
    ][0]
    assert "Serving" in stage_text and "2 components 1 flow inside" in stage_text


def test_flows_both_ways_between_two_stages_are_one_edge_with_one_label():
    data = SMALL.model_dump(mode="json", by_alias=True)
    data["flows"].append({"from": "log", "to": "api", "mode": "stream", "data": "replay"})  # data -> serving
    both = Blueprint.model_validate(data)
    graph = _laid_out(to_dot(both, view="overview"))
    names = {o["_gvid"]: o["id"][len("stage-") :] for o in graph["objects"] if "pos" in o}
    between = [
        e
        for e in graph["edges"]
        if e.get("style") != "invis" and {names[e["tail"]], names[e["head"]]} == {"serving", "data"}
    ]
    assert len(between) == 1 and between[0]["dir"] == "both"
    assert between[0]["class"] == "flow-3 flow-10 flow-12"
    assert " ".join(op["text"] for op in between[0]["_ldraw_"] if op.get("op") == "T") == "stream \u00d73"


def test_the_bundled_overviews_fit_a_slide_without_struck_labels():
    """Every bundled blueprint and starter on a 16:9 slide (13.33 x 7.5 in): aspect 1.3 to 2.2, the smallest
    text at least 9 pt once the picture is fitted to it, and no label struck by an edge, its own included
    (measured as benchmarks/layout.py does). The blank starter's three stages were one line (aspect 3.8)."""
    import sys
    from pathlib import Path

    from mlsd_diagram import load
    from mlsd_diagram.outputs.diagram import draw

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    import layout as bench

    paths = bench.blueprint_files()
    assert any(path.stem == "blank" for path in paths)
    for path in paths:
        graph = _laid_out(str(draw(load(path), "dot", view="overview")))  # as drawn: its labels settled
        figures = bench.measure(graph)
        assert 1.3 <= figures["aspect"] <= 2.2, (path.stem, figures["aspect"])
        assert figures["struck"] == 0, path.stem
        assert bench.slide_text_pt(graph) >= 9.0, path.stem


def test_overview_mermaid_counts_the_same():
    text = to_mermaid(SMALL, view="overview")
    assert 'stage_training -.->|"deploy \u00d72"| stage_serving' in text
    assert 'stage_serving -->|"telemetry \u00d72"| stage_monitoring' in text


def test_grouped_detail_draws_one_edge_per_fan_with_its_count():
    view = select_view(SMALL.graph, "all")
    groups = flow_groups(SMALL, view)
    assert [(g.mode, g.flows) for g in groups] == [("deploy", (6, 7)), ("telemetry", (8, 9))]
    graph = _laid_out(to_dot(SMALL))
    edges = {e["id"]: e for e in graph["edges"]}
    assert set(edges) == {
        "flow-0",
        "flow-1",
        "flow-2",
        "flow-3",
        "flow-4",
        "flow-5",
        "flow-10",
        "flow-11",
        "flows-6",
        "flows-8",
    }  # a single telemetry flow (11) stays itself
    assert edges["flows-6"]["class"] == "flow-6 flow-7"
    text = {i: " ".join(op["text"] for op in e.get("_ldraw_", []) if op.get("op") == "T") for i, e in edges.items()}
    assert text["flows-6"] == "deploys \u00d72" and text["flows-8"] == "telemetry \u00d72"


def test_full_detail_keeps_every_flow(tmp_path):
    graph = _laid_out(to_dot(SMALL, detail="full"))
    assert sorted(e["id"] for e in graph["edges"]) == sorted(f"flow-{i}" for i in range(len(SMALL.flows)))
    svg = render(SMALL, formats=("svg",), out_dir=tmp_path, stem="small", detail="full")[0]
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    ids = {g.get("id") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge"}
    assert ids == {f"flow-{i}" for i in range(len(SMALL.flows))}


def test_overview_and_grouped_renders_are_byte_deterministic(tmp_path):
    first = [
        p.read_bytes()
        for p in render(SMALL, formats=("png", "svg", "mermaid"), out_dir=tmp_path / "a", view="overview")
    ]
    second = [
        p.read_bytes()
        for p in render(SMALL, formats=("png", "svg", "mermaid"), out_dir=tmp_path / "b", view="overview")
    ]
    assert first == second
    assert to_dot(SMALL) == to_dot(SMALL)


def test_cli_renders_the_overview_and_full_detail(tmp_path, mlsd):
    done = mlsd("render", "blueprints/news_feed.yaml", "-o", str(tmp_path), "-f", "svg", "--view", "overview")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "news_feed-overview.svg").is_file()
    done = mlsd("render", "blueprints/news_feed.yaml", "-o", str(tmp_path), "-f", "dot", "--detail", "full")
    assert done.returncode == 0, done.stderr
    assert 'id="flows-' not in (tmp_path / "news_feed.dot").read_text()


def test_the_overview_of_thousands_of_components_stays_within_graphviz_s_string_limit(tmp_path):
    """A stage of 1,100 members once put all their ids in one tooltip (18 KB here) and every flow in one
    class: Graphviz refuses quoted strings over 16,384 bytes, so the overview of a large design failed."""
    n = 1_100
    ids = ["c0"] + [f"component_{i:05d}" for i in range(1, n)]
    components = {"c0": {"kind": "client_app"}, **{c: {"kind": "online_service"} for c in ids[1:]}}
    flows = [{"from": "c0", "to": c, "mode": "request"} for c in ids[1:]]
    big = Blueprint.model_validate({"mlsd": 1, "name": "big", "components": components, "flows": flows})
    (path,) = render(big, formats=("svg",), out_dir=tmp_path, view="overview")
    root = ET.parse(path).getroot()
    titles = {g.get("id"): g for g in root.iter(f"{SVG_NS}g")}
    serving = titles["stage-serving"]
    tooltip = next(a.get("{http://www.w3.org/1999/xlink}title") for a in serving.iter(f"{SVG_NS}a"))
    assert tooltip.startswith("Serving: component_00001, component_00002,"), tooltip[:60]
    assert tooltip.endswith("component_00050, \u2026 and 1,049 more"), tooltip[-60:]
    edge = titles["stage-flows-0"]
    assert edge.get("class").split() == ["edge", *(f"flow-{i}" for i in range(1_000))]
