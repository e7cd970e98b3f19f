"""The data view is about the data and feature stages: the producers and consumers it borrows from other stages
are drawn small, by name, without their stages' frames (issue 29). Checked on the real ``dot -Tjson`` layout of
each bundled blueprint and starter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import run_dot
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.views import borrowed, select_view

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted(
    (ROOT / "mlsd_diagram" / "starters" / "blueprints").glob("*.yaml")
)


def _layout(bp, view: str) -> dict:
    return json.loads(run_dot(to_dot(bp, view=view), ["json"])["json"])


def _boxes(graph: dict) -> dict[str, tuple[float, float]]:
    """Component id -> (width, height) in inches, from the laid-out nodes."""
    return {o["name"]: (float(o["width"]), float(o["height"])) for o in graph["objects"] if "nodes" not in o}


def _frames(graph: dict) -> set[str]:
    return {o["id"] for o in graph["objects"] if "nodes" in o and o.get("id", "").startswith("group-")}


@pytest.mark.parametrize("path", [p for p in DESIGNS if p.stem != "blank"], ids=lambda p: p.stem)
def test_borrowed_components_are_small_and_unframed(path: Path) -> None:
    bp = load(path)
    view = select_view(bp.graph, "data")
    small = borrowed(bp.graph, view)
    own = [c for c in view.components if c not in small]
    assert small and own  # every design here feeds its data stage from the live system
    assert all(bp.graph.nodes[c]["stage"] in ("data", "features") for c in own)
    graph = _layout(bp, "data")
    boxes = _boxes(graph)
    smallest_card = min(h for c, (_, h) in boxes.items() if c in own)
    for c in small:
        assert boxes[c][1] < smallest_card, (c, boxes[c], smallest_card)
    stages = {bp.graph.nodes[c]["stage"] for c in small} - {bp.graph.nodes[c]["stage"] for c in own}
    frames = _frames(graph)
    assert frames and not {f"group-{s}" for s in stages} & frames  # a stage only borrowed from has no frame
    dot_text = to_dot(bp, view="data")
    for c in small:  # by name: no icon in the node's label
        line = next(x for x in dot_text.splitlines() if f'id="component-{c}"' in x)
        assert "<IMG" not in line and "dashed" in line


def test_the_other_views_draw_every_component_as_a_card() -> None:
    bp = load(ROOT / "blueprints" / "news_feed.yaml")
    for name in ("all", "serving", "training", "monitoring"):
        assert borrowed(bp.graph, select_view(bp.graph, name)) == frozenset()
        dot_text = to_dot(bp, view=name)
        assert "dashed" not in "".join(x for x in dot_text.splitlines() if 'id="component-' in x)
