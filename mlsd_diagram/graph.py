"""Blueprint -> networkx graph: the one place that builds it."""

from __future__ import annotations

import networkx as nx

from .blueprint.models import Blueprint
from .collector import collector_paused


def build_graph(blueprint: Blueprint) -> nx.MultiDiGraph:
    """A MultiDiGraph with one node per component and one edge per flow.

    Node attributes: the component's fields, plus ``kind`` (canonical name),
    ``kind_written``, ``stage`` and ``roles`` (a frozenset of role names).
    Edge attributes: the flow's fields with ``mode`` as a string, plus ``index``
    (the flow's position in ``flows``); the edge key is that index too.
    O(components + flows).
    """
    with collector_paused():
        return _build(blueprint)


def _build(blueprint: Blueprint) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name=blueprint.name)
    for cid, component in blueprint.components.items():
        kind = blueprint.kind_of(cid)
        attrs = component.model_dump(mode="json")
        attrs.update(
            kind=kind.name,
            kind_written=component.kind,
            stage=kind.stage.value,
            roles=frozenset(r.value for r in kind.roles),
            custom_kind=kind.custom,
        )
        graph.add_node(cid, **attrs)
    for index, flow in enumerate(blueprint.flows):
        attrs = flow.model_dump(mode="json", by_alias=False)
        attrs["index"] = index
        graph.add_edge(flow.source, flow.target, key=index, **attrs)
    return graph


def subgraph_by_mode(graph: nx.MultiDiGraph, *modes: str) -> nx.DiGraph:
    """A simple DiGraph over all nodes with only the edges of the given modes."""
    result = nx.DiGraph()
    result.add_nodes_from(graph.nodes(data=True))
    result.add_edges_from((u, v) for u, v, mode in graph.edges(data="mode") if mode in modes)
    return result
