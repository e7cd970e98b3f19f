"""Structure rules (MLSD1xx): the shape of the design itself."""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from ...blueprint.models import Mode
from ..design import DATA_MODES, Design
from ..findings import Hit
from .registry import rule


@rule("MLSD102", "orphan-component", "warning", "[TD] §3 (unused data dependencies)")
def orphan_component(d: Design) -> Iterator[Hit]:
    """A component has no flows at all.

    **What it checks.** Every component that no flow enters or leaves.

    **Why it matters.** A box with no arrows is either forgotten (the design does not say how it
    is fed or who reads it) or dead weight; both are the unused dependencies that Sculley et al.
    count as hidden technical debt. Source: [TD] §3.

    **Example.**

    ```yaml
    components:
      tracker: {kind: experiment_tracker}   # nothing writes to it, nothing reads it
    ```

    **How to fix.** Add the flows that feed and read it, or remove it.
    """
    connected = {f.source for f in d.flows} | {f.target for f in d.flows}
    for c in d.ids:
        if c not in connected:
            yield Hit(f"'{c}' has no flows: nothing feeds it and nothing reads it", component=c)


@rule("MLSD103", "unlabeled-flow", "warning", "[TD] §3, [RoML] #11")
def unlabeled_flow(d: Design) -> Iterator[Hit]:
    """A flow does not say what data it carries.

    **What it checks.** Flows without `data` (fallback flows are exempt: their meaning is the
    caller's response).

    **Why it matters.** Undocumented data dependencies are how pipelines become impossible to
    change safely; each feature and signal needs an owner and a description ([TD] §3,
    [RoML] rule #11). Source: [TD] §3, [RoML] #11.

    **Example.**

    ```yaml
    flows:
      - {from: lake, to: trainer, mode: batch}
    ```

    **How to fix.** Say what moves: `data: labeled impressions (30 days)`, and tag it
    (`tags: [labels]`).
    """
    for index, flow in enumerate(d.flows):
        if flow.mode is not Mode.FALLBACK and not (flow.data or "").strip():
            yield Hit(
                f"{flow.mode.value} flow from '{flow.source}' to '{flow.target}' does not say what data it "
                "carries; add 'data:'",
                flow=index,
            )


@rule("MLSD104", "undeclared-cycle", "warning", "[TD] §4 (feedback loops)")
def undeclared_cycle(d: Design) -> Iterator[Hit]:
    """A cycle through stream or batch flows is not declared as a feedback or retraining loop.

    **What it checks.** Cycles of stream, batch, deploy and telemetry flows that survive after
    removing every flow marked with `loop:`. Request flows are left out: a cycle of request flows
    alone is a validation error, and the loop through users (served results shape the
    interactions a model is retrained on) is MLSD506's subject; fallback flows move no data.

    **Why it matters.** A model that learns from data its own predictions shaped is a feedback
    loop: sometimes intended (retraining on logged interactions), sometimes a hidden loop that
    makes the model's behaviour hard to analyze. Declaring it documents the intent.
    Source: [TD] §4.

    **Example.**

    ```yaml
    flows:
      - {from: ranker, to: logs, mode: stream, data: served scores}
      - {from: logs, to: trainer, mode: batch, data: training examples}
      - {from: trainer, to: ranker, mode: deploy, data: new model}
    ```

    **How to fix.** Mark one flow of the loop: `loop: retraining` (or `loop: feedback`), after
    checking the loop is intended.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(d.ids)
    first: dict[tuple[str, str], int] = {}
    for index, flow in enumerate(d.flows):
        if flow.mode is Mode.FALLBACK or flow.mode is Mode.REQUEST or flow.loop is not None:
            continue
        edge = (flow.source, flow.target)
        graph.add_edge(*edge)
        first.setdefault(edge, index)
    order = d.order
    groups = [g for g in nx.strongly_connected_components(graph) if len(g) > 1]
    for group in sorted(groups, key=lambda g: min(order[c] for c in g)):
        start = min(group, key=order.__getitem__)
        cycle = nx.find_cycle(graph.subgraph(group), source=start)
        names = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
        index = min(first[(u, v)] for u, v in cycle)
        yield Hit(
            f"cycle {names} is not declared; mark one of its flows 'loop: feedback' or 'loop: retraining' "
            "if it is intended",
            flow=index,
        )


@rule("MLSD105", "offline-on-request-path", "error", "[AX] ch. 1, [DMLS] ch. 7")
def offline_on_request_path(d: Design) -> Iterator[Hit]:
    """An OFFLINE component (training, ETL, lake, warehouse) is called on the request path.

    **What it checks.** Components whose kind has the OFFLINE role and that an entry point reaches
    over request flows.

    **Why it matters.** Batch systems have minutes-to-hours latency and no serving SLO; a live
    request that waits on a warehouse query or a training job misses its latency budget and fails
    with it. Online serving reads from online stores that batch jobs fill ahead of time.
    Source: [AX] ch. 1, [DMLS] ch. 7.

    **Example.**

    ```yaml
    flows:
      - {from: ranker, to: warehouse, mode: request, data: user history}
    ```

    **How to fix.** Precompute what the request needs into an online store (a feature store, a
    cache or a predictions store) with a batch or stream flow, and call that instead. A live
    third-party or partner API called per request (a credit bureau, a geocoder) is not offline:
    declare it as an `external_api`, not a `data_source` (which is read offline).
    """
    for c in d.request_path:
        if d.is_(c, "OFFLINE"):
            path = " -> ".join(d.graph.path_to(d.request_parent, c))
            yield Hit(
                f"'{c}' ({d.kind[c]}) is OFFLINE but sits on the request path ({path}); serve from an online "
                "store filled ahead of time",
                component=c,
            )


@rule("MLSD106", "undeclared-consumer", "warning", "[TD] §2")
def undeclared_consumer(d: Design) -> Iterator[Hit]:
    """Predictions are written to a store that no declared component reads.

    **What it checks.** Stores that receive predictions (a flow tagged `predictions`, or a stream
    or batch flow out of a SERVE component) and have no declared reader: no outgoing flow, no
    incoming request and no incoming fallback (a fallback target is read on the request path).
    Client-stage and MONITOR components are consumers themselves and exempt.

    **Why it matters.** Whoever reads those predictions is an undeclared consumer: a hidden
    dependency that silently breaks, or silently shapes the model's future training data, when
    the model changes. Source: [TD] §2.

    **Example.**

    ```yaml
    flows:
      - {from: scorer, to: scores_table, mode: batch, data: daily scores, tags: [predictions]}
      # nothing reads scores_table in the design
    ```

    **How to fix.** Declare the readers with flows from the store (or a `downstream_consumer`
    component), so changes to the model are reviewed with them.
    """
    for c in d.ids:
        if d.stage[c] == "client" or d.is_(c, "MONITOR"):
            continue
        incoming = [
            (u, i)
            for u, i in d.graph.pred(c, "stream", "batch")
            if "predictions" in d.flows[i].tags or d.is_(u, "SERVE")
        ]
        if not incoming:
            continue
        readers = any(True for _ in d.graph.succ(c, *DATA_MODES, "request", "telemetry")) or any(
            True for _ in d.graph.pred(c, "request", "fallback")
        )
        if not readers:
            sources = d.names(sorted({u for u, _ in incoming}, key=d.order.__getitem__))
            yield Hit(
                f"'{c}' receives predictions from {sources} but no component reads it: its consumers are undeclared",
                component=c,
            )
