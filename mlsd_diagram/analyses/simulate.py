"""Failure and latency simulation over the request path.

The serving model (documented in the README, "Simulate"):

- A request enters at an *entry point* (a client-stage component that sends
  request flows) and needs every component it calls over request flows, which
  need every component they call, and so on.
- A call to a DEGRADE component (cache, fallback ranker, predictions store) is
  optional when the caller makes other calls too: losing a cache is a miss.
- When a component is knocked out, or one of its required calls fails, its
  callers are served *degraded* if it declares a ``fallback`` flow to a live
  component, or if it has a live DEGRADE component among its own calls (the
  last served answer); otherwise it is *down*, and the failure moves up.

Each knock-out only re-evaluates the components upstream of what was knocked
out, so one knock-out costs O(ancestors); knocking out every request-path
component in turn is O(R * A) for R request-path components with A ancestors on
average (quadratic at worst, for a single deep chain).
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import Iterable

import networkx as nx

from ..blueprint.models import Blueprint

SERVED, DEGRADED, DOWN = "served", "degraded", "down"


class ServingModel:
    """The request and fallback flows of a blueprint, prepared for repeated knock-outs."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        graph = blueprint.graph
        self.order_ids = list(blueprint.components)
        self.calls: dict[str, list[str]] = {c: [] for c in self.order_ids}
        self.fallbacks: dict[str, list[str]] = {c: [] for c in self.order_ids}
        self.call_flows: dict[tuple[str, str], list[int]] = {}
        self.fallback_flows: dict[tuple[str, str], list[int]] = {}
        self.callers: dict[str, set[str]] = {c: set() for c in self.order_ids}
        for index, flow in enumerate(blueprint.flows):
            u, v = flow.source, flow.target
            if flow.mode.value == "request":
                if v not in self.calls[u]:
                    self.calls[u].append(v)
                self.call_flows.setdefault((u, v), []).append(index)
                self.callers[v].add(u)
            elif flow.mode.value == "fallback":
                if v not in self.fallbacks[u]:
                    self.fallbacks[u].append(v)
                self.fallback_flows.setdefault((u, v), []).append(index)
                self.callers[v].add(u)  # u's state depends on v's
        self.degrade = {c for c in self.order_ids if "DEGRADE" in graph.nodes[c]["roles"]}
        self.entries = [c for c in self.order_ids
                        if graph.nodes[c]["stage"] == "client" and self.calls[c]]

    @cached_property
    def relevant(self) -> list[str]:
        """Components reachable from an entry point over request and fallback flows, callees first."""
        seen: set[str] = set()
        order: list[str] = []
        # Iterative post-order DFS: callees (and fallback targets) before their callers.
        for root in self.entries:
            if root in seen:
                continue
            seen.add(root)
            stack = [(root, iter(self.calls[root] + self.fallbacks[root]))]
            while stack:
                node, children = stack[-1]
                for child in children:
                    if child not in seen:
                        seen.add(child)
                        stack.append((child, iter(self.calls[child] + self.fallbacks[child])))
                        break
                else:
                    stack.pop()
                    order.append(node)
        return order

    @cached_property
    def position(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.relevant)}

    @cached_property
    def request_path(self) -> list[str]:
        """Components reachable over request flows from an entry point, entry points excluded."""
        seen = set(self.entries)
        queue = deque(self.entries)
        while queue:
            for v in self.calls[queue.popleft()]:
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
        entries = set(self.entries)
        return [c for c in self.order_ids if c in seen and c not in entries]

    def upstream(self, knocked: Iterable[str]) -> set[str]:
        """The knocked-out components and every component whose state depends on them."""
        found = {c for c in knocked if c in self.position}
        queue = deque(found)
        while queue:
            for caller in self.callers[queue.popleft()]:
                if caller not in found and caller in self.position:
                    found.add(caller)
                    queue.append(caller)
        return found

    def states(self, knocked: set[str]) -> dict[str, str]:
        """The state of every component affected by knocking out ``knocked`` (others are served)."""
        affected = sorted(self.upstream(knocked), key=self.position.__getitem__)
        state: dict[str, str] = {}

        def get(c: str) -> str:
            return state.get(c, SERVED if c not in affected_set else DOWN)  # DOWN: a back edge of a cycle

        affected_set = set(affected)
        for node in affected:
            state[node] = self._evaluate(node, knocked, get)
        return state

    def _evaluate(self, node: str, knocked: set[str], get) -> str:
        if node in knocked:
            return DEGRADED if any(get(f) != DOWN for f in self.fallbacks[node]) else DOWN
        calls = self.calls[node]
        failed = degraded = spare = False
        for callee in calls:
            s = get(callee)
            optional = callee in self.degrade and len(calls) > 1
            if s == DOWN:
                failed = failed or not optional
            else:
                degraded = degraded or s == DEGRADED
                spare = spare or callee in self.degrade
        if failed:
            if spare or any(get(f) != DOWN for f in self.fallbacks[node]):
                return DEGRADED
            return DOWN
        return DEGRADED if degraded else SERVED

    def down_entries(self, knocked: set[str]) -> list[str]:
        """Entry points that are down with ``knocked`` out (cost: the affected components only)."""
        state = self.states(knocked)
        return sorted((c for c, s in state.items() if s == DOWN and c in self.entry_set), key=self.index.__getitem__)

    @cached_property
    def entry_set(self) -> set[str]:
        return set(self.entries)

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.order_ids)}

    def entry_states(self, knocked: set[str]) -> dict[str, str]:
        """Entry point -> served / degraded / down with ``knocked`` out."""
        state = self.states(knocked)
        return {e: state.get(e, SERVED) for e in self.entries}


def _model(blueprint: Blueprint) -> ServingModel:
    # One ServingModel per blueprint object, kept on it like the graph is.
    cache = blueprint.__dict__.setdefault("_mlsd_serving_model", None)
    if cache is None:
        cache = ServingModel(blueprint)
        blueprint.__dict__["_mlsd_serving_model"] = cache
    return cache


def entry_points(blueprint: Blueprint) -> list[str]:
    """Client-stage components that send request flows, in declaration order."""
    return list(_model(blueprint).entries)


def _check_ids(blueprint: Blueprint, components: Iterable[str]) -> set[str]:
    chosen = set(components)
    unknown = sorted(chosen - set(blueprint.components))
    if unknown:
        raise KeyError(f"not a component: {', '.join(unknown)}")
    return chosen


def knock_out(blueprint: Blueprint, components: set[str]) -> dict[str, str]:
    """Knock ``components`` out together: each entry point -> ``served``, ``degraded`` or ``down``.

    Raises KeyError when an id is not a component.
    """
    return _model(blueprint).entry_states(_check_ids(blueprint, components))


def knock_out_detail(blueprint: Blueprint, components: set[str]) -> dict:
    """Like :func:`knock_out`, plus what still answers, for drawing a knock-out (the live preview).

    Returns ``{"entry_points": {ID: STATE}, "states": {ID: STATE}, "components": [...],
    "flows": [...]}``: ``states`` has the state of every component on the request path
    and its fallbacks (knocked-out ones are ``down``; a live one is ``degraded`` when it
    answers through a fallback or a cache); ``components`` are those still reached by live requests
    from an entry point (entry points included, declaration order); ``flows`` are the
    indices of the request and fallback flows those requests still travel, ascending.
    """
    model = _model(blueprint)
    knocked = _check_ids(blueprint, components)
    affected = model.states(knocked)
    state = {c: affected.get(c, SERVED) for c in [*model.entries, *model.request_path]}
    for c in model.relevant:
        state.setdefault(c, affected.get(c, SERVED))
    reached: set[str] = set()
    flows: set[int] = set()
    queue = deque(e for e in model.entries if state[e] != DOWN)
    reached.update(queue)
    while queue:
        node = queue.popleft()
        targets: list[tuple[str, list[int]]] = []
        if state.get(node) == DEGRADED:  # it answers through its fallbacks (if it has live ones)
            targets += [(f, model.fallback_flows[(node, f)]) for f in model.fallbacks[node]
                        if state.get(f, SERVED) != DOWN]
        for callee in model.calls[node]:
            if state.get(callee, SERVED) == DOWN:
                continue
            if callee in knocked:  # the caller is answered by the knocked-out callee's fallbacks
                for f in model.fallbacks[callee]:
                    if state.get(f, SERVED) != DOWN:
                        targets.append((f, model.fallback_flows[(callee, f)]))
            else:
                targets.append((callee, model.call_flows[(node, callee)]))
        for target, indices in targets:
            flows.update(indices)
            if target not in reached:
                reached.add(target)
                queue.append(target)
    return {
        "entry_points": {e: state[e] for e in model.entries},
        "states": {c: DOWN if c in knocked else state[c] for c in model.order_ids if c in state},
        "components": [c for c in model.order_ids if c in reached],
        "flows": sorted(flows),
    }


def single_points_of_failure(blueprint: Blueprint) -> list[dict]:
    """Request-path components whose loss alone takes an entry point down and that have < 2 replicas.

    Each item: ``{"component": ID, "replicas": N, "entry_points": [IDs taken down]}``.
    """
    model = _model(blueprint)
    result = []
    for c in model.request_path:
        replicas = blueprint.components[c].replicas or 1
        if replicas >= 2:
            continue
        down = model.down_entries({c})
        if down:
            result.append({"component": c, "replicas": replicas, "entry_points": down})
    return result


def _number(x: float) -> float | int:
    x = round(x, 3)
    return int(x) if float(x).is_integer() else x


def request_latency(blueprint: Blueprint) -> dict[str, dict]:
    """The slowest request path from each entry point and its summed p99 latency.

    Returns ``{ENTRY: {"path": [...], "p99_ms": N, "slo_ms": N or None, "missing": [...]}}``:
    ``path`` goes from the entry point along request flows to the slowest leaf,
    ``p99_ms`` sums the declared ``latency_p99_ms`` on it, ``missing`` names the
    components reached from the entry point that declare no latency (counted as 0).
    The request flows form a DAG (validation rejects request cycles), so this is a
    longest path by dynamic programming, O(components + flows); it equals
    ``nx.dag_longest_path_length`` with each component's latency on its incoming
    request edge and ``default_weight=0``.
    """
    model = _model(blueprint)
    slo = blueprint.requirements.slo.latency_p99_ms if blueprint.requirements.slo else None
    latency = {c: blueprint.components[c].latency_p99_ms for c in model.order_ids}
    best: dict[str, tuple[float, str | None]] = {}
    for node in model.relevant:  # callees first
        tail = None
        total = 0.0
        for callee in model.calls[node]:
            if callee in best and (tail is None or best[callee][0] > total):
                total, tail = best[callee][0], callee
        best[node] = ((latency[node] or 0.0) + total, tail)
    result = {}
    for entry in model.entries:
        path = [entry]
        while best[path[-1]][1] is not None:
            path.append(best[path[-1]][1])
        seen = {entry}
        queue = deque([entry])
        while queue:
            for v in model.calls[queue.popleft()]:
                if v not in seen:
                    seen.add(v)
                    queue.append(v)
        missing = sorted((c for c in seen if c != entry and latency[c] is None), key=model.index.__getitem__)
        result[entry] = {"path": path, "p99_ms": _number(best[entry][0]),
                         "slo_ms": None if slo is None else _number(slo), "missing": missing}
    return result


def latency_graph(blueprint: Blueprint) -> nx.DiGraph:
    """The request flows as a DiGraph with each component's p99 latency on its incoming edges."""
    graph = nx.DiGraph()
    graph.add_nodes_from(blueprint.components)
    for flow in blueprint.flows:
        if flow.mode.value == "request":
            weight = blueprint.components[flow.target].latency_p99_ms
            graph.add_edge(flow.source, flow.target, **({} if weight is None else {"weight": weight}))
    return graph


def simulate(blueprint: Blueprint, knock_outs: list[set[str]] | None = None) -> dict:
    """Knock-outs, single points of failure and request latency, as the JSON of ``mlsd simulate``.

    With ``knock_outs=None`` every request-path component is knocked out in turn
    (components off the request path cannot affect serving); otherwise each given
    set is knocked out together. Returns ``{"entry_points": [...], "knock_outs":
    [{"components": [...], "entry_points": {ID: STATE}}], "single_points_of_failure":
    [...], "latency": {ID: {...}}}``.
    """
    model = _model(blueprint)
    if knock_outs is None:
        sets = [[c] for c in model.request_path]
    else:
        sets = [[c for c in model.order_ids if c in _check_ids(blueprint, s)] for s in knock_outs]
    return {
        "entry_points": list(model.entries),
        "knock_outs": [{"components": s, "entry_points": model.entry_states(set(s))} for s in sets],
        "single_points_of_failure": [item["component"] for item in single_points_of_failure(blueprint)],
        "latency": request_latency(blueprint),
    }
