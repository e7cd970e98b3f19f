"""The PNG's size follows its text: at 100% zoom the smallest text of the full picture is at least 11 px, and no
side passes 8192 px. Measured on the PNG the real Graphviz writes and on its own layout of the same DOT."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import render, run_dot
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.style import PNG_MAX_PX

ROOT = Path(__file__).resolve().parents[2]


def _smallest_pt(graph: dict) -> float:
    sizes = [
        float(op["size"])
        for obj in [graph, *graph.get("objects", []), *graph.get("edges", [])]
        for key in ("_ldraw_", "_hldraw_", "_tldraw_")
        for op in obj.get(key, [])
        if op.get("op") == "F"
    ]
    return min(sizes)


@pytest.mark.parametrize("name", ["event_recommendation", "news_feed"])
def test_the_smallest_text_of_the_full_picture_is_11_px_at_100_percent(tmp_path, name):
    blueprint = load(ROOT / "blueprints" / f"{name}.yaml")
    png = render(blueprint, formats=("png",), out_dir=tmp_path)[0].read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    graph = json.loads(run_dot(to_dot(blueprint), ["json"])["json"])
    x0, _, x1, _ = map(float, graph["bb"].split(","))
    px_per_pt = width / (x1 - x0)
    assert _smallest_pt(graph) * px_per_pt >= 11.0, (width, x1 - x0)
    assert max(width, height) <= PNG_MAX_PX
    assert width > 3840  # the old 3840 px cap would have shrunk this poster's text below 11 px
