"""The machine-learning facts of a design: its trainers, where their data comes from, feedback loops.

Questions about training rather than serving: which trainers train a model, whether live data
reaches them (a feedback loop), whether features do, where people label, and which data flows lie
upstream of a component. Each is answered over a :class:`~.design.Design` (its flow graph, its
component facts and its request path: live data starts there), computed on first use and cached.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from . import traits as T
from .flow_graph import DATA_MODES

if TYPE_CHECKING:  # pragma: no cover
    from .design import Design


class MLFacts:
    """Trainers, live data, labelers and data lineage of one design (``d.ml`` of a :class:`~.design.Design`)."""

    def __init__(self, design: Design):
        self.design = design
        self._feature_input: dict[str, bool] = {}

    # -- trainers --------------------------------------------------------------------------

    @cached_property
    def trainers(self) -> list[str]:
        """Components that train models (trait ``trainer``)."""
        return self.design.with_trait(T.TRAINER)

    def trainers_of(self, model: str) -> list[str]:
        """Trainers upstream of ``model`` over data and artifact flows (stream, batch, deploy).

        When several trainers share a gate and a registry, all of them are upstream of every model
        the registry deploys; those that name the same ``model`` as ``model`` does are its trainers
        then (when none does, all of them are). A model that names its trainer (``trained_by``) has
        that one trainer.
        """
        d = self.design
        named_by_model = d.components[model].trained_by
        if named_by_model in d.components and named_by_model in self.trainers:
            return [named_by_model]
        upstream = d.graph.reach([model], DATA_MODES, backward=True)
        found = [t for t in self.trainers if t in upstream]
        name = d.components[model].model
        if len(found) > 1 and name:
            named = [t for t in found if d.components[t].model == name]
            return named or found
        return found

    # -- live data and feedback loops ------------------------------------------------------

    @cached_property
    def live_data(self) -> set[str]:
        """Components that data from the live system reaches over stream and batch flows.

        Live data starts at entry points (interactions) and at serving- or client-stage
        components on the request path (served features, predictions); stores read on the
        request path (feature stores, caches) export their own offline copies, not live data.
        """
        d = self.design
        starts = [*d.entry_points, *(c for c in d.request_path if d.stage[c] in ("serving", "client"))]
        return set(d.graph.reach(starts, ("stream", "batch")))

    def learns_from_live(self, model: str) -> bool:
        """True when a trainer of ``model`` reads data from the live system (a feedback loop)."""
        live = self.live_data
        return any(t in live for t in self.trainers_of(model))

    def learns_from_what_it_showed(self, model: str) -> bool:
        """True when a trainer of ``model`` learns from what the users of ``model`` did with its output.

        Data must flow (stream, batch) from an entry point that reaches ``model``, or from a serving-
        or client-stage component on such a request path, to the trainer without passing a labeler:
        annotators or reviewers produce new labels, not interactions with the model's list (a passage
        re-ranker trained on annotator relevance judgements does not learn from its own order).
        """
        d = self.design
        trainers = set(self.trainers_of(model))
        if not trainers:
            return False
        around = d.served_with(model) | {model}
        starts = sorted(
            (c for c in around if c in d.entries_of.get(model, []) or d.stage[c] in ("serving", "client")),
            key=d.order.__getitem__,
        )
        return bool(trainers.intersection(d.graph.reach(starts, ("stream", "batch"), avoid=self.labelers)))

    def logged_by_callers(self, model: str, tag: str) -> list[str]:
        """Where the request-path callers of ``model`` log what it served: targets of their stream or
        batch flows tagged ``tag`` (``features``, ``predictions``). A service that calls a model and
        logs the features it scored with is how most systems log served features."""
        d = self.design
        callers = [u for u, _ in d.graph.pred(model, "request") if d.stage[u] in ("serving", "client")]
        return [v for u in callers for v, i in d.graph.succ(u, "stream", "batch") if tag in d.flows[i].tags]

    # -- training data ---------------------------------------------------------------------

    @cached_property
    def labelers(self) -> frozenset[str]:
        """Components where people label or review (trait ``labels``)."""
        return frozenset(self.design.with_trait(T.LABELS))

    @cached_property
    def not_data(self) -> frozenset[str]:
        """Components that start runs or watch them but carry no training data: triggers and monitors."""
        d = self.design
        return frozenset(c for c in d.ids if d.has(c, T.TRIGGER) or d.is_(c, "MONITOR"))

    def upstream_flows(self, c: str) -> list[int]:
        """Indices of the data flows (stream, batch, deploy) on some path into ``c`` that carries data, in
        file order; paths stop at triggers and monitors (:attr:`not_data`)."""
        graph = self.design.graph
        upstream = graph.reach([c], DATA_MODES, backward=True, avoid=self.not_data - {c})
        return sorted(i for u in upstream for v, i in graph.pred(u, *DATA_MODES) if v not in self.not_data)

    def upstream_flows_any(self, c: str) -> list[int]:
        """Indices of the flows of any mode but fallback on some path into ``c``, in file order."""
        graph = self.design.graph
        modes = ("request", "stream", "batch", "deploy", "telemetry")
        upstream = graph.reach([c], modes, backward=True)
        return sorted(i for u in upstream for _, i in graph.pred(u, *modes))

    def has_feature_input(self, trainer: str) -> bool:
        """True when features reach ``trainer``: a features-stage component or a flow tagged ``features``
        upstream of it, not counting what passes through labeling or human review (people produce new
        data: what they were shown is not a training feature), triggers or monitors."""
        if trainer not in self._feature_input:
            d = self.design
            stop = self.labelers | self.not_data
            upstream = d.graph.reach([trainer], DATA_MODES, backward=True, avoid=stop - {trainer})
            self._feature_input[trainer] = any(d.stage[u] == "features" for u in upstream if u != trainer) or any(
                "features" in d.flows[i].tags
                for u in upstream
                for v, i in d.graph.pred(u, *DATA_MODES)
                if v not in stop
            )
        return self._feature_input[trainer]


__all__ = ["MLFacts"]
