"""Serving behaviour: entry points, the request path, latency, knock-outs and load.

The one module that answers "what happens on the request path"; lint rules, the CLI, the
diagram views, the design doc and the report all ask it. The model (docs/simulate.md):

- **Entry points** are client-stage components (``client_app``, or a custom kind of stage
  ``client``) that send request flows. The **request path** is everything they reach over
  request flows.
- **Latency.** ``latency(c) = own p99 + the sum over c's steps of the slowest call in the step``,
  a call costing ``min(latency(callee), timeout_ms)``. A caller's request flows with the same
  ``step`` run in parallel, steps in ascending order; a caller without steps makes its calls one
  after another. Components without ``latency_p99_ms`` count as 0 ms and are listed as unknown.
- **Failure states** (``served`` > ``degraded`` > ``down``). A component *works* unless it is
  knocked out, stuck or shedding (below), or one of its calls fails with ``on_failure: fail``;
  a failed call with ``skip`` or ``defaults`` leaves it ``degraded``. A call fails only when the
  callee and all its fallbacks fail: a callee that does not work is *answered* (``degraded``) by
  any of its ``fallback`` targets that is itself answered. A callee slower than the call's
  ``timeout_ms`` (its latency, below, longer than the timeout) counts as failed for that call
  whatever else is out: only its fallbacks can answer it. States are the least fixpoint of these
  equations (start from everything down and raise until nothing changes), so they do not depend
  on the order of components or flows, and mutual fallbacks never vouch for each other.
- **Load** at factor L: each entry point receives L x its peak QPS (``peak_qps`` on it, else
  ``requirements.scale.peak_qps``); a component passes the load it admits down its request flows
  times ``per_request``; load a failed or shedding component does not serve goes to each of its
  live fallbacks (each must be able to take all of it). Utilization is load / (replicas x
  ``capacity_qps``). Over 1 with ``load_shedding`` the component serves its capacity and fails
  the rest fast (``shedding``); without it, it is ``overloaded``: it hangs, and so does every
  caller that calls it without a timeout (the cascade), while a caller with a timeout sees a
  failed call. Loads and states are iterated together until neither changes.
- **Headroom** is the largest L at which every entry point is fully served: with nothing failed,
  loads grow linearly with L, so it is ``min(capacity / load at L=1)`` over components with a
  capacity; components without one never saturate.

Every function takes a :class:`~mlsd_diagram.blueprint.models.Blueprint` and computes from
scratch: nothing is cached on the (mutable) model. Complexity is given per function for R
components and F flows reached from the entry points.
"""

from .graph import DEGRADED, DOWN, FAILED, OK, OVERLOADED, SERVED, SHEDDING, Call
from .model import ServingModel
from .queries import (
    LOAD_FACTORS,
    critical_components,
    critical_path,
    graph_request_path,
    knock_out,
    knock_out_detail,
    latency_breakdown,
    load_at,
    load_path,
    load_sweep,
    load_table,
    reachable_components,
    request_latency,
    serving_model,
    simulate,
    single_points_of_failure,
)

__all__ = [
    "DEGRADED",
    "DOWN",
    "FAILED",
    "LOAD_FACTORS",
    "OK",
    "OVERLOADED",
    "SERVED",
    "SHEDDING",
    "Call",
    "ServingModel",
    "critical_components",
    "critical_path",
    "graph_request_path",
    "knock_out",
    "knock_out_detail",
    "latency_breakdown",
    "load_path",
    "load_at",
    "load_sweep",
    "load_table",
    "reachable_components",
    "request_latency",
    "serving_model",
    "simulate",
    "single_points_of_failure",
]
