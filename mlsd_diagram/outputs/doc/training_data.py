"""Where each trainer's data comes from: what actually reaches it over data flows.

Not the ``data_source`` components of the design (a campaigns database feeds serving and may
never reach a trainer), but, per trainer, the components its data flows start from: the origins
(no data flow into them), the people who label or review on the way, and the logs of the live
system (entry points and serving components whose interactions or predictions are logged).
"""

from __future__ import annotations

from typing import Any

from ...analyses.design import DATA_MODES, Design
from ...blueprint.models import Blueprint
from .rows import ref


def training_data(bp: Blueprint, d: Design) -> list[dict[str, Any]]:
    """Per trainer (file order): ``origins``, ``people`` (labelers, reviewers) and ``live`` (the live
    system whose requests, interactions or predictions are logged into training), each a list of refs."""
    rows = []
    live = set(d.entry_points) | set(d.request_path)
    for trainer in d.ml.trainers:
        stop = d.ml.not_data - {trainer}
        upstream = d.graph.reach([trainer], DATA_MODES, backward=True, avoid=stop)
        found = [c for c in d.ids if c in upstream and c != trainer]
        origins = [
            c
            for c in found
            if c not in live
            and not any(u not in d.ml.not_data for u, _ in d.graph.pred(c, *DATA_MODES))
            and c not in d.ml.labelers
        ]
        people = [c for c in found if c in d.ml.labelers]
        logged = [c for c in found if c in live]
        row = ref(bp, trainer)
        row["origins"] = [ref(bp, c) for c in origins]
        row["people"] = [ref(bp, c) for c in people]
        row["live"] = [ref(bp, c) for c in logged]
        rows.append(row)
    return rows


def phrase(row: dict[str, Any]) -> str:
    """One trainer's data in words: 'Trainer (id): logs of the live system (...); labels from people (...); ...'."""

    def names(items: list[dict[str, Any]]) -> str:
        return ", ".join(f"{c['label']} ({c['id']})" if c["label"] != c["id"] else c["id"] for c in items)

    parts = []
    if row["live"]:
        parts.append(f"logged from the live system: {names(row['live'])}")
    if row["people"]:
        parts.append(f"labels and reviews by people: {names(row['people'])}")
    if row["origins"]:
        parts.append(f"upstream data: {names(row['origins'])}")
    head = f"{row['label']} ({row['id']})" if row["label"] != row["id"] else row["id"]
    return f"{head}: " + ("; ".join(parts) if parts else "no data flow reaches it")


__all__ = ["phrase", "training_data"]
