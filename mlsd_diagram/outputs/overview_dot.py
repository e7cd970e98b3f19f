"""The overview (:func:`.views.overview`) as DOT: one box per stage, one labelled edge per pair of stages."""

from __future__ import annotations

from ..blueprint.models import Blueprint
from .dot_labels import MAX_FLOW_CLASSES, listed, normalise, title_label
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
    wrap_words,
)
from .style import escape as _esc
from .style import tooltip_text as _tooltip_text
from .views import View, overview, select_view, stage_pairs


def _stage_label(blueprint: Blueprint, stage: str, ids: tuple[str, ...], inner: int) -> str:
    _, _, ink = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
    names = [blueprint.components[cid].label or cid for cid in ids]
    shown = names[:OVERVIEW_NODE_NAMES] if len(names) <= OVERVIEW_NODE_NAMES + 1 else names[: OVERVIEW_NODE_NAMES - 1]
    lines = [_esc(line) for name in shown for line in wrap_words(name, OVERVIEW_NAME_WRAP)]
    if len(shown) < len(names):
        lines.append(f"+ {len(names) - len(shown)} more")
    count = f"{len(ids)} component{'s' if len(ids) != 1 else ''}" + (
        f"<BR/>{inner} flow{'s' if inner != 1 else ''} inside" if inner else ""
    )
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD><FONT POINT-SIZE="15" COLOR="{ink}"><B>{_esc(group_label(stage))}</B></FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}" COLOR="#455A64">{count}</FONT></TD></TR>'
        f'<TR><TD><FONT POINT-SIZE="{OVERVIEW_FONTSIZE}">{"<BR/>".join(lines)}</FONT></TD></TR></TABLE>>'
    )


def overview_grid(order: list[str]) -> list[list[tuple[int, str]]]:
    """The overview's stages in rows of (column, stage): up to two stages in one row; more in two rows that
    read as a U (the first half left to right on top, the rest right to left below), so the picture has a
    slide's proportions and each stage sits next to the one it feeds. Not three rows for many stages: every
    stage has a rank of its own (:func:`overview_dot`), so the width follows the count of stages either way."""
    if len(order) <= 2:
        return [list(enumerate(order))]
    columns = (len(order) + 1) // 2
    bottom = [(columns - 1 - k, stage) for k, stage in enumerate(order[columns:])]
    return [list(enumerate(order[:columns])), sorted(bottom)]


def overview_dot(blueprint: Blueprint, rankdir: str = "LR", scale: float = 1.0) -> str:
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
    for stage in order:
        fill, border, _ = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
        ids = summary.stages[stage]
        tooltip = f"{group_label(stage)}: " + ", ".join(listed(ids))
        dot.node(
            f"stage{position[stage]}",
            _stage_label(blueprint, stage, ids, summary.inner[stage]),
            id=_tooltip_text(f"stage-{stage}"),
            fillcolor=fill,
            color=border,
            tooltip=_tooltip_text(tooltip),
        )
    grid = overview_grid(order)
    # ranks: no two stages share one (a labelled edge within a rank bends out to a label rank of its own).
    # The bottom row lies in the gaps between the top row's columns, where the top row's edges keep it below
    # them; a stage past the end of the top row has nothing to keep it off the top row's line (three stages
    # stayed on one line), so a bottom row shorter than the top sits half a column before it, a full one half
    # a column after it
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
        if rank[a] > rank[b]:  # written along the ranks so it ranks with the grid, drawn the same
            tail, head = b, a
            arrows = {"forward": "back", "back": "forward"}.get(arrows, arrows)
        if arrows != "forward":
            attrs["dir"] = arrows
        dot.edge(f"stage{position[tail]}", f"stage{position[head]}", **attrs)
    return normalise(dot.source)
