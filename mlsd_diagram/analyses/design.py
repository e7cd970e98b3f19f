"""A read-only view of a blueprint with the derived facts the rules ask about.

Built once per lint run from the blueprint (the facts of its graph, without building one), in three
parts by concern, each its own module:

- what each component is (roles, stage, kind, traits): :class:`~.component_facts.ComponentFacts`,
  which a :class:`Design` is, so rules write ``d.is_(c, "SERVE")``, ``d.has(c, T.TRAINER)``,
  ``d.stage[c]``;
- the flows as a graph (per-mode adjacency, walks): :class:`~.flow_graph.FlowGraph`, ``d.graph``;
- the machine-learning facts (trainers, live data, feature inputs, data lineage):
  :class:`~.ml_facts.MLFacts`, ``d.ml``.

Here: the request side (entry points, the request path and who it serves, the serving model) and
what findings need (locations, names). Derived sets are computed on first use and cached. Nothing
here mutates the blueprint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from ..blueprint.models import Blueprint
from . import traits as T
from .component_facts import ComponentFacts
from .flow_graph import DATA_MODES, MODES
from .ml_facts import MLFacts
from .request_path import entry_points, request_path
from .serving import ServingModel


class Design(ComponentFacts):
    """One blueprint's component facts (inherited), flow graph (``graph``), ML facts (``ml``), request
    path and serving model."""

    def __init__(self, blueprint: Blueprint, options: Mapping[str, Any] | None = None):
        super().__init__(blueprint)
        self.options = dict(options or {})  # rule options from [tool.mlsd], e.g. max-pipeline-hops
        self._request_reach: dict[str, dict[str, str | None]] = {}

    @cached_property
    def ml(self) -> MLFacts:
        """Trainers, live data, labelers and data lineage (:mod:`.ml_facts`)."""
        return MLFacts(self)

    # -- the request side ------------------------------------------------------------------

    @cached_property
    def serving(self) -> ServingModel:
        """The serving model of the blueprint (:mod:`.serving`), built once per lint run."""
        return ServingModel(self.blueprint)

    @cached_property
    def entry_points(self) -> list[str]:
        """Client-stage components that send request flows: where requests enter (:mod:`.request_path`)."""
        return entry_points(self.blueprint, self.serving)

    @cached_property
    def request_parent(self) -> dict[str, str | None]:
        """The request walk from every entry point (parents give one path back to an entry).

        Its nodes are the entry points and :attr:`request_path` (:mod:`.request_path` defines them);
        the parents are what it adds, for the rules that show a path.
        """
        return self.graph.reach(self.entry_points, ("request",))

    @cached_property
    def request_path(self) -> list[str]:
        """Components reachable from an entry point over request flows (entry points excluded; :mod:`.request_path`)."""
        return request_path(self.blueprint, self.serving)

    @cached_property
    def failure_latency_parts(self) -> list[str]:
        """Request-path models and feature stores: the parts whose failure (fast or hung) the
        request latency must survive (MLSD210, the doc's degraded latencies)."""
        models = set(self.online_models)
        return [c for c in self.request_path if c in models or self.has(c, T.FEATURE_STORE)]

    @cached_property
    def online_models(self) -> list[str]:
        """Models (:meth:`is_model`) on the request path that are not OFFLINE: models answering live requests."""
        return [c for c in self.request_path if self.is_model(c) and not self.is_(c, "OFFLINE")]

    def request_reach(self, entry: str) -> dict[str, str | None]:
        """The request walk from one entry point (cached per entry point)."""
        if entry not in self._request_reach:
            self._request_reach[entry] = self.graph.reach([entry], ("request",))
        return self._request_reach[entry]

    def served_with(self, c: str) -> set[str]:
        """Every component on a request path through ``c`` (from the entry points that reach it)."""
        result: set[str] = set()
        for entry in self.entries_of.get(c, []):
            result.update(self.request_reach(entry))
        return result

    @cached_property
    def entries_of(self) -> dict[str, list[str]]:
        """For each request-path component, the entry points whose requests reach it."""
        result: dict[str, list[str]] = {}
        for entry in self.entry_points:
            for c in self.graph.reach([entry], ("request",)):
                if c != entry:
                    result.setdefault(c, []).append(entry)
        return result

    # -- for findings ----------------------------------------------------------------------

    def location(self, component: str | None = None, flow: int | None = None) -> tuple[int, int]:
        """Where a finding about a component, a flow, or the whole design (top of file) points."""
        if flow is not None:
            return self.blueprint.flow_location(flow)
        if component is not None:
            return self.blueprint.component_location(component)
        return (1, 1)

    def names(self, ids: Iterable[str]) -> str:
        """'a', 'b' and 'c' for messages."""
        quoted = [f"'{i}'" for i in ids]
        if len(quoted) <= 1:
            return "".join(quoted)
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]


__all__ = ["DATA_MODES", "MODES", "Design"]
