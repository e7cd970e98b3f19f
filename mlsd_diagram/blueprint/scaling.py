"""Field types of the serving facts added for issues 25 and 26: autoscaling, batching, hedging, quorum.

Declared here, each with its description, so that :mod:`.models` keeps one line per field (it is
the format's single declaration; this module only holds the longer types it uses). The checks that
relate two fields (``min_replicas`` over ``max_replicas``, a hedge after the timeout) are in
:mod:`.checks`, with located messages.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

_Replicas = Annotated[int, Field(strict=True, ge=1, le=1_000_000)]
_Ms = Annotated[float, Field(strict=True, gt=0, le=86_400_000)]

MinReplicas = Annotated[
    _Replicas | None,
    Field(
        description="autoscaled components: the fewest replicas the autoscaler keeps (with max_replicas); "
        "a surge faster than scale_up_s meets this many (simulate reports the surge headroom)"
    ),
]
MaxReplicas = Annotated[
    _Replicas | None,
    Field(
        description="autoscaled components: the most replicas the autoscaler adds (with min_replicas); "
        "headroom for sustained load counts this many"
    ),
]
ScaleUpS = Annotated[
    Annotated[float, Field(strict=True, gt=0, le=86_400)] | None,
    Field(description="autoscaled components: seconds from a surge to the added replicas serving"),
]
MaxBatchSize = Annotated[
    Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None,
    Field(
        description="batching servers (with batch_timeout_ms): requests served together in one batch; a "
        "full batch costs the service time of one request, so capacity per replica is capacity_qps x this"
    ),
]
BatchTimeoutMs = Annotated[
    _Ms | None,
    Field(
        description="batching servers (with max_batch_size): how long a batch waits to fill; it adds to "
        "the component's latency (in full: the first request of a batch that does not fill waits it all)"
    ),
]
HedgeAfterMs = Annotated[
    _Ms | None,
    Field(
        description="request flows: a second copy of the call is sent when the first has not answered by "
        "then; the call takes the first answer (min of the first copy and this delay + a second copy)"
    ),
]
AtLeast = Annotated[
    Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None,
    Field(
        description="request flows with a step: at least this many of the step's calls must answer (a "
        "skipped or failed one does not), else the caller fails (candidate sources: at_least: 1)"
    ),
]

__all__ = ["AtLeast", "BatchTimeoutMs", "HedgeAfterMs", "MaxBatchSize", "MaxReplicas", "MinReplicas", "ScaleUpS"]
