"""Where things go in a diagram: clusters and their order, the back flows, flow ends and groups, direction.

What the DOT, Mermaid and editable outputs share about the layout, so none of them reads another's
private helpers. O(components + flows) each, plus 2^k k^2 for ordering k <= 8 clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..blueprint.models import Blueprint
from .style import (
    DIRECTIONS,
    GROUPED_MODES,
    LOOSE_MODES,
    ORDERING_MODES,
    STAGE_COLOURS,
    STAGE_ORDER,
    VIEW_DIRECTIONS,
)
from .views import View


class UnknownDirection(ValueError):
    """A layout direction other than LR or TB."""


def group_of(blueprint: Blueprint, component_id: str) -> str:
    """The diagram cluster of a component: its ``group`` or else its kind's stage."""
    return blueprint.components[component_id].group or blueprint.kind_of(component_id).stage.value


def group_label(group: str) -> str:
    """The title a cluster shows: a stage's name capitalised, a custom group's name as written."""
    return group.replace("_", " ").capitalize() if group in STAGE_COLOURS else group


def _cluster_order(groups: list[str], weights: dict[tuple[str, str], int]) -> list[str]:
    """Order clusters so the flows pointing backwards weigh the least (exact up to 8 clusters, else as given)."""
    n = len(groups)
    if n > 8:
        return groups
    index = {g: i for i, g in enumerate(groups)}
    # back[c][mask]: weight of flows from c to clusters already placed (a backward flow)
    out_to = [[0] * n for _ in range(n)]
    for (a, b), w in weights.items():
        out_to[index[a]][index[b]] += w
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for mask in range(1 << n):
        if mask not in best:
            continue
        cost, order = best[mask]
        for c in range(n):
            if mask & (1 << c):
                continue
            back = sum(out_to[c][x] for x in order)
            new = (cost + back, order + (c,))
            nxt = mask | (1 << c)
            if nxt not in best or new < best[nxt]:
                best[nxt] = new
    return [groups[i] for i in best[(1 << n) - 1][1]]


def layout_plan(blueprint: Blueprint, view: View) -> tuple[list[str], dict[str, list[str]], set[int]]:
    """Clusters in layout order, their components, and the *back* flows.

    A back flow closes a cycle: between clusters (against the chosen order, which
    puts the fewest request flows backwards) or inside one (a depth-first back
    edge); it is laid out reversed, so the ranking graph, clusters collapsed, is
    acyclic in that order. O(components + flows), plus 2^k k^2 for k <= 8 clusters.
    """
    members: dict[str, list[str]] = {}
    for cid in view.components:
        members.setdefault(group_of(blueprint, cid), []).append(cid)
    default = sorted(
        members,
        key=lambda g: (
            STAGE_ORDER.index(g) if g in STAGE_ORDER else len(STAGE_ORDER),
            view.components.index(members[g][0]),
        ),
    )
    group = {cid: g for g, ids in members.items() for cid in ids}
    ends = flow_ends(blueprint)
    flows = [(i, *ends[i]) for i in view.flows]
    weights: dict[tuple[str, str], int] = {}
    for _i, u, v, mode in flows:
        if group[u] != group[v] and mode in ORDERING_MODES:
            key = (group[u], group[v])
            weights[key] = weights.get(key, 0) + 1
    order = _cluster_order(default, weights)
    position = {g: k for k, g in enumerate(order)}
    back = {i for i, u, v, _ in flows if position[group[u]] > position[group[v]]}

    inner: dict[str, list[tuple[int, str]]] = {}
    for i, u, v, mode in flows:
        if group[u] == group[v] and mode not in LOOSE_MODES:
            inner.setdefault(u, []).append((i, v))
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    for root in view.components:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(inner.get(root, ())))]
        while stack:
            node, edges = stack[-1]
            for i, v in edges:
                if state.get(v) == 1:
                    back.add(i)
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(inner.get(v, ()))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return order, {g: members[g] for g in order}, back


def flow_ends(blueprint: Blueprint) -> dict[int, tuple[str, str, str]]:
    """Flow index -> (source, target, mode), the blueprint graph's edge keys and their ends."""
    return {i: (f.source, f.target, f.mode.value) for i, f in enumerate(blueprint.flows)}


def check_direction(direction: str | None, view: str = "all") -> str:
    """LR or TB; ``None`` is the view's own direction (:data:`VIEW_DIRECTIONS`, else LR)."""
    value = (direction or VIEW_DIRECTIONS.get(view, "LR")).upper()
    if value not in DIRECTIONS:
        raise UnknownDirection(f"unknown direction {direction!r}; expected LR or TB")
    return value


class UnknownDetail(ValueError):
    """A detail level other than those of :data:`DETAILS`."""


@dataclass(frozen=True)
class FlowGroup:
    """Flows drawn as one edge (detail "grouped"): same mode, same source cluster (telemetry) or source
    component (deploy), same target cluster. ``tail`` and ``head`` are the components the edge is
    attached to; it is clipped at the clusters' frames (``ltail`` / ``lhead``)."""

    mode: str
    flows: tuple[int, ...]
    tail: str
    head: str
    whole_tail: bool  # the edge leaves the source cluster's frame (telemetry), not a component


def flow_groups(blueprint: Blueprint, view: View) -> list[FlowGroup]:
    """The flows of ``view`` that detail "grouped" draws as one edge each group, in blueprint order.

    Telemetry between two clusters groups by (source cluster, target cluster), deploys by
    (source component, target cluster); a group needs two flows or more (one flow stays itself).
    """
    ends = flow_ends(blueprint)
    buckets: dict[tuple, list[int]] = {}
    for index in view.flows:
        u, v, mode = ends[index]
        if mode not in GROUPED_MODES or group_of(blueprint, u) == group_of(blueprint, v):
            continue
        source = group_of(blueprint, u) if mode == "telemetry" else u
        buckets.setdefault((mode, source, group_of(blueprint, v)), []).append(index)
    groups = []
    for (mode, _, _), indices in buckets.items():
        if len(indices) < 2:
            continue
        targets = [ends[i][1] for i in indices]
        head = max(dict.fromkeys(targets), key=targets.count)  # the most used target, first on a tie
        groups.append(FlowGroup(mode, tuple(indices), ends[indices[0]][0], head, mode == "telemetry"))
    return groups
