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

from ..analyses.diff import DesignDiff, FieldChange
from ..analyses.identity import flow_ids
from ..blueprint.models import Blueprint
from .dot import Overlay
from .style import HALO, MODE_STYLES

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
# The badges' colours (dark enough for text on white); the badge's sign, not its colour, says what changed.
COLOURS = {ADDED: "#00694D", REMOVED: "#A33D00", CHANGED: "#6B4600", UNCHANGED: "#A7B0B8"}
BADGES = {ADDED: "+", REMOVED: "\u2212", CHANGED: "~"}
LEGEND = (
    (COLOURS[ADDED], BADGES[ADDED], "added"),
    (COLOURS[REMOVED], BADGES[REMOVED], "removed (dashed, where it was)"),
    (COLOURS[CHANGED], BADGES[CHANGED], "changed"),
)
SCOPES = ("changed", "all")  # the changed components and their neighbours, or the whole design
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


def diff_overlay(old: Blueprint, new: Blueprint, diff: DesignDiff, scope: str = "all") -> tuple[Blueprint, Overlay]:
    """The merged design (:func:`merged_blueprint`) and the overlay that marks it by change.

    ``scope`` ``changed`` keeps the changed components, the ends of changed flows and their neighbours
    one flow away (everything when nothing changed); ``all`` keeps everything."""
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
        tooltip = _tooltip(merged, cid, change, details.get(cid, ()), hints.get(cid, ""))
        if change == UNCHANGED:
            attrs = {"fontcolor": "#8A949C"}
        else:
            attrs = {
                "shape": "box",
                "style": "rounded,filled,dashed" if change == REMOVED else "rounded,filled",
                "color": HALO,
                "penwidth": "6",
                "margin": "0.06,0.04",
            }
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
            faded = ":".join(c if c == "transparent" else c + FADED_ALPHA for c in mode.line.split(":"))
            attrs = {"color": faded, "fontcolor": COLOURS[UNCHANGED]}
        else:  # the mode's own line, with a halo along each side
            attrs = {"color": mode.haloed(HALO), "penwidth": str(max(float(mode.penwidth), 1.6))}
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
        legend_title="Changes (highlighted in yellow):",
        legend=LEGEND,
        heading=f"changes since {diff['old']}",
        badges={cid: (BADGES[c], COLOURS[c]) for cid, c in state.items() if c != UNCHANGED},
        flow_badges={i: (BADGES[c], COLOURS[c]) for i, c in flow_state.items() if c != UNCHANGED},
        scope=None if scope == "all" else _nearby(merged, state, flow_state),
    )
    return merged, overlay


def _nearby(merged: Blueprint, state: dict[str, str], flow_state: dict[int, str]) -> frozenset[str] | None:
    """The changed components with every component one flow away from them, and the ends of changed flows;
    ``None`` (everything) when nothing changed."""
    changed = {cid for cid, change in state.items() if change != UNCHANGED}
    near = set(changed)
    for index, flow in enumerate(merged.flows):
        if flow_state[index] != UNCHANGED or flow.source in changed or flow.target in changed:
            near.update((flow.source, flow.target))
    return frozenset(near) if near else None


def _short(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "(none)" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _tooltip(blueprint: Blueprint, cid: str, change: str, details: Iterable[FieldChange], hint: str) -> str:
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
    diff: DesignDiff,
    out_dir: str | os.PathLike,
    stem: str,
    formats: Iterable[str] = ("png", "svg"),
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
    scope: str = "changed",
) -> list[Path]:
    """Write the diff diagram as ``<stem>-diff[-view].<ext>`` into ``out_dir``; return the paths.

    ``scope`` ``changed`` (the default) draws the changed components and their neighbours one flow
    away, ``all`` the whole design.

    Every view but ``overview`` (which draws stages, not the components and flows that changed):
    it raises ``ValueError``.
    """
    from .diagram import render

    if view not in DIFF_VIEWS:
        raise ValueError(
            f"the diff diagram draws components and flows; view {view!r} has none (use one of: {', '.join(DIFF_VIEWS)})"
        )

    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; expected one of: {', '.join(SCOPES)}")
    merged, overlay = diff_overlay(old, new, diff, scope)
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
