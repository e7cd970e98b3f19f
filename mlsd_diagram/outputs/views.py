"""Views: which components and flows a diagram shows.

A view is a function over the blueprint graph that returns the component ids
and flow indices to keep. ``all`` keeps everything; ``serving``, ``training``,
``data`` and ``monitoring`` cut the design down to one concern; ``overview``
keeps everything but is drawn one node per stage (see :func:`overview`). Each
runs in O(components + flows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import networkx as nx

from ..analyses.request_path import graph_request_path
from . import VIEWS


@dataclass(frozen=True)
class View:
    """The components (in blueprint order) and flows (by index) a diagram shows."""

    name: str
    components: tuple[str, ...]
    flows: tuple[int, ...]


class UnknownView(ValueError):
    """A view name that is not one of :data:`VIEWS`."""


def _flows_between(graph: nx.MultiDiGraph, keep: set[str]) -> list[int]:
    return sorted(i for u, v, i in graph.edges(keys=True) if u in keep and v in keep)


def _reach(graph: nx.MultiDiGraph, starts: set[str], modes: set[str], reverse: bool = False) -> set[str]:
    """Nodes reachable from ``starts`` over edges of ``modes`` (backwards when ``reverse``)."""
    seen = set(starts)
    stack = sorted(starts)
    while stack:
        node = stack.pop()
        edges = graph.in_edges(node, data="mode") if reverse else graph.out_edges(node, data="mode")
        for u, v, mode in edges:
            nxt = u if reverse else v
            if mode in modes and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _with_kind(graph: nx.MultiDiGraph, *kinds: str) -> set[str]:
    return {n for n, kind in graph.nodes(data="kind") if kind in kinds}


def _with_stage(graph: nx.MultiDiGraph, *stages: str) -> set[str]:
    return {n for n, stage in graph.nodes(data="stage") if stage in stages}


def shown_request_path(graph: nx.MultiDiGraph) -> set[str]:
    """The entry points and their request path (``analyses.serving``; a custom client-stage kind
    is an entry point too); every request endpoint when no entry point sends requests."""
    entries, path = graph_request_path(graph)
    if entries:
        return set(entries) | set(path)
    return {n for u, v, mode in graph.edges(data="mode") if mode == "request" for n in (u, v)}


def serving_view(graph: nx.MultiDiGraph, deploys: bool = True, feeders: bool = True) -> set[str]:
    """The request path, the fallbacks of its components, and what feeds them directly.

    Direct dependencies are the sources of stream, batch and deploy flows into a
    request-path component (feature pipelines, index builders, rollout); without ``deploys``,
    the sources of deploy flows only (a rollout controller) are left out; without ``feeders``, every
    one of them (see :func:`left_out_feeders`).
    """
    path = shown_request_path(graph)
    keep = _reach(graph, path, {"fallback"})
    if not feeders:
        return keep
    feeds = ("stream", "batch", "deploy") if deploys else ("stream", "batch")
    for u, v, mode in graph.edges(data="mode"):
        if v in path and mode in feeds:
            keep.add(u)
    return keep


def left_out_feeders(graph: nx.MultiDiGraph, shown: Iterable[str]) -> dict[str, list[str]]:
    """What feeds the ``shown`` components over stream and batch flows without being shown itself: shown
    component -> its feeders, both in blueprint order (the serving view's "fed by" caption). O(flows)."""
    shown = set(shown)
    fed: dict[str, set[str]] = {}
    for u, v, mode in graph.edges(data="mode"):
        if v in shown and u not in shown and mode in ("stream", "batch"):
            fed.setdefault(v, set()).add(u)
    return {v: [n for n in graph.nodes if n in fed[v]] for v in graph.nodes if v in fed}


def training_view(graph: nx.MultiDiGraph) -> set[str]:
    """The offline path: everything feeding a model registry over stream and batch flows.

    Online components (client, serving) and monitoring are left out; when no
    registry exists, training pipelines are the end points instead.
    """
    ends = _with_kind(graph, "model_registry") or _with_kind(graph, "training_pipeline")
    ancestors = _reach(graph, ends, {"stream", "batch"}, reverse=True)
    keep = {n for n in ancestors if graph.nodes[n]["stage"] in ("data", "features", "training")}
    return keep | _with_stage(graph, "training")


def data_view(graph: nx.MultiDiGraph) -> set[str]:
    """Data and feature components with their direct stream and batch producers and consumers."""
    core = _with_stage(graph, "data", "features")
    keep = set(core)
    for u, v, mode in graph.edges(data="mode"):
        if mode in ("stream", "batch") and (u in core or v in core):
            keep.update((u, v))
    return keep


def monitoring_view(graph: nx.MultiDiGraph) -> set[str]:
    """Monitoring components, what sends them telemetry, and what their alerts trigger."""
    core = _with_stage(graph, "monitoring") | {n for n, roles in graph.nodes(data="roles") if "MONITOR" in roles}
    keep = set(core)
    for u, v, mode in graph.edges(data="mode"):
        if v in core or (u in core and mode != "request"):
            keep.update((u, v))
    return keep


_SELECTORS: dict[str, Callable[[nx.MultiDiGraph], set[str]]] = {
    "serving": serving_view,
    "training": training_view,
    "data": data_view,
    "monitoring": monitoring_view,
}


def stage_of(graph: nx.MultiDiGraph, component_id: str) -> str:
    """The stage a component is drawn in: its ``group``, or else its kind's stage (the diagram's cluster)."""
    node = graph.nodes[component_id]
    return node.get("group") or node["stage"]


@dataclass(frozen=True)
class Overview:
    """The design one level up: its stages, and the flows between each ordered pair of stages.

    ``stages`` maps each stage (a cluster of the full diagram) to its components in blueprint
    order, stages in order of their first component; ``links`` maps (from stage, to stage)
    to the indices of the flows between them, in blueprint order; ``inner`` counts the flows
    that stay inside each stage.
    """

    stages: dict[str, tuple[str, ...]]
    links: dict[tuple[str, str], tuple[int, ...]]
    inner: dict[str, int]


def overview(graph: nx.MultiDiGraph) -> Overview:
    """The :class:`Overview` of ``graph``, in O(components + flows)."""
    stages: dict[str, list[str]] = {}
    for cid in graph.nodes:
        stages.setdefault(stage_of(graph, cid), []).append(cid)
    links: dict[tuple[str, str], list[int]] = {}
    inner = dict.fromkeys(stages, 0)
    for u, v, index in sorted(graph.edges(keys=True), key=lambda e: e[2]):
        a, b = stage_of(graph, u), stage_of(graph, v)
        if a == b:
            inner[a] += 1
        else:
            links.setdefault((a, b), []).append(index)
    return Overview({s: tuple(ids) for s, ids in stages.items()}, {k: tuple(v) for k, v in links.items()}, inner)


def stage_pairs(summary: Overview) -> dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]]:
    """The overview's links merged per pair of stages, both directions on one: ``(a, b)`` (in order of first
    flow) -> (flow indices a -> b, flow indices b -> a)."""
    pairs: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for (a, b), flows in summary.links.items():
        if (b, a) in pairs:
            forward, _ = pairs[(b, a)]
            pairs[(b, a)] = (forward, flows)
        else:
            pairs[(a, b)] = (flows, ())
    return pairs


# The views about some stages: a component of another stage that such a view shows (a producer or consumer of
# its data) is borrowed, drawn small by name and without its stage's frame (see :func:`borrowed`).
OWN_STAGES: dict[str, tuple[str, ...]] = {"data": ("data", "features")}


def borrowed(graph: nx.MultiDiGraph, view: View) -> frozenset[str]:
    """The components ``view`` shows from stages it is not about (:data:`OWN_STAGES`): none for most views."""
    own = OWN_STAGES.get(view.name)
    if own is None:
        return frozenset()
    return frozenset(c for c in view.components if graph.nodes[c]["stage"] not in own)


def framed_groups(groups: dict[str, list[str]] | dict[str, tuple[str, ...]], loose: frozenset[str]) -> list[str]:
    """The groups drawn in a frame: those with a member that is not borrowed (``loose``)."""
    return [g for g, members in groups.items() if any(c not in loose for c in members)]


def select_view(graph: nx.MultiDiGraph, name: str = "all", detail: str = "full") -> View:
    """The :class:`View` called ``name`` of ``graph`` (one of :data:`VIEWS`).

    At ``detail`` ``grouped`` the serving view is the request path and its fallbacks only: deploy flows and
    the components feeding the path from outside it (feature pipelines, stream jobs, training) are left out
    (they cut across the request path and make the picture too wide for a page; :func:`left_out_feeders`
    names them and the feeders of the fallbacks, and ``detail="full"`` draws those of the path)."""
    if name not in VIEWS:
        raise UnknownView(f"unknown view {name!r}; expected one of: {', '.join(VIEWS)}")
    if name in ("all", "overview"):  # the overview summarises everything
        keep = set(graph.nodes)
    elif name == "serving" and detail == "grouped":
        keep = serving_view(graph, deploys=False, feeders=False)
    else:
        keep = _SELECTORS[name](graph)
    components = tuple(n for n in graph.nodes if n in keep)
    flows = _flows_between(graph, keep)
    if name == "serving" and detail == "grouped":
        deploys = {key for _, _, key, mode in graph.edges(keys=True, data="mode") if mode == "deploy"}
        flows = [i for i in flows if i not in deploys]
    return View(name, components, tuple(flows))
