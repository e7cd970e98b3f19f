"""The flow palette: Okabe-Ito colours (colour-blind safe), none close to a stage's colours, and each mode still
told apart in greyscale by its line alone, checked on the SVG the real Graphviz draws."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from test_frames_and_contrast import EVERY_COLOUR

from mlsd_diagram.outputs.diagram import render_svg_text
from mlsd_diagram.outputs.style import HALO, MODE_STYLES, STAGE_COLOURS

SVG = "{http://www.w3.org/2000/svg}"
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(colour[k : k + 2], 16)) for k in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference (about 2.3 is just noticeable; 20 reads as another colour)."""
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def test_flow_colours_are_okabe_ito_and_unlike_every_stage_colour():
    chromatic = {m: s.color for m, s in MODE_STYLES.items() if m != "telemetry"}
    assert set(chromatic.values()) <= OKABE_ITO and len(set(chromatic.values())) == len(chromatic)
    assert HALO in OKABE_ITO and HALO not in {s.color for s in MODE_STYLES.values()}
    stage_colours = [c for fill_border_ink in STAGE_COLOURS.values() for c in fill_border_ink[1:]]
    near = [
        (mode, style.color, stage, round(delta_e(style.color, stage), 1))
        for mode, style in MODE_STYLES.items()
        for stage in stage_colours
        if delta_e(style.color, stage) < 20
    ]
    assert near == []
    # the check can fail: the old palette's stream green was the Data stage's
    assert delta_e("#2E7D32", STAGE_COLOURS["data"][2]) < 20


def _lines_by_mode(svg: str) -> dict[str, set[tuple]]:
    """Per mode: the greyscale signatures (dash pattern, strokes side by side, width) of its edges' lines."""
    found: dict[str, set[tuple]] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if (g.get("class") or "").split()[:1] != ["edge"] or not (g.get("id") or "").startswith("flow-"):
            continue
        title = next(a for a in g.iter(f"{SVG}a") if a.get("{http://www.w3.org/1999/xlink}title"))
        mode = title.get("{http://www.w3.org/1999/xlink}title").split("(")[1].split(")")[0]
        strokes = [p for p in g.iter(f"{SVG}path") if p.get("stroke") not in (None, "none", "transparent")]
        signature = (
            strokes[0].get("stroke-dasharray") or "solid",
            len(strokes),
            round(float(strokes[0].get("stroke-width", "1")), 1),
        )
        found.setdefault(mode, set()).add(signature)
    return found


def test_every_mode_is_told_apart_in_greyscale_by_its_line():
    lines = _lines_by_mode(render_svg_text(EVERY_COLOUR, detail="full"))
    assert set(lines) == set(MODE_STYLES)  # the picture drew every mode
    assert all(len(signatures) == 1 for signatures in lines.values()), lines
    signatures = [next(iter(s)) for s in lines.values()]
    assert len(set(signatures)) == len(signatures), lines
    # the double lines are two strokes, the dashed ones carry a dash pattern
    assert lines["deploy"] == {("solid", 2, 1.1)} and next(iter(lines["fallback"]))[1] == 2
    assert next(iter(lines["batch"]))[0] != "solid" and next(iter(lines["telemetry"]))[0] != "solid"


def test_the_layout_benchmark_counts_a_double_line_crossing_once():
    """benchmarks/layout.py measures the drawn curve: a double line's two strokes are one edge to a reader."""
    import json
    import sys
    from pathlib import Path

    from mlsd_diagram.outputs.diagram import run_dot

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import layout as bench

    def crossings(colour: str) -> int:
        text = f'digraph g {{ rankdir=LR; a -> b; c -> d; e -> f; a -> f [color="{colour}"]; e -> b; }}'
        return bench.measure(json.loads(run_dot(text, ["json"])["json"]))["crossings"]

    single = crossings("#CC79A7")
    assert single >= 1
    assert crossings("#CC79A7:transparent:#CC79A7") == single
