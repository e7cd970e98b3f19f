"""Blueprint (+ analyses' results) -> the variables a design-doc template receives.

Everything here is plain data (dicts, lists, strings, numbers) so that a user's
own template can use it without knowing the library. Where the blueprint is
silent, the section gets a ``decide`` prompt instead of filler text; the same
prompts are gathered, in document order, in ``open_questions``.
"""

from __future__ import annotations

import re
from typing import Any

from ...analyses import traits as T
from ...analyses.design import DATA_MODES, Design
from ...analyses.estimate import SECTIONS as ESTIMATE_SECTIONS
from ...analyses.estimate import estimate
from ...analyses.framework import STEPS
from ...analyses.funnel import funnel as derive_funnel
from ...analyses.request_path import entries_and_request_path
from ...analyses.serving import load_table, serving_model
from ...blueprint.models import Blueprint
from ..files import shown_path
from .development import development, label_definitions, value_models
from .markdown import Md
from .markdown import escape_inline as _e
from .overview import (
    automated_actions,
    context_sections,
    decisions,
    integration_points,
    place_notes,
    practice,
    privacy,
)
from .pipelines import batch_scorers as _batch_scorers
from .pipelines import data_section as _data
from .pipelines import monitoring_section as _monitoring
from .pipelines import training_section as _training
from .pipelines import with_trait as _with_trait
from .rollout import rollout_plans
from .rows import Decide as _Decide
from .rows import Prompts
from .rows import component_row as _component_row
from .rows import flow_row as _flow_row
from .rows import label_of as _label
from .rows import ref as _ref
from .serving import serving_prompts
from .training_data import training_data

_BARE_NUMBER = re.compile(r"[0-9][0-9,.]*")

# Default offline metrics by task family (the 7-step framework, step 5).
DEFAULT_METRICS: dict[str, list[str]] = {
    "classification": ["precision", "recall", "ROC-AUC", "log loss"],
    "regression": ["RMSE", "MAE"],
    "ranking": ["precision@k", "recall@k", "mAP", "MRR", "nDCG"],
    "detection": ["mAP", "IoU", "precision", "recall"],
    # a probability whose value is used (priced in an auction, shown as an estimate): judged by how
    # well calibrated it is, not by a precision/recall trade-off at a threshold nobody applies
    "calibrated probability": ["normalized cross-entropy (log loss)", "calibration (predicted / observed)", "ROC-AUC"],
}

# Substrings of a task name -> its family; the first match wins.
_FAMILY_WORDS: tuple[tuple[str, str], ...] = (
    ("object_detection", "detection"),
    ("object detection", "detection"),
    ("segmentation", "detection"),
    ("localization", "detection"),
    ("rank", "ranking"),
    ("retriev", "ranking"),
    ("recommend", "ranking"),
    ("embedding", "ranking"),
    ("search", "ranking"),
    ("similar", "ranking"),
    ("two-tower", "ranking"),
    ("two_tower", "ranking"),
    ("regress", "regression"),
    ("forecast", "regression"),
    ("classif", "classification"),
    ("click", "classification"),
    ("detection", "classification"),
)


def task_family(task: str | None) -> str | None:
    """The metric family of a task name (``binary_classification`` -> ``classification``), or None."""
    if not task:
        return None
    lowered = task.lower()
    for word, family in _FAMILY_WORDS:
        if word in lowered:
            return family
    return None


# -- sections -------------------------------------------------------------------------


def _requirements(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    req = bp.requirements
    scale = req.scale.model_dump(exclude_none=True) if req.scale else {}
    slo = req.slo
    step = 1
    if not req.objective:
        decide.add(
            step,
            "objective",
            "the objective: what the system must improve, for whom, and how success "
            "shows in the product (`requirements.objective`).",
        )
    if not req.ml_task:
        decide.add(
            step,
            "ml_task",
            "the ML task the problem is framed as, e.g. binary classification, "
            "learning to rank (`requirements.ml_task`).",
        )
    if not scale:
        decide.add(
            step,
            "scale",
            "the scale: daily active users, peak queries per second, catalogue size (`requirements.scale`).",
        )
    if not (slo and slo.latency_p99_ms):
        decide.add(
            step, "latency_slo", "the p99 latency budget of the request path (`requirements.slo.latency_p99_ms`)."
        )
    if not (slo and slo.availability):
        decide.add(step, "availability", "the availability target, e.g. 99.9 % (`requirements.slo.availability`).")
    if not (slo and slo.freshness_minutes) and (
        any(d.stage[c] == "features" for c in d.ids) or _with_trait(d, T.EMBEDDING_INDEX)
    ):
        decide.add(step, "freshness", "how stale features and indexes may be (`requirements.slo.freshness_minutes`).")
    if not req.constraints:
        decide.add(
            step,
            "constraints",
            "the constraints: privacy, regions, budget, hardware, fairness (`requirements.constraints`).",
        )
    scale_rows = [{"name": key.replace("_", " "), "value": value} for key, value in scale.items()]
    return {
        "objective": req.objective or "",
        "ml_task": req.ml_task or "",
        "scale": scale_rows,
        "slo": {
            "latency_p99_ms": slo.latency_p99_ms if slo else None,
            "availability": slo.availability if slo else None,
            "freshness_minutes": slo.freshness_minutes if slo else None,
        },
        "constraints": list(req.constraints),
    }


def _figure_text(text: str) -> str:
    """An estimate's text as the table cell shows it: a bare number (``300``) is printed as is, since
    inside a table row it cannot open a list (escaping would show ``&#51;00`` in the Markdown source)."""
    return Md(text) if _BARE_NUMBER.fullmatch(text) else text


def _estimates(bp: Blueprint) -> dict[str, Any]:
    """Back-of-the-envelope figures (``mlsd estimate``) with formulas, and the fields that would add more.

    No ``> Decide:`` prompts: an estimate is a consequence of facts, and the facts it needs are
    listed once, under the figures.
    """
    result = estimate(bp)
    titles = dict(ESTIMATE_SECTIONS)
    figures = [
        {
            **f.to_dict(),
            "label": _label(bp, f.component) if f.component else "",
            "section_title": titles[f.section],
            "worked": _figure_text(f.worked),
            "approx": _figure_text(f.approx),
        }
        for f in result.figures
    ]
    missing = [
        {
            **m.to_dict(),
            "label": _label(bp, m.component) if m.component else "",
            "fields_md": Md(", ".join(f"`{name}`" for name in m.fields)),
        }
        for m in result.missing
    ]
    return {"target_utilization": result.target_utilization, "figures": figures, "missing": missing}


def _models(bp: Blueprint, d: Design, decide: Prompts) -> list[dict[str, Any]]:
    """Every model (:meth:`Design.is_model`): a component that runs one, online or in batch."""
    models = []
    for cid, component in bp.components.items():
        kind = bp.kind_of(cid)
        if not d.is_model(cid):
            continue
        row = _component_row(bp, cid)
        families = []
        family = task_family(component.task)
        if family:
            families.append(family)
        # a ranker's scores are judged as a ranking, unless their value is what is used (priced in an
        # auction, thresholded, shown as an estimate): then the classification metrics are the ones
        priced = component.score_use is not None and component.score_use.value in ("auction", "threshold", "estimate")
        if (kind.has("RETRIEVE") or d.has(cid, T.RANKER)) and "ranking" not in families and not priced:
            families.append("ranking")
        if component.score_use is not None and component.score_use.value in ("auction", "estimate"):
            families = ["calibrated probability" if f == "classification" else f for f in families]
        row["families"] = families
        row["default_metrics"] = [m for f in families for m in DEFAULT_METRICS[f]]
        label = row["label"]
        prompts = []
        if not component.task:
            prompts.append(
                decide.add(
                    2,
                    f"task:{cid}",
                    f"the ML task of {_e(label)}, e.g. binary_classification, "
                    f"ranking, regression (`components.{cid}.task`).",
                )
            )
        if not component.inputs:
            prompts.append(
                decide.add(2, f"inputs:{cid}", f"the inputs (features) {_e(label)} reads (`components.{cid}.inputs`).")
            )
        if not component.outputs:
            prompts.append(decide.add(2, f"outputs:{cid}", f"what {_e(label)} returns (`components.{cid}.outputs`)."))
        row["decide"] = prompts
        row["features"] = [
            {
                **feature.model_dump(exclude={"source"}),
                "source": _ref(bp, feature.source) if feature.source else None,
            }
            for feature in component.features
        ]
        models.append(row)
    if not models:
        decide.add(
            2,
            "models",
            "which model serves the product: add the serving component with its `task`, `inputs` and `outputs`.",
        )
    return models


def _funnel(bp: Blueprint, d: Design, decide: Prompts) -> dict[str, Any]:
    """The retrieval -> ranking -> re-ranking funnel by role and flows (:mod:`...analyses.funnel`)."""
    found = derive_funnel(bp, d)

    def refs(ids: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = []
        for c in ids:
            row = _ref(bp, c)
            row["writes_to"] = [_ref(bp, s) for s, models in found.precomputed.items() if c in models]
            row["written_by"] = [_ref(bp, m) for m in found.precomputed.get(c, ())]
            rows.append(row)
        return rows

    stages = [
        {"name": "Retrieval", "components": refs(found.retrieval)},
        {"name": "Ranking", "components": refs(found.ranking)},
        {"name": "Re-ranking", "components": refs(found.reranking)},
    ]
    applies = found.applies
    if applies:
        if not found.retrieval:
            decide.add(
                2,
                "funnel_retrieval",
                "how candidates are retrieved before ranking (a "
                "`candidate_generation`, `candidate_source` or `ann_index` component called before the ranker), "
                "or why the ranker can score the whole catalogue.",
            )
        if not found.ranking and found.retrieval:
            decide.add(
                2,
                "funnel_ranking",
                "how retrieved candidates are ordered (a `ranking_service`), or why the retrieval order is enough.",
            )
        if not found.reranking:
            decide.add(
                2,
                "funnel_reranking",
                "the business rules applied after ranking: diversity, freshness, "
                "integrity filters (a `reranking_service`), or why none are needed.",
            )
    return {"applies": applies, "stages": stages}


def _evaluation(bp: Blueprint, d: Design, models: list[dict[str, Any]], decide: Prompts) -> dict[str, Any]:
    by_family = []
    for family, metrics in DEFAULT_METRICS.items():
        users = [{"id": m["id"], "label": m["label"]} for m in models if family in m["families"]]
        if users:
            by_family.append({"family": family, "metrics": metrics, "models": users})
    for model in models:
        if model["task"] and not model["families"]:
            decide.add(
                5,
                f"metrics:{model['id']}",
                f"the offline metrics for {_e(model['label'])} (task '{_e(model['task'])}' has no default set).",
            )
    m = bp.metrics
    if not m.offline:
        decide.add(
            5,
            "offline_metrics",
            "which offline metrics decide between two models, with their thresholds (`metrics.offline`).",
        )
    gates = [_component_row(bp, c) for c in _with_trait(d, T.EVAL_GATE)]
    if not gates:
        decide.add(
            5,
            "gate",
            "the gate a model must pass before it serves: metrics, slices and thresholds (an "
            "`offline_evaluation` component).",
        )
    if not m.online:
        decide.add(
            5,
            "online_metric_names",
            "the online metrics watched in experiments: CTR, conversion, watch time, hide rate (`metrics.online`).",
        )
    if not m.business:
        decide.add(
            5,
            "business_metrics",
            "the business metric the system must move: revenue, retention, safety (`metrics.business`).",
        )
    experiments = [_component_row(bp, c) for c in _with_trait(d, T.EXPERIMENT)]
    if experiments:
        if not any(e["experiment_design"] for e in experiments):
            decide.add(
                5,
                "experiment_design",
                "the minimum detectable effect, the sample size and the duration of "
                "each experiment, and the guardrail metrics that stop one (`experiment_design` on "
                "the experimentation component).",
            )
    else:
        decide.add(
            5,
            "experiment",
            "the online experiment design: how traffic is split, the minimum detectable "
            "effect, how long it runs (an `experimentation` component).",
        )
    return {
        "defaults": by_family,
        "offline": list(m.offline),
        "online": list(m.online),
        "business": list(m.business),
        "gates": gates,
        "experiments": experiments,
    }


def _qps_per_replica(bp: Blueprint, load: dict[str, Any] | None) -> dict[str, Any]:
    """Request-path component -> QPS per replica at 1x peak, as ``analyses.serving`` computes it
    (``per_request`` applied); empty when no peak QPS is declared. ``load`` is the doc's
    ``simulation.load`` when the analyses ran."""
    if load is None:
        table = load_table(bp, 1.0)
        load = {"rows": table["rows"], "peak_declared": any(q is not None for q in table["peak_qps"].values())}
    if not load["peak_declared"]:
        return {}
    return {row["component"]: row["qps_per_replica"] for row in load["rows"]}


def _serving(bp: Blueprint, d: Design, decide: Prompts, load: dict[str, Any] | None) -> dict[str, Any]:
    entries, on_path = entries_and_request_path(bp, serving_model(bp))
    path_rows = [_component_row(bp, c) for c in on_path]
    peak = bp.requirements.scale.peak_qps if bp.requirements.scale else None
    per_replica = _qps_per_replica(bp, load)
    for row in path_rows:
        row["qps_per_replica"] = per_replica.get(row["id"])
    for row in path_rows:
        if row["latency_p99_ms"] is None and row["stage"] != "client":
            decide.add(
                6,
                f"latency:{row['id']}",
                f"the p99 latency of {_e(row['label'])} (`components.{row['id']}.latency_p99_ms`).",
            )
    fallbacks = [_flow_row(bp, i) for i, f in enumerate(bp.flows) if f.mode.value == "fallback"]
    covered = {f["source"] for f in fallbacks}
    uncovered = [_ref(bp, c) for c in on_path if bp.kind_of(c).has("SERVE") and c not in covered]
    for ref in uncovered:
        decide.add(
            6,
            f"fallback:{ref['id']}",
            f"what callers get when {_e(ref['label'])} is down or slow: a cache, "
            f"a heuristic, precomputed predictions (a `fallback` flow).",
        )
    online = [_ref(bp, c) for c in on_path if bp.kind_of(c).has("SERVE")]
    scorers = set(_batch_scorers(d))  # once: per component it made the doc O(R^2)
    batch = [_ref(bp, c) for c in d.ids if c in scorers or d.has(c, T.PREDICTIONS)]
    if not online and not batch:
        decide.add(
            6, "prediction_mode", "online prediction on each request, or batch prediction into a predictions store."
        )
    rollout = [_component_row(bp, c) for c in _with_trait(d, T.ROLLOUT)]
    if not rollout and not any(comp.capabilities for comp in bp.components.values()):  # or built into serving
        decide.add(
            6,
            "rollout",
            "how a new model version reaches traffic: shadow, canary percentage, "
            "rollback trigger (a `deployment_controller`).",
        )
    deploys = [_flow_row(bp, i) for i, f in enumerate(bp.flows) if f.mode.value == "deploy"]
    if not entries:
        decide.add(
            6, "entry_points", "where requests enter: a `client_app` with `request` flows into the serving path."
        )
    return {
        "entry_points": [_ref(bp, c) for c in entries],
        "request_path": path_rows,
        "peak_qps": peak,
        "fallbacks": fallbacks,
        "without_fallback": uncovered,
        "online_models": online,
        "batch_predictions": batch,
        "rollout": rollout,
        "rollout_plans": rollout_plans(bp, d, decide),
        "deploys": deploys,
    }


def _retraining_cycles(bp: Blueprint, d: Design) -> list[dict[str, Any]]:
    """Each trained model's loop: from what it served (itself, its callers, its entry points) over
    stream and batch flows to its trainer, then over data and artifact flows back to the model.

    One loop per model, in declared order: when several trainers close a loop to it (they share a
    gate and a registry, and the model names none with ``trained_by``), the first declared is shown
    and the others are listed in ``also``, so that no model is told twice."""
    cycles = []
    for m in d.ids:
        if not d.is_model(m):
            continue
        around = d.served_with(m)
        starts = [m] + [
            c
            for c in sorted(around, key=d.order.__getitem__)
            if c != m and (c in d.entries_of.get(m, []) or d.stage[c] in ("serving", "client"))
        ]
        back = d.graph.reach(starts, ("stream", "batch"))
        closing = []
        for t in sorted(d.ml.trainers_of(m), key=d.order.__getitem__):
            forward = d.graph.reach([t], DATA_MODES)
            if t in back and m in forward:
                closing.append((t, d.graph.path_to(back, t) + d.graph.path_to(forward, m)[1:]))
        if closing:
            t, path = closing[0]
            cycles.append(
                {
                    "model": _ref(bp, m),
                    "trainer": _ref(bp, t),
                    "path": path,
                    "cadence": bp.components[t].cadence or "",
                    "also": [other for other, _ in closing[1:]],
                }
            )
    return cycles


def _inline_noted(*sections: dict[str, Any]) -> list[str]:
    """Components whose notes their own section prints beside them (validation, index builders,
    baselines, gates, rollout)."""
    data, training, evaluation, serving = sections
    return [
        r["id"]
        for r in data["validation"]
        + training["index_builders"]
        + training["baselines"]
        + evaluation["gates"]
        + serving["rollout"]
    ]


def _label_jobs(bp: Blueprint, data: dict[str, Any]) -> list[str]:
    """Components that send labels (their notes say how labels are made) and the people who label."""
    senders = [f["source"] for f in data["labels"]["flows"]]
    return list(dict.fromkeys(senders + [r["id"] for r in data["labels"]["annotators"]]))


def _splits(bp: Blueprint, d: Design, models: list[str], evaluation: dict[str, Any], decide: Prompts) -> None:
    """Each gate's split as a gate fact; asked when a trained model's artifacts pass the gate."""
    from .development import gates_of, is_trained

    gated = {g for m in models if is_trained(d, m) for g in gates_of(d, m)}
    for gate in evaluation["gates"]:
        split = bp.components[gate["id"]].split
        gate["split"] = split.value if split else ""
        gate["slices"] = list(bp.components[gate["id"]].slices)
        if not split and gate["id"] in gated:
            decide.add(
                5,
                f"split:{gate['id']}",
                f"how {_e(gate['label'])} holds out its evaluation data: by time, at random, by whole users "
                f"or items (`components.{gate['id']}.split`).",
            )


def build_context(
    bp: Blueprint,
    *,
    analyses: dict[str, Any] | None = None,
    diagram: dict[str, Any] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Every variable the design-doc template receives (docs/design-docs.md, "Your own template").

    ``analyses`` holds the results of lint, simulate and score already shaped for the doc
    (see :mod:`mlsd_diagram.outputs.doc`); ``diagram`` the embedded diagram's file names and
    Mermaid text. Pure: reads the blueprint, returns data.
    """
    decide = Prompts()
    design = Design(bp)
    if not bp.summary:
        decide.add(0, "summary", "a one- or two-sentence summary: what the system does, for whom (`summary`).")
    context = context_sections(bp, decide)  # its prompts land in the steps that show them
    requirements = _requirements(bp, design, decide)
    estimates = _estimates(bp)
    models = _models(bp, design, decide)
    model_ids = [m["id"] for m in models]
    values = value_models(bp, model_ids, decide)
    funnel = _funnel(bp, design, decide)
    data = _data(bp, design, decide)
    data["labels"]["definitions"], data["labels"]["decide"] = label_definitions(bp, design, decide)
    data["privacy"] = privacy(bp, design, decide)
    data["training_data"] = training_data(bp, design)
    model_development = development(bp, design, model_ids, decide)
    training = _training(bp, design, decide)
    evaluation = _evaluation(bp, design, models, decide)
    _splits(bp, design, model_ids, evaluation, decide)
    analyses = analyses or {}
    simulation = analyses.get("simulation") or {}
    serving = _serving(bp, design, decide, simulation.get("load"))
    serving["integrations"] = integration_points(bp, design)
    serving_prompts(simulation, decide)  # availability budget and retries, when the blueprint is silent
    monitoring = _monitoring(bp, design, decide)
    monitoring["cycles"] = _retraining_cycles(bp, design)
    # does a loop reach a trainer (its data or a trigger) offline, or only rollout, enforcement and the
    # live system (whose logs reach training anyway: that is not what the loop closes)?
    live = set(design.entry_points) | set(design.request_path)
    for loop in monitoring["loops"]:
        reached = design.graph.reach([loop["target"]], DATA_MODES, avoid=live - {loop["target"]})
        loop["trains"] = loop["target"] not in live and any(t in reached for t in design.ml.trainers)
    notes = place_notes(
        bp,
        [
            ("development", [m["id"] for m in model_development]),
            ("inline", _inline_noted(data, training, evaluation, serving)),
            ("sources", [r["id"] for r in data["sources"]]),
            ("stores", [r["id"] for r in data["stores"]]),
            ("feature_pipelines", [r["id"] for r in data["feature_pipelines"]]),
            ("labels", _label_jobs(bp, data)),
            ("training", [r["id"] for r in training["pipelines"] + training["batch_scoring"]]),
            ("funnel", [c["id"] for stage in funnel["stages"] for c in stage["components"]]),
            ("experiments", [r["id"] for r in evaluation["experiments"]]),
            ("request_path", [r["id"] for r in serving["request_path"]]),
            (
                "monitoring",
                [r["id"] for r in monitoring["monitors"] + monitoring["drift"] + monitoring["alerting"]],
            ),
        ],
    )
    spofs = simulation.get("single_points_of_failure") or []
    if spofs:
        names = ", ".join(f"`{s['id']}`" if s["id"] in bp.components else _e(s["id"]) for s in spofs)
        decide.add(
            6,
            "spof",
            f"for each single point of failure ({names}): add replicas, add a fallback, "
            f"or accept the risk with a reason (`lint.accept`).",
        )
    step_names = {**dict(STEPS), 8: "Cost, security and milestones", 9: "Risks"}
    open_questions = [
        {"step": step if 1 <= step <= 7 else 0, "section": step_names.get(step, "Overview"), "text": text}
        for step, text in sorted(decide.order, key=lambda pair: pair[0])
    ]
    return {
        "name": bp.name,
        "summary": " ".join(bp.summary.split()) if bp.summary else "",
        "source": shown_path(source if source is not None else bp.file),
        "steps": [{"number": n, "title": t} for n, t in STEPS],
        "requirements": requirements,
        "estimates": estimates,
        "context": context,
        "models": models,
        "value_models": values,
        "automated_actions": automated_actions(bp),
        "decisions": decisions(bp),
        "development": model_development,
        "practice": practice(bp, design, {m["id"] for m in model_development}),
        "notes": notes,
        "funnel": funnel,
        "data": data,
        "training": training,
        "evaluation": evaluation,
        "serving": serving,
        "monitoring": monitoring,
        "components": [_component_row(bp, c) for c in bp.components],
        "flows": [_flow_row(bp, i) for i in range(len(bp.flows))],
        "diagram": diagram or {"image": "", "svg": "", "mermaid": "", "skipped": ""},
        "lint": analyses.get("lint"),
        "simulation": analyses.get("simulation"),
        "test_score": analyses.get("test_score"),
        "skipped": list(analyses.get("skipped", [])),
        "decide": _Decide(decide.by_key),
        "open_questions": open_questions,
    }


__all__ = ["DEFAULT_METRICS", "STEPS", "build_context", "task_family"]
