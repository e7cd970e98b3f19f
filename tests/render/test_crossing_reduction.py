"""Graphviz's crossing reduction works harder on diagrams of a readable size: measured on its own layout of a
bundled blueprint with the layout benchmark's crossing count (drawn curves, not control points)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from mlsd_diagram import load, loads
from mlsd_diagram.outputs.dot import to_dot
from mlsd_diagram.outputs.style import GRAPH_ATTRS, THOROUGH_MCLIMIT, THOROUGH_UP_TO

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("layout_benchmark", ROOT / "benchmarks" / "layout.py")
assert _spec and _spec.loader
layout_benchmark = importlib.util.module_from_spec(_spec)
sys.modules["layout_benchmark"] = layout_benchmark
_spec.loader.exec_module(layout_benchmark)


def test_a_bundled_design_is_laid_out_with_fewer_crossings_than_graphviz_s_usual_effort():
    dot_text = to_dot(load(ROOT / "blueprints" / "video_search.yaml"))
    assert f"mclimit={THOROUGH_MCLIMIT}" in dot_text
    usual = dot_text.replace(f"mclimit={THOROUGH_MCLIMIT}", f"mclimit={GRAPH_ATTRS['mclimit']}")
    thorough = layout_benchmark.measure(layout_benchmark.layout(dot_text, []))
    plain = layout_benchmark.measure(layout_benchmark.layout(usual, []))
    assert thorough["crossings"] < plain["crossings"] * 0.8, (thorough["crossings"], plain["crossings"])
    assert thorough["struck"] <= plain["struck"]


def test_a_large_design_keeps_graphviz_s_usual_effort():
    count = THOROUGH_UP_TO + 1
    components = "\n".join(f"  s{i}: {{kind: online_service}}" for i in range(count))
    flows = "\n".join(f"  - {{from: s{i}, to: s{i + 1}, mode: stream}}" for i in range(count - 1))
    big = loads(f"mlsd: 1\nname: Big\ncomponents:\n{components}\nflows:\n{flows}\n")
    assert f"mclimit={GRAPH_ATTRS['mclimit']}" in to_dot(big)
    assert f"mclimit={THOROUGH_MCLIMIT}" not in to_dot(big)
