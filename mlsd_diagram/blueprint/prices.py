"""Unit prices a component declares (``cost:``), from which ``mlsd estimate`` gives a cost per month.

Kept apart from :mod:`~mlsd_diagram.blueprint.models` (which holds every other field) so that each
module stays short; the models import it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Price = Annotated[float, Field(strict=True, gt=0, le=1e9)]


class UnitPrices(BaseModel):
    """What one unit of a component costs, in one currency used throughout the blueprint."""

    model_config = ConfigDict(extra="forbid")
    per_replica_hour: Price | None = Field(
        None,
        description="price of one replica (one machine: a shard of a sharded index) for an hour; "
        "x replicas x shards x 730 hours a month",
    )
    per_gb_month: Price | None = Field(
        None,
        description="price of storing one GB (10^9 bytes) for a month; x the retained storage "
        "(or the feature store size x replication) in GB",
    )
