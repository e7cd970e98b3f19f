"""Data rules (MLSD4xx) about personal data: redaction before features, and how long it is kept."""

from __future__ import annotations

from collections.abc import Iterator

from .. import practices as P
from .. import traits as T
from ..design import Design
from ..findings import Hit
from .registry import rule


@rule("MLSD403", "pii-unredacted", "error", "[TS] Data 5")
def pii_unredacted(d: Design) -> Iterator[Hit]:
    """Data tagged `pii` lands in a log, lake, warehouse, monitor or training job.

    **What it checks.** Flows tagged `pii` whose target is a shared store (SINK), a MONITOR
    component or a training-stage component. A redactor in between takes the `pii` tag off the
    flows it emits.

    **Why it matters.** Personal data copied into logs, lakes and training sets multiplies the
    places it can leak from and has to be deleted from; the ML Test Score asks that the pipeline
    has appropriate privacy controls. Source: [TS] Data 5.

    **Example.**

    ```yaml
    flows:
      - {from: user_db, to: lake, mode: batch, data: profiles, tags: [pii]}
    ```

    **How to fix.** Route it through a `pii_redactor` and send on pseudonymized data (without the
    `pii` tag): `user_db -> redactor (pii) -> lake`.
    """
    for index, flow in enumerate(d.flows):
        target = flow.target
        if "pii" in flow.tags and (d.is_(target, "SINK") or d.is_(target, "MONITOR") or d.stage[target] == "training"):
            yield Hit(
                f"flow tagged pii from '{flow.source}' lands in '{target}' ({d.kind[target]}) unredacted; "
                "route it through a pii_redactor",
                flow=index,
            )


PERSONAL_TARGET_TAGS = frozenset({"features", "embeddings"})


@rule(
    "MLSD410",
    "pii-retention-unbounded",
    "warning",
    "GDPR (Regulation (EU) 2016/679) Art. 5(1)(e) storage limitation and Art. 17 right to erasure",
)
def pii_retention_unbounded(d: Design) -> Iterator[Hit]:
    """Personal data is kept in a store, labeling queue or feature set with no retention or erasure.

    **What it checks.** Targets of flows tagged `pii` that keep it: shared stores (lakes, logs),
    labeling and human review, features- and training-stage components (not a batch scorer,
    which passes its input on), and any target of a flow
    that also carries `features` or `embeddings`. Each must declare `retention` (a duration), or
    receive a flow tagged `erasure` (a deletion job).

    **Why it matters.** Personal data may be kept no longer than its purpose needs, and people may
    ask for it to be erased; a lake, an annotation queue or an embedding table that nobody purges
    keeps faces, profiles and histories forever. Redacting before storage (MLSD403) is the first
    control; bounded retention is the second, and applies to what must stay raw (faces sent to
    annotators). Source: GDPR Art. 5(1)(e) and Art. 17.

    **Example.**

    ```yaml
    flows:
      - {from: imagery, to: annotators, mode: batch, data: raw face crops, tags: [pii]}
    ```

    **How to fix.** `annotators: {kind: labeling, retention: 30d}`, or a deletion job:
    `{from: erasure_job, to: lake, mode: batch, data: erasure requests, tags: [erasure]}`.
    """
    reported: set[str] = set()
    for flow in d.flows:
        target = flow.target
        if "pii" not in flow.tags or target in reported:
            continue
        keeps = (
            d.is_(target, "SINK")
            or d.has(target, T.LABELS)
            or d.stage[target] == "features"
            or (d.stage[target] == "training" and not d.is_(target, "SERVE"))  # a batch scorer passes it on
            or bool(PERSONAL_TARGET_TAGS & set(flow.tags))
        )
        if not keeps or d.components[target].retention:
            continue
        if any("erasure" in d.flows[i].tags for _, i in d.graph.pred(target)):
            continue
        reported.add(target)
        yield Hit(
            f"personal data from '{flow.source}' is kept in '{target}' ({d.kind[target]}) with no retention "
            f"and no erasure path; declare retention on '{target}' (e.g. 30d) or a flow tagged erasure into it",
            component=target,
            practice=P.RETENTION,
        )
