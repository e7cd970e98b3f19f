"""Blueprint -> Mermaid flowchart text (GitHub renders it in Markdown).

Same ids as the DOT diagram (component ids as node ids), one subgraph per
cluster, edge styles by mode (request thick, batch/deploy/fallback dotted,
colours through ``linkStyle``), and every label escaped with Mermaid's entity
codes so quotes, brackets, pipes and ``#`` never break the syntax.
Only syntax GitHub's Mermaid has long supported is used.
"""

from __future__ import annotations

from ..blueprint.models import Blueprint
from .dot import MODE_STYLES, STAGE_COLOURS, NEUTRAL_COLOURS, _check_direction, flow_ends, layout_plan
from .views import select_view

# Mermaid keywords that cannot be node ids; such components get a "c_" prefix.
RESERVED = frozenset({"end", "graph", "flowchart", "subgraph", "style", "classDef", "class", "click", "linkStyle",
                      "direction", "default", "call", "href", "callback", "interpolate", "accTitle", "accDescr"})
ARROWS = {"request": "==>", "stream": "-->", "batch": "-.->", "deploy": "-.->", "fallback": "-.->",
          "telemetry": "-->"}
_ENTITIES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "|": "#124;", "`": "#96;",
             "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "(": "#40;", ")": "#41;", ";": "#59;"}


def escape_label(text: str) -> str:
    """``text`` as the inside of a quoted Mermaid label: special characters as entity codes."""
    out = []
    for ch in " ".join(text.split()):
        out.append(_ENTITIES.get(ch, ch))
    return "".join(out)


def mermaid_id(component_id: str) -> str:
    """The Mermaid node id of a component: its own id, unless that is a Mermaid keyword."""
    return f"c_{component_id}" if component_id in RESERVED or component_id.lower() == "end" else component_id


def _group_id(group: str) -> str:
    return "group_" + "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in group)


def to_mermaid(blueprint: Blueprint, view: str = "all", direction: str = "LR") -> str:
    """The diagram as Mermaid ``flowchart`` text, deterministic for a given blueprint."""
    rankdir = _check_direction(direction)
    selected = select_view(blueprint.graph, view)
    order, members, _ = layout_plan(blueprint, selected)
    ends = flow_ends(blueprint)
    title = blueprint.name + ("" if view == "all" else f" ({view} view)")
    lines = ["---", f'title: "{escape_label(title)}"', "---", f"flowchart {rankdir}"]
    for group in order:
        label = group.capitalize() if group in STAGE_COLOURS else group
        lines.append(f'  subgraph {_group_id(group)}["{escape_label(label)}"]')
        for cid in members[group]:
            component = blueprint.components[cid]
            text = escape_label(component.label or cid)
            if component.tech:
                text += f"<br/><small>{escape_label(component.tech)}</small>"
            lines.append(f'    {mermaid_id(cid)}["{text}"]')
        lines.append("  end")
    link_styles = []
    for n, index in enumerate(selected.flows):
        u, v, mode = ends[index]
        data = blueprint.flows[index].data
        label = f'|"{escape_label(data)}"|' if data else ""
        lines.append(f"  {mermaid_id(u)} {ARROWS[mode]}{label} {mermaid_id(v)}")
        style = MODE_STYLES[mode]
        width = {"request": "3px", "deploy": "2px", "fallback": "2px"}.get(mode, "1.5px")
        link_styles.append(f"  linkStyle {n} stroke:{style.color},stroke-width:{width},color:{style.color}")
    lines.extend(link_styles)
    for group in order:
        fill, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
        lines.append(f"  style {_group_id(group)} fill:{fill},stroke:{border},color:{ink}")
    return "\n".join(lines) + "\n"
