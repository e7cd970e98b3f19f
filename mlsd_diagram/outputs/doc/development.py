"""Model development, label definitions and the value model: the ML content of the design doc.

Each trained model gets the facts a reviewer grades (the model and the alternatives weighed, the
loss, positives and negatives, sampling, class imbalance, the split of its evaluation gate,
calibration, position debiasing, training set-up, tuning, compression), and a ``> Decide:``
prompt for each missing fact that matters *for that model*: imbalance for classifiers, negative
sampling for retrieval and ranking, position debiasing for models that order what users see and
learn from what they saw, compression for models answering live requests, calibration when the
score's value (not only its order) is used.
"""

from __future__ import annotations

from typing import Any

from ...analyses import traits as T
from ...analyses.design import DATA_MODES, Design
from ...blueprint.models import Blueprint
from ...blueprint.rollout import alternative_text
from .markdown import escape_inline as _e
from .rows import Prompts, component_row, flow_row, label_of, ref

_CALIBRATED_USES = ("auction", "threshold", "blend")


def _family(task: str | None) -> str | None:
    from .context import task_family  # the one list of task words

    return task_family(task)


def gates_of(d: Design, model: str) -> list[str]:
    """Evaluation gates a model's artifacts pass on their way to it (data and deploy flows)."""
    upstream = d.graph.reach([model], DATA_MODES, backward=True)
    return [g for g in d.with_trait(T.EVAL_GATE) if g in upstream]


def is_trained(d: Design, c: str) -> bool:
    """A model (:meth:`Design.is_model`) that a trainer of this design trains."""
    return d.is_model(c) and bool(d.ml.trainers_of(c))


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def _facts(bp: Blueprint, d: Design, cid: str) -> list[dict[str, str]]:
    """The model's development facts that the blueprint holds, as (name, text) rows in reading order."""
    comp = bp.components[cid]
    rows: list[tuple[str, str]] = []

    def add(name: str, value: Any) -> None:
        if value not in (None, "", []):
            rows.append((name, value if isinstance(value, str) else str(value)))

    add("Model", comp.model)
    add("Alternatives considered", "; ".join(alternative_text(a) for a in comp.alternatives))
    add("Loss", comp.loss)
    add("Positives", comp.positives)
    add("Negatives", comp.negatives)
    add("Negative sampling", comp.negative_sampling)
    imbalance = [f"{_percent(comp.positive_rate)} positives"] if comp.positive_rate else []
    if comp.class_balancing:
        imbalance.append(comp.class_balancing.value.replace("_", " "))
    add("Class imbalance", "; ".join(imbalance))
    splits = [f"{g_split} ({label_of(bp, g)})" for g in gates_of(d, cid) if (g_split := _split(bp, g))]
    add("Split", "; ".join(splits))
    add("Scores used for", comp.score_use.value if comp.score_use else None)
    add("Calibration", comp.calibration.value.replace("_", " ") if comp.calibration else None)
    add("Position debiasing", comp.position_debiasing.value.replace("_", " ") if comp.position_debiasing else None)
    add("Value model", comp.value_model)
    add("Training set-up", comp.training_setup)
    trainers = [
        f"{label_of(bp, t)}" + (f", every {bp.components[t].cadence}" if bp.components[t].cadence else "")
        for t in d.ml.trainers_of(cid)
    ]
    # a registry shared by several trainers hides which one trains this model: say so
    add("Trained by" if len(trainers) == 1 else "Trained by one of", "; ".join(trainers))
    add("Tuning", comp.tuning)
    add("Compression", comp.compression)
    add("Exploration", f"{_percent(comp.exploration_share)} of requests" if comp.exploration_share else None)
    add("Holdout", f"{_percent(comp.holdout_share)} of users" if comp.holdout_share else None)
    add("Oldest model served", comp.max_model_age)
    if comp.automated_action:
        add("Acts on its own", "yes, its output is acted on with no human in between (automated_action)")
    return [{"name": n, "value": v} for n, v in rows]


def _split(bp: Blueprint, gate: str) -> str:
    split = bp.components[gate].split
    return split.value if split else ""


class _Merged:
    """The fields of one model declared on several components: the first value given wins."""

    def __init__(self, bp: Blueprint, ids: list[str]):
        self._comps = [bp.components[c] for c in ids]

    def __getattr__(self, name: str) -> Any:
        values = [getattr(c, name) for c in self._comps]
        return next((v for v in values if v not in (None, "", [])), values[0])


def model_groups(bp: Blueprint, d: Design, models: list[str]) -> dict[str, list[str]]:
    """Components that are one model, by their first (declaration order) component.

    Two components are one model when they name the same ``model``, or when one is a tower only
    other models call (a user tower inside a two-tower retrieval) and both have the same trainers.
    """
    parent = {c: c for c in models}

    def root(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            first, second = sorted((ra, rb), key=d.order.__getitem__)
            parent[second] = first

    by_name: dict[str, str] = {}
    for c in models:
        name = bp.components[c].model
        if name:
            if name in by_name:
                join(by_name[name], c)
            else:
                by_name[name] = c
    for c in models:
        callers = [u for u, _ in d.graph.pred(c, "request")]
        if callers and all(u in parent for u in callers):
            for u in callers:
                if set(d.ml.trainers_of(u)) == set(d.ml.trainers_of(c)):
                    join(u, c)
    groups: dict[str, list[str]] = {}
    for c in models:
        groups.setdefault(root(c), []).append(c)
    return groups


def _model_prompts(bp: Blueprint, d: Design, cid: str, decide: Prompts, group: list[str] | None = None) -> list[str]:
    """Step-4 prompts for a trained model: only the facts that matter for it (declared on any
    component of its ``group``: the components that are one model)."""
    comp: Any = _Merged(bp, group or [cid])
    name = _e(label_of(bp, cid))
    family = _family(comp.task)
    if any(d.is_(c, "RETRIEVE") or d.has(c, T.RANKER) for c in group or [cid]):
        family = family or "ranking"
    at = f"components.{cid}"
    asks: list[tuple[bool, str, str]] = [
        (not comp.model, "model", f"which model {name} is (architecture and size) (`{at}.model`)."),
        (
            not comp.alternatives,
            "alternatives",
            f"the alternatives weighed for {name} and why they lost (`{at}.alternatives`).",
        ),
        (not comp.loss, "loss", f"the loss {name} is trained with (`{at}.loss`)."),
        (
            family in ("classification", "ranking", "detection") and not comp.positives,
            "positives",
            f"what makes a training example positive for {name} (`{at}.positives`).",
        ),
        (
            family in ("classification", "ranking", "detection") and not comp.negatives,
            "negatives",
            f"what makes a training example negative for {name} (`{at}.negatives`).",
        ),
        (
            family == "ranking" and not comp.negative_sampling,
            "negative_sampling",
            f"how negatives are sampled for {name}: in-batch, random, hard negatives (`{at}.negative_sampling`).",
        ),
        (
            family == "classification" and comp.positive_rate is None,
            "positive_rate",
            f"the share of positive examples {name} learns from (`{at}.positive_rate`).",
        ),
        (
            family == "classification" and comp.class_balancing is None,
            "class_balancing",
            f"how training of {name} handles rare positives: class weights, downsampling, focal loss "
            f"(`{at}.class_balancing`).",
        ),
        (
            family == "classification" and comp.score_use is None,
            "score_use",
            f"how the scores of {name} are used: ranking, auction, threshold, blend (`{at}.score_use`).",
        ),
        (
            comp.score_use is not None and comp.score_use.value in _CALIBRATED_USES and comp.calibration is None,
            "calibration",
            f"how the probabilities of {name} are calibrated, since their values are used (`{at}.calibration`).",
        ),
        (
            any(d.chooses_what_users_see(c) and not d.is_(c, "RETRIEVE") for c in group or [cid])
            and d.ml.learns_from_live(cid)
            and comp.position_debiasing is None,
            "position_debiasing",
            f"how {name} removes the position bias of clicks it learns from (`{at}.position_debiasing`).",
        ),
        (
            not comp.training_setup,
            "training_setup",
            f"how {name} is trained: hardware, data- or model-parallel, warm start (`{at}.training_setup`).",
        ),
        (not comp.tuning, "tuning", f"how the hyperparameters of {name} are chosen (`{at}.tuning`)."),
        (
            any(c in d.request_path and not d.is_(c, "OFFLINE") for c in group or [cid]) and not comp.compression,
            "compression",
            f"how {name} is made small and fast enough to serve: quantization, distillation, pruning, "
            f"or why it need not be (`{at}.compression`).",
        ),
    ]
    return [decide.add(4, f"{key}:{cid}", text) for missing, key, text in asks if missing]


def development(bp: Blueprint, d: Design, models: list[str], decide: Prompts) -> list[dict[str, Any]]:
    """Step 4, one entry per model: its facts, notes and the prompts for what is missing.

    Models that no trainer of the design trains get their facts shown but no prompt.
    """
    rows = []
    groups = model_groups(bp, d, models)
    first_of = {c: first for first, members in groups.items() for c in members}
    for cid in models:
        trained = is_trained(d, cid)
        facts = _facts(bp, d, cid)
        owner = first_of[cid]
        if owner != cid:
            facts.insert(0, {"name": "Same model as", "value": f"{label_of(bp, owner)} ({owner})"})
        if not (trained or facts or bp.components[cid].notes):
            continue
        row = component_row(bp, cid)
        row["trained"] = trained
        row["facts"] = facts
        row["decide"] = _model_prompts(bp, d, cid, decide, groups[cid]) if trained and owner == cid else []
        rows.append(row)
    return rows


def value_models(bp: Blueprint, models: list[str], decide: Prompts) -> list[dict[str, Any]]:
    """Models with several outputs (heads) or a declared value model: how they become one score.

    Not asked of a model whose outputs are each thresholded or used as estimates (``score_use``)."""
    rows = []
    for cid in models:
        comp = bp.components[cid]
        # outputs used one by one (a threshold per class, an estimate each) never combine
        separate = comp.score_use is not None and comp.score_use.value in ("threshold", "estimate")
        if not comp.value_model and (len(comp.outputs) < 2 or separate):
            continue
        row = ref(bp, cid)
        row["outputs"] = list(comp.outputs)
        row["value_model"] = comp.value_model or ""
        if not comp.value_model:
            decide.add(
                2,
                f"value_model:{cid}",
                f"how the {len(comp.outputs)} outputs of {_e(row['label'])} combine into the one score "
                f"that is used, with which weights (`components.{cid}.value_model`).",
            )
        rows.append(row)
    return rows


def label_definitions(bp: Blueprint, d: Design, decide: Prompts) -> tuple[list[dict[str, Any]], list[str]]:
    """Flows tagged ``labels``, with their window, delay, source and late positives; and the prompts.

    The facts are asked once per trainer (for the labels that reach it), not once per hop a
    label travels: any label flow upstream of the trainer may declare them.
    """
    rows = [flow_row(bp, i) for i, f in enumerate(bp.flows) if "labels" in f.tags]
    asked: list[str] = []
    for row in rows:
        if row["label_window"] and not row["late_positives"]:
            asked.append(
                decide.add(
                    3,
                    f"late_positives:{row['index']}",
                    f"what happens to positives arriving after the {_e(row['label_window'])} window of "
                    f"{_e(row['source'])} -> {_e(row['target'])}: dropped, relabeled, importance_weighted, "
                    f"delay_model, window_closed (`flows[{row['index']}].late_positives`).",
                )
            )
    for trainer in d.ml.trainers:
        upstream = d.ml.upstream_flows(trainer)
        labels = [i for i in upstream if "labels" in bp.flows[i].tags]
        if not labels:
            continue
        flows = [bp.flows[i] for i in labels]
        implicit = any("interactions" in bp.flows[i].tags for i in upstream)
        name = _e(label_of(bp, trainer))
        if implicit and not any(f.label_window for f in flows):
            asked.append(
                decide.add(
                    3,
                    f"label_window:{trainer}",
                    f"how long after an event its label may still arrive, for the labels {name} learns from "
                    f"(`label_window` on the flow tagged `labels` where they are joined).",
                )
            )
        if not any(f.label_delay for f in flows):
            asked.append(
                decide.add(
                    3,
                    f"label_delay:{trainer}",
                    f"how long after an event its label typically arrives, for the labels {name} learns from "
                    f"(`label_delay` on a flow tagged `labels`).",
                )
            )
        if not any(f.label_source for f in flows):
            asked.append(
                decide.add(
                    3,
                    f"label_source:{trainer}",
                    f"where the labels {name} learns from come from and how they are noisy (`label_source` on a "
                    f"flow tagged `labels`).",
                )
            )
    return rows, [text for text in asked if text]


__all__ = ["development", "gates_of", "is_trained", "label_definitions", "model_groups", "value_models"]
