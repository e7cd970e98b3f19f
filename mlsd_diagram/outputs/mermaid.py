"""Blueprint -> Mermaid flowchart text (GitHub renders it in Markdown).

Same ids as the DOT diagram (component ids as node ids), one subgraph per
cluster, edge styles by mode (request thick, batch/deploy/fallback dotted,
colours through ``linkStyle``), and every label written so that Mermaid shows
it exactly as given (whitespace runs read as one space, as in HTML): quoted,
with entity codes only for the few characters that need one (see
:func:`escape_label`). Only syntax GitHub's Mermaid has long supported is used.
"""

from __future__ import annotations

import json
import re

from ..blueprint.models import Blueprint
from . import DETAILS
from .plan import UnknownDetail, check_direction, flow_ends, flow_groups, group_label, layout_plan
from .style import MODE_STYLES, NEUTRAL_COLOURS, STAGE_COLOURS
from .views import overview, select_view

# Mermaid keywords that cannot be node ids; such components get a "c_" prefix.
RESERVED = frozenset(
    {
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "style",
        "classDef",
        "class",
        "click",
        "linkStyle",
        "direction",
        "default",
        "call",
        "href",
        "callback",
        "interpolate",
        "accTitle",
        "accDescr",
    }
)
ARROWS = {"request": "==>", "stream": "-->", "batch": "-.->", "deploy": "-.->", "fallback": "-.->", "telemetry": "-->"}

# What needs writing differently inside a quoted label, and why (Mermaid 10 to 12 in a browser, HTML labels):
# '"' would end the string and '<', '>', '&' would be read as HTML: named entity codes, which Mermaid decodes
# in every kind of label. Where they would mean something else, numeric codes: '#' when a name and ';'
# follow (an entity code), the first '%' of '%%{' (a directive, removed wherever it is), ':' followed by
# non-blanks and a '#' (Mermaid's pre-pass for `style ...: #fff;` lines would drop the ';' of a code), and a
# backtick first or last (a Markdown string). Three meanings are found after codes are decoded, so an empty
# <span></span> splits them instead: 'fa:fa-x' (a Font Awesome icon), a backslash before 'n' (a line break),
# '$$' (KaTeX maths). Everything else (brackets, braces, parentheses, pipes, ';', backslashes, any script)
# is written as is.
_NAMED = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
_NEEDS_CODE = re.compile(
    r"(?P<split>(?<=fa):(?=fa-)|(?<=fa[bklrs]):(?=fa-)|\\(?=n)|\$(?=\$))"
    r'|["<>&]|#(?=[A-Za-z0-9_]+;)|%(?=%\{)|:(?=[^\s#"<>&]*[#"<>&])'
)
# The front matter's title is drawn as text after an HTML sanitiser: '<', '>' and '&' would show as '&lt;',
# '&gt;', '&amp;' (or a tag would vanish), and no code helps there.
_TITLE_UNSHOWABLE = re.compile(r"[<>&]")
_YAML_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _code(match: re.Match) -> str:
    ch = match.group(0)
    if match.lastgroup == "split":
        return ch + "<span></span>"
    return _NAMED.get(ch) or f"#{ord(ch)};"


def escape_label(text: str) -> str:
    """``text`` as the inside of a quoted Mermaid label, so that Mermaid shows exactly ``text``.

    Whitespace runs become one space (HTML shows them so anyway); see the comment above for the
    characters written as entity codes (``#quot;``, ``#lt;``, ``#gt;``, ``#amp;``, ``#35;``, ...).
    Mermaid cannot show the character pairs ``ﬂ°`` and ``¶ß`` (its own placeholders for codes).
    """
    out = _NEEDS_CODE.sub(_code, " ".join(text.split()))
    if out.startswith("`"):
        out = "#96;" + out[1:]
    if out.endswith("`"):
        out = out[:-1] + "#96;"
    return out


def _front_matter(title: str) -> list[str]:
    """The front matter with the diagram's title, or none when Mermaid could not show the title as written."""
    title = " ".join(title.split())
    if _TITLE_UNSHOWABLE.search(title):
        return []
    # YAML, drawn as plain text (no entity codes): a JSON string is a YAML one, once the characters that
    # YAML does not allow written as they are (DEL, C1 controls, U+FFFE/FFFF) are escaped too
    quoted = _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(title, ensure_ascii=False))
    return ["---", f"title: {quoted}", "---"]


def mermaid_id(component_id: str) -> str:
    """The Mermaid node id of a component: its own id, unless that is a Mermaid keyword."""
    return f"c_{component_id}" if component_id in RESERVED or component_id.lower() == "end" else component_id


def _group_ids(groups: list[str], node_ids: set[str]) -> dict[str, str]:
    """Subgraph ids: ``group_`` and the group's letters, digits and ``_`` (others as ``_``), made unique
    (``_2``, ``_3``, ... in order) when two groups, or a group and a node, would share one."""
    taken, ids = set(node_ids), {}
    for group in groups:
        base = "group_" + "".join(ch if (ch.isascii() and ch.isalnum()) or ch == "_" else "_" for ch in group)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[group] = candidate
    return ids


def to_mermaid(blueprint: Blueprint, view: str = "all", direction: str | None = None, detail: str = "full") -> str:
    """The diagram as Mermaid ``flowchart`` text, deterministic for a given blueprint.

    ``detail`` ``grouped`` draws fanned telemetry and deploy flows as one link each group, labelled with
    the count, as the picture does (:func:`~mlsd_diagram.outputs.dot.flow_groups`); ``full`` (the default
    here; ``mlsd render`` passes its ``--detail``) draws every flow.
    """
    if detail not in DETAILS:
        raise UnknownDetail(f"unknown detail {detail!r}; expected one of: {', '.join(DETAILS)}")
    if view == "request":  # the request view is a sequenceDiagram (see .request_view)
        from .request_view import request_mermaid

        return request_mermaid(blueprint)
    rankdir = check_direction(direction, view)
    if view == "overview":
        return _overview_mermaid(blueprint, rankdir)
    selected = select_view(blueprint.graph, view, detail)
    order, members, _ = layout_plan(blueprint, selected)
    ends = flow_ends(blueprint)
    title = blueprint.name + ("" if view == "all" else f" ({view} view)")
    group_ids = _group_ids(order, {mermaid_id(cid) for cid in selected.components})
    lines = [*_front_matter(title), f"flowchart {rankdir}"]
    for group in order:
        lines.append(f'  subgraph {group_ids[group]}["{escape_label(group_label(group))}"]')
        for cid in members[group]:
            component = blueprint.components[cid]
            text = escape_label(component.label or cid)
            if component.tech:
                text += f"<br/><small>{escape_label(component.tech)}</small>"
            lines.append(f'    {mermaid_id(cid)}["{text}"]')
        lines.append("  end")
    grouped = flow_groups(blueprint, selected) if detail == "grouped" else []
    first_of = {g.flows[0]: g for g in grouped}  # a group is drawn where its first flow would be
    in_group = {i for g in grouped for i in g.flows}
    link_styles = []
    drawn = [i for i in selected.flows if i not in in_group or i in first_of]
    for n, index in enumerate(drawn):
        u, v, mode = ends[index]
        data = blueprint.flows[index].data
        label = f'|"{escape_label(data)}"|' if data else ""
        if index in first_of:  # node to node (Mermaid cannot clip a link at a subgraph's frame as dot does)
            fan = first_of[index]
            u, v = fan.tail, fan.head
            what = "telemetry" if mode == "telemetry" else "deploys"
            label = f'|"{what} \u00d7{len(fan.flows)}"|'
        width = {"request": "3px", "deploy": "2px", "fallback": "2px"}.get(mode, "1.5px")
        if index in first_of:
            width = f"{float(width[:-2]) + 0.6:g}px"
        lines.append(f"  {mermaid_id(u)} {ARROWS[mode]}{label} {mermaid_id(v)}")
        style = MODE_STYLES[mode]
        link_styles.append(f"  linkStyle {n} stroke:{style.color},stroke-width:{width},color:{style.color}")
    lines.extend(link_styles)
    for group in order:
        fill, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
        lines.append(f"  style {group_ids[group]} fill:{fill},stroke:{border},color:{ink}")
    return "\n".join(lines) + "\n"


def _overview_mermaid(blueprint: Blueprint, rankdir: str) -> str:
    """The overview as a flowchart: one node per stage (``stage_`` ids), one link per ordered pair of stages
    labelled with the count of each mode, drawn in the style of its most online mode."""
    summary = overview(blueprint.graph)
    ends = flow_ends(blueprint)
    order, _, _ = layout_plan(blueprint, select_view(blueprint.graph, "all"))
    ids = {g: i.replace("group_", "stage_", 1) for g, i in _group_ids(order, set()).items()}
    lines = [*_front_matter(f"{blueprint.name} (overview view)"), f"flowchart {rankdir}"]
    for stage in order:
        count = len(summary.stages[stage])
        lines.append(
            f'  {ids[stage]}["{escape_label(group_label(stage))}<br/><small>{count} '
            f'component{"s" if count != 1 else ""}</small>"]'
        )
    link_styles = []
    for n, ((a, b), flows) in enumerate(summary.links.items()):
        counts: dict[str, int] = {}
        for i in flows:
            counts[ends[i][2]] = counts.get(ends[i][2], 0) + 1
        modes = [m for m in MODE_STYLES if m in counts]
        label = ", ".join(f"{m} \u00d7{counts[m]}" for m in modes)
        lines.append(f'  {ids[a]} {ARROWS[modes[0]]}|"{escape_label(label)}"| {ids[b]}')
        style = MODE_STYLES[modes[0]]
        link_styles.append(f"  linkStyle {n} stroke:{style.color},stroke-width:2px,color:{style.color}")
    lines.extend(link_styles)
    for stage in order:
        fill, border, ink = STAGE_COLOURS.get(stage, NEUTRAL_COLOURS)
        lines.append(f"  style {ids[stage]} fill:{fill},stroke:{border},color:{ink}")
    return "\n".join(lines) + "\n"
