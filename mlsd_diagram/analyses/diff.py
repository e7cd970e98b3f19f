"""Two versions of a design compared: what changed, what got better, what got worse.

:func:`diff_blueprints` matches components by id and flows by identity (from, to, mode;
see :mod:`.identity`) and returns plain data (the JSON of ``mlsd diff --format json``):

- components and flows added, removed, and changed field by field; a removed component
  whose fields all reappear under a new id carries the hint "renamed?", a removed flow
  that reappears with other ends or another mode says so too;
- design-wide fields changed (every field but the components and flows: requirements, SLOs,
  metrics, context, kinds, lint settings);
- lint findings introduced and resolved, matched by rule and what they are about
  (component or flow identity), never by line;
- what the analyses compute, before and after: latency per entry point against the SLO,
  knock-out outcomes, critical components and single points of failure, the load headroom and
  the first component to saturate (from :func:`.serving.simulate`; ``None`` when a simulation
  passed in has neither side's ``critical`` / ``load``), the ML Test Score and the MLOps level.

Nothing is printed or rendered here; ``outputs/diff_report.py`` formats the result and
``outputs/diff_diagram.py`` draws it. Cost: two lint runs, two simulations and two scores,
plus O(components + flows) for the matching.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, cast

from pydantic import BaseModel

from ..blueprint.models import Blueprint, Flow
from .findings import SEVERITY_RANK, Finding
from .identity import flow_ids, match
from .lint import lint
from .score import Score, score
from .serving import simulate

FORMAT_VERSION = 1
# What a flow has besides its identity (from, to, mode) and what the design has besides its components
# and flows: every field of the models, by the name a blueprint spells it, so a field added to a
# model is compared without a change here (tests/diff/test_diff_fields.py changes each one).
FLOW_IDENTITY = ("from", "to", "mode")
NOT_DESIGN = ("mlsd", "components", "flows")


def _spelled(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(info.alias or name for name, info in model.model_fields.items())


FLOW_FIELDS = tuple(f for f in _spelled(Flow) if f not in FLOW_IDENTITY)
DESIGN_SECTIONS = tuple(f for f in _spelled(Blueprint) if f not in NOT_DESIGN)


# The result's shapes (the JSON of ``mlsd diff --format json``, documented in docs/review.md).
class FieldChange(TypedDict):
    """One field that differs: a component's or flow's, or a design field (``requirements.slo.latency_p99_ms``)."""

    field: str
    old: Any
    new: Any


class _ComponentItem(TypedDict):
    id: str
    kind: str
    label: str | None
    group: str | None
    stage: str


class ComponentItem(_ComponentItem, total=False):
    """A component added or removed; a rename's two sides name each other and carry a hint."""

    renamed_from: str  # added components only
    renamed_to: str  # removed components only
    hint: str


class ComponentChange(TypedDict):
    """A component in both versions whose fields differ."""

    id: str
    changes: list[FieldChange]


class ComponentsDiff(TypedDict):
    added: list[ComponentItem]
    removed: list[ComponentItem]
    changed: list[ComponentChange]


# "from" is a keyword: the functional form
_FlowItem = TypedDict("_FlowItem", {"id": str, "index": int, "from": str, "to": str, "mode": str, "data": str | None})


class FlowItem(_FlowItem, total=False):
    """A flow added or removed, with every field of :class:`Flow` by the name a blueprint spells it
    (:data:`FLOW_FIELDS`; only ``data`` is declared here) and, where it reappears, a hint."""

    hint: str


FlowChange = TypedDict(
    "FlowChange",
    {
        "id": str,
        "index": int,
        "old_index": int,
        "from": str,
        "to": str,
        "mode": str,
        "changes": list[FieldChange],
    },
)


class FlowsDiff(TypedDict):
    added: list[FlowItem]
    removed: list[FlowItem]
    changed: list[FlowChange]


class FindingItem(TypedDict):
    """A finding's JSON form (:meth:`Finding.to_dict`) without ``file`` and ``column``."""

    rule: str
    name: str
    severity: str
    message: str
    line: int
    component: str | None
    flow: int | None
    flow_id: str | None
    accepted: bool
    reason: str | None


class FindingsDiff(TypedDict):
    introduced: list[FindingItem]
    resolved: list[FindingItem]
    before: int  # findings of the old version
    after: int


class LatencyFigures(TypedDict):
    """What the diff compares of an entry point's latency."""

    p99_ms: float | None
    slo_ms: float | None
    path: list[str]
    missing: list[str]


class LatencyChange(TypedDict):
    entry: str
    old: LatencyFigures | None  # None: the entry point is new
    new: LatencyFigures | None  # None: the entry point is gone
    over_slo: list[bool | None]  # [before, after]; None without an SLO or a latency


class KnockOutChange(TypedDict):
    components: list[str]
    entry_points: dict[str, list[str]]  # entry point -> [outcome before, outcome after]


class SetChange(TypedDict):
    added: list[str]
    removed: list[str]
    before: list[str]
    after: list[str]


class LoadChange(TypedDict):
    headroom: list[Any]  # [before, after]
    first_saturated: list[Any]


class ScoreTestChange(TypedDict):
    id: str
    title: str
    old: bool
    new: bool
    reason: str


class ScoreChange(TypedDict):
    shown: list[int]  # [before, after]
    total: int
    tests: list[ScoreTestChange]
    mlops_level: list[int]
    mlops_reason: list[str]


class SimulationDiff(TypedDict):
    entry_points: SetChange
    latency: list[LatencyChange]
    knock_outs: list[KnockOutChange]
    single_points_of_failure: SetChange
    critical: SetChange | None  # None: neither simulation passed in has them
    load: LoadChange | None


class AnalysesDiff(SimulationDiff):
    score: ScoreChange


class SectionCounts(TypedDict):
    added: int
    removed: int
    changed: int


class FindingCounts(TypedDict):
    introduced: int
    resolved: int


class SummaryDiff(TypedDict):
    components: SectionCounts
    flows: SectionCounts
    design: int
    findings: FindingCounts
    changed: bool  # any component, flow or design field changed


class DesignDiff(TypedDict):
    """The result of :func:`diff_blueprints`."""

    version: int
    old: str
    new: str
    design: list[FieldChange]
    components: ComponentsDiff
    flows: FlowsDiff
    findings: FindingsDiff
    analyses: AnalysesDiff
    summary: SummaryDiff


def empty_blueprint(name: str = "nothing", file: str = "/dev/null") -> Blueprint:
    """A design with no components: the other side of a blueprint that was added or deleted."""
    blueprint = Blueprint.model_validate({"mlsd": 1, "name": name, "components": {}})
    blueprint._file = file
    return blueprint


def _changes(old: Mapping[str, Any], new: Mapping[str, Any], fields: Iterable[str]) -> list[FieldChange]:
    return [{"field": f, "old": old.get(f), "new": new.get(f)} for f in fields if old.get(f) != new.get(f)]


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key in value:
            _flatten(value[key], f"{prefix}.{key}" if prefix else str(key), into)
    else:
        into[prefix] = value


def _design_fields(blueprint: Blueprint) -> dict[str, Any]:
    data = blueprint.model_dump(mode="json", by_alias=True, include=set(DESIGN_SECTIONS))
    flat: dict[str, Any] = {}
    for section in DESIGN_SECTIONS:
        _flatten(data.get(section), section, flat)
    return {k: v for k, v in flat.items() if v not in (None, [], {})}


def _component(blueprint: Blueprint, cid: str) -> dict[str, Any]:
    return blueprint.components[cid].model_dump(mode="json")


def _fingerprint(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True)


def _compare_components(old: Blueprint, new: Blueprint) -> tuple[ComponentsDiff, dict[str, str]]:
    before = {c: _component(old, c) for c in old.components}
    after = {c: _component(new, c) for c in new.components}
    removed = [c for c in before if c not in after]
    added = [c for c in after if c not in before]
    changed: list[ComponentChange] = []
    for cid in after:
        if cid in before:
            fields = _changes(before[cid], after[cid], after[cid])
            if fields:
                changed.append({"id": cid, "changes": fields})
    # "renamed?": a removed component whose every field reappears under an added id
    pairs, _, _ = match(removed, added, key=lambda c: _fingerprint(before.get(c) or after[c]))
    renamed = {old_id: new_id for old_id, new_id in pairs}
    renamed_from = {v: k for k, v in renamed.items()}

    def item(blueprint: Blueprint, cid: str, fields: dict[str, Any]) -> ComponentItem:
        return {
            "id": cid,
            "kind": fields["kind"],
            "label": fields.get("label"),
            "group": fields.get("group"),
            "stage": blueprint.kind_of(cid).stage.value,
        }

    added_items, removed_items = [item(new, c, after[c]) for c in added], [item(old, c, before[c]) for c in removed]
    for entry in added_items:
        if entry["id"] in renamed_from:
            entry["renamed_from"] = renamed_from[entry["id"]]
            entry["hint"] = f"renamed from '{entry['renamed_from']}'?"
    for entry in removed_items:
        if entry["id"] in renamed:
            entry["renamed_to"] = renamed[entry["id"]]
            entry["hint"] = f"renamed to '{entry['renamed_to']}'?"
    return {"added": added_items, "removed": removed_items, "changed": changed}, renamed


def _flow_items(blueprint: Blueprint) -> list[FlowItem]:
    names = flow_ids(blueprint)
    items = []
    for index, flow in enumerate(blueprint.flows):
        dumped = flow.model_dump(mode="json", by_alias=True)
        items.append(
            cast(
                FlowItem,
                {
                    "id": names[index],
                    "index": index,
                    "from": flow.source,
                    "to": flow.target,
                    "mode": flow.mode.value,
                    **{f: dumped.get(f) for f in FLOW_FIELDS},
                },
            )
        )
    return items


def _compare_flows(old: Blueprint, new: Blueprint, renamed: Mapping[str, str]) -> FlowsDiff:
    before, after = _flow_items(old), _flow_items(new)
    pairs, removed, added = match(before, after, key=lambda f: f["id"])
    changed: list[FlowChange] = []
    for was, now in pairs:
        fields = _changes(cast(Mapping[str, Any], was), cast(Mapping[str, Any], now), FLOW_FIELDS)
        if fields:
            changed.append(
                {
                    "id": now["id"],
                    "index": now["index"],
                    "old_index": was["index"],
                    "from": now["from"],
                    "to": now["to"],
                    "mode": now["mode"],
                    "changes": fields,
                }
            )

    # Hints: a removed flow that reappears between the renamed components, or between the same ends
    # with another mode.
    def ends(f: FlowItem, rename: Mapping[str, str]) -> tuple[Any, ...]:
        return (rename.get(f["from"], f["from"]), rename.get(f["to"], f["to"]), f["mode"], f["data"])

    moved, rest_removed, rest_added = match(
        [(ends(f, renamed), f) for f in removed], [(ends(f, {}), f) for f in added], key=lambda kf: kf[0]
    )
    for (_, was), (_, now) in moved:
        if was["from"] in renamed or was["to"] in renamed:
            was["hint"] = f"follows the rename: now {now['id']}"
            now["hint"] = f"follows the rename: was {was['id']}"
    remode, _, _ = match([f for _, f in rest_removed], [f for _, f in rest_added], key=lambda f: (f["from"], f["to"]))
    for was, now in remode:
        was["hint"] = f"mode changed to {now['mode']}?"
        now["hint"] = f"mode changed from {was['mode']}?"

    return {"added": added, "removed": removed, "changed": changed}


def finding_item(finding: Finding) -> FindingItem:
    """A finding as the diff reports it: its JSON form without file and column (``line`` is on its own side)."""
    return cast(FindingItem, {k: v for k, v in finding.to_dict().items() if k not in ("file", "column")})


def _compare_findings(old: list[Finding], new: list[Finding]) -> FindingsDiff:
    _, resolved, introduced = match(old, new, key=Finding.identity, prefer=lambda f: f.message)
    return {
        "introduced": [finding_item(f) for f in introduced],
        "resolved": [finding_item(f) for f in resolved],
        "before": len(old),
        "after": len(new),
    }


def _ids(items: Any) -> list[str]:
    """Component ids from a list of ids or of ``{"component": ID}`` / ``{"id": ID}`` items."""
    found = []
    for item in items or []:
        if isinstance(item, dict):
            item = item.get("component", item.get("id"))
        if item is not None:
            found.append(str(item))
    return found


def _set_change(old: Any, new: Any) -> SetChange:
    before, after = _ids(old), _ids(new)
    return {
        "added": [c for c in after if c not in before],
        "removed": [c for c in before if c not in after],
        "before": before,
        "after": after,
    }


def _latency_figures(info: Mapping[str, Any] | None) -> LatencyFigures | None:
    if info is None:
        return None
    return {"p99_ms": info["p99_ms"], "slo_ms": info["slo_ms"], "path": info["path"], "missing": info["missing"]}


def _compare_simulation(old: Mapping[str, Any], new: Mapping[str, Any]) -> SimulationDiff:
    latency: list[LatencyChange] = []
    for entry in dict.fromkeys([*old["latency"], *new["latency"]]):
        was, now = _latency_figures(old["latency"].get(entry)), _latency_figures(new["latency"].get(entry))
        if was != now:
            latency.append({"entry": entry, "old": was, "new": now, "over_slo": [_over(was), _over(now)]})
    knock_outs: list[KnockOutChange] = []
    before = {tuple(k["components"]): k["entry_points"] for k in old["knock_outs"]}
    after = {tuple(k["components"]): k["entry_points"] for k in new["knock_outs"]}
    for key in after:
        if key not in before:
            continue  # a component new on the request path: nothing to compare its knock-out with
        was, now = before[key], after[key]
        moved = {
            e: [was.get(e, "served"), now.get(e, "served")]
            for e in dict.fromkeys([*was, *now])
            if was.get(e, "served") != now.get(e, "served")
        }
        if moved:
            knock_outs.append({"components": list(key), "entry_points": moved})
    result: SimulationDiff = {
        "entry_points": _set_change(old["entry_points"], new["entry_points"]),
        "latency": latency,
        "knock_outs": knock_outs,
        "single_points_of_failure": _set_change(old["single_points_of_failure"], new["single_points_of_failure"]),
        # serving.simulate always provides them; None only when a simulation passed in lacks them on both sides
        "critical": (
            _set_change(old.get("critical"), new.get("critical")) if "critical" in old or "critical" in new else None
        ),
        "load": None,
    }
    if "load" in old or "load" in new:
        load_was, load_now = old.get("load") or {}, new.get("load") or {}
        result["load"] = {
            "headroom": [load_was.get("headroom"), load_now.get("headroom")],
            "first_saturated": [load_was.get("first_saturated"), load_now.get("first_saturated")],
        }
    return result


def _over(info: LatencyFigures | None) -> bool | None:
    if info is None or info["slo_ms"] is None or info["p99_ms"] is None:  # no SLO, or a latency not declared
        return None
    return bool(info["p99_ms"] > info["slo_ms"])


def _compare_score(old: Score, new: Score) -> ScoreChange:
    tests: list[ScoreTestChange] = [
        {"id": b["id"], "title": b["title"], "old": a["shown"], "new": b["shown"], "reason": b["reason"]}
        for a, b in zip(old["tests"], new["tests"])
        if a["shown"] != b["shown"]
    ]
    return {
        "shown": [old["shown"], new["shown"]],
        "total": new["total"],
        "tests": tests,
        "mlops_level": [old["mlops_level"], new["mlops_level"]],
        "mlops_reason": [old["mlops_reason"], new["mlops_reason"]],
    }


def diff_blueprints(
    old: Blueprint,
    new: Blueprint,
    config: Any = None,
    *,
    old_name: str | None = None,
    new_name: str | None = None,
    simulation: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
) -> DesignDiff:
    """Everything that differs between ``old`` and ``new``, as JSON-ready data.

    ``config`` is the lint configuration (``[tool.mlsd]``, as for :func:`~.lint.lint`), used on
    both sides. ``old_name`` / ``new_name`` say where each side came from (default: their
    files). ``simulation`` passes the two :func:`~.serving.simulate` results when the caller
    has them. Returns ``{"version", "old", "new", "design", "components", "flows",
    "findings", "analyses", "summary"}`` (documented in docs/review.md).
    """
    components, renamed = _compare_components(old, new)
    flows = _compare_flows(old, new, renamed)
    before, after = _design_fields(old), _design_fields(new)
    design = _changes(before, after, dict.fromkeys([*before, *after]))
    findings = _compare_findings(lint(old, config=config), lint(new, config=config))
    old_sim, new_sim = simulation or (simulate(old), simulate(new))
    analyses: AnalysesDiff = {
        **_compare_simulation(old_sim, new_sim),
        "score": _compare_score(score(old, config), score(new, config)),
    }
    counts = [_counts(components), _counts(flows)]
    summary: SummaryDiff = {
        "components": counts[0],
        "flows": counts[1],
        "design": len(design),
        "findings": {"introduced": len(findings["introduced"]), "resolved": len(findings["resolved"])},
        "changed": bool(design or any(counts[0].values()) or any(counts[1].values())),
    }
    return {
        "version": FORMAT_VERSION,
        "old": old_name or old.file,
        "new": new_name or new.file,
        "design": design,
        "components": components,
        "flows": flows,
        "findings": findings,
        "analyses": analyses,
        "summary": summary,
    }


def _counts(section: ComponentsDiff | FlowsDiff) -> SectionCounts:
    return {"added": len(section["added"]), "removed": len(section["removed"]), "changed": len(section["changed"])}


def introduced_failures(diff: DesignDiff, fail_on: str = "error") -> list[FindingItem]:
    """The introduced findings that are not accepted and at or above ``fail_on`` (``--fail-on-new``)."""
    limit = SEVERITY_RANK[fail_on]
    return [f for f in diff["findings"]["introduced"] if not f["accepted"] and SEVERITY_RANK[f["severity"]] <= limit]
