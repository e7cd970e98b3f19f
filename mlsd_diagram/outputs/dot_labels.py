"""The text a DOT diagram carries: node cards, edge labels, the title block with its legend, tooltips.

Shared by :mod:`.dot` (the component views) and :mod:`.overview_dot` (the stage overview). Every label is
a Graphviz HTML-like label built from escaped text (:func:`.style.escape`); only :func:`node_label`
writes ``<IMG``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..blueprint.models import Blueprint
from . import icons
from .style import MODE_STYLES, SMALL_NODE_PT
from .style import escape as _esc
from .style import tooltip_text as _tooltip_text
from .style import wrap as _wrap
from .style import wrap_words as _wrap_words
from .views import View


@dataclass(frozen=True)
class Overlay:
    """Looks drawn over the usual diagram, by component id and flow index: the diff diagram's hook.

    ``components`` and ``flows`` map to DOT attributes that replace the defaults of that node
    or edge (``color``, ``style``, ``penwidth``, ``fontcolor``, ``class``, ``id``, ...); a
    ``tooltip`` is plain text, escaped here. ``legend`` rows ``(colour, sample, meaning)`` are
    shown under the flow legend after ``legend_title``; ``heading`` follows the diagram's name.
    ``badges`` put a short mark ``(text, colour)`` in a component's top-left corner, ``flow_badges``
    before a flow's label; ``scope``, when given, keeps only those components (and the flows between them).
    """

    components: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    flows: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    legend_title: str = ""
    legend: tuple[tuple[str, str, str], ...] = ()
    heading: str = ""
    badges: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    flow_badges: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    scope: frozenset[str] | None = None

    def component(self, cid: str) -> dict[str, str]:
        return self._attrs(self.components.get(cid))

    def flow(self, index: int) -> dict[str, str]:
        return self._attrs(self.flows.get(index))

    @staticmethod
    def _attrs(given: Mapping[str, str] | None) -> dict[str, str]:
        attrs = dict(given or {})
        if "tooltip" in attrs:
            attrs["tooltip"] = _tooltip_text(attrs["tooltip"])
        return attrs


# A stage's tooltip names at most this many members (then "... and N more"), and a merged edge carries
# at most this many ``flow-N`` classes: Graphviz refuses a quoted string over 16,384 bytes, which the
# whole lists pass on designs of thousands of components.
MAX_LISTED = 50
MAX_FLOW_CLASSES = 1_000


def listed(items: Sequence[str], limit: int = MAX_LISTED) -> list[str]:
    """``items``, the first ``limit`` of them and a count of the others when there are more."""
    if len(items) <= limit:
        return list(items)
    return [*items[:limit], f"\u2026 and {len(items) - limit:,} more"]


def _badge(badge: tuple[str, str] | None) -> str:
    return f'<FONT POINT-SIZE="14" COLOR="{badge[1]}"><B>{_esc(badge[0])}</B></FONT>' if badge else " "


def _lines(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width``: the usual width (22 or more) as it always was, a narrower one (the serving
    view's) without breaking a word."""
    return _wrap(text, width) if width >= 22 else _wrap_words(text, width)


def node_label(
    blueprint: Blueprint, cid: str, mark: tuple[str, str] | None = None, tech_size: str = "9", title_width: int = 22
) -> str:
    component = blueprint.components[cid]
    badge = icons.tech_icon(component.tech)
    icon = icons.component_icon(blueprint, cid)
    title = "<BR/>".join(_esc(line) for line in _lines(component.label or cid, title_width))
    badge_cell = (
        f'<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18" VALIGN="BOTTOM"><IMG SRC="{badge}" SCALE="TRUE"/></TD>'
        if badge
        else '<TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18"> </TD>'
    )
    rows = [
        f'<TR><TD FIXEDSIZE="TRUE" WIDTH="18" HEIGHT="18">{_badge(mark)}</TD>'
        f'<TD FIXEDSIZE="TRUE" WIDTH="40" HEIGHT="40"><IMG SRC="{icon}" SCALE="TRUE"/></TD>{badge_cell}</TR>',
        f'<TR><TD COLSPAN="3">{title}</TD></TR>',
    ]
    if component.tech:
        tech = "<BR/>".join(_esc(line) for line in _lines(component.tech, 26 if title_width >= 22 else title_width + 4))
        rows.append(f'<TR><TD COLSPAN="3"><FONT POINT-SIZE="{tech_size}" COLOR="#607080">{tech}</FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'


def small_node_label(blueprint: Blueprint, cid: str, mark: tuple[str, str] | None = None) -> str:
    """A component drawn small, by name only: one that a view borrows from another stage (the data view's
    producers and consumers), so the view's own components keep the room."""
    component = blueprint.components[cid]
    title = "<BR/>".join(_esc(line) for line in _lines(component.label or cid, 18))
    badge = f"<TD>{_badge(mark)}</TD>" if mark else ""
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR>{badge}'
        f'<TD><FONT POINT-SIZE="{SMALL_NODE_PT}" COLOR="#455A64">{title}</FONT></TD></TR></TABLE>>'
    )


def node_tooltip(blueprint: Blueprint, cid: str) -> str:
    component = blueprint.components[cid]
    kind = blueprint.kind_of(cid)
    lines = [f"{component.label or cid} ({cid})", f"kind: {kind.name}"]
    if component.tech:
        lines.append(f"tech: {component.tech}")
    for name in ("replicas", "latency_p99_ms", "task", "model"):
        value = getattr(component, name)
        if value is not None:
            lines.append(f"{name}: {value}")
    if component.notes:
        lines.append(f"notes: {component.notes}")
    return _tooltip_text("\n".join(lines))


def edge_label(
    data: str | None, badge: tuple[str, str] | None = None, step: int | None = None, width: int = 26
) -> str | None:
    if step is not None:  # the call's place in its caller's order, in bold before its data
        text = "<BR/>".join(_esc(line) for line in _lines(data, width)) if data else ""
        return (
            f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
            f"{_badge(badge) + ' ' if badge else ''}<B>{step}</B>{' ' if text else ''}{text}</TD></TR></TABLE>>"
        )
    if badge is not None:
        text = "<BR/>".join(_esc(line) for line in _lines(data, width)) if data else ""
        return (
            f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
            f"{_badge(badge)}{' ' if text else ''}{text}</TD></TR></TABLE>>"
        )
    if not data:
        return None
    # A padded one-cell table: labels of neighbouring flows in one rank keep a visible gap instead of reading
    # as one run of text.
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"><TR><TD>'
        f"{'<BR/>'.join(_esc(line) for line in _lines(data, width))}</TD></TR></TABLE>>"
    )


def title_label(
    blueprint: Blueprint,
    view: View,
    modes: Iterable[str],
    overlay: Overlay | None = None,
    summary_width: int = 110,
    summary_size: str = "11",
    caption: str = "",
) -> str:
    name = blueprint.name + ("" if view.name == "all" else f" \u2014 {view.name} view")
    if overlay is not None and overlay.heading:
        name += f" \u2014 {overlay.heading}"
    rows = [f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="20"><B>{_esc(name)}</B></FONT></TD></TR>']
    if blueprint.summary:
        summary = _wrap(" ".join(blueprint.summary.split()), summary_width)
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in summary)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{summary_size}" COLOR="#455A64">{lines}</FONT></TD></TR>')
    if caption:
        lines = "".join(f'{_esc(line)}<BR ALIGN="LEFT"/>' for line in _wrap(caption, summary_width))
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{summary_size}" COLOR="#607080"><I>{lines}</I></FONT></TD></TR>'
        )
    # A legend is one left-aligned cell of text, not a table of cells: Graphviz widens a table inside a cell to
    # the cell's width and spreads its cells over it, so a short legend under a long summary came apart.
    entries = [(MODE_STYLES[m].color, MODE_STYLES[m].sample, MODE_STYLES[m].meaning) for m in MODE_STYLES if m in modes]
    if entries:
        rows.append(_legend_row("Flows:", entries))
    if overlay is not None and overlay.legend:
        rows.append(_legend_row(overlay.legend_title, overlay.legend))
    return f'<<TABLE BORDER="0" CELLPADDING="2" CELLSPACING="0">{"".join(rows)}</TABLE>>'


def normalise(source: str) -> str:
    # diagrams names the graph after the blueprint and sets a plain label first; keep one stable header.
    lines = source.splitlines()
    lines[0] = "digraph mlsd {"
    return "\n".join(lines) + "\n"


def _legend_row(title: str, entries: Iterable[tuple[str, str, str]]) -> str:
    """A title block's legend row: its title, then each ``(colour, sample, meaning)`` as a coloured sample."""
    parts = "".join(
        f'   <FONT COLOR="{colour}"><B>{_esc(sample)}</B></FONT> {_esc(meaning)}' for colour, sample, meaning in entries
    )
    return f'<TR><TD ALIGN="LEFT" CELLPADDING="3"><FONT COLOR="#455A64">{_esc(title)}</FONT>{parts}</TD></TR>'
