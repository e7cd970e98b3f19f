"""What each component of a blueprint is: its roles, stage, kind and traits, in declaration order.

The lookups the rules ask instead of kind names (an AST test keeps kind names out of the rules):
roles (SERVE, RETRIEVE, OFFLINE, ...) and stages from the kind catalog, traits from
:mod:`.traits` (by built-in kind, or by behaviour for a custom kind, which reads the flows:
:attr:`ComponentFacts.graph`). Built once per blueprint, answers cached; nothing here mutates it.
"""

from __future__ import annotations

from ..blueprint.models import Blueprint
from . import traits as T
from .flow_graph import FlowGraph


class ComponentFacts:
    """Roles, stages, kinds and traits of every component; the flow graph they are read with."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        self.components = blueprint.components
        self.flows = blueprint.flows
        self.graph = FlowGraph(blueprint.flows)
        self.ids: list[str] = list(blueprint.components)  # declaration order
        self.order: dict[str, int] = {c: i for i, c in enumerate(self.ids)}  # for sorting by declaration
        kinds = {c: blueprint.kind_of(c) for c in self.ids}  # what the graph's nodes say, without building it
        self.roles: dict[str, frozenset[str]] = {c: frozenset(r.value for r in k.roles) for c, k in kinds.items()}
        self.stage: dict[str, str] = {c: k.stage.value for c, k in kinds.items()}
        self.kind: dict[str, str] = {c: k.name for c, k in kinds.items()}
        self.custom: dict[str, bool] = {c: k.custom for c, k in kinds.items()}
        self._traits: dict[tuple[str, str], bool] = {}
        self._with_role: dict[str, list[str]] = {}
        self._with_trait: dict[str, list[str]] = {}

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

    def chooses_what_users_see(self, c: str) -> bool:
        """True when a model's output orders or picks what users are shown.

        Its ``score_use`` says so (ranking, auction, blend); without one, a retrieval or ranking
        kind does. A threshold classifier or an estimate (an ETA) does not.
        """
        use = self.components[c].score_use
        if use is not None:
            return use.value in ("ranking", "auction", "blend")
        return self.has(c, T.RANKER)

    def replicas(self, c: str) -> int:
        """Declared replicas (``max_replicas`` when autoscaled: what sustained load meets), 1 when not declared."""
        return self.components[c].max_replicas or self.components[c].replicas or 1


__all__ = ["ComponentFacts"]
