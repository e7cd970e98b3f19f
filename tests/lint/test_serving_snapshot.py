"""The serving model is an immutable snapshot: what it caches (the intact design's states, the sweep of
single knock-outs) is computed once, cannot be changed through what it returns, and gives the same
answers whichever question is asked first."""

from __future__ import annotations

import textwrap

import pytest

from mlsd_diagram import loads
from mlsd_diagram.analyses.serving import ServingModel

# app -> ranker (fallback: popular) -> features; app -> ads (skipped on failure). Hand-worked states below.
TEXT = textwrap.dedent(
    """\
    mlsd: 1
    name: snapshot
    components:
      app: {kind: client}
      ranker: {kind: ranking_service}
      popular: {kind: fallback_ranker}
      features: {kind: feature_store}
      ads: {kind: online_service}
    flows:
      - {from: app, to: ranker, mode: request}
      - {from: ranker, to: features, mode: request}
      - {from: ranker, to: popular, mode: fallback}
      - {from: app, to: ads, mode: request, on_failure: skip}
    """
)


def _model() -> ServingModel:
    return ServingModel(loads(TEXT, "snapshot.yaml"))


def test_returned_states_are_read_only_so_the_cached_intact_design_cannot_be_changed() -> None:
    model = _model()
    works, answer = model.states()
    assert answer["app"] == 2 and works["ranker"] == 2
    with pytest.raises(TypeError):
        answer["app"] = 0  # type: ignore[index]  # a caller scribbling on what it got
    with pytest.raises(TypeError):
        works["ranker"] = 0  # type: ignore[index]
    assert model.states()[1]["app"] == 2
    assert model.entry_states() == {"app": "served"}
    # knock-outs start from the intact design: the scribbles must not reach them either
    assert model.entry_states({"ads"}) == {"app": "degraded"}


def test_knock_outs_do_not_depend_on_which_question_came_first() -> None:
    cold = _model()
    first = {c: cold.entry_states({c}) for c in ("ranker", "popular", "features", "ads", "app")}
    warm = _model()
    warm.states()  # the intact design first, then the same knock-outs
    assert {c: warm.entry_states({c}) for c in first} == first
    assert first == {
        "ranker": {"app": "degraded"},  # the fallback answers
        "popular": {"app": "served"},
        "features": {"app": "degraded"},  # the ranker fails over to popular
        "ads": {"app": "degraded"},
        "app": {"app": "down"},
    }
    # and after the knock-outs, the intact design is still intact
    assert cold.entry_states() == {"app": "served"}


def test_the_single_knock_out_sweep_is_computed_once_and_agrees_with_one_by_one_knock_outs() -> None:
    model = _model()
    sweep = model.single_knock_outs()
    assert sweep is not None
    assert model.single_knock_outs() is sweep  # computed once per model
    assert sweep == {c: _model().entry_states({c}) for c in sweep}
    assert set(sweep) == {"app", "ranker", "popular", "features", "ads"}
