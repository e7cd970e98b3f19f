"""Where requests go: the entry points and the request path, one definition with one name per meaning.

An *entry point* is a client-stage component (built-in or custom kind) that sends request flows.
The *request path* is every component an entry point reaches over request flows, entry points
excluded, in declaration order. The walk itself is the serving model's (:class:`.serving.ServingModel`,
``entries`` and ``request_path``); everything that asks "what is on the request path" asks here:

- :func:`request_path`: the request path (entry points excluded);
- :func:`entries_and_request_path`: the entry points, and the entry points with the request path
  (the doc's serving section lists both);
- :func:`knock_out_scope`: the entry points and what they reach over request *and fallback* flows,
  the only components whose knock-out can change what an entry point gets (the page's table);
- :func:`graph_request_path`: the same definition over a blueprint graph (the diagram views).

Each is O(components + flows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .serving import ServingModel, reachable_components
from .serving import graph_request_path as _graph_request_path

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from ..blueprint.models import Blueprint


def entry_points(blueprint: Blueprint, model: ServingModel | None = None) -> list[str]:
    """Client-stage components that send request flows, in declaration order."""
    return list((model or ServingModel(blueprint)).entries)


def request_path(blueprint: Blueprint, model: ServingModel | None = None) -> list[str]:
    """Components reached from an entry point over request flows (entry points excluded), declaration order.

    ``model``: the blueprint's serving model when the caller has one (it holds the walk).
    """
    return list((model or ServingModel(blueprint)).request_path)


def entries_and_request_path(blueprint: Blueprint, model: ServingModel | None = None) -> tuple[list[str], list[str]]:
    """``(entry points, entry points and request path)``, both in declaration order."""
    model = model or ServingModel(blueprint)
    on_path = set(model.entries) | set(model.request_path)
    return list(model.entries), [cid for cid in blueprint.components if cid in on_path]


def knock_out_scope(blueprint: Blueprint, model: ServingModel | None = None) -> list[str]:
    """Entry points and what they reach over request and fallback flows, sorted by id.

    Only these can change what a knock-out shows; knocking any other component out changes nothing.
    ``model``: the blueprint's serving model, when the caller has one.
    """
    return sorted(reachable_components(blueprint, model))


def graph_request_path(graph: nx.MultiDiGraph) -> tuple[list[str], list[str]]:
    """``(entry points, request path)`` of a blueprint graph (``Blueprint.graph``), as :func:`request_path`."""
    return _graph_request_path(graph)


__all__ = ["entries_and_request_path", "entry_points", "graph_request_path", "knock_out_scope", "request_path"]
