"""The request view: the slowest entry point's p99 as a waterfall, one row per call.

The figures are the serving model's (:mod:`~mlsd_diagram.analyses.serving`): the entry point is
:func:`~mlsd_diagram.analyses.serving.critical_path`'s, the calls and their costs are
:meth:`~mlsd_diagram.analyses.serving.ServingModel.latency_parts`' and the p50s are read from the
same evaluation's distributions; nothing is recomputed here, only placed on a time axis:

* a component's calls start when it starts, one step after the other (each step takes its slowest
  call, :meth:`latency_parts`' ``cost_ms``), the calls of one step side by side in time (overlapping
  bars); its own work is drawn after its calls (its bar is its whole p99, as the model has it);
* a call's bar is its cost as the caller sees it (cut at its timeout: the timeout is marked);
* the slowest call of each step is expanded into its own calls (the critical path, highlighted);
  the others are one row each.

:func:`waterfall` gives the rows; :func:`request_dot` draws them as DOT whose every shape is pinned
(Graphviz's ``neato -n`` placement), so PNG, SVG and PDF come from Graphviz like every other
view; the Excalidraw and draw.io exports place that same layout as editable bars and texts
(:func:`~.editable.request_chart`, worded by :func:`row_text`, :func:`figure_text`, :func:`ticks` and
:func:`title_text`, as the DOT is); :func:`request_mermaid` writes the same calls as a Mermaid
``sequenceDiagram``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

from ..blueprint.models import Blueprint
from .style import FONT, PNG_DPI
from .style import escape as _esc

REQUEST_VIEW = "request"


class NoRequestPath(ValueError):
    """The blueprint has no entry point with a known latency: there is no request to draw."""


class RequestDirection(ValueError):
    """A direction the request view is not drawn in: its time axis runs left to right, and only so."""


def check_request_direction(direction: str | None) -> None:
    """Accept ``None`` or LR (the request view's one direction); refuse anything else with
    :class:`RequestDirection`. A waterfall turned top to bottom would put time down the page and the calls'
    names under one another's bars, so TB is refused rather than ignored."""
    if direction is not None and direction.upper() != "LR":
        raise RequestDirection(
            f"the request view is a time chart drawn left to right (time along the axis, a row per call): "
            f"--direction {direction} does not apply to it; leave the option out or give LR"
        )


@dataclass(frozen=True)
class Bar:
    """One row of the waterfall: a call (or the entry point itself, ``flow`` None) and where it sits.

    Times are milliseconds from the start of the request; ``p99_ms`` is the call's cost as its caller
    sees it (cut at ``timeout_ms`` when ``cut``), ``p50_ms`` its median when the model has one.
    ``critical``: the call is on the latency path (the slowest of its step, down from the entry).
    """

    component: str
    depth: int
    step: int | None
    flow: int | None
    start_ms: float
    p99_ms: float
    p50_ms: float | None
    timeout_ms: float | None
    cut: bool
    critical: bool

    @property
    def end_ms(self) -> float:
        """When the call is answered (at the p99)."""
        return self.start_ms + self.p99_ms


@dataclass(frozen=True)
class Waterfall:
    """The rows of the request view of one entry point, with its p99, p50 and SLO (ms)."""

    entry: str
    p99_ms: float
    p50_ms: float | None
    slo_ms: float | None
    bars: tuple[Bar, ...]

    @property
    def span_ms(self) -> float:
        """The time the axis must show: every bar, timeout mark and the SLO."""
        ends = [self.p99_ms, self.slo_ms or 0.0]
        for bar in self.bars:
            ends.append(bar.end_ms)
            if bar.timeout_ms is not None:
                ends.append(bar.start_ms + bar.timeout_ms)
        return max(ends)


def _median(dist) -> float | None:
    """The p50 of a response distribution from the serving model (None when nothing answers)."""
    if dist is None:
        return None
    exact = dist.exact()
    value = exact if exact is not None else dist.quantile(0.5)
    return None if value is None or not math.isfinite(value) else float(value)


def waterfall(blueprint: Blueprint, model: Any = None) -> Waterfall:
    """The request view's rows for ``blueprint``'s slowest entry point (:func:`critical_path`'s).

    ``model``: the blueprint's serving model when the caller has one. Raises :class:`NoRequestPath`
    when no entry point has a known latency, or the slowest one never answers (it hangs). O(R + F).
    """
    from ..analyses.serving import critical_path, serving_model

    model = model or serving_model(blueprint)
    path = critical_path(blueprint, model)
    if path is None:
        raise NoRequestPath(
            "the request view has no request to draw: no entry point (a client component sending request "
            "flows) reaches a component with latency_p99_ms"
        )
    entry = path["entry"]
    total, known = model.latencies()
    parts = model.latency_parts(entry, total, known)
    evaluation = total.evaluation
    by_component = {part["component"]: part for part in parts["parts"]}
    entry_p99 = float(parts["p99_ms"] if parts["p99_ms"] is not None else total[entry])
    if not math.isfinite(entry_p99) or entry_p99 >= sys.float_info.max:  # the model's "never answers"
        raise NoRequestPath(
            f"the request view has no time to draw: the slowest entry point, '{entry}', never answers at 1x "
            "peak (1% or more of its requests hang: a component on its path is overloaded or hung, and a "
            "caller waits on it without timeout_ms); `mlsd simulate` shows which"
        )
    bars = [
        Bar(entry, 0, None, None, 0.0, entry_p99, _median(evaluation.response.get(entry)), None, False, True),
    ]
    expanded: set[str] = set()

    def calls_of(component: str, start: float) -> list[tuple[float, dict, dict]]:
        """(start ms, step, call) of each call ``component`` makes, once per component (as latency_parts)."""
        part = by_component.get(component)
        if part is None or component in expanded:
            return []
        expanded.add(component)
        out: list[tuple[float, dict, dict]] = []
        at = start
        for step in part["steps"]:
            out.extend((at, step, call) for call in step["calls"])
            at += float(step["cost_ms"])
        return out

    # depth first in call order, without recursion (a request path can be thousands of calls deep)
    stack = [(iter(calls_of(entry, 0.0)), 1)]
    while stack:
        found = next(stack[-1][0], None)
        if found is None:
            stack.pop()
            continue
        at, step, call = found
        depth = stack[-1][1]
        bars.append(
            Bar(
                call["component"],
                depth,
                step["step"],
                call["flow"],
                at,
                float(call["cost_ms"]),
                _median(evaluation.calls.get(call["flow"])),
                None if call["timeout_ms"] is None else float(call["timeout_ms"]),
                call["cut"],
                call["slowest"],
            )
        )
        if call["slowest"] and not call["cut"]:
            below = calls_of(call["component"], at)
            if below:
                stack.append((iter(below), depth + 1))

    slo = parts["slo_ms"]
    return Waterfall(entry, entry_p99, bars[0].p50_ms, None if slo is None else float(slo), tuple(bars))


# -- drawing ----------------------------------------------------------------------------------

LABEL_WIDTH = 216.0  # points: the row names' column
CHART_WIDTH = 504.0  # points: the time axis (7 in), whatever the request's length
ROW_HEIGHT = 24.0
BAR_HEIGHT = 14.0
P50_HEIGHT = 6.0
FIGURE_SIZE = 8.0  # points: the figures beside each bar
# points: the title, the key under it, the row names, the tick labels and the SLO's label
TITLE_SIZE, KEY_SIZE, NAME_SIZE, TICK_SIZE, SLO_SIZE = 12.0, 9.0, 9.0, 8.0, 9.0
# DejaVu Sans' advance widths (em) of the characters the figures and the SLO label are written with; any
# other character counts as a wide one, and the sum gets a small margin, so a text's box always holds it
ADVANCE_EM = {
    **dict.fromkeys("0123456789", 0.636),
    **dict.fromkeys(" .\u00b7", 0.318),
    **dict.fromkeys("()", 0.390),
    "p": 0.635, "m": 0.974, "s": 0.521, "t": 0.392, "i": 0.278, "e": 0.615, "o": 0.612, "u": 0.634, "c": 0.550,
    "S": 0.635, "L": 0.557, "O": 0.787,
}  # fmt: skip
WIDE_EM = 1.0
WIDTH_MARGIN = 1.04
SLO_GAP = 6.0  # points between the SLO line and a text beside it
CRITICAL = ("#D55E00", "#8F3F00")  # Okabe-Ito vermillion: the latency path (p99 fill, p50 fill)
OTHER = ("#A6CEE3", "#3B7FA8")  # light and dark blue: the other calls
TIMEOUT_INK = "#000000"
SLO_INK = "#CC79A7"  # Okabe-Ito reddish purple
SLO_PEN = 1.5  # points: the SLO line's width
AXIS_INK = "#607D8B"
NAME_INK, FIGURE_INK = "#263238", "#37474F"
KEY = (
    "wide bars: p99 of each call as its caller sees it; narrow: p50; orange: the latency path; "
    "| timeout; dashed line: SLO"
)


def _ms(x: float) -> str:
    """A figure as the picture writes it: whole ms without decimals, else to 1 decimal."""
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def nice_step(span: float, ticks: int = 6) -> float:
    """A round tick interval (1, 2 or 5 x 10^k ms) that cuts ``span`` into at most about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power  # pragma: no cover - the loop always returns


def scale_of(fall: Waterfall) -> float:
    """Points per millisecond on the time axis: the span (rounded up to a tick) fills :data:`CHART_WIDTH`."""
    step = nice_step(fall.span_ms)
    span = max(step, math.ceil(fall.span_ms / step - 1e-9) * step)
    return CHART_WIDTH / span


def title_text(blueprint: Blueprint, fall: Waterfall) -> str:
    """The chart's title: the blueprint, the entry point and its p99 (p50, SLO)."""
    entry = blueprint.components[fall.entry]
    title = f"{blueprint.name} \u2014 request view: {entry.label or fall.entry}, p99 {_ms(fall.p99_ms)} ms"
    if fall.p50_ms is not None:
        title += f" (p50 {_ms(fall.p50_ms)} ms)"
    if fall.slo_ms is not None:
        title += f", SLO {_ms(fall.slo_ms)} ms"
    return title


def ticks(fall: Waterfall) -> list[tuple[float, str]]:
    """The time axis' ticks: (ms, label) from 0 to the end of the axis, a :func:`nice_step` apart."""
    step = nice_step(fall.span_ms)
    count = round(CHART_WIDTH / scale_of(fall) / step)
    return [(k * step, f"{_ms(k * step)} ms") for k in range(count + 1)]


def slo_text(slo_ms: float) -> str:
    """The SLO line's label."""
    return f"SLO {_ms(slo_ms)} ms"


def row_text(blueprint: Blueprint, bar: Bar) -> str:
    """The row's name: its step and the callee's label, indented by depth (the entry point unnumbered)."""
    component = blueprint.components[bar.component]
    name = component.label or bar.component
    step = "" if bar.step is None else f"{bar.step} "
    return "\u2003" * max(bar.depth - 1, 0) + step + name


def figure_text(bar: Bar) -> str:
    """The figures beside a row's bar: its p99, p50 and timeout (``(cut)`` when the timeout ends it)."""
    text = f"p99 {_ms(bar.p99_ms)} ms"
    if bar.p50_ms is not None:
        text += f" \u00b7 p50 {_ms(bar.p50_ms)} ms"
    if bar.timeout_ms is not None:
        text += f" \u00b7 timeout {_ms(bar.timeout_ms)} ms" + (" (cut)" if bar.cut else "")
    return text


def text_width(text: str, size: float) -> float:
    """The width a line of ``text`` at ``size`` points is given: DejaVu Sans' own (:data:`ADVANCE_EM`) and a
    little more."""
    return sum(ADVANCE_EM.get(char, WIDE_EM) for char in text) * size * WIDTH_MARGIN


def figure_left(left: float, width: float, slo_x: float | None) -> float:
    """Where a row's figures start: ``left`` (just after its bar or timeout mark), unless the text would run
    across the SLO line; then just right of the line, so the dashed line is never drawn through text."""
    if slo_x is not None and left - SLO_GAP < slo_x < left + width + SLO_GAP:
        return slo_x + SLO_GAP
    return left


def _pinned(name: str, x: float, y: float, width: float, height: float, **attrs: str) -> str:
    """A node pinned with its centre at (x, y) points and that size."""
    fields = {
        "pos": f"{x:.2f},{y:.2f}!",
        "width": f"{max(width, 0.72) / 72:.4f}",
        "height": f"{max(height, 0.72) / 72:.4f}",
        **attrs,
    }
    return (
        f'  "{name}" ['
        + ", ".join(f'{k}="{v}"' if not v.startswith("<") else f"{k}={v}" for k, v in fields.items())
        + "];"
    )


def _text_node(name: str, left: float, y: float, width: float, text: str, size: str, ink: str, **attrs: str) -> str:
    """A left-aligned line of text starting at ``left``."""
    box = f'WIDTH="{width:.0f}" HEIGHT="{ROW_HEIGHT:.0f}"'
    label = (
        f'<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0" FIXEDSIZE="TRUE" {box}>'
        f'<TR><TD ALIGN="LEFT" VALIGN="MIDDLE" {box}>'
        f'<FONT POINT-SIZE="{size}" COLOR="{ink}">{_esc(text)}</FONT></TD></TR></TABLE>>'
    )
    return _pinned(name, left + width / 2, y, width, ROW_HEIGHT, shape="plaintext", style="", label=label, **attrs)


def request_dot(blueprint: Blueprint, scale: float = 1.0, fall: Waterfall | None = None) -> str:
    """The request view as DOT text: every shape pinned (``layout=neato``, positions in points).

    Node ids in the SVG: ``row-N`` (name), ``bar-N`` (p99), ``p50-N``, ``timeout-N``, ``figure-N`` for
    row N (0 the entry point), ``slo``, ``axis`` and ``tick-MS``. Deterministic.
    """
    fall = fall or waterfall(blueprint)
    per_ms = scale_of(fall)
    x0 = LABEL_WIDTH
    rows = len(fall.bars)
    top = (rows + 1) * ROW_HEIGHT

    def y_of(row: int) -> float:
        return top - row * ROW_HEIGHT

    title, key = title_text(blueprint, fall), KEY
    slo_x = None if fall.slo_ms is None else x0 + fall.slo_ms * per_ms
    lines = [
        "digraph request {",
        f'  graph [layout="neato", inputscale="72", notranslate="false", outputorder="nodesfirst", splines="false", '
        f'bgcolor="white", pad="0.3", id="diagram", dpi="{PNG_DPI * scale:g}", fontname="{FONT}", '
        f'fontsize="{TITLE_SIZE:g}", '
        f'labelloc="t", labeljust="l", label=<<B>{_esc(title)}</B><BR ALIGN="LEFT"/>'
        f'<FONT POINT-SIZE="{KEY_SIZE:g}" COLOR="{AXIS_INK}">{_esc(key)}</FONT><BR ALIGN="LEFT"/>>];',
        f'  node [fontname="{FONT}", fontsize="9", fixedsize="true", margin="0", penwidth="0", style="filled"];',
    ]
    for row, bar in enumerate(fall.bars):
        y = y_of(row)
        p99_fill, p50_fill = CRITICAL if bar.critical else OTHER
        tip = f"{bar.component}: {figure_text(bar)}"
        lines.append(
            _text_node(
                f"row-{row}",
                0.0,
                y,
                LABEL_WIDTH - 8,
                row_text(blueprint, bar),
                f"{NAME_SIZE:g}",
                NAME_INK,
                id=f"row-{row}",
            )
        )
        width = bar.p99_ms * per_ms
        lines.append(
            _pinned(
                f"bar-{row}",
                x0 + bar.start_ms * per_ms + width / 2,
                y,
                width,
                BAR_HEIGHT,
                shape="box",
                label="",
                fillcolor=p99_fill,
                id=f"bar-{row}",
                tooltip=tip,
                **({"style": "filled,dashed", "penwidth": "1", "color": TIMEOUT_INK} if bar.cut else {}),
            )
        )
        if bar.p50_ms is not None and bar.p50_ms > 0:
            p50 = min(bar.p50_ms, bar.p99_ms) * per_ms
            lines.append(
                _pinned(
                    f"p50-{row}",
                    x0 + bar.start_ms * per_ms + p50 / 2,
                    y,
                    p50,
                    P50_HEIGHT,
                    shape="box",
                    label="",
                    fillcolor=p50_fill,
                    id=f"p50-{row}",
                    tooltip=tip,
                )
            )
        right = bar.end_ms
        if bar.timeout_ms is not None:
            at = bar.start_ms + bar.timeout_ms
            right = max(right, at)
            lines.append(
                _pinned(
                    f"timeout-{row}",
                    x0 + at * per_ms,
                    y,
                    1.5,
                    ROW_HEIGHT - 4,
                    shape="box",
                    label="",
                    fillcolor=TIMEOUT_INK,
                    id=f"timeout-{row}",
                    tooltip=f"timeout {_ms(bar.timeout_ms)} ms",
                )
            )
        figure = figure_text(bar)
        width = text_width(figure, FIGURE_SIZE)
        lines.append(
            _text_node(
                f"figure-{row}",
                figure_left(x0 + right * per_ms + 4, width, slo_x),
                y,
                width,
                figure,
                f"{FIGURE_SIZE:g}",
                FIGURE_INK,
            )
        )
    bottom = y_of(rows) + ROW_HEIGHT / 2
    lines.append(
        _pinned(
            "axis", x0 + CHART_WIDTH / 2, bottom, CHART_WIDTH, 1, shape="box", label="", fillcolor=AXIS_INK, id="axis"
        )
    )
    for k, (ms, tick_label) in enumerate(ticks(fall)):
        x = x0 + ms * per_ms
        lines.append(_pinned(f"tick-{k}", x, bottom - 3, 1, 6, shape="box", label="", fillcolor=AXIS_INK))
        lines.append(
            _pinned(
                f"tick-label-{k}",
                x,
                bottom - 14,
                56,
                12,
                shape="plaintext",
                label=tick_label,
                fontsize=f"{TICK_SIZE:g}",
                fontcolor=AXIS_INK,
                style="",
            )
        )
    if slo_x is not None and fall.slo_ms is not None:
        x = slo_x
        height = rows * ROW_HEIGHT + ROW_HEIGHT / 2
        lines.append(
            _pinned(
                "slo",
                x,
                bottom + height / 2,
                1.5,
                height,
                shape="box",
                label="",
                style="dashed",
                penwidth=f"{SLO_PEN:g}",
                color=SLO_INK,
                id="slo",
                tooltip=slo_text(fall.slo_ms),
            )
        )
        slo_label = slo_text(fall.slo_ms)
        slo_width = text_width(slo_label, SLO_SIZE)
        lines.append(  # left of the line, its right edge a gap away from it
            _pinned(
                "slo-label",
                x - SLO_GAP - slo_width / 2,
                y_of(0) + ROW_HEIGHT * 0.75,
                slo_width,
                12,
                shape="plaintext",
                label=slo_label,
                fontsize=f"{SLO_SIZE:g}",
                fontcolor=SLO_INK,
                style="",
            )
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid ----------------------------------------------------------------------------------


def request_mermaid(blueprint: Blueprint, fall: Waterfall | None = None) -> str:
    """The request view as a Mermaid ``sequenceDiagram``: the same calls, in time order.

    A step's calls run side by side in a ``par`` block (one branch per call); each call's message
    carries its step, its data and its p99 (p50, timeout: ``cut`` when the timeout ends it); the
    calls of the latency path are bold (``critical`` in the note). Deterministic.
    """
    from .mermaid import _front_matter, mermaid_id
    from .mermaid import escape_label as _flowchart_label

    def escape_label(text: str) -> str:  # a sequence diagram ends a statement at ';' (a flowchart label does not)
        parts = " ".join(text.split()).split(";")
        return "#59;".join(
            (" " if part[:1] == " " else "") + _flowchart_label(part) + (" " if part[-1:] == " " else "")
            for part in parts
        )

    fall = fall or waterfall(blueprint)
    entry = blueprint.components[fall.entry]
    title = f"{blueprint.name} (request view)"
    lines = [*_front_matter(title), "sequenceDiagram"]
    for cid in dict.fromkeys(bar.component for bar in fall.bars):
        component = blueprint.components[cid]
        lines.append(f"  participant {mermaid_id(cid)} as {escape_label(component.label or cid)}")
    summary = f"p99 {_ms(fall.p99_ms)} ms"
    if fall.p50_ms is not None:
        summary += f", p50 {_ms(fall.p50_ms)} ms"
    if fall.slo_ms is not None:
        summary += f", SLO {_ms(fall.slo_ms)} ms"
    lines.append(f"  Note over {mermaid_id(fall.entry)}: {escape_label((entry.label or fall.entry) + ': ' + summary)}")
    callers: dict[int, str] = {}  # row -> caller component
    children: dict[int, list[int]] = {0: []}
    stack = [0]  # rows whose calls are being listed, by depth
    for row, bar in enumerate(fall.bars[1:], start=1):
        while fall.bars[stack[-1]].depth >= bar.depth:
            stack.pop()
        callers[row] = fall.bars[stack[-1]].component
        children.setdefault(stack[-1], []).append(row)
        children[row] = []
        stack.append(row)

    def message(row: int) -> str:
        bar = fall.bars[row]
        flow = blueprint.flows[bar.flow] if bar.flow is not None else None
        what = (flow.data if flow is not None and flow.data else "request").split("\n")[0]
        text = f"{bar.step}. {what}: {figure_text(bar)}" if bar.step is not None else f"{what}: {figure_text(bar)}"
        return escape_label(text)

    # (what to do, row, indent): "rows" lists a row's calls, "line" writes a line; a stack, not recursion
    work: list[tuple[str, int, str]] = [("rows", 0, "  ")]
    while work:
        what, parent, indent = work.pop()
        if what == "line":
            lines.append(indent)
            continue
        steps: dict[int | None, list[int]] = {}
        for row in children[parent]:
            steps.setdefault(fall.bars[row].step, []).append(row)
        todo: list[tuple[str, int, str]] = []
        for step, rows in steps.items():
            if len(rows) > 1:
                todo.append(("line", 0, f"{indent}par step {step}"))
            for n, row in enumerate(rows):
                if len(rows) > 1 and n:
                    todo.append(("line", 0, f"{indent}and"))
                inner = indent + ("  " if len(rows) > 1 and len(indent) < 40 else "")
                caller, callee = mermaid_id(callers[row]), mermaid_id(fall.bars[row].component)
                bar = fall.bars[row]
                todo.append(("line", 0, f"{inner}{caller}->>{callee}: {message(row)}"))
                if bar.cut:
                    cut = escape_label(f"timeout {_ms(bar.timeout_ms or 0)} ms cuts it")
                    todo.append(("line", 0, f"{inner}Note over {callee}: {cut}"))
                todo.append(("rows", row, inner))
                todo.append(("line", 0, f"{inner}{callee}-->>{caller}: {escape_label(f'{_ms(bar.p99_ms)} ms')}"))
            if len(rows) > 1:
                todo.append(("line", 0, f"{indent}end"))
        work.extend(reversed(todo))
    return "\n".join(lines) + "\n"
