"""The overview (:func:`.views.overview`) as DOT: one box per stage, one labelled edge per pair of stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..blueprint.models import Blueprint
from .dot_labels import MAX_FLOW_CLASSES, listed, normalise, title_label
from .label_room import move_edge
from .plan import flow_ends, group_label, layout_plan
from .style import (
    EDGE_ATTRS,
    GRAPH_ATTRS,
    MODE_STYLES,
    NEUTRAL_COLOURS,
    NODE_ATTRS,
    OVERVIEW_ATTRS,
    OVERVIEW_FONTSIZE,
    OVERVIEW_NAME_WRAP,
    OVERVIEW_NODE_NAMES,
    OVERVIEW_SUMMARY_WIDTH,
    PAGE_INCHES,
    PNG_DPI,
    STAGE_COLOURS,
    wrap,
    wrap_words,
)
from .style import escape as _esc
from .style import tooltip_text as _tooltip_text
from .views import View, overview, select_view, stage_pairs

if TYPE_CHECKING:  # not at run time: `mlsd lint` must not load Graphviz bindings
    import graphviz


def _stage_lines(
    blueprint: Blueprint, ids: tuple[str, ...], inner: int, most: int = OVERVIEW_NODE_NAMES
) -> tuple[list[str], list[str]]:
    """A stage box's lines under its title: the counts, then the names (wrapped, the first ``most``, or one
    fewer and "+ N more"), unescaped."""
    names = [blueprint.components[cid].label or cid for cid in ids]
    shown = names[:most] if len(names) <= most + 1 else names[: most - 1]
    lines = [line for name in shown for line in wrap_words(name, OVERVIEW_NAME_WRAP)]
    if len(shown) < len(names):
        lines.append(f"+ {len(names) - len(shown)} more")
    count = [f"{len(ids)} component{'s' if len(ids) != 1 else ''}"]
    if inner:
        count.append(f"{inner} flow{'s' if inner != 1 else ''} inside")
    return count, lines


def _stage_label(stage: str, count: list[str], lines: list[str]) -> str:
    _, _, ink = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD><FONT POINT-SIZE="15" COLOR="{ink}"><B>{_esc(group_label(stage))}</B></FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}" COLOR="#455A64">{"<BR/>".join(count)}</FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}">{"<BR/>".join(_esc(line) for line in lines)}</FONT></TD></TR>'
        f"</TABLE>>"
    )


def overview_grid(order: list[str], rows: int | None = None) -> list[list[tuple[int, str]]]:
    """The overview's stages in ``rows`` rows of (column, stage), read as a serpentine: the first row left to
    right, the next right to left below it, and so on, so each stage sits next to the one it feeds (two rows
    read as a U; three stages in two rows make an L). Every row but the last is full. ``rows`` defaults to one
    row for up to two stages, else two."""
    if rows is None:
        rows = 1 if len(order) <= 2 else 2
    rows = max(1, min(rows, len(order)))
    columns = -(-len(order) // rows)
    grid = []
    for row in range(rows):
        cells = order[row * columns : (row + 1) * columns]
        if not cells:
            break
        placed = list(enumerate(cells)) if row % 2 == 0 else [(columns - 1 - k, s) for k, s in enumerate(cells)]
        grid.append(sorted(placed))
    return grid


# Estimated sizes of the overview's parts, in points, for choosing its grid (:func:`overview_layout`): a
# stage's title (15 pt bold) and its lines (12 pt) at these widths a character, its box's padding, the room an
# edge label takes between two columns and the gap between two rows (calibrated on synthetic designs).
_TITLE_CHAR_PT, _LINE_CHAR_PT, _LINE_PT = 8.4, 6.2, 14.5
_BOX_PAD_W, _BOX_PAD_H = 24.0, 22.0
_COLUMN_GAP_PT, _ROW_GAP_PT = 95.0, 40.0
_STAGGER_GAP_PT, _STAGGER_ROWS_PT = 80.0, 130.0  # staggered rows: between two ranks; around the two rows
_SLIDE_PT = (13.33 * 72, 7.5 * 72)
_ASPECT_AIM = 1.75  # a 16:9 slide is 1.78; 1.3 to 2.2 is the range allowed
_ASPECT_BAND = (1.5, 1.95)  # an estimate outside it is stretched to the aim (the estimate is good to 15%)
_GRID_MOST_STAGES = 200  # beyond, the staggered rows: no overview that big is read, and their layout fails
# fast on a design far too big (a serpentine of 1,000 stages grew dot's memory so slowly that its time limit
# struck first); up to it the serpentine stays cheap (500 stages drew in 4.3 s) and far more legible than a strip


def _box_size(title: str, lines: list[str]) -> tuple[float, float]:
    width = max([len(title) * _TITLE_CHAR_PT] + [len(line) * _LINE_CHAR_PT for line in lines])
    return width + _BOX_PAD_W, 19.0 + len(lines) * _LINE_PT + _BOX_PAD_H


def _title_size(blueprint: Blueprint) -> tuple[float, float]:
    """The estimated width and height of the overview's title block (name at 20 pt bold, summary at 12 pt)."""
    name = f"{blueprint.name} \u2014 overview view"
    summary = wrap(" ".join(blueprint.summary.split()), OVERVIEW_SUMMARY_WIDTH) if blueprint.summary else []
    width = max([len(name) * 13.0] + [len(line) * _LINE_CHAR_PT for line in summary])
    return width, 28.0 + len(summary) * _LINE_PT


def _estimate(
    grid: list[list[tuple[int, str]]], sizes: dict[str, tuple[float, float]], title: tuple[float, float]
) -> tuple[float, float]:
    """The estimated width and height, in points, of the overview laid out in ``grid``."""
    columns = max(k for cells in grid for k, _ in cells) + 1
    widths = [max(sizes[s][0] for cells in grid for k, s in cells if k == col) for col in range(columns)]
    width = max(sum(widths) + (columns - 1) * _COLUMN_GAP_PT, title[0]) + 16
    height = sum(max(sizes[s][1] for _, s in cells) for cells in grid) + (len(grid) - 1) * _ROW_GAP_PT
    return width, height + title[1] + 16


@dataclass(frozen=True)
class OverviewLayout:
    """The overview's grid (:func:`overview_grid`) and the room added between its rows and columns, in points,
    to give it a slide's proportions."""

    grid: list[list[tuple[int, str]]]
    row_room: float = 0.0
    column_room: float = 0.0
    staggered: bool = False  # the two rows' stages in ranks of their own, half a column apart


def overview_layout(
    order: list[str], sizes: dict[str, tuple[float, float]], title: tuple[float, float]
) -> OverviewLayout:
    """The overview's grid. Two rows staggered half a column apart, every stage in a rank of its own, when
    that picture is estimated 1.4 to 2.1 wide for 1 high with 9.8 pt text on a slide: it leaves the most room
    to the labels of flows that skip a stage or go back (the bundled designs). Else the grid with the
    biggest text on a 16:9 slide: of the serpentines of 1 to n rows, the one
    whose estimated picture (boxes of ``sizes``, the title block of ``title``, both in points) is smallest once
    widened or heightened to a slide's proportions, which it then is (room between its rows or columns); fewer
    rows on a tie. One row can be made no taller, so it counts only if its proportions are a slide's already.
    Two stages may also stand on a diagonal (one line is too wide for a slide, a column too tall). More than
    ``_GRID_MOST_STAGES`` stages take the two rows, without estimates (a picture no one reads whole)."""
    staggered = overview_grid(order)
    if len(order) > _GRID_MOST_STAGES:
        return OverviewLayout(staggered, staggered=True)
    if len(staggered) == 2 and len(order) >= 4:
        width = sum(sizes[s][0] for s in order) + (len(order) - 1) * _STAGGER_GAP_PT + 16
        height = sum(max(sizes[s][1] for _, s in cells) for cells in staggered) + _STAGGER_ROWS_PT + title[1]
        width = max(width, title[0] + 16)
        if 1.4 <= width / height <= 2.1 and 12 * min(_SLIDE_PT[0] / width, _SLIDE_PT[1] / height) >= 9.8:
            return OverviewLayout(staggered, staggered=True)
    candidates = [overview_grid(order, rows) for rows in range(1, len(order) + 1)]
    candidates = [grid for rows, grid in enumerate(candidates, 1) if len(grid) == rows]
    if len(order) == 2:
        candidates.append([[(0, order[0])], [(1, order[1])]])
    best: tuple[float, OverviewLayout] | None = None
    for grid in candidates:
        width, height = _estimate(grid, sizes, title)
        aspect = width / height
        columns = max(k for cells in grid for k, _ in cells) + 1
        row_room = column_room = 0.0
        if aspect > _ASPECT_BAND[1] and len(grid) > 1:
            row_room = (width / _ASPECT_AIM - height) / (2 * len(grid) - 1)
            height = width / _ASPECT_AIM
        elif aspect < _ASPECT_BAND[0] and columns > 1:
            column_room = (height * _ASPECT_AIM - width) / (2 * columns - 2)
            width = height * _ASPECT_AIM
        if not 1.3 <= width / height <= 2.2:
            continue
        size = max(width / _SLIDE_PT[0], height / _SLIDE_PT[1])
        if best is None or size < best[0] - 1e-9:
            best = (size, OverviewLayout(grid, row_room, column_room))
    return best[1] if best else OverviewLayout(candidates[min(1, len(candidates) - 1)])


def _staggered(
    dot: graphviz.Digraph, grid: list[list[tuple[int, str]]], position: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Two rows staggered: no two stages share a rank (a labelled edge within a rank bends out to a label rank
    of its own). The bottom row lies in the gaps between the top row's columns, where the top row's edges keep
    it below them; a stage past the end of the top row has nothing to keep it off the top row's line (three
    stages stayed on one line), so a bottom row shorter than the top sits half a column before it, a full one
    half a column after it. Returns each stage's rank and row."""
    before = len(grid[-1]) < len(grid[0])
    rank = {stage: 2 * k + (1 - row if before else row) for row, cells in enumerate(grid) for k, stage in cells}
    for cells in grid:
        for (_, left), (_, right) in zip(cells, cells[1:]):
            dot.edge(
                f"stage{position[left]}",
                f"stage{position[right]}",
                style="invis",
                weight="8",
                minlen=str(rank[right] - rank[left]),
            )
    if len(grid) > 1 and not before:  # the rows' first stages, so the bottom row starts half a column on
        dot.edge(f"stage{position[grid[0][0][1]]}", f"stage{position[grid[1][0][1]]}", style="invis")
    return rank, {stage: row for row, cells in enumerate(grid) for _, stage in cells}


def _columns(
    dot: graphviz.Digraph,
    grid: list[list[tuple[int, str]]],
    order: list[str],
    position: dict[str, int],
    linked: set[frozenset[str]],
) -> tuple[dict[str, int], dict[str, int]]:
    """A grid whose columns are ranks (flows between stages of a column are flat edges, their labels between
    the two boxes); a column's stages keep their rows' order by unlabelled invisible edges down it, the rows
    their line by heavy ones. A stage with no stage above it in its column (the second of two on a diagonal)
    hangs from an invisible point on the row above, which the row above holds on its line. Returns each
    stage's rank and row."""
    rank = {stage: k for cells in grid for k, stage in cells}
    row_of = {stage: row for row, cells in enumerate(grid) for _, stage in cells}
    names = {stage: f"stage{position[stage]}" for stage in order}
    rows = [[(k, names[stage]) for k, stage in cells] for cells in grid]
    for row, cells in enumerate(grid[1:], 1):
        for k, _ in cells:
            if not any(rank[other] == k and row_of[other] < row for other in order):
                gap = f"gap{len(names) - len(order)}"
                names[gap] = gap
                dot.node(gap, "", shape="point", style="invis", width="0.01")
                rows[row - 1] = sorted([*rows[row - 1], (k, gap)])
    drawn = {frozenset(names[stage] for stage in pair) for pair in linked}
    for cells in rows:
        for (_, left), (_, right) in zip(cells, cells[1:]):
            dot.edge(left, right, style="invis", weight="8")
    for column in range(max(rank.values()) + 1):
        down = [name for cells in rows for k, name in cells if k == column]
        with dot.subgraph() as same:
            same.attr(rank="same")
            for name in down:
                same.node(name)
        for upper, lower in zip(down, down[1:]):
            if frozenset((upper, lower)) not in drawn:
                dot.edge(upper, lower, style="invis")
    return rank, row_of


def overview_dot(
    blueprint: Blueprint, rankdir: str = "LR", scale: float = 1.0, moves: Mapping[str, str] | None = None
) -> str:
    """The overview (:func:`.views.overview`) as DOT: one box per stage (``id="stage-<name>"``), one edge per
    pair of stages with flows between them, both directions on it (``id="stage-flows-<n>"``, the member flows
    as classes ``flow-N``), labelled with the count of each mode. Stages sit in the grid of
    :func:`overview_grid` (invisible edges rank the columns). No clusters, so nothing here can meet Graphviz
    2.43's cluster aborts."""
    import graphviz

    summary = overview(blueprint.graph)
    ends = flow_ends(blueprint)
    order, _, _ = layout_plan(blueprint, select_view(blueprint.graph, "all"))
    position = {g: k for k, g in enumerate(order)}
    view = View("overview", tuple(blueprint.components), tuple(range(len(blueprint.flows))))
    page_w, page_h = PAGE_INCHES
    dot = graphviz.Digraph("mlsd")
    dot.graph_attr.update(
        GRAPH_ATTRS,
        **OVERVIEW_ATTRS,
        rankdir=rankdir,
        id="diagram",
        size=f"{page_w:g},{page_h:g}",
        dpi=f"{PNG_DPI * scale:g}",
        label=title_label(blueprint, view, (), summary_width=OVERVIEW_SUMMARY_WIDTH, summary_size=OVERVIEW_FONTSIZE),
    )
    dot.node_attr.update(NODE_ATTRS, shape="box", style="rounded,filled", margin="0.12,0.06", penwidth="1.4")
    dot.edge_attr.update(EDGE_ATTRS, fontsize=OVERVIEW_FONTSIZE)
    sizes = {}
    for stage in order:
        fill, border, _ = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
        ids = summary.stages[stage]
        count, lines = _stage_lines(blueprint, ids, summary.inner[stage])
        sizes[stage] = _box_size(group_label(stage), count + lines)
        tooltip = f"{group_label(stage)}: " + ", ".join(listed(ids))
        dot.node(
            f"stage{position[stage]}",
            _stage_label(stage, count, lines),
            id=_tooltip_text(f"stage-{stage}"),
            fillcolor=fill,
            color=border,
            tooltip=_tooltip_text(tooltip),
        )
    layout = overview_layout(order, sizes, _title_size(blueprint))
    grid = layout.grid
    if layout.row_room or layout.column_room:
        node_gap, rank_gap = (float(OVERVIEW_ATTRS[key]) for key in ("nodesep", "ranksep"))
        dot.graph_attr.update(
            nodesep=f"{node_gap + layout.row_room / 72:.2f}", ranksep=f"{rank_gap + layout.column_room / 72:.2f}"
        )
    if layout.staggered:
        rank, row_of = _staggered(dot, grid, position)
    else:
        rank, row_of = _columns(dot, grid, order, position, {frozenset(pair) for pair in stage_pairs(summary)})
    pairs = stage_pairs(summary)
    for n, ((a, b), (forward, backward)) in enumerate(pairs.items()):
        flows = tuple(sorted(forward + backward))
        counts: dict[str, int] = {}
        for i in flows:
            counts[ends[i][2]] = counts.get(ends[i][2], 0) + 1
        modes = [m for m in MODE_STYLES if m in counts]
        style = MODE_STYLES[modes[0]]  # the edge looks like its most online mode (request first)
        label = "<BR/>".join(f'<FONT COLOR="{MODE_STYLES[m].text}">{_esc(m)} \u00d7{counts[m]}</FONT>' for m in modes)
        tooltip = "\n".join(listed([f"{ends[i][0]} \u2192 {ends[i][1]} ({ends[i][2]})" for i in flows]))
        attrs = {
            "id": f"stage-flows-{n}",
            # the page highlights a flow by its class; Graphviz reads no quoted string over 16,384 bytes
            "class": " ".join(f"flow-{i}" for i in flows[:MAX_FLOW_CLASSES]),
            "label": f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD>{label}</TD></TR>'
            f"</TABLE>>",
            "tooltip": _tooltip_text(tooltip),
            "color": style.line,
            "style": style.style,
            "penwidth": f"{min(1.0 + 0.5 * len(flows), 4.0):g}",
            "fontcolor": style.text,
        }
        # arrowheads where flows arrive: both ends when they go both ways
        arrows = ("both" if backward else "forward") if forward else "back"
        tail, head = a, b
        if (rank[a], row_of[a]) > (rank[b], row_of[b]):  # written along the ranks (down a column), drawn the same
            tail, head = b, a
            arrows = {"forward": "back", "back": "forward"}.get(arrows, arrows)
        if arrows != "forward":
            attrs["dir"] = arrows
        if moves and attrs["id"] in moves:  # a label settled after a first layout (see .label_room)
            move_edge(attrs, moves[attrs["id"]])
        dot.edge(f"stage{position[tail]}", f"stage{position[head]}", **attrs)
    return normalise(dot.source)
