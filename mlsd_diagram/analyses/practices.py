"""Optional practice fields: a blank one means "not said", not "unsafe".

Many rules read an optional field that states a production practice: a call's ``timeout_ms``, a
component's ``replicas``, a model's ``max_model_age``, a gate's ``split``. A design that never uses
the field has not said anything about the practice (it may live in a runbook, a platform default
or a part of the system the author does not own); a design that uses it on some items and not on
others has an inconsistency worth a warning on each of the others.

A rule says which practice a finding rests on by giving its :class:`~.findings.Hit` a
:class:`Practice` (only when the finding comes from the field being *blank*; a declared unsafe value,
``split: random``, ``replicas: 1``, is a finding of its own). The lint engine then applies the
profile (:func:`review`): in the ``review`` profile, the findings of a practice that the design
declares nowhere become one design-level note per practice and rule; in the ``interview`` profile
every blank stays a prompt, as a design practised from scratch needs. Errors never change.

>>> from mlsd_diagram.analyses.practices import TIMEOUT
>>> TIMEOUT.fields
('timeout_ms', 'load_shedding')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..blueprint.models import Blueprint
from .findings import Hit

PROFILES = ("review", "interview")
"""``review`` (the default): a practice the design uses nowhere is one note; ``interview``: every blank is a finding."""
DEFAULT_PROFILE = PROFILES[0]


@dataclass(frozen=True)
class Practice:
    """An optional practice a design states with component or flow fields (or flow tags)."""

    fields: tuple[str, ...]  # Component or Flow fields that state it (any of them, anywhere, counts)
    nobody: str  # the note's opening: "no call declares a timeout"
    item: tuple[str, str]  # what the findings are about, singular and plural: ("request call", "request calls")
    concern: str  # what stays unchecked: "overload cascades"
    fix: str  # what to declare: "declare timeout_ms on calls"
    tags: tuple[str, ...] = ()  # flow tags that state it too (a flow tagged model_age)

    def note(self, count: int) -> str:
        """The design-level note for ``count`` findings of a practice the design declares nowhere."""
        item = self.item[0] if count == 1 else self.item[1]
        return f"{self.nobody}: {count} {item} unchecked for {self.concern}; {self.fix}"


TIMEOUT = Practice(
    ("timeout_ms", "load_shedding"),
    "no call declares a timeout and no component sheds load",
    ("request call", "request calls"),
    "overload cascades",
    "declare timeout_ms on calls (or load_shedding: true on callees that reject excess load)",
)
FEATURE_DEFAULTS = Practice(
    ("on_failure", "timeout_ms"),
    "no call declares on_failure or a timeout",
    ("feature lookup", "feature lookups"),
    "what a model does when a feature is missing",
    "declare timeout_ms and on_failure: defaults on feature lookups",
)
REPLICAS = Practice(
    ("replicas", "min_replicas"),  # an autoscaler's floor states the practice too
    "no component declares replicas",
    ("critical request-path component", "critical request-path components"),
    "single points of failure",
    "declare replicas on them",
)
LATENCY = Practice(
    ("latency_p99_ms",),
    "no component declares a latency",
    ("request-path component", "request-path components"),
    "the latency budget",
    "declare latency_p99_ms on them",
)
CAPACITY = Practice(
    ("capacity_qps",),
    "no component declares a capacity",
    ("request-path component", "request-path components"),
    "saturation at peak",
    "declare capacity_qps on them",
)
MODEL_AGE = Practice(
    ("max_model_age",),
    "no model declares a max_model_age and no flow tagged model_age reaches alerting",
    ("trained model", "trained models"),
    "silently stopped retraining",
    "declare max_model_age (e.g. 2d) and alert on it",
    tags=("model_age",),
)
LABEL_WINDOW = Practice(
    ("label_window",),
    "no flow declares a label_window",
    ("trainer learning from interactions", "trainers learning from interactions"),
    "labels that arrive late",
    "declare label_window on the flows that form labels",
)
LATE_POSITIVES = Practice(
    ("late_positives",),
    "no flow declares late_positives",
    ("label flow with a window longer than its retraining", "label flows with a window longer than their retraining"),
    "late positives trained as negatives",
    "declare late_positives on them",
)
POINT_IN_TIME = Practice(
    ("point_in_time",),
    "no flow declares point_in_time and no served features are logged",
    ("trainer reading features", "trainers reading features"),
    "features from after the label (leakage)",
    "declare point_in_time: true on the joins, or log served features",
)
SPLIT = Practice(
    ("split",),
    "no evaluation gate declares a split",
    ("gate of a model learning from live data", "gates of models learning from live data"),
    "evaluation rows older than training rows",
    "declare split: time on them",
)
POSITION = Practice(
    ("position_debiasing",),
    "no model declares position_debiasing and no flow logs the position shown",
    ("ranker retrained on its clicks", "rankers retrained on their clicks"),
    "position bias",
    "log the position (tag position) and declare position_debiasing",
    tags=("position",),
)
RETENTION = Practice(
    ("retention",),
    "no component declares a retention and no flow is tagged erasure",
    ("store of personal data", "stores of personal data"),
    "storage limitation and erasure",
    "declare retention (or an erasure flow) on them",
    tags=("erasure",),
)
CLASS_BALANCING = Practice(
    ("class_balancing",),
    "no model declares class_balancing",
    ("rare-positive model", "rare-positive models"),
    "class imbalance",
    "declare class_balancing, or add pr_auc or log loss to metrics.offline",
)
WRITE_MODE = Practice(
    ("write_mode",),
    "no batch job declares a write_mode",
    ("batch job writing features or labels", "batch jobs writing features or labels"),
    "safe reruns and backfills",
    "declare write_mode: overwrite_partition (or upsert) on them",
)
EXPLORATION = Practice(
    ("exploration_share", "holdout_share"),
    "no component declares an exploration_share or holdout_share",
    ("model retrained on what it showed", "models retrained on what they showed"),
    "degenerate feedback loops",
    "declare exploration_share or holdout_share on them or their request path",
)
CADENCE = Practice(
    ("cadence",),
    "no component declares a cadence",
    ("retrieval index", "retrieval indexes"),
    "index freshness",
    "declare the rebuild cadence of their builders",
)
CALIBRATION = Practice(
    ("calibration",),
    "no model declares calibration",
    ("model whose score value is used", "models whose score values are used"),
    "calibration",
    "declare calibration, or a calibration metric in metrics",
)
SLICES = Practice(
    ("slices",),
    "no evaluation gate declares slices",
    ("gate of a model acting on people", "gates of models acting on people"),
    "quality per group",
    "declare slices with their thresholds",
)

PRACTICES: tuple[Practice, ...] = (
    TIMEOUT,
    FEATURE_DEFAULTS,
    REPLICAS,
    LATENCY,
    CAPACITY,
    MODEL_AGE,
    LABEL_WINDOW,
    LATE_POSITIVES,
    POINT_IN_TIME,
    SPLIT,
    POSITION,
    RETENTION,
    CLASS_BALANCING,
    WRITE_MODE,
    EXPLORATION,
    CADENCE,
    CALIBRATION,
    SLICES,
)
"""Every practice a rule reads (a test checks each field is a Component or Flow field)."""


def declared(blueprint: Blueprint, practice: Practice) -> bool:
    """True when some component or flow of ``blueprint`` writes one of the practice's fields, or
    some flow carries one of its tags: the design uses the practice somewhere."""
    items = [*blueprint.components.values(), *blueprint.flows]
    if any(name in item.model_fields_set for item in items for name in practice.fields):
        return True
    return bool(practice.tags) and any(set(practice.tags) & set(flow.tags) for flow in blueprint.flows)


def review(
    hits: Iterable[Hit], blueprint: Blueprint, accepted: Callable[[Hit], bool] = lambda hit: False
) -> tuple[list[Hit], list[Hit]]:
    """The review profile on one rule's hits: ``(kept, notes)``.

    Hits resting on a practice the design declares nowhere are replaced by one design-level note
    per practice (in the order of their first hit); every other hit is kept as it is, and so is an
    ``accepted`` one (its ``lint.accept`` names it, and keeps covering it in every profile).
    """
    kept: list[Hit] = []
    unsaid: dict[Practice, int] = {}
    known: dict[Practice, bool] = {}
    for hit in hits:
        practice = hit.practice
        if practice is not None and not accepted(hit):
            if practice not in known:
                known[practice] = declared(blueprint, practice)
            if not known[practice]:
                unsaid[practice] = unsaid.get(practice, 0) + 1
                continue
        kept.append(hit)
    return kept, [Hit(practice.note(count)) for practice, count in unsaid.items()]
