"""Capacity figures of ``mlsd estimate`` beyond load: RAM, retained storage, regions and cost per month.

They build on the figures :mod:`~mlsd_diagram.analyses.estimate` has already computed (an index's
memory, a log's volume per day, the serving model's load at peak), never recomputing them:

- **RAM per machine** = index memory / ``shards``; **RAM in total** = that x shards x ``replicas``
  (a replica is one full copy of the index, split over ``shards`` machines). The index memory
  carries its ``index_overhead``, stated in every RAM figure's note.
- **Retained storage** = bytes per day x retention days x ``replication``, where bytes per day is the
  component's ``bytes_per_day``, else its own log volume per day, else the sum of the volumes of
  the logs that write into it (stream and batch flows).
- **Regions (N+1)**: with ``regions: n``, each region needs ceil(peak QPS / (n - 1) / capacity per
  replica) replicas so that n - 1 regions carry the peak when one is lost; the declared replicas
  (spread evenly) are checked against losing the largest region's share.
- **Cost per month** = replicas x shards x ``cost.per_replica_hour`` x 730 hours, plus the stored GB
  (retained storage, else the feature store size x replication) x ``cost.per_gb_month``; and the
  sum over the components that declare prices.

Pure functions over the blueprint, the design and the figures so far; nothing here mutates them.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..blueprint.models import Blueprint, minutes
from . import traits as T
from .design import Design
from .figures import Figure, Input, Missing, _plain, _product

HOURS_PER_MONTH = 730  # 24 x 365 / 12
BYTES_PER_GB = 1e9
MINUTES_PER_DAY = 1440


class _Found:
    """The figures so far by section and component: the first match, as a scan of the list would
    give it, in O(1) instead of O(figures) (a scan per component made the estimate O(R^2)). Built
    by each pass from the sections earlier passes wrote; no pass looks up a section it writes."""

    def __init__(self, figures: list[Figure]):
        self._by: dict[tuple[str, str | None], list[Figure]] = {}
        for f in figures:
            self._by.setdefault((f.section, f.component), []).append(f)

    def find(self, section: str, c: str, quantity: str | None = None) -> Figure | None:
        return next((f for f in self._by.get((section, c), ()) if quantity is None or f.quantity == quantity), None)


def _overhead_note(memory: Figure) -> str:
    overhead = next((i for i in memory.inputs if i.name == "index_overhead"), None)
    if overhead is None:
        return "raw vectors, no index structure"
    if overhead.assumed:
        return "index_overhead not declared: raw vectors only, HNSW links add about 1.1-1.5x"
    return f"index_overhead {_plain(overhead.value)}x included"


def ram(bp: Blueprint, design: Design, figures: list[Figure], missing: list[Missing]) -> None:
    """RAM per machine and in total for every component with an embedding or index memory figure, but a
    store of precomputed predictions: a key-value store (Cassandra, Bigtable) keeps them on disk, so its
    size is not RAM (an ANN index, a cache or an encoder holds its vectors in memory)."""
    found = _Found(figures)
    for c in design.ids:
        memory = found.find("memory", c)
        if memory is None or (memory.quantity == "embedding memory" and design.has(c, T.PREDICTIONS)):
            continue
        comp = bp.components[c]
        held = Input(memory.quantity, memory.value, f"{memory.quantity} of {c}")
        shards = Input("shards", comp.shards or 1, f"components.{c}.shards", assumed=comp.shards is None)
        note = _overhead_note(memory)
        per_machine = memory.value / shards.value
        figures.append(
            Figure(
                "ram",
                c,
                "RAM per machine (one shard of a replica)",
                per_machine,
                "bytes",
                f"{memory.quantity} / shards",
                f"{_plain(memory.value)} / {_plain(shards.value)}",
                (held, shards),
                note,
            )
        )
        if comp.replicas is None:
            missing.append(Missing("ram", c, "RAM in total", (f"components.{c}.replicas",)))
            continue
        machine = Input("RAM per machine", per_machine, f"RAM per machine of {c}")
        replicas = Input("replicas", comp.replicas, f"components.{c}.replicas")
        total = _product("ram", c, "RAM in total (all replicas)", "bytes", (machine, shards, replicas))
        machines = int(shards.value) * comp.replicas
        figures.append(replace(total, note=f"{machines} machine{'' if machines == 1 else 's'}; {note}"))


def _daily_bytes(bp: Blueprint, design: Design, index: _Found, c: str) -> list[Input]:
    """What ``c`` writes per day: its ``bytes_per_day``, its own log volume, or what its writers log."""
    own = bp.components[c].bytes_per_day
    if own is not None:
        return [Input("bytes_per_day", own, f"components.{c}.bytes_per_day")]
    log = index.find("events", c, "log volume per day")
    if log is not None:
        return [Input("log volume per day", log.value, f"log volume per day of {c}")]
    found: list[Input] = []
    for source, _ in design.graph.pred(c, "stream", "batch"):
        upstream = bp.components[source].bytes_per_day
        written = index.find("events", source, "log volume per day")
        value = upstream if upstream is not None else written.value if written else None
        if value is not None and all(i.source != f"bytes per day of {source}" for i in found):
            found.append(Input(f"bytes per day from {source}", value, f"bytes per day of {source}"))
    return found


def storage(bp: Blueprint, design: Design, figures: list[Figure], missing: list[Missing]) -> None:
    """Retained storage = bytes per day x retention days x replication, for what declares a retention."""
    found = _Found(figures)
    for c in design.ids:
        comp = bp.components[c]
        daily = _daily_bytes(bp, design, found, c)
        store = design.is_(c, "SINK") or design.has(c, T.FEATURE_STORE)
        if comp.retention is None:
            if daily and store:
                missing.append(Missing("storage", c, "retained storage", (f"components.{c}.retention",)))
            continue
        if not daily:
            if store or comp.replication is not None:
                missing.append(Missing("storage", c, "retained storage", (f"components.{c}.bytes_per_day",)))
            continue
        days = Input("retention days", minutes(comp.retention) / MINUTES_PER_DAY, f"components.{c}.retention")
        copies = Input(
            "replication", comp.replication or 1, f"components.{c}.replication", assumed=comp.replication is None
        )
        per_day = sum(i.value for i in daily)
        if len(daily) == 1:
            inputs = (daily[0], days, copies)
            figures.append(_product("storage", c, "retained storage", "bytes", inputs))
            continue
        summed = " + ".join(_plain(i.value) for i in daily)
        figures.append(
            Figure(
                "storage",
                c,
                "retained storage",
                per_day * days.value * copies.value,
                "bytes",
                "sum of bytes per day written into it x retention days x replication",
                f"({summed}) x {_plain(days.value)} x {_plain(copies.value)}",
                (*daily, days, copies),
            )
        )


def regions(bp: Blueprint, design: Design, figures: list[Figure]) -> None:
    """Replicas per region so that the other regions carry the peak when one region is lost."""
    model = design.serving
    if not any(model.entry_peak(e) for e in model.entries):
        return
    base = model.base_load()
    for c in model.request_path:
        n = bp.components[c].regions
        per_replica = model.capacity_per_replica(c)
        qps = base.get(c, 0.0)
        if n is None or per_replica is None or not qps:
            continue
        inputs = (
            Input("peak QPS", qps, f"peak QPS of {c}"),
            Input("regions", n, f"components.{c}.regions"),
            Input("capacity per replica", per_replica, f"components.{c}.capacity_qps"),
        )
        declared = bp.components[c].replicas
        if n == 1:
            needed = math.ceil(qps / per_replica - 1e-9)
            figures.append(
                Figure(
                    "regions",
                    c,
                    "replicas in its one region",
                    needed,
                    "replicas",
                    "ceil(peak QPS / capacity per replica)",
                    f"ceil({_plain(qps)} / {_plain(per_replica)})",
                    inputs,
                    "a single region: losing it takes this component down whatever its replicas",
                )
            )
            continue
        per_region = math.ceil(qps / (n - 1) / per_replica - 1e-9)
        if declared is None:
            note = "none declared"
        else:
            left = declared - math.ceil(declared / n)  # the largest region's share lost
            verdict = "enough" if left * per_replica >= qps - 1e-9 else "short"
            note = (
                f"{declared} declared over {n} regions: {verdict}, {left} left after losing the largest region "
                f"carry {_plain(left * per_replica)} QPS for {_plain(qps)}"
            )
        figures.append(
            Figure(
                "regions",
                c,
                f"replicas per region (one of {n} regions lost)",
                per_region,
                "replicas",
                "ceil(peak QPS / (regions - 1) / capacity per replica)",
                f"ceil({_plain(qps)} / {_plain(n - 1)} / {_plain(per_replica)})",
                inputs,
            )
        )
        figures.append(
            Figure(
                "regions",
                c,
                f"replicas in all {n} regions",
                per_region * n,
                "replicas",
                "replicas per region x regions",
                f"{_plain(per_region)} x {_plain(n)}",
                (Input("replicas per region", per_region, f"replicas per region of {c}"), inputs[1]),
                note,
            )
        )


def _stored_bytes(bp: Blueprint, found: _Found, c: str) -> Input | None:
    retained = found.find("storage", c)
    if retained is not None:
        return Input("retained storage", retained.value, f"retained storage of {c}")
    size = found.find("features", c)
    if size is not None:
        copies = bp.components[c].replication or 1
        return Input("feature store size x replication", size.value * copies, f"feature store size of {c}")
    return None


def cost(bp: Blueprint, figures: list[Figure], missing: list[Missing]) -> None:
    """Cost per month per component from its declared unit prices, and the sum."""
    found = _Found(figures)
    parts: list[Figure] = []
    for c, comp in bp.components.items():
        prices = comp.cost
        if prices is None:
            continue
        if prices.per_replica_hour is not None:
            if comp.replicas is None:
                missing.append(Missing("cost", c, "replica cost per month", (f"components.{c}.replicas",)))
            else:
                inputs = [Input("replicas", comp.replicas, f"components.{c}.replicas")]
                if comp.shards is not None:
                    inputs.append(Input("shards", comp.shards, f"components.{c}.shards"))
                inputs += [
                    Input("per_replica_hour", prices.per_replica_hour, f"components.{c}.cost.per_replica_hour"),
                    Input("hours per month", HOURS_PER_MONTH, "24 x 365 / 12"),
                ]
                parts.append(_product("cost", c, "replica cost per month", "per month", inputs))
        if prices.per_gb_month is not None:
            stored = _stored_bytes(bp, found, c)
            if stored is None:
                missing.append(
                    Missing(
                        "cost",
                        c,
                        "storage cost per month",
                        # only what is not declared yet: a lake with its retention lacks its daily bytes
                        ((f"components.{c}.retention",) if comp.retention is None else ())
                        + (f"components.{c}.bytes_per_day",),
                    )
                )
                continue
            price = Input("per_gb_month", prices.per_gb_month, f"components.{c}.cost.per_gb_month")
            parts.append(
                Figure(
                    "cost",
                    c,
                    "storage cost per month",
                    stored.value / BYTES_PER_GB * price.value,
                    "per month",
                    f"{stored.name} / 10^9 x per_gb_month",
                    f"{_plain(stored.value)} / 10^9 x {_plain(price.value)}",
                    (stored, price),
                )
            )
    figures.extend(parts)
    if parts:
        total = sum(f.value for f in parts)
        figures.append(
            Figure(
                "cost",
                None,
                "cost per month, all priced components",
                total,
                "per month",
                "sum of the costs above",
                " + ".join(_plain(round(f.value, 2)) for f in parts),
                tuple(
                    Input(f"{f.quantity} of {f.component}", f.value, f"{f.quantity} of {f.component}") for f in parts
                ),
                "in the currency of the declared prices; components without prices are not counted",
            )
        )


__all__ = ["BYTES_PER_GB", "HOURS_PER_MONTH", "cost", "ram", "regions", "storage"]
