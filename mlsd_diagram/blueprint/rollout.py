"""A rollout plan on a deployment controller (ramp, kill switch, rollback criteria) and the
structured form of a model's alternatives (option, pros, cons).

Kept apart from :mod:`~mlsd_diagram.blueprint.models` (which holds every other field) so that each
module stays short; the models import it. The design doc's "Rollout" and "Alternatives considered"
sections read them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .models_types import Duration, Text

# a ramp step's share of traffic: above 0, up to all of it (1 is the last step of a full rollout)
TrafficShare = Annotated[float, Field(gt=0, le=1)]


class RampStep(BaseModel):
    """One step of a ramp: the share of traffic the new version gets, held for a while."""

    model_config = ConfigDict(extra="forbid")
    share: TrafficShare = Field(description="share of traffic on the new version at this step (0.01 is 1%, 1 is all)")
    hold: Duration | None = Field(
        None, description="how long the step is held, its rollback criteria watched, before the next (1h, 1d)"
    )


class RollbackCriterion(BaseModel):
    """A measured condition that rolls the new version back by itself."""

    model_config = ConfigDict(extra="forbid")
    metric: Text = Field(description="what is watched on the new version: error rate, p99 latency, CTR, revenue/1k")
    threshold: float | Text = Field(
        description="the bound that triggers the rollback: a number or a text ('> 1%', '+20% over control')"
    )
    window: Duration | None = Field(None, description="over how long the metric is measured (5m, 1h)")


class Alternative(BaseModel):
    """A design considered instead, with what speaks for and against it."""

    model_config = ConfigDict(extra="forbid")
    option: Text = Field(description="the design considered (a model, an architecture)")
    pros: list[Text] = Field(default_factory=list, description="what speaks for it")
    cons: list[Text] = Field(default_factory=list, description="what speaks against it (why it was not chosen)")


def alternative_text(item: str | Alternative) -> str:
    """One line for an alternative in either form: the string itself, or its option and cons."""
    if isinstance(item, str):
        return item
    return item.option + (f" (not chosen: {'; '.join(item.cons)})" if item.cons else "")


__all__ = ["Alternative", "RampStep", "RollbackCriterion", "alternative_text"]
