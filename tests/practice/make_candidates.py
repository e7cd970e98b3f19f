"""Write the three candidate designs of every practice case into tests/practice/<case>/.

Run by hand (``python tests/practice/make_candidates.py``) when a starter changes; the files are
committed and read by the tests, and a hand-written design may replace any of them. Each is what
a candidate typically hands in, derived from the case's reference so that it stays a design of
the same system:

- ``model_only.yaml``: the request path and its models only: no data pipeline, no training, no
  fallbacks, no monitoring (the book's most frequent failure: hyper-focus on the model).
- ``forgets_failure.yaml``: the whole reference without fallbacks, caches kept only for them,
  ``on_failure`` defaults, timeouts and load shedding.
- ``strong_alternative.yaml``: the reference redrawn by another hand: every id renamed, most
  built-in kinds replaced by custom ``x-`` kinds (or aliases) that declare only a stage and roles,
  the API gateway folded into the client's call, and components and flows in another order.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mlsd_diagram.analyses.design import Design  # noqa: E402
from mlsd_diagram.blueprint.loader import loads  # noqa: E402
from mlsd_diagram.practice.cases import cases  # noqa: E402
from mlsd_diagram.starters import starter  # noqa: E402

HERE = Path(__file__).resolve().parent

# Built-in kind -> (custom kind, stage, roles): the alternative's own vocabulary.
CUSTOM = {
    "training_pipeline": ("x-trainer", "training", ["OFFLINE"]),
    "model_registry": ("x-model-store", "training", []),
    "offline_evaluation": ("x-eval-job", "training", ["OFFLINE"]),
    "candidate_generation": ("x-two-tower", "serving", ["SERVE", "RETRIEVE"]),
    "ann_index": ("x-vector-index", "serving", ["RETRIEVE"]),
    "deployment_controller": ("x-rollout", "serving", []),
    "orchestrator": ("x-scheduler", "training", []),
    "online_metrics": ("x-kpis", "monitoring", []),
    "monitoring": ("x-metrics", "monitoring", ["MONITOR"]),
    "drift_detector": ("x-drift-watch", "monitoring", ["MONITOR"]),
    "alerting": ("x-pager", "monitoring", []),
    "feature_store": ("x-feature-cache", "features", []),
    "ranking_service": ("x-ranker", "serving", ["SERVE"]),
}
ALIASES = {"inference_service": "inference_cluster", "api_gateway": "load_balancer"}


def _dump(header: str, data: dict) -> str:
    text = yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True, default_flow_style=False)
    return "".join(f"# {line}\n" for line in header.splitlines()) + text


def _keep_flow_accepts(before: list[dict], out: dict) -> None:
    """Point ``lint.accept`` entries about flows at the same flows after a rewrite (dropped when gone)."""
    lint = out.get("lint")
    if not lint or "accept" not in lint:
        return
    position = {id(f): i for i, f in enumerate(out["flows"])}
    kept = []
    for a in lint["accept"]:
        if "flow" not in a:
            kept.append(a)
        elif id(before[a["flow"]]) in position:
            kept.append(dict(a, flow=position[id(before[a["flow"]])]))
    lint["accept"] = kept


def _drop_components(data: dict, gone: set[str]) -> None:
    data["components"] = {c: v for c, v in data["components"].items() if c not in gone}
    data["flows"] = [f for f in data["flows"] if f["from"] not in gone and f["to"] not in gone]
    for comp in data["components"].values():
        if comp.get("deployed_with") in gone:
            del comp["deployed_with"]
        for feature in comp.get("features", []):
            if feature.get("source") in gone:
                del feature["source"]
    lint = data.get("lint", {})
    if "accept" in lint:
        lint["accept"] = [a for a in lint["accept"] if a.get("component") not in gone]
        if not lint["accept"]:
            del lint["accept"]
    if "lint" in data and not data["lint"]:
        del data["lint"]


def model_only(name: str, data: dict) -> dict:
    bp = loads(starter(name).text)
    d = Design(bp)
    fallback_only = {
        c
        for c in d.ids
        if any(True for _ in d.graph.pred(c, "fallback")) and not any(True for _ in d.graph.pred(c, "request"))
    }
    keep = (set(d.entry_points) | set(d.request_path) | set(d.with_role("SERVE"))) - fallback_only
    keep -= {c for c in keep if d.is_(c, "DEGRADE") and not any(True for _ in d.graph.pred(c, "batch", "stream"))}
    out = copy.deepcopy(data)
    out.pop("context", None)
    out.pop("lint", None)
    _drop_components(out, set(out["components"]) - keep)
    out["flows"] = [f for f in out["flows"] if f["mode"] in ("request", "batch", "stream")]
    for f in out["flows"]:
        f.pop("on_failure", None)
        f.pop("loop", None)
    return out


def forgets_failure(name: str, data: dict) -> dict:
    bp = loads(starter(name).text)
    d = Design(bp)
    only_fallback = {
        c for c in d.ids if d.is_(c, "DEGRADE") and not any(True for _ in d.graph.pred(c, "batch", "stream", "deploy"))
    }
    out = copy.deepcopy(data)
    before = list(out["flows"])
    _drop_components(out, only_fallback)
    out["flows"] = [f for f in out["flows"] if f["mode"] != "fallback"]
    _keep_flow_accepts(before, out)
    for f in out["flows"]:
        f.pop("on_failure", None)
        f.pop("timeout_ms", None)
    for comp in out["components"].values():
        comp.pop("load_shedding", None)
    return out


def _new_id(old: str) -> str:
    words = old.split("_")
    return "_".join(reversed(words)) if len(words) > 1 else f"{old}_svc"


def strong_alternative(name: str, data: dict) -> dict:
    out = copy.deepcopy(data)
    before = list(out["flows"])
    comps = out["components"]
    # fold the gateway: the client calls what the gateway called
    for gid, g in list(comps.items()):
        if g["kind"] not in ("api_gateway", "load_balancer"):
            continue
        callers = [f for f in out["flows"] if f["to"] == gid and f["mode"] == "request"]
        calls = [f for f in out["flows"] if f["from"] == gid and f["mode"] == "request"]
        if len(callers) != 1 or not calls:
            continue
        client = callers[0]["from"]
        for f in calls:
            f["from"] = client
        out["flows"] = [f for f in out["flows"] if gid not in (f["from"], f["to"]) or f in calls]
        del comps[gid]
    kinds: dict[str, dict] = {}
    for comp in comps.values():
        kind = comp["kind"]
        if kind in CUSTOM:
            custom, stage, roles = CUSTOM[kind]
            kinds[custom] = {"stage": stage, "roles": roles} if roles else {"stage": stage}
            comp["kind"] = custom
            if kind == "ranking_service" and "score_use" not in comp:
                comp["score_use"] = "ranking"
        elif kind in ALIASES:
            comp["kind"] = ALIASES[kind]
    rename = {c: _new_id(c) for c in comps}
    out["kinds"] = dict(sorted(kinds.items()))
    out["components"] = {rename[c]: comps[c] for c in reversed(list(comps))}
    for comp in out["components"].values():
        if comp.get("deployed_with") in rename:
            comp["deployed_with"] = rename[comp["deployed_with"]]
        for feature in comp.get("features", []):
            if feature.get("source") in rename:
                feature["source"] = rename[feature["source"]]
    for f in out["flows"]:
        f["from"], f["to"] = rename[f["from"]], rename[f["to"]]
    out["flows"] = list(reversed(out["flows"]))
    _keep_flow_accepts(before, out)
    accepts = [
        dict(a, component=rename[a["component"]]) if "component" in a else a
        for a in out.get("lint", {}).get("accept", [])
        if a.get("component") in rename or "flow" in a
    ]
    out.pop("lint", None)
    if accepts:
        out["lint"] = {"accept": accepts}
    order = ["mlsd", "name", "summary", "requirements", "metrics", "context", "kinds", "components", "flows", "lint"]
    return {k: out[k] for k in order if k in out}


MAKERS = {
    "model_only": (model_only, "the request path and its models only: no data pipeline, fallbacks or monitoring"),
    "forgets_failure": (forgets_failure, "no fallbacks, on_failure defaults, timeouts or load shedding"),
    "strong_alternative": (strong_alternative, "other ids, custom kinds, no gateway, another order"),
}


def main() -> None:
    for case in cases():
        data = yaml.safe_load(starter(case.name).text)
        folder = HERE / case.name
        folder.mkdir(exist_ok=True)
        for stem, (make, what) in MAKERS.items():
            header = f"Practice candidate for case {case.name}: {what}.\nWritten by tests/practice/make_candidates.py."
            text = _dump(header, make(case.name, data))
            loads(text, f"{case.name}/{stem}.yaml")  # must stay a valid blueprint
            (folder / f"{stem}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
