"""Streams: events per second on stream flows, and whether each consumer keeps up.

- **Events on a stream flow**: its ``events_per_s`` when declared; else the producer's peak load
  x ``per_request`` (default 1: one event per request it serves), the load being what the
  serving model (:meth:`~.serving.ServingModel.base_load`) sends it at 1x peak with nothing
  failed. A producer the serving model does not load (off the request path, or no peak QPS
  declared) gives an unknown rate: events are not invented.
- **A consumer** takes the events of all the stream flows into it; its ``capacity_qps`` x
  ``replicas`` is the events per second it processes. Offered more, the backlog (the lag) grows
  by the excess every second, without bound: ``lag_per_hour = (events - capacity) x 3600``.
  A consumer that also serves requests (an online feature store written by a stream) is compared
  on its events alone: its reads are the serving model's (:mod:`.serving`), so a capacity shared by
  both is checked optimistically here.

Functions of a :class:`~mlsd_diagram.blueprint.models.Blueprint`, computed from scratch, O(R + F).
"""

from __future__ import annotations

from ..blueprint.models import Blueprint, Mode
from .serving import ServingModel
from .serving.shapes import StreamLoad


def flow_events(blueprint: Blueprint, model: ServingModel | None = None) -> dict[int, float | None]:
    """Events per second on each stream flow (flow index -> rate, ``None`` when unknown), ascending."""
    model = model or ServingModel(blueprint)
    loaded = any(model.entry_peak(e) for e in model.entries)
    base = model.base_load() if loaded else {}
    rates: dict[int, float | None] = {}
    for index, flow in enumerate(blueprint.flows):
        if flow.mode is not Mode.STREAM:
            continue
        if flow.events_per_s is not None:
            rates[index] = flow.events_per_s
        elif flow.source in base:
            rates[index] = base[flow.source] * (1.0 if flow.per_request is None else flow.per_request)
        else:
            rates[index] = None
    return rates


def stream_load(blueprint: Blueprint, model: ServingModel | None = None) -> dict[str, StreamLoad]:
    """Each stream consumer's events, capacity, utilization and lag growth, consumers in declaration order.

    ``{CONSUMER: {"events_per_s", "capacity", "utilization", "lag_per_hour", "flows", "unknown_flows"}}``
    (what ``mlsd simulate`` shows as stream utilisation). With some inflow unknown, ``events_per_s``
    is the sum of the known ones (a lower bound); with none known, it is ``None``.
    """
    model = model or ServingModel(blueprint)
    rates = flow_events(blueprint, model)
    into: dict[str, list[int]] = {}
    for index in rates:
        into.setdefault(blueprint.flows[index].target, []).append(index)
    result: dict[str, StreamLoad] = {}
    for c, comp in blueprint.components.items():
        if c not in into:
            continue
        flows = into[c]
        known = [r for i in flows if (r := rates[i]) is not None]
        events = sum(known) if known else None
        # batches of max_batch_size, max_replicas when autoscaled: as the serving model counts them
        capacity = None if comp.capacity_qps is None else comp.capacity_qps * model.batch[c] * model.replicas[c]
        utilization = lag = None
        if events is not None and capacity is not None:
            utilization = events / capacity
            lag = (events - capacity) * 3600 if events > capacity * (1 + 1e-9) else 0.0  # not a rounding error
        result[c] = {
            "events_per_s": events,
            "capacity": capacity,
            "utilization": utilization,
            "lag_per_hour": lag,
            "flows": flows,
            "unknown_flows": [i for i in flows if rates[i] is None],
        }
    return result


__all__ = ["StreamLoad", "flow_events", "stream_load"]
