"""A read-only view of a blueprint with the derived facts the rules ask about.

Built once per lint run from the blueprint (the facts of its graph, without building one).
Adjacency is kept per flow mode in plain dicts (sorted, so every walk is deterministic); the derived sets
(entry points, the request path, trainers) are computed on first use and cached.
Nothing here mutates the blueprint.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from ..blueprint.models import Blueprint, Mode
from . import traits as T
from .request_path import entry_points, request_path
from .serving import ServingModel

MODES = ("request", "stream", "batch", "deploy", "fallback", "telemetry")
DATA_MODES = ("stream", "batch", "deploy")  # data and artifacts moving between components


class Design:
    """Roles, stages, per-mode adjacency and cached walks over one blueprint."""

    def __init__(self, blueprint: Blueprint, options: Mapping[str, Any] | None = None):
        self.blueprint = blueprint
        self.options = dict(options or {})  # rule options from [tool.mlsd], e.g. max-pipeline-hops
        self.ids: list[str] = list(blueprint.components)  # declaration order
        self.order: dict[str, int] = {c: i for i, c in enumerate(self.ids)}  # for sorting by declaration
        kinds = {c: blueprint.kind_of(c) for c in self.ids}  # what the graph's nodes say, without building it
        self.roles: dict[str, frozenset[str]] = {c: frozenset(r.value for r in k.roles) for c, k in kinds.items()}
        self.stage: dict[str, str] = {c: k.stage.value for c, k in kinds.items()}
        self.kind: dict[str, str] = {c: k.name for c, k in kinds.items()}
        self.custom: dict[str, bool] = {c: k.custom for c, k in kinds.items()}
        self.components = blueprint.components
        self.flows = blueprint.flows
        self._succ: dict[str, dict[str, list[tuple[str, int]]]] = {m: {} for m in MODES}
        self._pred: dict[str, dict[str, list[tuple[str, int]]]] = {m: {} for m in MODES}
        succ = {mode: self._succ[mode.value] for mode in Mode}  # keyed by the enum: no `.value` per flow
        pred = {mode: self._pred[mode.value] for mode in Mode}
        for index, flow in enumerate(blueprint.flows):
            succ[flow.mode].setdefault(flow.source, []).append((flow.target, index))
            pred[flow.mode].setdefault(flow.target, []).append((flow.source, index))
        self._traits: dict[tuple[str, str], bool] = {}
        self._request_reach: dict[str, dict[str, str | None]] = {}
        self._feature_input: dict[str, bool] = {}
        self._with_role: dict[str, list[str]] = {}
        self._with_trait: dict[str, list[str]] = {}

    # -- neighbours ------------------------------------------------------------------------

    def succ(self, c: str, *modes: str) -> Iterator[tuple[str, int]]:
        """(target, flow index) of flows leaving ``c`` in the given modes (all modes if none)."""
        for mode in modes or MODES:
            yield from self._succ[mode].get(c, ())

    def pred(self, c: str, *modes: str) -> Iterator[tuple[str, int]]:
        """(source, flow index) of flows entering ``c`` in the given modes (all modes if none)."""
        for mode in modes or MODES:
            yield from self._pred[mode].get(c, ())

    def pred_any(self, c: str) -> Iterator[tuple[str, int]]:
        """Flows entering ``c`` in any mode but fallback (which moves no data)."""
        return self.pred(c, "request", "stream", "batch", "deploy", "telemetry")

    def is_(self, c: str, role: str) -> bool:
        """True when component ``c`` plays ``role`` (a role name such as ``"SERVE"``)."""
        return role in self.roles[c]

    def has(self, c: str, trait: str) -> bool:
        """True when ``c`` has a trait of :mod:`.traits` (by its built-in kind, or by behaviour if custom)."""
        key = (c, trait)
        if key not in self._traits:
            if self.custom[c]:
                signature = T.CUSTOM_SIGNATURES.get(trait)
                self._traits[key] = bool(signature and signature(self, c))
            else:
                self._traits[key] = trait in T.BUILTIN_TRAITS.get(self.kind[c], ())
        return self._traits[key]

    def with_role(self, role: str) -> list[str]:
        """Components playing ``role``, in declaration order."""
        if role not in self._with_role:
            self._with_role[role] = [c for c in self.ids if role in self.roles[c]]
        return list(self._with_role[role])

    def with_trait(self, trait: str) -> list[str]:
        """Components with ``trait``, in declaration order (computed once per trait)."""
        if trait not in self._with_trait:
            self._with_trait[trait] = [c for c in self.ids if self.has(c, trait)]
        return list(self._with_trait[trait])

    # -- walks -----------------------------------------------------------------------------

    def reach(
        self,
        starts: Iterable[str],
        modes: tuple[str, ...],
        *,
        backward: bool = False,
        avoid: frozenset[str] | set[str] = frozenset(),
    ) -> dict[str, str | None]:
        """Breadth-first walk over flows of ``modes``; maps each reached node to its parent (starts: None).

        ``avoid`` nodes are never entered. O(nodes + flows) per call.
        """
        step = self.pred if backward else self.succ
        parent: dict[str, str | None] = {s: None for s in starts if s not in avoid}
        queue = deque(parent)
        while queue:
            node = queue.popleft()
            for nxt, _ in step(node, *modes):
                if nxt not in parent and nxt not in avoid:
                    parent[nxt] = node
                    queue.append(nxt)
        return parent

    @staticmethod
    def path_to(parent: dict[str, str | None], node: str) -> list[str]:
        """The walk from a start to ``node`` recorded by :meth:`reach`."""
        path = [node]
        step = parent[node]
        while step is not None:
            path.append(step)
            step = parent[step]
        return path[::-1]

    # -- derived sets ----------------------------------------------------------------------

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
        return self.reach(self.entry_points, ("request",))

    @cached_property
    def request_path(self) -> list[str]:
        """Components reachable from an entry point over request flows (entry points excluded; :mod:`.request_path`)."""
        return request_path(self.blueprint, self.serving)

    def is_model(self, c: str) -> bool:
        """True when ``c`` runs a model: a SERVE kind, or a component that declares ``task`` or ``model``.

        Only models get model rules. An embedding index, an index builder, a trainer or a registry
        may name a ``model`` (the one whose embeddings it holds, or that it trains or stores)
        without running it; a candidate source with no model has a kind of its own.
        """
        if self.is_(c, "SERVE"):
            return True
        comp = self.components[c]
        return (
            bool(comp.task or comp.model)
            and not self.is_(c, "OFFLINE")
            and self.stage[c] != "training"
            and not self.has(c, T.EMBEDDING_INDEX)
        )

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

    def chooses_what_users_see(self, c: str) -> bool:
        """True when a model's output orders or picks what users are shown.

        Its ``score_use`` says so (ranking, auction, blend); without one, a retrieval or ranking
        kind does. A threshold classifier or an estimate (an ETA) does not.
        """
        use = self.components[c].score_use
        if use is not None:
            return use.value in ("ranking", "auction", "blend")
        return self.has(c, T.RANKER)

    def request_reach(self, entry: str) -> dict[str, str | None]:
        """The request walk from one entry point (cached per entry point)."""
        if entry not in self._request_reach:
            self._request_reach[entry] = self.reach([entry], ("request",))
        return self._request_reach[entry]

    def served_with(self, c: str) -> set[str]:
        """Every component on a request path through ``c`` (from the entry points that reach it)."""
        result: set[str] = set()
        for entry in self.entries_of.get(c, []):
            result.update(self.request_reach(entry))
        return result

    def learns_from_live(self, model: str) -> bool:
        """True when a trainer of ``model`` reads data from the live system (a feedback loop)."""
        live = self.live_data
        return any(t in live for t in self.trainers_of(model))

    def logged_by_callers(self, model: str, tag: str) -> list[str]:
        """Where the request-path callers of ``model`` log what it served: targets of their stream or
        batch flows tagged ``tag`` (``features``, ``predictions``). A service that calls a model and
        logs the features it scored with is how most systems log served features."""
        callers = [u for u, _ in self.pred(model, "request") if self.stage[u] in ("serving", "client")]
        return [v for u in callers for v, i in self.succ(u, "stream", "batch") if tag in self.flows[i].tags]

    def learns_from_what_it_showed(self, model: str) -> bool:
        """True when a trainer of ``model`` learns from what the users of ``model`` did with its output.

        Data must flow (stream, batch) from an entry point that reaches ``model``, or from a serving-
        or client-stage component on such a request path, to the trainer without passing a labeler:
        annotators or reviewers produce new labels, not interactions with the model's list (a passage
        re-ranker trained on annotator relevance judgements does not learn from its own order).
        """
        trainers = set(self.trainers_of(model))
        if not trainers:
            return False
        around = self.served_with(model) | {model}
        starts = sorted(
            (c for c in around if c in self.entries_of.get(model, []) or self.stage[c] in ("serving", "client")),
            key=self.order.__getitem__,
        )
        return bool(trainers.intersection(self.reach(starts, ("stream", "batch"), avoid=self.labelers)))

    @cached_property
    def not_data(self) -> frozenset[str]:
        """Components that start runs or watch them but carry no training data: triggers and monitors."""
        return frozenset(c for c in self.ids if self.has(c, T.TRIGGER) or self.is_(c, "MONITOR"))

    def upstream_flows(self, c: str) -> list[int]:
        """Indices of the data flows (stream, batch, deploy) on some path into ``c`` that carries data, in
        file order; paths stop at triggers and monitors (:attr:`not_data`)."""
        upstream = self.reach([c], DATA_MODES, backward=True, avoid=self.not_data - {c})
        return sorted(i for u in upstream for v, i in self.pred(u, *DATA_MODES) if v not in self.not_data)

    def upstream_flows_any(self, c: str) -> list[int]:
        """Indices of the flows of any mode but fallback on some path into ``c``, in file order."""
        modes = ("request", "stream", "batch", "deploy", "telemetry")
        upstream = self.reach([c], modes, backward=True)
        return sorted(i for u in upstream for _, i in self.pred(u, *modes))

    def has_feature_input(self, trainer: str) -> bool:
        """True when features reach ``trainer``: a features-stage component or a flow tagged ``features``
        upstream of it, not counting what passes through labeling or human review (people produce new
        data: what they were shown is not a training feature), triggers or monitors."""
        if trainer not in self._feature_input:
            stop = self.labelers | self.not_data
            upstream = self.reach([trainer], DATA_MODES, backward=True, avoid=stop - {trainer})
            self._feature_input[trainer] = any(self.stage[u] == "features" for u in upstream if u != trainer) or any(
                "features" in self.flows[i].tags
                for u in upstream
                for v, i in self.pred(u, *DATA_MODES)
                if v not in stop
            )
        return self._feature_input[trainer]

    @cached_property
    def labelers(self) -> frozenset[str]:
        """Components where people label or review (trait ``labels``)."""
        return frozenset(self.with_trait(T.LABELS))

    @cached_property
    def live_data(self) -> set[str]:
        """Components that data from the live system reaches over stream and batch flows.

        Live data starts at entry points (interactions) and at serving- or client-stage
        components on the request path (served features, predictions); stores read on the
        request path (feature stores, caches) export their own offline copies, not live data.
        """
        starts = [*self.entry_points, *(c for c in self.request_path if self.stage[c] in ("serving", "client"))]
        return set(self.reach(starts, ("stream", "batch")))

    @cached_property
    def trainers(self) -> list[str]:
        """Components that train models (trait ``trainer``)."""
        return self.with_trait(T.TRAINER)

    def trainers_of(self, model: str) -> list[str]:
        """Trainers upstream of ``model`` over data and artifact flows (stream, batch, deploy).

        When several trainers share a gate and a registry, all of them are upstream of every model
        the registry deploys; those that name the same ``model`` as ``model`` does are its trainers
        then (when none does, all of them are). A model that names its trainer (``trained_by``) has
        that one trainer.
        """
        named_by_model = self.components[model].trained_by
        if named_by_model in self.components and named_by_model in self.trainers:
            return [named_by_model]
        upstream = self.reach([model], DATA_MODES, backward=True)
        found = [t for t in self.trainers if t in upstream]
        name = self.components[model].model
        if len(found) > 1 and name:
            named = [t for t in found if self.components[t].model == name]
            return named or found
        return found

    @cached_property
    def entries_of(self) -> dict[str, list[str]]:
        """For each request-path component, the entry points whose requests reach it."""
        result: dict[str, list[str]] = {}
        for entry in self.entry_points:
            for c in self.reach([entry], ("request",)):
                if c != entry:
                    result.setdefault(c, []).append(entry)
        return result

    def location(self, component: str | None = None, flow: int | None = None) -> tuple[int, int]:
        """Where a finding about a component, a flow, or the whole design (top of file) points."""
        if flow is not None:
            return self.blueprint.flow_location(flow)
        if component is not None:
            return self.blueprint.component_location(component)
        return (1, 1)

    def replicas(self, c: str) -> int:
        """Declared replicas (``max_replicas`` when autoscaled: what sustained load meets), 1 when not declared."""
        return self.components[c].max_replicas or self.components[c].replicas or 1

    def names(self, ids: Iterable[str]) -> str:
        """'a', 'b' and 'c' for messages."""
        quoted = [f"'{i}'" for i in ids]
        if len(quoted) <= 1:
            return "".join(quoted)
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
