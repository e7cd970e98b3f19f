"""Availability: how often each entry point is answered, from its parts' ``availability`` and the knock-outs.

A component's ``availability`` is the share of time it answers (all its replicas together); its
*unavailability* is ``1 - availability``. An entry point is down when the knock-out logic of
:mod:`.serving` says so (:meth:`~.serving.ServingModel.entry_states`), and failures are taken as
independent and rare, so the estimate keeps the first two orders of the union bound:

- **first order**: each component whose loss alone takes the entry point down adds its
  unavailability (two components in series at 0.999 and 0.9995: 0.001 + 0.0005);
- **second order**: each pair whose loss takes it down only together (a model and its fallback,
  neither critical alone) adds the product of their unavailabilities (0.001 x 0.01 = 0.00001).

``availability = 1 - (first order + second order)``. Only components that declare
``availability`` count; the ones an entry point relies on without one are listed as unknown
(assumed always up, which makes the estimate optimistic). A blank field is "not said", so an entry
point that relies on no declared availability has no estimate to check.

Pairs are searched only where they can matter: an entry point that survives one component's
loss degraded can go down when a second one follows (one that stays fully served does not depend
on that component at all), and only when the second is in the reach of a fallback that answers
for the first (a skipped call stays skipped whatever else fails), or in the reach of the other calls
of a step with a quorum (``at_least``) whose call to the first was skipped. Each pair is one knock-out of
O(what depends on the two); at most :data:`PAIR_BUDGET` pairs are tried per design, and the
pairs left untried are counted (their terms would only lower the estimate).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..blueprint.models import Blueprint
from .serving import DEGRADED, DOWN, ServingModel

PAIR_BUDGET = 20_000
"""Pair knock-outs tried at most per design (a hostile file with thousands of declared parts stays fast)."""


@dataclass(frozen=True)
class Term:
    """One term of an entry point's unavailability: a component lost alone, or a pair lost together."""

    components: tuple[str, ...]  # one (first order) or two (second order), declaration order
    unavailability: float  # 1 - a, or (1 - a)(1 - b)


@dataclass(frozen=True)
class EntryAvailability:
    """The availability estimate of one entry point (see the module docstring)."""

    entry: str
    availability: float  # 1 - (first order + second order)
    first_order: tuple[Term, ...]  # declaration order
    second_order: tuple[Term, ...]  # declaration order of the pairs
    unknown: tuple[str, ...]  # components it relies on that declare no availability (taken as always up)
    declared: bool  # some component it relies on (itself included) declares an availability
    pairs_untried: int = 0  # candidate pairs left out by PAIR_BUDGET

    @property
    def unavailability(self) -> float:
        """The sum of the terms: ``1 - availability``."""
        return sum(t.unavailability for t in self.first_order) + sum(t.unavailability for t in self.second_order)

    def dominant(self, count: int = 3) -> list[Term]:
        """The ``count`` largest terms, largest first (declaration order among equals)."""
        terms = [*self.first_order, *self.second_order]
        return sorted(terms, key=lambda t: -t.unavailability)[:count]


def _reach_from(model: ServingModel, starts: list[str]) -> set[str]:
    """``starts`` and what they reach over request and fallback flows. O(R + F)."""
    seen = set(starts)
    queue = deque(seen)
    while queue:
        c = queue.popleft()
        for nxt in [call.callee for call in model.calls[c]] + [f for f, _ in model.fallbacks[c]]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _reach(model: ServingModel, entry: str) -> list[str]:
    """What ``entry`` relies on: what it reaches over request and fallback flows, itself excluded, declaration order."""
    seen = _reach_from(model, [entry])
    return [c for c in model.ids if c in seen and c != entry]


def availability(blueprint: Blueprint, model: ServingModel | None = None) -> dict[str, EntryAvailability]:
    """Each entry point's availability estimate, in declaration order.

    O(A x E x (R + F)) for the A components that declare ``availability`` and E entry points (their
    single knock-outs, shared with :meth:`~.serving.ServingModel.single_knock_outs`, and what
    answers for each), plus one knock-out per candidate pair (at most :data:`PAIR_BUDGET`).
    """
    model = model or ServingModel(blueprint)
    comps = blueprint.components
    declared = {c: share for c in model.ids if c in model.relevant_set and (share := comps[c].availability) is not None}
    sweep = model.single_knock_outs()
    alone: dict[str, dict[str, str]] = {}
    for c in declared:
        states = sweep.get(c) if sweep is not None else None
        alone[c] = states if states is not None else model.entry_states({c})
    order = list(declared)
    # Candidate pairs: a degrades some entry point alone, and b is in the reach of a fallback that answers
    # for a then: only a stand-in's answer can fail because a second part is lost (a skipped call stays
    # skipped, unless its step has a quorum: then the step's other calls can fail it). Both orders are
    # searched, so a pair whose second part stands in for the first is found too.
    pairs: dict[tuple[str, str], None] = {}
    for a in order:
        degrades = [e for e, state in alone[a].items() if state == DEGRADED]
        if not degrades:
            continue
        works, answer = model.states({a})
        reasons = [r for e in degrades for r in model.answered_by(e, works, answer)]
        standing_in = [r["fallback"] for r in reasons if "fallback" in r]
        # a skipped call in a step with a quorum (at_least): the step's other calls can fail it now
        for r in reasons:
            for group, _ in model.quorum.get(r["component"], ()) if "on_failure" in r else ():
                if any(call.callee == r["call"] for call in group):
                    standing_in += [call.callee for call in group if call.callee != r["call"]]
        cone = sorted((b for b in _reach_from(model, standing_in) if b in declared), key=model.index.__getitem__)
        for b in cone:
            if b != a and any(alone[b][e] != DOWN for e in degrades):
                pairs[(a, b) if model.index[a] < model.index[b] else (b, a)] = None
    tried = list(pairs)[:PAIR_BUDGET]
    untried = len(pairs) - len(tried)
    together: dict[str, list[Term]] = {e: [] for e in model.entries}
    for a, b in sorted(tried, key=lambda p: (model.index[p[0]], model.index[p[1]])):
        states = model.entry_states({a, b})
        for e, state in states.items():
            if state == DOWN and alone[a][e] != DOWN and alone[b][e] != DOWN:
                together[e].append(Term((a, b), (1 - declared[a]) * (1 - declared[b])))
    result = {}
    for e in model.entries:
        relies = _reach(model, e)
        first = tuple(Term((c,), 1 - declared[c]) for c in order if alone[c][e] == DOWN)
        second = tuple(together[e])
        total = sum(t.unavailability for t in first) + sum(t.unavailability for t in second)
        result[e] = EntryAvailability(
            entry=e,
            availability=1 - total,
            first_order=first,
            second_order=second,
            unknown=tuple(c for c in relies if c not in declared),
            declared=e in declared or any(c in declared for c in relies),
            pairs_untried=untried,
        )
    return result


__all__ = ["PAIR_BUDGET", "EntryAvailability", "Term", "availability"]
