"""The interactive design page: its data, knock-out views, and the single-file HTML report.

The same page serves two ways. ``mlsd serve`` sends :func:`page_data` as JSON and
answers knock-outs live (:func:`knock_out_view`); ``mlsd report`` writes one HTML
file (:func:`render_report`) holding the same data plus precomputed knock-outs,
the page's script and style inline, and a Content-Security-Policy that forbids
every network access. Both carry the load at fixed factors (:func:`load_view`) for the
page's load slider, so the page never computes a state itself.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from ..blueprint.models import Blueprint
from .files import shown_path
from .page import asset_text

if TYPE_CHECKING:
    from ..analyses.findings import Finding, FindingDict
    from ..analyses.score import Score
    from ..analyses.serving.shapes import (
        CriticalPath,
        KnockOutOutcome,
        LoadSweepStep,
        Number,
        RequestLatency,
        Simulation,
        SloLimit,
    )

# Precompute knock-outs of sets of request-path components while the number of
# sets stays at or below this bound (all sets when the path is short, else all
# pairs, triples, ... as far as the bound allows).
MAX_PRECOMPUTED_SETS = 1024
# And while the table stays within this many cells (state codes and component and flow
# indices): each knock-out costs O(its cells), so this bounds the report's time and size
# at any size of design (a chain of 10,000 calls would otherwise need 10,000 x 10,000).
MAX_PRECOMPUTED_CELLS = 2_000_000

STATE_CODES = {"served": "s", "degraded": "d", "down": "x"}

# Past this many components the report draws the stage overview, not every component: Graphviz
# alone takes longer than the whole report should on larger designs (about 12 s of `dot` for a
# 10,000-component chain), the SVG runs to megabytes and no browser shows its thousands of boxes
# legibly. `mlsd render FILE` still draws the full diagram at any size.
FULL_DIAGRAM_LIMIT = 2_000


class LoadView(TypedDict):
    """The page's load slider (:func:`load_view`): :func:`~mlsd_diagram.analyses.serving.load_sweep`'s
    keys, the factor it starts at and the critical path."""

    factors: list[Number]
    headroom: Number
    first_saturated: str | None
    unknown_capacity: list[str]
    slo_headroom: Number
    slo_limit: SloLimit | None
    peak_qps: dict[str, Number]
    at: list[LoadSweepStep]
    start: int
    critical_path: CriticalPath | None


class AvailabilityRow(TypedDict):
    """One entry point's availability on the page (:func:`resilience_view`)."""

    entry: str
    availability: str
    slo: float | None
    below: bool
    dominant: list[str]


class RetryRow(TypedDict):
    """One retry-amplified component on the page (:func:`resilience_view`)."""

    component: str
    calls: float
    worst: float
    reject_share: float | None
    hangs: bool


class ResilienceView(TypedDict):
    """Availability and retry amplification at 1x peak (:func:`resilience_view`)."""

    availability: list[AvailabilityRow]
    retries: list[RetryRow]


class KnockOutView(TypedDict):
    """What the page shows for a knock-out (:func:`knock_out_view`)."""

    knocked_out: list[str]
    entry_points: dict[str, str]
    states: dict[str, str]
    components: list[str]
    flows: list[int]


class KnockOutCodes(TypedDict):
    """A precomputed knock-out: entry point and component state codes, component and flow indices."""

    s: str
    n: str
    c: list[int]
    f: list[int]


class PrecomputedKnockOuts(TypedDict):
    """The report's precomputed knock-outs (:func:`precompute_knock_outs`)."""

    relevant: list[str]
    max_set: int
    note: str
    table: dict[str, KnockOutCodes]


class ComponentRow(TypedDict):
    """A component as the page shows it."""

    id: str
    label: str
    kind: str
    kind_written: str
    stage: str
    roles: list[str]
    tech: str | None
    replicas: int | None
    latency_p99_ms: float | None
    task: str | None
    model: str | None
    notes: str | None
    line: int
    column: int


class FlowRow(TypedDict):
    """A flow as the page shows it."""

    index: int
    source: str
    target: str
    mode: str
    data: str | None
    line: int
    column: int


class RequestPathView(TypedDict):
    components: list[str]
    flows: list[int]
    entry_points: dict[str, str]  # each entry point's state with nothing knocked out (no load)


class _PageData(TypedDict):
    name: str
    file: str
    summary: str | None
    slo: dict[str, Any]  # the blueprint's SLO section as written (its declared fields)
    components: list[ComponentRow]
    flows: list[FlowRow]
    findings: list[FindingDict]
    score: Score
    entry_points: list[str]
    single_points_of_failure: list[str]
    single_knock_outs: list[KnockOutOutcome]
    latency: dict[str, RequestLatency]
    request_path: RequestPathView
    load: LoadView
    resilience: ResilienceView
    svg: str


class PageData(_PageData, total=False):
    """Everything the page shows (:func:`page_data`); the report adds its precomputed knock-outs, the
    request view and, for a large design, a note on the diagram."""

    precomputed: PrecomputedKnockOuts
    request_svg: str
    diagram_note: str
    practice: dict[str, Any]  # ``mlsd practice``'s page: the mock interview (practice.scorecard.mock_interview)


def diagram_view(blueprint: Blueprint) -> tuple[str, str | None]:
    """The view the report draws (``all`` or ``overview``) and, for the overview, why, for the page."""
    n = len(blueprint.components)
    if n <= FULL_DIAGRAM_LIMIT:
        return "all", None
    return "overview", (
        f"This design has {n:,} components, more than the {FULL_DIAGRAM_LIMIT:,} a report draws one by one: "
        "the diagram shows one box per stage; pick a component by its id for its details and knock-outs. "
        "`mlsd render FILE` draws every component."
    )


def _analyses():
    # Imported on use, so that importing this module stays cheap.
    from ..analyses.lint import lint
    from ..analyses.score import score
    from ..analyses.serving import knock_out_detail, simulate

    return lint, simulate, knock_out_detail, score


def load_view(blueprint: Blueprint, model: Any = None) -> LoadView:
    """What the page's load slider shows: ``analyses.serving.load_sweep`` at its fixed factors
    (``LOAD_FACTORS``, 0.5x to 5x), the factor it starts at (1x), and the critical path.

    ``{"factors", "start", "headroom", "first_saturated", "unknown_capacity", "peak_qps",
    "at": [{"factor", "entry_points", "components", "answered_by"}], "critical_path": {"entry",
    "p99_ms", "slo_ms", "components", "flows"} or None}``. The page only picks among these; it
    computes nothing itself, so the report needs no server.
    """
    from ..analyses.serving import LOAD_FACTORS, critical_path, load_sweep, serving_model

    model = model or serving_model(blueprint)
    sweep = load_sweep(blueprint, LOAD_FACTORS, model)
    return {**sweep, "start": sweep["factors"].index(1), "critical_path": critical_path(blueprint, model)}


def resilience_view(blueprint: Blueprint, simulation: Simulation, model: Any = None) -> ResilienceView:
    """Availability and retry amplification at 1x peak, briefly (the design doc has the tables).

    ``{"availability": [{"entry", "availability" (percent text), "slo" (percent or None), "below",
    "dominant": [IDs]}], "retries": [{"component", "calls", "worst", "reject_share", "hangs"}]}``,
    from ``simulate``'s availability and :func:`~mlsd_diagram.analyses.retries.retry_layers` (on
    ``model``, the blueprint's serving model, when the caller has one).
    """
    from ..analyses.retries import retry_layers
    from .doc.serving import percent_of

    slo = blueprint.requirements.slo.availability if blueprint.requirements.slo else None
    availability: list[AvailabilityRow] = [
        {
            "entry": entry,
            "availability": percent_of(info["availability"]),
            "slo": slo,
            "below": slo is not None and info["availability"] < slo / 100 - 1e-12,
            "dominant": info["terms"][0]["components"] if info["terms"] else [],
        }
        for entry, info in simulation.get("availability", {}).items()
    ]
    retries: list[RetryRow] = [
        {
            "component": layer["component"],
            "calls": round(layer["calls_per_request"], 3),
            "worst": round(layer["worst_attempts_per_request"], 3),
            "reject_share": None if layer["reject_share"] is None else round(layer["reject_share"], 3),
            "hangs": layer["reject_share"] is None,
        }
        for layer in retry_layers(blueprint, model)["layers"]
    ]
    return {"availability": availability, "retries": retries}


def knock_out_view(blueprint: Blueprint, knocked_out: Iterable[str], model: Any = None) -> KnockOutView:
    """What the page shows for a knock-out (``simulate.knock_out_detail`` plus the knocked-out ids).

    ``{"knocked_out": [...], "entry_points": {ID: STATE}, "states": {ID: STATE},
    "components": [...], "flows": [...]}``: the state of each entry point and of each
    request-path component, and the components and flows requests still travel.
    ``model``: the blueprint's ``ServingModel``, to reuse over many knock-outs.
    Raises ``KeyError`` when an id is not a component.
    """
    _, _, knock_out_detail, _ = _analyses()
    down = sorted(set(knocked_out))
    detail = knock_out_detail(blueprint, set(down), model)
    return {
        "knocked_out": down,
        "entry_points": dict(detail["entry_points"]),
        "states": dict(detail["states"]),
        "components": list(detail["components"]),
        "flows": list(detail["flows"]),
    }


def _shown_finding(finding: Finding, shown: dict[str, str]) -> FindingDict:
    """A finding as the page shows it: its file as the page names it (one path, many findings)."""
    row = finding.to_dict()
    row["file"] = shown[finding.file] if finding.file in shown else shown_path(finding.file)
    return row


def page_data(blueprint: Blueprint, svg: str | None = None, lint_config: Any = None, design: Any = None) -> PageData:
    """Everything the page shows, as JSON-ready data (deterministic for a given blueprint).

    ``svg`` is the rendered diagram (``render_svg_text`` when not given); ``lint_config``
    goes to :func:`~mlsd_diagram.analyses.lint.lint` (project settings from ``[tool.mlsd]``);
    ``design``: the blueprint's lint ``Design`` for that config when the caller has one (its
    serving model then answers the knock-outs too, see :func:`precompute_knock_outs`).
    """
    lint, simulate, _, score = _analyses()
    shown = {blueprint.file: shown_path(blueprint.file)}  # one path, many findings
    if svg is None:
        from .diagram import render_svg_text

        svg = render_svg_text(blueprint)
    graph = blueprint.graph
    components: list[ComponentRow] = []
    for cid, component in blueprint.components.items():
        kind = blueprint.kind_of(cid)
        line, column = blueprint.component_location(cid)
        components.append(
            {
                "id": cid,
                "label": component.label or cid,
                "kind": kind.name,
                "kind_written": component.kind,
                "stage": kind.stage.value,
                "roles": sorted(graph.nodes[cid]["roles"]),
                "tech": component.tech,
                "replicas": component.replicas,
                "latency_p99_ms": component.latency_p99_ms,
                "task": component.task,
                "model": component.model,
                "notes": component.notes,
                "line": line,
                "column": column,
            }
        )
    flows: list[FlowRow] = []
    for index, flow in enumerate(blueprint.flows):
        line, column = blueprint.flow_location(index)
        flows.append(
            {
                "index": index,
                "source": flow.source,
                "target": flow.target,
                "mode": flow.mode.value,
                "data": flow.data,
                "line": line,
                "column": column,
            }
        )
    from ..analyses.lint import design_for

    design = design or design_for(blueprint, lint_config)  # one view for lint and score, which lints no more
    findings = lint(blueprint, config=lint_config, design=design)
    model = design.serving  # one serving model for lint, simulate, the knock-outs and the load slider
    simulation = simulate(blueprint, model=model)
    baseline = knock_out_view(blueprint, (), model)
    slo = blueprint.requirements.slo
    return {
        "name": blueprint.name,
        "file": shown_path(blueprint.file),
        "summary": blueprint.summary,
        "slo": slo.model_dump(mode="json", exclude_none=True) if slo else {},
        "components": components,
        "flows": flows,
        "findings": [_shown_finding(finding, shown) for finding in findings],
        "score": score(blueprint, lint_config, findings, design),
        "entry_points": list(simulation["entry_points"]),
        "single_points_of_failure": list(simulation["single_points_of_failure"]),
        "single_knock_outs": simulation["knock_outs"],
        "latency": simulation["latency"],
        "request_path": {
            "components": baseline["components"],
            "flows": baseline["flows"],
            "entry_points": baseline["entry_points"],
        },
        "load": load_view(blueprint, model),
        "resilience": resilience_view(blueprint, simulation, model),
        "svg": svg,
    }


def precomputed_sizes(n: int, limit: int = MAX_PRECOMPUTED_SETS) -> int:
    """The largest k such that every set of 1..k of ``n`` components fits in ``limit`` sets."""
    total, k = 0, 0
    while k < n:
        more = math.comb(n, k + 1)
        if total + more > limit:
            break
        total += more
        k += 1
    return k


def precompute_knock_outs(
    blueprint: Blueprint,
    data: PageData,
    limit: int = MAX_PRECOMPUTED_SETS,
    cells: int = MAX_PRECOMPUTED_CELLS,
    model: Any = None,
) -> PrecomputedKnockOuts:
    """Knock-out views for single request-path components and for small sets of them.

    Keys are the knocked-out request-path components, sorted and joined by ``,``
    (components off the request path cannot change what the page shows: the page
    shows the intact design for them). Values hold one state code per entry point
    (``s`` served, ``d`` degraded, ``x`` down, in ``entry_points`` order) and for
    each request-path component (``n``, in ``relevant`` order), and the remaining
    request path as component and flow indices.

    Singles come first, in declaration order, then the sets of 2, 3, ... that ``limit``
    allows, as long as the table holds at most ``cells`` codes and indices: each
    knock-out is O(R + F) with one serving model for all, so the whole is O(cells + F x sets),
    whatever the size of the design. The ``note`` says what the page can answer.
    """
    from ..analyses.request_path import knock_out_scope
    from ..analyses.serving import serving_model

    model = model or serving_model(blueprint)  # ``model``: the blueprint's, when the caller has one
    entries = data["entry_points"]
    ids = [c["id"] for c in data["components"]]
    position = {cid: i for i, cid in enumerate(ids)}
    relevant = knock_out_scope(blueprint, model)
    on_path = set(relevant)
    singles = [cid for cid in ids if cid in on_path]
    size = precomputed_sizes(len(relevant), limit)
    table: dict[str, KnockOutCodes] = {}
    spent = 0
    # knock_out_detail gives every request-path component's state in the model's declaration order;
    # the table keeps ``relevant``'s (id) order
    declared = {c: i for i, c in enumerate(model.relevant_declared)}
    order = [declared[c] for c in relevant]

    def add(key: str, members: Iterable[str]) -> bool:
        nonlocal spent
        if spent + len(entries) + len(relevant) > cells:
            return False
        view = knock_out_view(blueprint, members, model)
        codes = [STATE_CODES[state] for state in view["states"].values()]
        table[key] = {
            "s": "".join(STATE_CODES.get(view["entry_points"].get(e, "served"), "?") for e in entries),
            "n": "".join([codes[i] for i in order]),
            "c": [position[c] for c in view["components"]],
            "f": view["flows"],
        }
        spent += len(entries) + len(relevant) + len(view["components"]) + len(view["flows"])
        return True

    done = 0
    for cid in singles:
        if not add(cid, [cid]):
            break
        done += 1
    max_set = 1
    if done == len(singles):
        for k in range(2, size + 1):
            if not all(add(",".join(members), members) for members in itertools.combinations(relevant, k)):
                break
            max_set = k
    if done < len(singles):
        note = (
            f"single knock-outs of the first {done} of the {len(relevant)} request-path components "
            f"(declaration order; the design is too large to precompute more here), use `mlsd serve` for the others"
        )
    elif max_set >= len(relevant):
        note = f"every set of the {len(relevant)} request-path components"
    elif max_set >= 2:
        note = (
            f"every single component, and sets of up to {max_set} of the {len(relevant)} request-path "
            f"components; larger sets need `mlsd serve`"
        )
    else:
        note = (
            f"every single component; sets of the {len(relevant)} request-path components are too many to "
            f"precompute here, use `mlsd serve`"
        )
    return {"relevant": relevant, "max_set": max_set, "note": note, "table": table}


def _json_for_script(value: Any) -> str:
    # Inside <script type="application/json"> only "</" could end the element; escape
    # every "<", ">" and "&" so no blueprint text can close or open anything.
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def request_svg_text(blueprint: Blueprint, model: Any = None) -> str:
    """The request view (the slowest request's p99 as a waterfall, :mod:`.request_view`) as SVG text;
    empty when the blueprint has no entry point with a known latency, or has more components than
    the report draws one by one (:data:`FULL_DIAGRAM_LIMIT`: a row per call of a path that long is
    no more legible; ``mlsd render FILE --view request`` draws it). ``model``: its serving model."""
    from .diagram import finish_svg, run_dot
    from .request_view import NoRequestPath, request_dot, waterfall

    if len(blueprint.components) > FULL_DIAGRAM_LIMIT:
        return ""
    try:
        fall = waterfall(blueprint, model)
    except NoRequestPath:
        return ""
    svg = run_dot(request_dot(blueprint, fall=fall), ["svg"], finish_svg)["svg"]
    return svg.decode("utf-8") if isinstance(svg, bytes) else svg


def _data(blueprint: Blueprint, svg: str, lint_config: Any) -> PageData:
    """:func:`page_data` with the knock-outs precomputed and the request view, on one serving model."""
    from ..analyses.lint import design_for

    design = design_for(blueprint, lint_config)
    data = page_data(blueprint, svg, lint_config, design)
    data["precomputed"] = precompute_knock_outs(blueprint, data, model=design.serving)
    data["request_svg"] = request_svg_text(blueprint, design.serving)
    return data


def render_report(blueprint: Blueprint, svg: str | None = None, lint_config: Any = None) -> str:
    """The page as one self-contained HTML file: inline SVG, style, script and data; no network.

    Knock-outs are answered from :func:`precompute_knock_outs`; the request view (``request_svg``, shown
    under the panels) is drawn here too. Same blueprint, same bytes.
    """
    if svg is None:
        # Graphviz lays the diagram out in its own process while the analyses run here.
        from concurrent.futures import ThreadPoolExecutor

        from .diagram import render_svg_text

        view, note = diagram_view(blueprint)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlsd-report-svg") as pool:
            drawing = pool.submit(render_svg_text, blueprint, view)
            try:
                data = _data(blueprint, "", lint_config)
            except BaseException:
                from .diagram import kill_running_dot

                # the analyses failed or were interrupted: the drawing is not waited for (its `dot` is
                # killed; later renders of the host process still run: no stop latch is set)
                kill_running_dot()
                raise
            data["svg"] = drawing.result()
        if note is not None:
            data["diagram_note"] = note
    else:
        data = _data(blueprint, svg, lint_config)
    script = asset_text("app.js")
    style = asset_text("style.css")
    csp = (
        f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    title = html.escape(blueprint.name)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{title} - mlsd report</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        f'<script type="application/json" id="mlsd-data">{_json_for_script(data)}</script>\n'
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )


__all__ = [
    "MAX_PRECOMPUTED_SETS",
    "knock_out_view",
    "load_view",
    "page_data",
    "precompute_knock_outs",
    "precomputed_sizes",
    "render_report",
]
