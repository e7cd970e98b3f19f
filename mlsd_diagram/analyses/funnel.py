"""The retrieval -> ranking -> re-ranking funnel of a design, derived from roles and flows.

Kind names say little about a component's place in the funnel: an ``online_service`` may be
the targeting index that generates an ad auction's candidates, a ``batch_scoring`` job may be
the ranker of a list precomputed overnight. The funnel is read from the request graph instead:

- **Ranking**: the models on the request path that order what users see
  (:meth:`Design.chooses_what_users_see`) and do not retrieve; when there is none, offline
  models (``SERVE`` and ``OFFLINE``) whose predictions are written into a store the request
  path reads: a list ranked in batch.
- **Retrieval**: what a ranker's caller calls *before* it (an earlier ``step``, or an earlier
  flow when the caller declares no steps), what the ranker itself calls to get candidates, every
  ``RETRIEVE`` component on the request path, and what those call (models, indexes, services). Experiment
  assignment, feature stores and caches read first are not candidates; a store of predictions
  written by an offline model is (the candidates precomputed overnight). For a list ranked in
  batch, retrieval is what feeds the offline model its candidates: its data inputs that are
  neither features, labels nor model artifacts.
- **Re-ranking**: what the same caller calls *after* the last ranking (or retrieval) call:
  business rules, filters, auctions, diversity.

Without a ranker, the pivot is retrieval itself: a nearest-neighbour search followed by a
re-ranker is a funnel without a learned ranking stage. O(components + flows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from ..blueprint.models import Blueprint
from . import traits as T
from .design import Design

_NOT_CANDIDATES = ("features", "labels", "model_artifact", "embeddings", "metrics", "predictions")


class FunnelDict(TypedDict):
    """:meth:`Funnel.to_dict`: the funnel as plain data."""

    retrieval: list[str]
    ranking: list[str]
    reranking: list[str]
    precomputed: dict[str, list[str]]


@dataclass(frozen=True)
class Funnel:
    """The three stages as component ids in declaration order, and how each ranker is reached.

    ``precomputed`` maps a store on the request path to the offline models that write into it.
    """

    retrieval: tuple[str, ...] = ()
    ranking: tuple[str, ...] = ()
    reranking: tuple[str, ...] = ()
    precomputed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def applies(self) -> bool:
        """True when the design has any funnel stage."""
        return bool(self.retrieval or self.ranking or self.reranking)

    def to_dict(self) -> FunnelDict:
        """Plain data (lists) for JSON and templates."""
        return {
            "retrieval": list(self.retrieval),
            "ranking": list(self.ranking),
            "reranking": list(self.reranking),
            "precomputed": {k: list(v) for k, v in self.precomputed.items()},
        }


def funnel(blueprint: Blueprint, design: Design | None = None) -> Funnel:
    """The funnel of ``blueprint`` (see the module's docstring for how each stage is found)."""
    d = design or Design(blueprint)
    on_path = set(d.request_path)
    precomputed = _precomputed(d, on_path)
    online = [c for c in d.request_path if d.is_model(c) and not d.is_(c, "RETRIEVE") and d.chooses_what_users_see(c)]
    offline_rankers = [m for models in precomputed.values() for m in models if _ranks(d, m)]
    retrieval: set[str] = {c for c in d.request_path if d.is_(c, "RETRIEVE")}
    reranking: set[str] = set()
    ranking: set[str] = set(online)
    if online:
        pivots = online
        for ranker in online:
            for callee, _ in d.graph.succ(ranker, "request"):
                if d.is_(callee, "RETRIEVE") or callee in precomputed:
                    retrieval.add(callee)
    elif offline_rankers:
        ranking.update(offline_rankers)
        pivots = [store for store, models in precomputed.items() if set(models) & ranking]
        for model in offline_rankers:
            retrieval.update(_candidate_feeds(d, model))
    else:
        pivots = [c for c in d.request_path if d.is_(c, "RETRIEVE")]
    for pivot in pivots:
        for caller, _ in d.graph.pred(pivot, "request"):
            before, after = _around(d, caller, pivot)
            retrieval.update(c for c in before if _candidate_source(d, c, precomputed) and c not in ranking)
            reranking.update(c for c in after if _after_stage(d, c) and c not in ranking)
    retrieval |= _helpers(d, retrieval, precomputed)
    retrieval -= ranking
    reranking -= retrieval | ranking
    order = d.order
    return Funnel(
        retrieval=tuple(sorted(retrieval, key=order.__getitem__)),
        ranking=tuple(sorted(ranking, key=order.__getitem__)),
        reranking=tuple(sorted(reranking, key=order.__getitem__)),
        precomputed={s: precomputed[s] for s in sorted(precomputed, key=order.__getitem__)},
    )


def _ranks(d: Design, model: str) -> bool:
    """An offline model ranks unless its scores are declared to threshold or estimate."""
    use = d.components[model].score_use
    return use is None or use.value in ("ranking", "auction", "blend")


def _precomputed(d: Design, on_path: set[str]) -> dict[str, tuple[str, ...]]:
    """Request-path stores written (stream or batch) by offline models, with those models."""
    found: dict[str, tuple[str, ...]] = {}
    for c in d.request_path:
        writers = tuple(
            u
            for u, _ in d.graph.pred(c, "stream", "batch")
            if d.is_(u, "SERVE") and d.is_(u, "OFFLINE") and u not in on_path
        )
        if writers:
            found[c] = tuple(dict.fromkeys(writers))
    return found


def _around(d: Design, caller: str, callee: str) -> tuple[list[str], list[str]]:
    """The callees ``caller`` calls before and after ``callee`` (by step, else by flow order)."""
    calls = list(d.graph.succ(caller, "request"))
    steps = {i: d.flows[i].step for _, i in calls}
    mine = [i for c, i in calls if c == callee]
    if not mine:
        return [], []
    if any(s is not None for s in steps.values()):
        first = min(steps[i] or 0 for i in mine)
        last = max(steps[i] or 0 for i in mine)
        before = [c for c, i in calls if c != callee and (steps[i] or 0) < first]
        after = [c for c, i in calls if c != callee and (steps[i] or 0) > last]
    else:
        before = [c for c, i in calls if c != callee and i < min(mine)]
        after = [c for c, i in calls if c != callee and i > max(mine)]
    return before, after


def _not_a_stage(d: Design, c: str) -> bool:
    """Experiment assignment, feature stores and monitors answer every request but choose no item."""
    return d.has(c, T.EXPERIMENT) or d.stage[c] in ("features", "monitoring", "client") or d.has(c, T.FEATURE_STORE)


def _candidate_source(d: Design, c: str, precomputed: dict[str, tuple[str, ...]]) -> bool:
    if _not_a_stage(d, c):
        return False
    if d.is_(c, "DEGRADE"):  # a cache or fallback read first is not a source, precomputed candidates are
        return c in precomputed
    return True


def _after_stage(d: Design, c: str) -> bool:
    return not _not_a_stage(d, c) and not d.is_(c, "DEGRADE") and not d.is_model(c)


def _helpers(d: Design, retrieval: set[str], precomputed: dict[str, tuple[str, ...]]) -> set[str]:
    """What retrieval components call to find candidates (a user tower, an ANN index, a lexical index)."""
    found: set[str] = set()
    stack = list(retrieval)
    while stack:
        c = stack.pop()
        for callee, _ in d.graph.succ(c, "request"):
            if callee in retrieval or callee in found:
                continue
            if _candidate_source(d, callee, precomputed):
                found.add(callee)
                stack.append(callee)
    return found


def _candidate_feeds(d: Design, model: str) -> list[str]:
    """What feeds an offline model its candidates: data inputs that are not features, labels or artifacts."""
    return [
        u
        for u, i in d.graph.pred(model, "stream", "batch")
        if not set(d.flows[i].tags) & set(_NOT_CANDIDATES)
        and not d.has(u, T.TRIGGER)
        and not d.is_(u, "MONITOR")
        and d.stage[u] != "features"
        and not d.has(u, T.REGISTRY)
    ]


__all__ = ["Funnel", "funnel"]
