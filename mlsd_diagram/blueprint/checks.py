"""Design checks that go beyond field types: kinds, flow endpoints, request cycles.

They run on the plain data (not the models), tolerating wrong shapes, so that
they can report their problems in the same run as the schema errors.
Each problem is ``(path, message, prefer_key)``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..diagnostics import did_you_mean
from .kinds import CUSTOM_PREFIX, builtin_kind, kind_names

Problem = tuple[tuple, str, bool]


def check_design(data: Any) -> list[Problem]:
    """Every design-level problem in raw blueprint data (a dict from YAML or a model dump)."""
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []
    version = data.get("mlsd")
    if "mlsd" in data and version != 1 and not isinstance(version, bool):
        problems.append((("mlsd",), f"unsupported format version {version!r}; this mlsd-diagram reads "
                                    "version 1 ('mlsd: 1')", False))
    custom = data.get("kinds") if isinstance(data.get("kinds"), dict) else {}
    components = data.get("components") if isinstance(data.get("components"), dict) else {}
    for cid, comp in components.items():
        if not isinstance(comp, dict) or not isinstance(comp.get("kind"), str):
            continue
        kind = comp["kind"]
        if builtin_kind(kind) is not None or kind in custom:
            continue
        if kind.startswith(CUSTOM_PREFIX):
            problems.append((("components", cid, "kind"), f"custom kind '{kind}' is not declared under 'kinds:'"
                             + did_you_mean(kind, custom), False))
        else:
            problems.append((("components", cid, "kind"), f"unknown kind '{kind}'"
                             + did_you_mean(kind, [*kind_names(), *custom]) + " (see `mlsd kinds`)", False))
    flows = data.get("flows") if isinstance(data.get("flows"), list) else []
    requests = nx.DiGraph()
    first_flow: dict[tuple[str, str], int] = {}
    for index, flow in enumerate(flows):
        if not isinstance(flow, dict):
            continue
        ends = {}
        for end in ("from", "to"):
            value = flow.get(end)
            if isinstance(value, str) and components and value not in components:
                problems.append((("flows", index, end), f"flow '{end}' names '{value}', which is not a component"
                                 + did_you_mean(value, components), False))
            elif isinstance(value, str):
                ends[end] = value
        if len(ends) == 2 and ends["from"] == ends["to"]:
            problems.append((("flows", index), f"flow from '{ends['from']}' to itself; a component does not "
                                               "call itself", False))
        elif len(ends) == 2 and flow.get("mode") == "request":
            requests.add_edge(ends["from"], ends["to"])
            first_flow.setdefault((ends["from"], ends["to"]), index)
    problems.extend(_request_cycles(requests, first_flow))
    lint = data.get("lint") if isinstance(data.get("lint"), dict) else {}
    accepts = lint.get("accept") if isinstance(lint.get("accept"), list) else []
    for index, accept in enumerate(accepts):
        if not isinstance(accept, dict):
            continue
        cid = accept.get("component")
        if isinstance(cid, str) and components and cid not in components:
            problems.append((("lint", "accept", index, "component"), f"accepted finding names '{cid}', which is "
                             "not a component" + did_you_mean(cid, components), False))
        flow = accept.get("flow")
        if isinstance(flow, int) and not isinstance(flow, bool) and not 0 <= flow < len(flows):
            problems.append((("lint", "accept", index, "flow"), f"accepted finding names flow {flow}, but flows "
                             f"are numbered 0 to {len(flows) - 1}", False))
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
        problems.append((("flows", index), f"request flows form a cycle ({names}); a synchronous call cannot "
                                           "loop back, route it through a stream or batch flow", False))
    return problems
