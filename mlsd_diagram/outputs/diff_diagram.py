"""The diff diagram: the new design drawn with what changed since the old one.

Added components and flows are green, changed ones amber, unchanged ones faded; removed
ones are put back where they were (their old group, next to the components they followed,
with their old flows) and drawn dashed in red. It is the usual diagram (:func:`.dot.to_dot`)
of a merged design, restyled through an :class:`~.dot.Overlay`, so every view, direction
and format works as for ``mlsd render``. In the SVG every component keeps ``id="component-ID"``
and every flow ``id="flow-N"`` (N: its index in the new blueprint; a removed flow is
``flow-old-N``, its index in the old one), each with a class ``diff-added``, ``diff-removed``,
``diff-changed`` or ``diff-unchanged`` beside Graphviz's ``node`` / ``edge``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..analyses.identity import flow_ids
from ..blueprint.models import Blueprint
from .dot import MODE_STYLES, Overlay

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
COLOURS = {ADDED: "#2E7D32", REMOVED: "#C62828", CHANGED: "#E08600", UNCHANGED: "#A7B0B8"}
LEGEND = (
    (COLOURS[ADDED], "\u25a0", "added"),
    (COLOURS[REMOVED], "\u254c\u254c", "removed (dashed, where it was)"),
    (COLOURS[CHANGED], "\u25a0", "changed"),
    (COLOURS[UNCHANGED], "\u25a0", "unchanged"),
)
# The PNG cannot fade the icons of unchanged components; the SVG can.
SVG_STYLE = ".diff-unchanged{opacity:.45}"
FADED_ALPHA = "66"  # unchanged flows keep their mode's colour at 40% opacity


def merged_blueprint(old: Blueprint, new: Blueprint) -> tuple[Blueprint, dict[int, int]]:
    """The new design with the removed components and flows put back: (blueprint, merged flow index -> old index).

    A removed component comes right after the component it followed in the old design (or
    first), keeping its old fields, so it lands in its old group; removed flows come after
    the new ones. Only for drawing: the result is not validated as a design (a removed
    request flow may close a cycle with the new ones).
    """
    new_data = new.model_dump(mode="json", by_alias=True, exclude={"lint"})
    components = dict(new_data["components"])
    order = list(components)
    old_order = list(old.components)
    position = {cid: i for i, cid in enumerate(order)}
    inserted: dict[int, list[str]] = {}  # index in `order` after which removed ids go (-1: first)
    anchor = -1
    for cid in old_order:
        if cid in position:
            anchor = position[cid]
        else:
            inserted.setdefault(anchor, []).append(cid)
    merged_order = list(inserted.get(-1, []))
    for i, cid in enumerate(order):
        merged_order.append(cid)
        merged_order += inserted.get(i, [])
    for cid in old_order:
        if cid not in components:
            components[cid] = old.components[cid].model_dump(mode="json")
    new_ids = set(flow_ids(new))
    old_names = flow_ids(old)
    flows = list(new_data["flows"])
    back: dict[int, int] = {}
    for index, flow in enumerate(old.flows):
        if old_names[index] not in new_ids:
            back[len(flows)] = index
            flows.append(flow.model_dump(mode="json", by_alias=True))
    kinds = {**old.model_dump(mode="json", by_alias=True)["kinds"], **new_data["kinds"]}
    data = {**new_data, "kinds": kinds, "components": {cid: components[cid] for cid in merged_order}, "flows": flows}
    # context "located": skip the design checks, as the loader does after checking a file itself
    merged = Blueprint.model_validate(data, context={"located": True})
    merged._file = new.file
    return merged, back


def diff_overlay(old: Blueprint, new: Blueprint, diff: dict) -> tuple[Blueprint, Overlay]:
    """The merged design (:func:`merged_blueprint`) and the overlay that colours it by change."""
    merged, back = merged_blueprint(old, new)
    comps = diff["components"]
    state = dict.fromkeys(merged.components, UNCHANGED)
    state.update({c["id"]: ADDED for c in comps["added"]})
    state.update({c["id"]: REMOVED for c in comps["removed"]})
    details = {c["id"]: c["changes"] for c in comps["changed"]}
    state.update(dict.fromkeys(details, CHANGED))
    hints = {c["id"]: c.get("hint", "") for c in (*comps["added"], *comps["removed"])}
    components = {}
    for cid, change in state.items():
        colour = COLOURS[change]
        tooltip = _tooltip(merged, cid, change, details.get(cid, ()), hints.get(cid, ""))
        if change == UNCHANGED:
            attrs = {"fontcolor": "#8A949C"}
        else:
            attrs = {
                "shape": "box",
                "style": "rounded,filled,dashed,bold" if change == REMOVED else "rounded,filled,bold",
                "color": colour,
                "penwidth": "2.4",
                "margin": "0.06,0.04",
            }
            if change == REMOVED:
                attrs["fontcolor"] = colour
        components[cid] = {**attrs, "class": f"diff-{change}", "tooltip": tooltip}
    flow_state = {}
    added = {f["id"] for f in diff["flows"]["added"]}
    changed = {f["id"]: f["changes"] for f in diff["flows"]["changed"]}
    names = flow_ids(merged)
    for index, name in enumerate(names):
        if index in back:
            flow_state[index] = REMOVED
        elif name in added:
            flow_state[index] = ADDED
        elif name in changed:
            flow_state[index] = CHANGED
        else:
            flow_state[index] = UNCHANGED
    flows = {}
    for index, change in flow_state.items():
        flow = merged.flows[index]
        mode = MODE_STYLES[flow.mode.value]
        if change == UNCHANGED:
            attrs = {"color": mode.color + FADED_ALPHA, "fontcolor": COLOURS[UNCHANGED]}
        else:
            attrs = {
                "color": COLOURS[change],
                "fontcolor": COLOURS[change],
                "penwidth": str(max(float(mode.penwidth), 2.0)),
            }
            if change == REMOVED:
                attrs["style"] = "dashed"
        text = f"{flow.source} \u2192 {flow.target} ({flow.mode.value})" + (f": {flow.data}" if flow.data else "")
        what = f"{change}" + (
            "".join(
                f"\n{c['field']}: {_short(c['old'])} \u2192 {_short(c['new'])}" for c in changed.get(names[index], ())
            )
            if change == CHANGED
            else ""
        )
        flows[index] = {**attrs, "class": f"diff-{change}", "tooltip": f"{text}\n{what}"}
        if change == REMOVED:
            flows[index]["id"] = f"flow-old-{back[index]}"
    overlay = Overlay(
        components=components,
        flows=flows,
        legend_title="Changes:",
        legend=LEGEND,
        heading=f"changes since {diff['old']}",
    )
    return merged, overlay


def _short(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "(none)" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _tooltip(blueprint: Blueprint, cid: str, change: str, details: Iterable[dict], hint: str) -> str:
    component = blueprint.components[cid]
    lines = [
        f"{component.label or cid} ({cid}): {change}" + (f", {hint}" if hint else ""),
        f"kind: {blueprint.kind_of(cid).name}",
    ]
    lines += [f"{c['field']}: {_short(c['old'])} \u2192 {_short(c['new'])}" for c in details]
    return "\n".join(lines)


# The views whose pictures show components and flows, so that a change can be coloured on them.
DIFF_VIEWS = ("all", "serving", "training", "data", "monitoring")


def render_diff(
    old: Blueprint,
    new: Blueprint,
    diff: dict,
    out_dir: str | os.PathLike,
    stem: str,
    formats: Iterable[str] = ("png", "svg"),
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write the diff diagram as ``<stem>-diff[-view].<ext>`` into ``out_dir``; return the paths.

    Every view but ``overview`` (which draws stages, not the components and flows that changed):
    it raises ``ValueError``.
    """
    from .diagram import render

    if view not in DIFF_VIEWS:
        raise ValueError(
            f"the diff diagram draws components and flows; view {view!r} has none (use one of: {', '.join(DIFF_VIEWS)})"
        )

    merged, overlay = diff_overlay(old, new, diff)
    return render(
        merged,
        formats=formats,
        out_dir=out_dir,
        stem=f"{stem}-diff",
        view=view,
        direction=direction,
        scale=scale,
        overlay=overlay,
        svg_style=SVG_STYLE,
        detail="full",
    )  # every flow shows its change
