"""The design doc as a 45-minute interview talk track (``mlsd doc --interview``).

The same context as the design doc (:func:`build_context`), regrouped: the seven steps with a
time box each, the questions an interviewer asks at that step, and for each the blueprint's
answer or "not answered yet" with the field that would answer it; then the failure-mode
checklist, answered by :mod:`mlsd_diagram.analyses.failure_modes`. Nothing is computed here that
the doc context or the analyses do not already hold: this module only picks and phrases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...analyses.framework import TIME_BOXES, WRAP_UP_MINUTES
from .markdown import format_number
from .training_data import phrase

Context = dict[str, Any]


def _name(c: dict[str, Any]) -> str:
    return f"{c['label']} ({c['id']})" if c["label"] != c["id"] else c["id"]


def _value(value: Any) -> str:
    """A scale entry as the doc shows it: numbers grouped (``300,000,000``), anything else as written
    (``requirements.scale`` allows extra entries, and a YAML value such as ``1:00000000`` is text)."""
    return format_number(value) if isinstance(value, (int, float)) else str(value)


def _names(items: list[dict[str, Any]]) -> str:
    return ", ".join(_name(c) for c in items)


def _facts(ctx: Context, *names: str) -> list[str]:
    """Per model in step 4: 'Model: fact; fact' for the named facts it records."""
    lines = []
    for m in ctx["development"]:
        found = [f"{f['name'].lower()}: {f['value']}" for f in m["facts"] if f["name"] in names]
        if found:
            lines.append(f"{_name(m)}: " + "; ".join(found))
    return lines


def _asks(ctx: Context, *fields: str) -> bool:
    """True when some model is asked (step 4) for one of ``fields``: the question applies to it."""
    return any(
        f"`components.{m['id']}.{field}`" in text
        for m in ctx["development"]
        for text in m["decide"]
        for field in fields
    )


def _sizing(ctx: Context) -> list[str]:
    """The back-of-the-envelope answer to "how big": the items each model scores and each feature store
    reads per second (not only the requests), and the monthly cost of the priced components."""
    lines = []
    for f in ctx["estimates"]["figures"]:
        if f["section"] == "items" and f["quantity"] in ("predictions/s", "feature reads/s"):
            lines.append(f"{f['label']} ({f['component']}): {f['approx']} ({f['formula']} = {f['worked']})")
        elif f["section"] == "items" and f["quantity"].startswith("replicas from"):
            lines[-1] += f", {f['approx']} at {ctx['estimates']['target_utilization'] * 100:g}% ({f['note']})"
        elif f["section"] == "cost" and not f["component"]:
            lines.append(f"Cost: {f['approx']} for the priced components ({f['note']})")
    return lines


def _step1(ctx: Context) -> list[tuple[str, list[str], str]]:
    req, context = ctx["requirements"], ctx["context"]
    slo = req["slo"]
    targets = []
    if slo["latency_p99_ms"] is not None:
        targets.append(f"p99 latency {slo['latency_p99_ms']:g} ms")
    if slo["availability"] is not None:
        targets.append(f"availability {slo['availability']:g}%")
    if slo["freshness_minutes"] is not None:
        targets.append(f"features fresh within {slo['freshness_minutes']:g} min")
    business = ctx["evaluation"]["business"]
    return [
        (
            "What is the business objective, and how will success show?",
            [x for x in [req["objective"], ("Business metrics: " + ", ".join(business)) if business else ""] if x],
            "requirements.objective, metrics.business",
        ),
        (
            "Why build it now, and what is in and out of scope?",
            [
                x
                for x in [
                    context["motivation"],
                    ("In scope: " + "; ".join(context["scope_in"])) if context["scope_in"] else "",
                    ("Out of scope: " + "; ".join(context["scope_out"])) if context["scope_out"] else "",
                ]
                if x
            ],
            "context.motivation, context.scope_in, context.scope_out",
        ),
        (
            "How big is it: users, queries per second, catalogue?",
            ([", ".join(f"{r['name']}: {_value(r['value'])}" for r in req["scale"])] if req["scale"] else [])
            + _sizing(ctx),
            "requirements.scale",
        ),
        (
            "What are the latency, availability and freshness targets?",
            ["; ".join(targets)] if targets else [],
            "requirements.slo",
        ),
        (
            "Which constraints apply: privacy, budget, hardware, fairness?",
            list(req["constraints"]),
            "requirements.constraints",
        ),
    ]


def _step2(ctx: Context) -> list[tuple[str, list[str], str]]:
    # a model answers when it says what it does: a name with no task, inputs or outputs is no answer
    models = [
        f"{_name(m)}: {m['task'] or 'task not given'}"
        + (f"; reads {', '.join(m['inputs'])}" if m["inputs"] else "")
        + (f"; returns {', '.join(m['outputs'])}" if m["outputs"] else "")
        for m in ctx["models"]
        if m["task"] or m["inputs"] or m["outputs"]
    ]
    funnel = [
        f"{stage['name']}: {_names(stage['components'])}" for stage in ctx["funnel"]["stages"] if stage["components"]
    ]
    questions = [
        (
            "How do you frame it as an ML task?",
            [ctx["requirements"]["ml_task"]] if ctx["requirements"]["ml_task"] else [],
            "requirements.ml_task",
        ),
        ("What does each model take in and return?", models, "components.<model>.task, inputs, outputs"),
    ]
    if ctx["funnel"]["applies"]:
        questions.append(
            ("How do you get from the whole catalogue to one page?", funnel, "request flows and their step")
        )
    if ctx["value_models"]:
        questions.append(
            (
                "How do the outputs combine into the one score that is used?",
                [f"{_name(v)}: {v['value_model']}" for v in ctx["value_models"] if v["value_model"]],
                "components.<model>.value_model",
            )
        )
    questions.append(
        (
            "What else did you consider, and why not?",
            list(ctx["context"]["alternatives_lines"]),
            "context.alternatives",
        )
    )
    return questions


def _step3(ctx: Context) -> list[tuple[str, list[str], str]]:
    data = ctx["data"]
    labels = []
    for f in data["labels"]["definitions"]:
        parts = [f"{f['source']} -> {f['target']}" + (f" ({f['data']})" if f["data"] else "")]
        for key, name in (
            ("label_window", "window"),
            ("label_delay", "delay"),
            ("label_source", "source"),
            ("late_positives", "late positives"),
        ):
            if f[key]:
                parts.append(f"{name} {f[key].replace('_', ' ')}")
        if len(parts) > 1:
            labels.append("; ".join(parts))
    features = [f"{_name(p)}: {p['mode']}" for p in data["feature_pipelines"]]
    features += [f"Shared by training and serving: {_name(s)}" for s in data["stores"] if s["shares_features"]]
    privacy = []
    if data["pii"]["redactors"]:
        privacy.append(f"Redacted by {_names(data['pii']['redactors'])}")
    kept = [f"{_name(s)} {s['retention']}" for s in data["privacy"]["stores"] if s["retention"]]
    if kept:
        privacy.append("Retention: " + ", ".join(kept))
    if data["privacy"]["text"]:
        privacy.append(data["privacy"]["text"])
    return [
        (
            "Where does the training data come from?",
            [phrase(t) for t in data["training_data"]],
            "data flows into each trainer: data_source components, logs, labeling",
        ),
        (
            "How are labels defined: window, delay, source of noise?",
            labels,
            "label_window, label_delay, label_source on flows tagged labels",
        ),
        (
            "Which features are batch, which real-time, and how do training and serving share them?",
            features,
            "feature pipelines, a feature_store",
        ),
        ("How is personal data redacted, kept and erased?", privacy, "a pii_redactor, retention, context.privacy"),
        (
            "How is bad data caught before training?",
            [_name(v) for v in data["validation"]],
            "a data_validation component",
        ),
    ]


def _step4(ctx: Context) -> list[tuple[str, list[str], str]]:
    questions: list[tuple[str, list[str], str]] = [
        (
            "Which model, and which alternatives did you weigh?",
            _facts(ctx, "Model", "Same model as", "Alternatives considered"),
            "components.<model>.model, alternatives",
        ),
        (
            "What is the loss, and what are positives and negatives?",
            _facts(ctx, "Loss", "Positives", "Negatives", "Negative sampling"),
            "loss, positives, negatives, negative_sampling",
        ),
    ]
    if _facts(ctx, "Class imbalance") or _asks(ctx, "positive_rate", "class_balancing"):
        questions.append(
            ("How do you handle class imbalance?", _facts(ctx, "Class imbalance"), "positive_rate, class_balancing")
        )
    questions.append(
        (
            "How is it trained: hardware, distribution, schedule, tuning?",
            _facts(ctx, "Training set-up", "Trained by", "Trained by one of", "Tuning"),
            "training_setup, cadence, tuning",
        )
    )
    if _facts(ctx, "Compression") or _asks(ctx, "compression"):
        questions.append(
            ("How do you make it small and fast enough to serve?", _facts(ctx, "Compression"), "compression")
        )
    questions.append(
        (
            "What baseline must it beat?",
            [_name(b) for b in ctx["training"]["baselines"]],
            "a fallback_ranker or a declared baseline",
        )
    )
    return questions


def _step5(ctx: Context) -> list[tuple[str, list[str], str]]:
    ev = ctx["evaluation"]
    offline = (["Metrics: " + ", ".join(ev["offline"])] if ev["offline"] else []) + [
        f"{_name(g)}: {g['split']} split" + (f", slices {'; '.join(g['slices'])}" if g["slices"] else "")
        for g in ev["gates"]
        if g["split"]
    ]
    online = (
        (["Online metrics: " + ", ".join(ev["online"])] if ev["online"] else [])
        + ([f"Traffic split by {_names(ev['experiments'])}"] if ev["experiments"] else [])
        + [f"{_name(e)}: {e['experiment_design']}" for e in ev["experiments"] if e["experiment_design"]]
    )
    questions = [("Which offline metrics decide, on what split?", offline, "metrics.offline, split on the gate")]
    # each question only where it applies: position bias to a model whose output is shown in positions
    # (it records position debiasing, or step 4 asks for it), not to a classifier nobody sees ranked
    calibration = bool(_facts(ctx, "Calibration") or _asks(ctx, "calibration"))
    position = bool(_facts(ctx, "Position debiasing") or _asks(ctx, "position_debiasing"))
    if calibration or position:
        question = (
            "Are the probabilities calibrated, and is position bias removed?"
            if calibration and position
            else "Are the probabilities calibrated?"
            if calibration
            else "Is position bias removed?"
        )
        fields = ", ".join(f for f, on in (("calibration", calibration), ("position_debiasing", position)) if on)
        questions.append((question, _facts(ctx, "Calibration", "Position debiasing"), fields))
    questions.append(
        (
            "How do you test a new model online?",
            online,
            "metrics.online, an experimentation component with experiment_design",
        )
    )
    return questions


def _step6(ctx: Context) -> list[tuple[str, list[str], str]]:
    sim, serving = ctx["simulation"] or {}, ctx["serving"]
    latency = [
        f"from {lat['entry']}: {lat['p99_ms']:g} ms p99"
        + (f" against {lat['slo_ms']:g} ms" if lat["slo_ms"] is not None else "")
        for lat in sim.get("latency", [])
        if lat["p99_ms"] is not None
    ]
    modes = ([f"Online: {_names(serving['online_models'])}"] if serving["online_models"] else []) + (
        [f"Batch: {_names(serving['batch_predictions'])}"] if serving["batch_predictions"] else []
    )
    rollout = [_name(r) + (f": {r['notes']}" if r["notes"] else "") for r in serving["rollout"]]
    rollout += [f"{f['source']} -> {f['target']}: {f['data']}" for f in serving["deploys"] if f["data"]]
    for plan in serving["rollout_plans"]:
        if plan["ramp"]:
            steps = [s["share"] + (f" for {s['hold']}" if s["hold"] else "") for s in plan["ramp"]]
            rollout.append(f"{_name(plan)} ramps {', then '.join(steps)}")
        if plan["kill_switch"]:
            rollout.append(f"Kill switch: {plan['kill_switch']}")
        rollout += [
            f"Rolls back when {r['metric']} is {_value(r['threshold'])}"
            + (f" over {r['window']}" if r["window"] else "")
            for r in plan["rollback_on"]
        ]
    questions = [
        ("Does the request path meet the latency budget?", latency, "latency_p99_ms on the request path"),
        ("Online or batch prediction?", modes, "serving components, batch_scoring"),
        ("How does a new model version reach traffic?", rollout, "a deployment_controller and deploy flows"),
    ]
    if ctx["automated_actions"]:
        questions.append(
            (
                "What acts with no human in between, and what limits it?",
                [_name(c) + (f": {c['notes']}" if c["notes"] else "") for c in ctx["automated_actions"]],
                "automated_action",
            )
        )
    return questions


def _step7(ctx: Context) -> list[tuple[str, list[str], str]]:
    mon = ctx["monitoring"]
    score = ctx["test_score"] or {}
    watched = [f"{_name(m)} watches {_names(m['watches'])}" for m in mon["monitors"] if m["watches"]]
    # the loop itself, from what each model served back to its next version; not the flows marked `loop`
    loops = [
        f"{_name(c['model'])}: {' -> '.join(c['path'])}"
        + (f"; {c['trainer']['id']} retrains every {c['cadence']}" if c["cadence"] else "")
        + (f"; {', '.join(c['also'])} also reach{'es' if len(c['also']) == 1 else ''} it" if c["also"] else "")
        for c in mon["cycles"]
    ]
    questions = [
        ("What do you monitor in production?", watched, "monitoring components and telemetry flows"),
        (
            "How do you close the loop back into training?",
            loops,
            "stream or batch flows from what a model served to its trainer",
        ),
    ]
    if score:
        questions.append(
            (
                "How automated is it (MLOps level)?",
                [f"Level {score['mlops_level']} {score['mlops_reason']}".strip()],
                "",
            )
        )
    return questions


STEP_QUESTIONS: dict[int, Callable[[Context], list[tuple[str, list[str], str]]]] = {
    1: _step1,
    2: _step2,
    3: _step3,
    4: _step4,
    5: _step5,
    6: _step6,
    7: _step7,
}


def interview_context(ctx: Context, failure_modes: list[dict[str, Any]]) -> dict[str, Any]:
    """The talk track: steps with time boxes and questions, the failure modes, the totals."""
    titles = {s["number"]: s["title"] for s in ctx["steps"]}
    steps, start = [], 0
    answered = total = 0
    for number, minutes in TIME_BOXES:
        questions = []
        for question, answers, fields in STEP_QUESTIONS[number](ctx):
            answers = [a for a in answers if a]
            questions.append({"question": question, "answers": answers, "fields": fields})
            total += 1
            answered += bool(answers)
        steps.append(
            {"number": number, "title": titles[number], "start": start, "end": start + minutes, "questions": questions}
        )
        start += minutes
    return {
        "steps": steps,
        "wrap_up": {"start": start, "end": start + WRAP_UP_MINUTES},
        "minutes": start + WRAP_UP_MINUTES,
        "answered": answered,
        "questions": total,
        "failure_modes": failure_modes,
    }


__all__ = ["STEP_QUESTIONS", "TIME_BOXES", "interview_context"]
