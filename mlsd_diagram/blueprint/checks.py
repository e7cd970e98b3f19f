"""Design checks that go beyond field types: kinds, flow endpoints, request cycles, serving fields.

They run on the plain data (not the models), tolerating wrong shapes, so that
they can report their problems in the same run as the schema errors.
Each problem is ``(path, message, prefer_key)``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..diagnostics import Suggestions
from .kinds import CUSTOM_PREFIX, builtin_kind, kind_names
from .limits import COLLECTIONS, LIMITS

Problem = tuple[tuple, str, bool]
PRICE_FIELDS = ("per_replica_hour", "per_gb_month")


def _dict(value: Any) -> dict:
    """``value`` when it is a mapping, else an empty one (the schema check reports the wrong type)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    """``value`` when it is a list, else an empty one (the schema check reports the wrong type)."""
    return value if isinstance(value, list) else []


def check_design(data: Any) -> list[Problem]:
    """Every design-level problem in raw blueprint data (a dict from YAML or a model dump)."""
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []
    version = data.get("mlsd")
    if "mlsd" in data and version != 1 and not isinstance(version, bool):
        problems.append(
            (("mlsd",), f"unsupported format version {version!r}; this mlsd-diagram reads version 1 ('mlsd: 1')", False)
        )
    problems.extend(_over_budget(data))
    custom = _dict(data.get("kinds"))
    components = _dict(data.get("components"))
    # built once each: thousands of misspellings must not each compare against thousands of names
    component_names = _Lazy(lambda: Suggestions(components or {}))
    custom_names = _Lazy(lambda: Suggestions(custom or {}))
    kind_choices = _Lazy(lambda: Suggestions([*kind_names(), *(custom or {})]))
    for cid, comp in components.items():
        if not isinstance(comp, dict) or not isinstance(comp.get("kind"), str):
            continue
        kind = comp["kind"]
        if builtin_kind(kind) is not None or kind in custom:
            continue
        if kind.startswith(CUSTOM_PREFIX):
            problems.append(
                (
                    ("components", cid, "kind"),
                    f"custom kind '{kind}' is not declared under 'kinds:'" + custom_names().hint(kind),
                    False,
                )
            )
        else:
            problems.append(
                (
                    ("components", cid, "kind"),
                    f"unknown kind '{kind}'" + kind_choices().hint(kind) + " (see `mlsd kinds`)",
                    False,
                )
            )
    flows = _list(data.get("flows"))
    requests = nx.DiGraph()
    first_flow: dict[tuple[str, str], int] = {}
    for index, flow in enumerate(flows):
        if not isinstance(flow, dict):
            continue
        ends = {}
        for end in ("from", "to"):
            value = flow.get(end)
            if isinstance(value, str) and components and value not in components:
                problems.append(
                    (
                        ("flows", index, end),
                        f"flow '{end}' names '{value}', which is not a component" + component_names().hint(value),
                        False,
                    )
                )
            elif isinstance(value, str):
                ends[end] = value
        if len(ends) == 2 and ends["from"] == ends["to"]:
            problems.append(
                (("flows", index), f"flow from '{ends['from']}' to itself; a component does not call itself", False)
            )
        elif len(ends) == 2 and flow.get("mode") == "request":
            requests.add_edge(ends["from"], ends["to"])
            first_flow.setdefault((ends["from"], ends["to"]), index)
    problems.extend(_request_cycles(requests, first_flow))
    problems.extend(_serving_fields(flows, components, custom))
    problems.extend(_practice_fields(flows, components))
    problems.extend(_sizing_fields(components))
    problems.extend(_rollout_fields(components))
    lint = _dict(data.get("lint"))
    accepts = _list(lint.get("accept"))
    for index, accept in enumerate(accepts):
        if not isinstance(accept, dict):
            continue
        cid = accept.get("component")
        if isinstance(cid, str) and components and cid not in components:
            problems.append(
                (
                    ("lint", "accept", index, "component"),
                    f"accepted finding names '{cid}', which is not a component" + component_names().hint(cid),
                    False,
                )
            )
        flow = accept.get("flow")
        if isinstance(flow, int) and not isinstance(flow, bool) and not 0 <= flow < len(flows):
            problems.append(
                (
                    ("lint", "accept", index, "flow"),
                    f"accepted finding names flow {flow}, but flows are numbered 0 to {len(flows) - 1}",
                    False,
                )
            )
    return problems


def _over_budget(data: dict) -> list[Problem]:
    """A located problem for each count beyond :data:`~.limits.LIMITS` (at the first item over it)."""
    problems: list[Problem] = []

    def count(path: tuple, items: Any, limit: int, what: str) -> None:
        if isinstance(items, (dict, list)) and len(items) > limit:
            first_over = list(items)[limit] if isinstance(items, dict) else limit
            problems.append(
                (
                    (*path, first_over),
                    f"{len(items):,} {what} are declared; at most {limit:,} are "
                    f"allowed (the resource limits are listed in the docs, Security)",
                    isinstance(items, dict),
                )
            )

    for path, (limit, what) in COLLECTIONS.items():
        items: Any = data
        for step in path:
            items = items.get(step) if isinstance(items, dict) else None
        count(path, items, limit, what)
    declared = data.get("components")
    components: dict = declared if isinstance(declared, dict) else {}
    groups: set = set()
    for cid, comp in components.items():
        group = comp.get("group") if isinstance(comp, dict) else None
        if isinstance(group, str) and group not in groups:
            groups.add(group)
            if len(groups) > LIMITS.groups:
                problems.append(
                    (
                        ("components", cid, "group"),
                        f"more than {LIMITS.groups:,} groups are declared "
                        f"(this is group {len(groups):,}); each is drawn as a box of its own: merge some "
                        "(the resource limits are listed in the docs, Security)",
                        False,
                    )
                )
                break
    return problems


class _Lazy:
    """A value made on first use (most blueprints have no misspelling, so never need the index)."""

    def __init__(self, make) -> None:
        self._make, self._value = make, None

    def __call__(self):
        if self._value is None:
            self._value = self._make()
        return self._value


REQUEST_ONLY = (
    "step",
    "on_failure",
    "timeout_ms",
    "per_request",
    "retries",
    "items_per_call",
    "hedge_after_ms",
    "at_least",
)
STREAM_TOO = ("per_request",)  # on a stream flow: events per request the producer serves
STREAM_ONLY = ("events_per_s",)


def _stage(kind: Any, custom: dict) -> str | None:
    found = builtin_kind(kind) if isinstance(kind, str) else None
    if found is not None:
        return found.stage.value
    declared = custom.get(kind) if isinstance(kind, str) else None
    return declared.get("stage") if isinstance(declared, dict) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _serving_fields(flows: list, components: dict, custom: dict) -> list[Problem]:
    """Request-only and stream-only flow fields on other modes; steps given to some but not all of a
    caller's calls; ``peak_qps`` on a component that is not an entry point."""
    problems: list[Problem] = []
    stepped: dict[str, list[int]] = {}  # caller -> its request flows, in file order
    callers: set[str] = set()
    for index, flow in enumerate(flows):
        if not isinstance(flow, dict):
            continue
        mode = flow.get("mode")
        for name in STREAM_ONLY:
            if flow.get(name) is not None and isinstance(mode, str) and mode != "stream":
                problems.append(
                    (
                        ("flows", index, name),
                        f"'{name}' applies to stream flows only; this is a {mode!r} flow (remove it, or make the "
                        "flow a stream)",
                        True,
                    )
                )
        if mode == "request":
            if isinstance(flow.get("from"), str):
                stepped.setdefault(flow["from"], []).append(index)
                callers.add(flow["from"])
            continue
        for name in REQUEST_ONLY:
            if mode == "stream" and name in STREAM_TOO:
                continue
            if flow.get(name) is not None and isinstance(mode, str):
                problems.append(
                    (
                        ("flows", index, name),
                        f"'{name}' applies to {'request and stream' if name in STREAM_TOO else 'request'} flows "
                        f"only; this is a {mode!r} flow (remove it, or make the flow a request)",
                        True,
                    )
                )
    for caller, indices in stepped.items():
        with_step = [i for i in indices if flows[i].get("step") is not None]
        if with_step and len(with_step) < len(indices):
            for i in indices:
                if flows[i].get("step") is None:
                    problems.append(
                        (
                            ("flows", i),
                            f"request flow from '{caller}' has no 'step', but its request "
                            f"flow {with_step[0]} has one: give every request call of "
                            f"'{caller}' a step, or none (then they run one after another "
                            "in file order)",
                            False,
                        )
                    )
    problems.extend(_quorums_and_hedges(flows))
    for cid, comp in components.items():
        if not isinstance(comp, dict):
            continue
        problems.extend(_scaling(cid, comp))
        p50, p99 = comp.get("latency_p50_ms"), comp.get("latency_p99_ms")
        if _is_number(p50):
            if p99 is None:
                problems.append(
                    (
                        ("components", cid, "latency_p50_ms"),
                        "'latency_p50_ms' needs 'latency_p99_ms' beside it (the tail is fitted through both)",
                        True,
                    )
                )
            elif _is_number(p99) and p50 > p99:
                problems.append(
                    (
                        ("components", cid, "latency_p50_ms"),
                        f"'latency_p50_ms' ({p50:g}) is over 'latency_p99_ms' ({p99:g}): the median cannot be "
                        "slower than the 99th percentile",
                        True,
                    )
                )
        if comp.get("peak_qps") is None:
            continue
        stage = _stage(comp.get("kind"), custom)
        if stage is not None and (stage != "client" or cid not in callers):
            what = "it is not a client-stage component" if stage != "client" else "it sends no request flows"
            problems.append(
                (
                    ("components", cid, "peak_qps"),
                    f"'peak_qps' applies to entry points only (a "
                    f"client-stage component that sends request "
                    f"flows), and {what}; put the design's peak in "
                    "requirements.scale.peak_qps",
                    True,
                )
            )
    return problems


def _scaling(cid: str, comp: dict) -> list[Problem]:
    """Autoscaling and batching fields that need each other, or contradict ``replicas``."""
    problems: list[Problem] = []
    low: Any = comp.get("min_replicas")
    high: Any = comp.get("max_replicas")
    replicas: Any = comp.get("replicas")
    at = ("components", cid)
    for name, other in (("min_replicas", "max_replicas"), ("max_replicas", "min_replicas")):
        if comp.get(name) is not None and comp.get(other) is None:
            problems.append(((*at, name), f"'{name}' needs '{other}' beside it (the autoscaler's range)", True))
    if comp.get("scale_up_s") is not None and high is None:
        problems.append(
            (
                (*at, "scale_up_s"),
                "'scale_up_s' applies to autoscaled components: declare min_replicas and max_replicas",
                True,
            )
        )
    if _is_number(low) and _is_number(high) and low > high:
        problems.append(((*at, "min_replicas"), f"'min_replicas' ({low:g}) is over 'max_replicas' ({high:g})", True))
    elif _is_number(replicas) and _is_number(low) and _is_number(high) and not low <= replicas <= high:
        problems.append(
            (
                (*at, "replicas"),
                f"'replicas' ({replicas:g}) is outside the autoscaler's range {low:g}..{high:g} "
                "(min_replicas..max_replicas)",
                True,
            )
        )
    for name, other in (("max_batch_size", "batch_timeout_ms"), ("batch_timeout_ms", "max_batch_size")):
        if comp.get(name) is not None and comp.get(other) is None:
            problems.append(
                ((*at, name), f"'{name}' needs '{other}' beside it (a batching server's size and wait)", True)
            )
    return problems


def _quorums_and_hedges(flows: list) -> list[Problem]:
    """``hedge_after_ms`` not under the call's ``timeout_ms``; ``at_least`` without a step, over the
    step's calls, or different on calls of one step."""
    problems: list[Problem] = []
    groups: dict[tuple[str, int], list[int]] = {}  # (caller, step) -> its request flows
    for index, flow in enumerate(flows):
        if not isinstance(flow, dict) or flow.get("mode") != "request":
            continue
        hedge: Any = flow.get("hedge_after_ms")
        timeout: Any = flow.get("timeout_ms")
        if _is_number(hedge) and _is_number(timeout) and hedge >= timeout:
            problems.append(
                (
                    ("flows", index, "hedge_after_ms"),
                    f"'hedge_after_ms' ({hedge:g}) is not under 'timeout_ms' ({timeout:g}): the second copy "
                    "would be sent after the caller gave up",
                    True,
                )
            )
        step = flow.get("step")
        if isinstance(flow.get("from"), str) and isinstance(step, int) and not isinstance(step, bool):
            groups.setdefault((flow["from"], step), []).append(index)
        elif flow.get("at_least") is not None:
            problems.append(
                (
                    ("flows", index, "at_least"),
                    "'at_least' applies to a step's calls: give this flow and the calls made with it a 'step'",
                    True,
                )
            )
    for (caller, step), indices in groups.items():
        declared = [(i, v) for i in indices if _is_number(v := flows[i].get("at_least"))]
        for i, value in declared:
            if value > len(indices):
                problems.append(
                    (
                        ("flows", i, "at_least"),
                        f"'at_least: {value:g}', but step {step} of '{caller}' makes {len(indices)} "
                        f"call{'s' if len(indices) != 1 else ''}",
                        True,
                    )
                )
            elif value != declared[0][1]:
                problems.append(
                    (
                        ("flows", i, "at_least"),
                        f"'at_least: {value:g}' differs from flow {declared[0][0]}'s ({declared[0][1]:g}) in the "
                        f"same step {step} of '{caller}': a step has one quorum",
                        True,
                    )
                )
    return problems


LABEL_ONLY = ("label_window", "late_positives", "label_delay", "label_source", "selective_labels")


def _practice_fields(flows: list, components: dict) -> list[Problem]:
    """Label fields on flows that carry no labels; ``deployed_with`` or ``trained_by`` naming no other component."""
    names = _Lazy(lambda: Suggestions(components))  # one index for every misspelled deployed_with
    problems: list[Problem] = []
    for index, flow in enumerate(flows):
        if not isinstance(flow, dict):
            continue
        tags = _list(flow.get("tags"))
        if {"labels", "interactions"} & {t for t in tags if isinstance(t, str)}:
            continue
        for name in LABEL_ONLY:
            if flow.get(name) not in (None, False):  # False: a default of a flow built in code
                problems.append(
                    (
                        ("flows", index, name),
                        f"'{name}' applies to flows that carry labels; tag this "
                        "flow 'labels' or 'interactions' (or move the field to "
                        "the flow that does)",
                        True,
                    )
                )
    for cid, comp in components.items():
        if not isinstance(comp, dict):
            continue
        for key in ("deployed_with", "trained_by"):
            other = comp.get(key)
            if isinstance(other, str) and (other == cid or other not in components):
                what = "itself" if other == cid else f"'{other}', which is not a component" + names().hint(other)
                problems.append((("components", cid, key), f"'{key}' names {what}", False))
        for i, feature in enumerate(_list(comp.get("features"))):
            source = feature.get("source") if isinstance(feature, dict) else None
            if isinstance(source, str) and source not in components:
                problems.append(
                    (
                        ("components", cid, "features", i, "source"),
                        f"feature source '{source}' is not a component" + names().hint(source),
                        False,
                    )
                )
        for i, decision in enumerate(_list(comp.get("decisions"))):
            who = decision.get("reviewed_by") if isinstance(decision, dict) else None
            if isinstance(who, str) and who not in components:
                problems.append(
                    (
                        ("components", cid, "decisions", i, "reviewed_by"),
                        f"'reviewed_by' names '{who}', which is not a component" + names().hint(who),
                        False,
                    )
                )
    return problems


ROLLOUT_FIELDS = ("ramp", "kill_switch", "rollback_on")
_RAMPED = {"shadow", "canary", "ab_test"}  # capabilities that put a new version on live traffic


def _rollout_fields(components: dict) -> list[Problem]:
    """A rollout plan only on what rolls versions out (a deployment controller, a custom kind, or a
    component with shadow, canary or ab_test built in); a ramp's shares rise step by step."""
    problems: list[Problem] = []
    for cid, comp in components.items():
        if not isinstance(comp, dict) or not any(comp.get(key) not in (None, []) for key in ROLLOUT_FIELDS):
            continue
        kind = comp.get("kind")
        known = builtin_kind(kind) if isinstance(kind, str) else None
        caps = {c for c in _list(comp.get("capabilities")) if isinstance(c, str)}
        if known is not None and known.name != "deployment_controller" and not caps & _RAMPED:
            key = next(key for key in ROLLOUT_FIELDS if comp.get(key) not in (None, []))
            problems.append(
                (
                    ("components", cid, key),
                    f"'{key}' is a rollout plan, and '{cid}' ({known.name}) rolls nothing out; declare it on the "
                    "deployment_controller, or give this component the canary, shadow or ab_test capability",
                    True,
                )
            )
            continue
        previous = 0.0
        for i, step in enumerate(_list(comp.get("ramp"))):
            share = step.get("share") if isinstance(step, dict) else None
            if not isinstance(share, (int, float)) or isinstance(share, bool):
                continue
            if share <= previous:
                problems.append(
                    (
                        ("components", cid, "ramp", i, "share"),
                        f"ramp step {i + 1} sends {share:g} of traffic, not more than the step before it "
                        f"({previous:g}); a ramp's shares rise (0.01, 0.1, 0.5, 1)",
                        False,
                    )
                )
            previous = max(previous, float(share))
    return problems


def _sizing_fields(components: dict) -> list[Problem]:
    """Sizing facts that contradict each other: more regions than replicas, more shards than items,
    prices that price nothing."""
    problems: list[Problem] = []
    for cid, comp in components.items():
        if not isinstance(comp, dict):
            continue
        regions, replicas, shards, items = (comp.get(k) for k in ("regions", "replicas", "shards", "items"))
        if isinstance(regions, int) and isinstance(replicas, int) and regions > replicas > 0:
            problems.append(
                (
                    ("components", cid, "regions"),
                    f"'regions' is {regions} but 'replicas' is {replicas}: a region would hold no replica "
                    f"(declare at least {regions} replicas, one per region, or fewer regions)",
                    False,
                )
            )
        if isinstance(shards, int) and isinstance(items, int) and shards > items > 0:
            problems.append(
                (
                    ("components", cid, "shards"),
                    f"'shards' is {shards} but 'items' is {items}: a shard would hold no item "
                    "(shards split one copy of the items over machines)",
                    False,
                )
            )
        prices = comp.get("cost")
        if isinstance(prices, dict) and not any(prices.get(k) is not None for k in PRICE_FIELDS):
            problems.append(
                (
                    ("components", cid, "cost"),
                    "'cost' declares no price: give per_replica_hour, per_gb_month or both",
                    True,
                )
            )
    return problems


def _request_cycles(requests: nx.DiGraph, first_flow: dict[tuple[str, str], int]) -> list[Problem]:
    """One problem per strongly connected group of request flows (a request-only cycle)."""
    problems = []
    for group in nx.strongly_connected_components(requests):
        if len(group) < 2:
            continue
        start = min(group)
        cycle = nx.find_cycle(requests.subgraph(group), source=start)
        names = " -> ".join([cycle[0][0], *(v for _, v in cycle)])
        index = min(first_flow[(u, v)] for u, v in cycle)
        problems.append(
            (
                ("flows", index),
                f"request flows form a cycle ({names}); a synchronous call cannot "
                "loop back, route it through a stream or batch flow",
                False,
            )
        )
    return problems
