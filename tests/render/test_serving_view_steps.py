"""The serving view as a reader follows a request: request labels carry their step, each caller's stepped calls
are written in step order, and deploy flows (and the rollout components that only deploy) are left out unless
every flow is asked for (--detail full). Checked on the real Graphviz layout of the bundled news feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import draw, run_dot
from mlsd_diagram.outputs.dot import by_step, fan_outs, to_dot
from mlsd_diagram.outputs.style import SERVING_LABEL_CHARS
from mlsd_diagram.outputs.views import select_view

NEWS = Path(__file__).resolve().parents[2] / "blueprints" / "news_feed.yaml"


def _edges(dot_text: str) -> dict[str, dict]:
    """The drawn edges by id (the invisible edges that keep a fan-out in step order have none)."""
    graph = json.loads(run_dot(dot_text, ["json"])["json"])
    return {e["id"]: e for e in graph.get("edges", []) if "id" in e}


def _text(edge: dict) -> str:
    return " ".join(" ".join(op["text"] for op in edge.get("_ldraw_", []) if op.get("op") == "T").split())


def test_request_labels_start_with_their_step():
    bp = load(NEWS)
    edges = _edges(to_dot(bp, view="serving"))
    stepped = [i for i, f in enumerate(bp.flows) if f.mode.value == "request" and f.step is not None]
    assert len(stepped) >= 5
    for i in stepped:
        flow = bp.flows[i]
        assert _text(edges[f"flow-{i}"]).startswith(f"{flow.step} {flow.data.split()[0]}"), i
    plain = [i for i, f in enumerate(bp.flows) if f.mode.value != "request" and f"flow-{i}" in edges and f.data]
    whole = [i for i in plain if _text(edges[f"flow-{i}"]) == " ".join(bp.flows[i].data.split())]
    cut = [i for i in plain if i not in whole]
    assert whole and cut  # a long label is cut at a word, the whole text kept in the flow's tooltip
    for i in cut:
        text = _text(edges[f"flow-{i}"])
        assert text.endswith("\u2026") and " ".join(bp.flows[i].data.split()).startswith(text[:-1]), i
        assert len(bp.flows[i].data) > SERVING_LABEL_CHARS and bp.flows[i].data in edges[f"flow-{i}"]["tooltip"], i


def test_each_callers_calls_are_written_in_step_order():
    bp = load(NEWS)
    order = by_step(bp, range(len(bp.flows)))
    assert sorted(order) == list(range(len(bp.flows)))
    calls = [i for i in order if bp.flows[i].source == "feed_service" and bp.flows[i].mode.value == "request"]
    steps = [bp.flows[i].step for i in calls]
    assert steps == sorted(steps) and len(set(steps)) >= 3
    dot_text = to_dot(bp, view="serving")
    written = [dot_text.index(f'id="flow-{i}"') for i in calls]
    assert written == sorted(written)


def test_deploys_are_left_out_of_the_serving_view_unless_every_flow_is_asked_for():
    bp = load(NEWS)
    deploys = {i for i, f in enumerate(bp.flows) if f.mode.value == "deploy"}
    grouped = select_view(bp.graph, "serving", "grouped")
    full = select_view(bp.graph, "serving", "full")
    assert deploys & set(full.flows) and not deploys & set(grouped.flows)
    assert "rollout" in full.components and "rollout" not in grouped.components
    edges = _edges(to_dot(bp, view="serving"))
    assert not any(e.get("style") == "invis" for e in edges.values())  # no deploy drawn invisibly either
    assert {f"flow-{i}" for i in deploys} & set(edges) == set()
    # the Mermaid text and the editable export follow the same selection
    assert "rollout" not in draw(bp, "mermaid", view="serving")
    assert "rollout" in draw(bp, "mermaid", view="serving", detail="full")
    assert "rollout" not in str(draw(bp, "drawio", view="serving"))
    assert "rollout" in str(draw(bp, "drawio", view="serving", detail="full"))


BUNDLED = sorted((Path(__file__).resolve().parents[2] / "blueprints").glob("*.yaml"))


def _across(dot_text: str, direction: str) -> dict[str, float]:
    """Each node's place across the ranks in Graphviz's layout, growing in reading order: its x when ranks run
    top to bottom (TB), its distance from the top when they run left to right (LR)."""
    graph = json.loads(run_dot(dot_text, ["json"])["json"])
    places = {o["name"]: tuple(map(float, o["pos"].split(","))) for o in graph["objects"] if "pos" in o}
    return {name: (x if direction == "TB" else -y) for name, (x, y) in places.items()}


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_a_fan_out_is_laid_out_in_step_order(path, direction):
    """The callees of each caller's stepped calls stand side by side in step order: top to bottom when the
    diagram reads left to right, left to right when it reads top to bottom (Graphviz placed them as its
    crossing reduction liked, in no particular order, before)."""
    bp = load(path)
    rows = [row for rows in fan_outs(bp, select_view(bp.graph, "serving", "grouped")).values() for row in rows]
    assert rows and max(len(row) for row in rows) >= 4
    across = _across(to_dot(bp, view="serving", direction=direction), direction)
    for row in rows:
        steps = [next(f.step for f in bp.flows if f.target == c and f.step is not None) for c in row]
        assert steps == sorted(steps)
        places = [across[c] for c in row]
        assert places == sorted(places), (row, places)
        assert len(set(places)) == len(places)


def test_the_news_feed_services_fan_out_reads_in_step_order():
    """The feed service's calls: A/B bucketing (1), the inbox and two-tower retrieval (2), the ranker (3) and
    the re-ranker (4), in that order down the picture; the feed cache (1) is left where the fallbacks into it
    from its own cluster pull it."""
    bp = load(NEWS)
    rows = fan_outs(bp, select_view(bp.graph, "serving", "grouped"))["serving"]
    assert ("ab_assignment", "inbox", "candidate_gen", "ranker", "reranker") in rows
    across = _across(to_dot(bp, view="serving"), "LR")
    order = sorted(("ab_assignment", "inbox", "candidate_gen", "ranker", "reranker"), key=across.__getitem__)
    assert order == ["ab_assignment", "inbox", "candidate_gen", "ranker", "reranker"]
