"""Design-doc skeletons: a blueprint (and what lint, simulate and score say about it) -> Markdown.

The doc follows the 7-step framework of ML system design interviews (clarifying
requirements, framing as an ML task, data preparation, model development,
evaluation, deployment and serving, monitoring and infrastructure), then risks
and open questions, then an appendix. It is filled from the blueprint wherever
the blueprint says something; where it is silent the section says
``> Decide: ...`` instead.

The diagram image is optional: when Graphviz is missing or fails, the doc says
so in its appendix and the rest is still written.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from ... import __version__
from ...analyses.design import Design
from ...analyses.failure_modes import failure_modes
from ...analyses.findings import Finding
from ...analyses.lint import as_config, design_for, lint
from ...analyses.score import score
from ...analyses.serving import ServingModel, latency_breakdown, load_at, load_table, simulate
from ...analyses.serving.shapes import LatencyPart, LoadTable
from ...blueprint.models import Blueprint
from ..diagram import RenderError, RenderLimitExceeded, output_name, render
from ..files import OutputError, check_replaceable, write_atomic
from ..mermaid import to_mermaid
from ..request_view import REQUEST_VIEW
from .context import DEFAULT_METRICS, STEPS, build_context, task_family
from .interview import interview_context
from .markdown import Md, code, environment, escape_inline, fence, tidy
from .serving import availability_budget, retry_amplification

DEFAULT_TEMPLATE = "design_doc.md.j2"
INTERVIEW_TEMPLATE = "interview.md.j2"
DIAGRAM_VIEW = "serving"
OVERVIEW_VIEW = "overview"  # the picture the doc opens with: one box per stage, readable at page width
DIAGRAM_FORMATS = ("png", "svg")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
DOC_PROFILE = "interview"  # the doc lists every blank (see analyse)


class DocTemplateError(ValueError):
    """A template that cannot be read or rendered; the message starts with ``file:line:``."""


@dataclass
class DocResult:
    """What :func:`write_doc` wrote: the doc, the diagram files beside it, and what it skipped."""

    path: Path
    markdown: str
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# -- analyses --------------------------------------------------------------------------


def _lint(findings: list[Finding]) -> dict[str, Any]:
    """Open findings (most severe first) and accepted ones, with counts per severity."""
    rows = [finding.to_dict() for finding in findings]
    rows.sort(key=lambda r: (r["accepted"], _SEVERITY_ORDER.get(r["severity"], 3), r["line"], r["column"], r["rule"]))
    counts = {sev: sum(1 for r in rows if not r["accepted"] and r["severity"] == sev) for sev in _SEVERITY_ORDER}
    return {
        "findings": [r for r in rows if not r["accepted"]],
        "accepted": [r for r in rows if r["accepted"]],
        "counts": counts,
    }


def _label(bp: Blueprint, cid: str) -> str:
    return bp.components[cid].label or cid


def _simulation(bp: Blueprint, model: ServingModel, failing: list[str] | None = None) -> dict[str, Any]:
    """Latency steps against the SLO, latency under load and in failure, the load table, single points
    of failure, every single knock-out.

    Everything is computed by ``analyses.serving`` from ``model``; here it is only labelled for the template.
    ``failing``: the parts whose failure latency the doc shows (request-path models and feature stores).
    """
    result = simulate(bp, model=model)
    breakdown = latency_breakdown(bp, model)
    latency = []
    for entry, info in sorted(result["latency"].items()):
        p99, slo = info["p99_ms"], info["slo_ms"]
        latency.append(
            {
                "entry": entry,
                "label": _label(bp, entry),
                "path": info["path"],
                "p99_ms": p99,
                "slo_ms": slo,
                "missing": info["missing"],
                "steps": info["steps"],
                "parts": _latency_parts(bp, breakdown[entry]["parts"]),
                "headroom_ms": slo - p99 if p99 is not None and slo is not None else None,
                "within": p99 <= slo if p99 is not None and slo is not None else None,
                "p50_ms": info["p50_ms"],
                "p999_ms": info["p999_ms"],
                "shares": info["shares"],
                "over_slo_share": info["over_slo_share"],
                "tails": bool(info["path"]) and not info["assumed"]["constant_service"],
                "some_tails": bool(info["path"]) and len(info["assumed"]["constant_service"]) < len(info["path"]) - 1,
                "queueing": bool(info["path"]) and len(info["assumed"]["no_queueing"]) < len(info["path"]) - 1,
            }
        )
    spofs = [
        {"id": c, "label": _label(bp, c), "replicas": bp.components[c].replicas}
        for c in result["single_points_of_failure"]
    ]
    knock_outs = [
        {
            "components": [{"id": c, "label": _label(bp, c)} for c in item["components"]],
            "states": [{"entry": e, "label": _label(bp, e), "state": s} for e, s in item["entry_points"].items()],
            "worst": _worst(item["entry_points"].values()),
        }
        for item in result["knock_outs"]
    ]
    single = {c["id"] for c in spofs}
    # knocked out alone, these take an entry point down: critical, even when replicas keep them from
    # being a single point of failure (the doc must not read as "nothing can take us down")
    critical = [
        {
            "id": c,
            "label": _label(bp, c),
            "replicas": bp.components[c].replicas,
            "zones": bp.components[c].zones,
            "single": c in single,
        }
        for item in result["knock_outs"]
        if len(item["components"]) == 1 and "down" in item["entry_points"].values()
        for c in item["components"]
    ]
    timed = any(item["p99_ms"] is not None for item in latency)
    under_load = []
    if timed and any(model.entry_peak(e) for e in model.entries):
        for row in model.latency_under_load():
            under_load.append(
                {
                    "factor": row["factor"],
                    "entries": [{"entry": e, "label": _label(bp, e), **f} for e, f in sorted(row["latency"].items())],
                }
            )
    failures: list[dict[str, Any]] = []
    if timed:
        for item in model.failure_latencies(failing or []):
            failures.append(
                {
                    "id": item["component"],
                    "label": _label(bp, item["component"]),
                    "cases": [
                        {"how": how, "entries": [{"entry": e, **f} for e, f in sorted(figures.items())]}
                        for how, figures in (("fails fast", item["fails_fast"]), ("hangs", item["hangs"]))
                    ],
                }
            )
    slo_of = {item["entry"]: item["slo_ms"] for item in latency}
    over_slo = [  # parts whose failure (fast or hung) puts an entry point over its latency SLO
        f["id"]
        for f in failures
        if any(
            e["p99_ms"] is not None and slo_of.get(e["entry"]) is not None and e["p99_ms"] > slo_of[e["entry"]]
            for case in f["cases"]
            for e in case["entries"]
        )
    ]
    slo_headroom, limit = model.slo_headroom()
    redundancy = []
    if any(model.entry_peak(e) for e in model.entries) and any(model.total_capacity(c) for c in model.request_path):
        zoned = any(model.zones[c] for c in model.request_path)
        for what in ("replica", "zone") if zoned else ("replica",):
            after = load_at(bp, 1.0, model=model, lose=what)
            redundancy.append(
                {
                    "what": what,
                    "entries": [
                        {"entry": e, "label": _label(bp, e), "state": st} for e, st in after["entry_points"].items()
                    ],
                    "saturated": [
                        {"id": c, "label": _label(bp, c), "state": info["state"]}
                        for c, info in after["components"].items()
                        if info["state"] in ("shedding", "overloaded")
                    ],
                }
            )
    return {
        "redundancy": redundancy,
        "availability": availability_budget(bp, model),
        "retries": retry_amplification(bp, model),
        "latency": latency,
        "under_load": under_load,
        "failure_latency": failures,
        "slo_headroom": slo_headroom,
        "slo_limit": limit,
        "single_points_of_failure": spofs,
        "critical": critical,
        "over_slo_when_failing": over_slo,
        "knock_outs": knock_outs,
        "entry_points": result["entry_points"],
        "load": _load(bp, load_table(bp, 1.0, model)),
    }


def _latency_parts(bp: Blueprint, parts: list[LatencyPart]) -> list[dict[str, Any]]:
    """``latency_breakdown``'s parts with labels: each component's own p99 and call steps."""
    return [
        {
            "id": part["component"],
            "label": _label(bp, part["component"]),
            "own_ms": part["own_ms"],
            "total_ms": part["total_ms"],
            # a sum of p99s only when every part is a constant; with tails, the p99 of the sum is less
            "adds_up": part["total_ms"] is not None
            and abs((part["own_ms"] or 0) + sum(st["cost_ms"] or 0 for st in part["steps"]) - part["total_ms"]) < 1e-6,
            "steps": [
                {
                    "step": step["step"],
                    "cost_ms": step["cost_ms"],
                    "calls": [
                        {**call, "id": call["component"], "label": _label(bp, call["component"])}
                        for call in step["calls"]
                    ],
                }
                for step in part["steps"]
            ],
        }
        for part in parts
    ]


def _load(bp: Blueprint, table: LoadTable) -> dict[str, Any]:
    """``load_table`` at 1x peak with labels."""
    return {
        "factor": table["factor"],
        "headroom": table["headroom"],
        "first_saturated": table["first_saturated"],
        "first_saturated_label": _label(bp, table["first_saturated"]) if table["first_saturated"] else "",
        "peak_qps": [{"entry": e, "label": _label(bp, e), "qps": q} for e, q in table["peak_qps"].items()],
        "peak_declared": any(q is not None for q in table["peak_qps"].values()),
        "entry_points": [{"entry": e, "label": _label(bp, e), "state": s} for e, s in table["entry_points"].items()],
        "rows": [{**row, "id": row["component"], "label": _label(bp, row["component"])} for row in table["rows"]],
        "unknown_capacity": [{"id": c, "label": _label(bp, c)} for c in table["unknown_capacity"]],
    }


def _worst(states: Iterable[str]) -> str:
    """The worst entry-point state of a knock-out: down, degraded or served."""
    found = set(states)
    return next((state for state in ("down", "degraded", "served") if state in found), "")


def _test_score(bp: Blueprint, config: Any, findings: list[Finding], design: Design) -> dict[str, Any]:
    """ML Test Score coverage: which tests the architecture shows, and the manual checklist."""
    result = score(bp, config, findings, design)
    tests = [
        {"id": t["id"], "title": t["title"], "shown": t["shown"], "rules": list(t["rules"]), "why": t["reason"]}
        for t in result["tests"]
    ]
    # the template says the level itself
    reason = re.sub(r"^level\s*\d+\s*:?\s*", "", result["mlops_reason"], flags=re.IGNORECASE)
    manual = [{"id": t["id"], "title": t["title"]} for t in result["manual"]]
    return {
        "available": True,
        "tests": tests,
        "shown": sum(1 for t in tests if t["shown"]),
        "architectural": len(tests),
        "manual": manual,
        "mlops_level": result["mlops_level"],
        "mlops_reason": reason,
    }


def analyse(bp: Blueprint, config: Any = None) -> dict[str, Any]:
    """Run lint, simulate and score for the doc, with the lint configuration ``config`` ([tool.mlsd]);
    the failure-mode checklist and the score are answered from the same findings, and all of them
    from one view of the design and one serving model (each built once).

    Lint runs in the ``interview`` profile whatever the configuration says: a design doc is where
    every blank practice field is asked about, so its findings table lists each one (the
    ``review`` profile would fold the blanks of an unused field into one note)."""
    design = design_for(bp, as_config(config))
    findings = lint(bp, config=config, design=design, profile=DOC_PROFILE)
    return {
        "lint": _lint(findings),
        "failure_modes": [fm.to_dict() for fm in failure_modes(bp, findings, design=design)],
        "simulation": _simulation(bp, design.serving, design.failure_latency_parts),
        "test_score": _test_score(bp, config, findings, design),
        "skipped": [],
    }


# -- the diagram ----------------------------------------------------------------------


def _link_target(name: str) -> str:
    return f"<{name}>" if re.search(r"[\s()<>]", name) else name


def _diagram_names(stem: str) -> tuple[str, str]:
    """The PNG and SVG names the renderer gives the serving view of ``stem``."""
    return output_name(stem, "png", DIAGRAM_VIEW), output_name(stem, "svg", DIAGRAM_VIEW)


def has_request(bp: Blueprint) -> bool:
    """Whether ``bp`` has a request view to draw (an entry point with a known latency)."""
    from ..request_view import NoRequestPath, waterfall

    try:
        waterfall(bp)
    except NoRequestPath:
        return False
    return True


def _diagram_context(stem: str, mermaid: str, image: bool, reason: str = "", request: bool = False) -> dict[str, Any]:
    png, svg = _diagram_names(stem)
    overview_png, overview_svg = output_name(stem, "png", OVERVIEW_VIEW), output_name(stem, "svg", OVERVIEW_VIEW)
    request_png, request_svg = output_name(stem, "png", REQUEST_VIEW), output_name(stem, "svg", REQUEST_VIEW)
    return {
        "request_image": Md(_link_target(request_png)) if image and request else "",
        "request_svg": Md(_link_target(request_svg)) if image and request else "",
        "overview_image": Md(_link_target(overview_png)) if image else "",
        "overview_svg": Md(_link_target(overview_svg)) if image else "",
        "image": Md(_link_target(png)) if image else "",
        "svg": Md(_link_target(svg)) if image else "",
        "image_name": png if image else "",
        "svg_name": svg if image else "",
        "mermaid": fence(mermaid, "mermaid") if mermaid else "",
        "skipped": reason,
    }


def _render_files(bp: Blueprint, out_dir: Path, stem: str) -> tuple[list[Path], str]:
    """Render the overview and the serving view beside the doc; ``([], reason)`` when rendering is unavailable."""
    try:
        files = render(bp, formats=DIAGRAM_FORMATS, out_dir=out_dir, stem=stem, view=OVERVIEW_VIEW)
        files += render(bp, formats=DIAGRAM_FORMATS, out_dir=out_dir, stem=stem, view=DIAGRAM_VIEW, direction="LR")
        if has_request(bp):  # the slowest request's p99, call by call (the request view)
            files += render(bp, formats=DIAGRAM_FORMATS, out_dir=out_dir, stem=stem, view=REQUEST_VIEW)
    except (RenderLimitExceeded, OutputError):  # the user must choose (more room for Graphviz, --no-render,
        raise  # another -o), rather than get a doc without its image
    except (RenderError, OSError) as exc:  # e.g. Graphviz missing: the doc is still worth writing
        message = " ".join(str(exc).split()) or type(exc).__name__
        return [], f"rendering failed: {message}"
    return [Path(f) for f in files], ""


# -- the template ---------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _packaged_template(name: str = DEFAULT_TEMPLATE) -> jinja2.Template:
    # Compiling the packaged template is ~90% of a doc's time: do it once per process.
    return environment().get_template(name)


def _template(template: str | os.PathLike | None, interview: bool = False) -> jinja2.Template:
    if template is None:
        return _packaged_template(INTERVIEW_TEMPLATE if interview else DEFAULT_TEMPLATE)
    path = Path(template)
    if not path.is_file():
        raise DocTemplateError(f"{os.fspath(template)}:1:1: error: template not found (or not a file)")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocTemplateError(f"{os.fspath(template)}:1:1: error: cannot read template: {exc}") from None
    env = environment([path.parent])
    try:
        return _compile(env, source, os.fspath(template))
    except jinja2.TemplateSyntaxError as exc:
        raise DocTemplateError(f"{os.fspath(template)}:{exc.lineno}:1: error: template syntax: {exc.message}") from None


def _compile(env: jinja2.Environment, source: str, filename: str) -> jinja2.Template:
    code_object = env.compile(source, name=Path(filename).name, filename=filename)
    return env.template_class.from_code(env, code_object, env.make_globals(None), None)


def render_markdown(
    context: dict[str, Any], template: str | os.PathLike | None = None, *, interview: bool = False
) -> str:
    """Render the doc's Markdown from a context (see :func:`build_context`) and a template
    (the packaged interview talk track with ``interview`` when no template is given)."""
    compiled = _template(template, interview)
    try:
        text = compiled.render(context)
    except jinja2.TemplateError as exc:
        where = compiled.filename or DEFAULT_TEMPLATE
        line = 1
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename == compiled.filename:
                line = lineno
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, SecurityError):
            message = f"refused, templates run sandboxed (see the docs, Design docs): {message}"
        raise DocTemplateError(f"{where}:{line}:1: error: template: {message}") from None
    return tidy(text)


def doc_context(
    bp: Blueprint,
    *,
    stem: str,
    analyses: dict[str, Any] | None = None,
    image: bool = True,
    mermaid: str = "",
    image_skipped: str = "",
    source: str | None = None,
) -> dict[str, Any]:
    """The template variables for ``bp`` (analyses run here when not given)."""
    analyses = analyses if analyses is not None else analyse(bp)
    diagram = _diagram_context(stem, mermaid, image, image_skipped, request=image and has_request(bp))
    context = build_context(bp, analyses=analyses, diagram=diagram, source=source)
    context["generator"] = {"name": "mlsd-diagram", "version": __version__}
    context["stem"] = stem
    context["interview"] = interview_context(context, list(analyses.get("failure_modes", [])))
    return context


def doc_markdown(
    bp: Blueprint,
    *,
    stem: str,
    template: str | os.PathLike | None = None,
    source: str | None = None,
    config: Any = None,
    image_skipped: str = "not rendered",
    interview: bool = False,
) -> str:
    """The design doc of ``bp`` as Markdown, without a diagram image (the Mermaid block stays); writes nothing.

    With ``interview``, the doc as a 45-minute interview talk track instead."""
    analyses = analyse(bp, config)
    context = doc_context(
        bp,
        stem=stem,
        analyses=analyses,
        image=False,
        mermaid=to_mermaid(bp, view=DIAGRAM_VIEW),
        image_skipped=image_skipped,
        source=source,
    )
    return render_markdown(context, template, interview=interview)


def write_doc(
    bp: Blueprint,
    out: str | os.PathLike,
    *,
    template: str | os.PathLike | None = None,
    render_diagram: bool = True,
    source: str | None = None,
    config: Any = None,
    interview: bool = False,
) -> DocResult:
    """Write the design doc of ``bp`` to ``out``, with the serving diagram beside it.

    The Markdown is rendered before anything is written, so a template error leaves no
    file behind; the doc itself is written last, atomically. Raises
    :class:`DocTemplateError` for a bad template. ``config`` is the lint configuration
    ([tool.mlsd]) that the findings and the ML Test Score follow. With ``interview`` it writes the
    interview talk track, which has no diagram (nothing is rendered).
    """
    if interview:
        render_diagram = False
    out_path = Path(out)
    check_replaceable(out_path)  # a device, FIFO or link in the way: refused before any work
    stem = out_path.name[:-3] if out_path.name.endswith(".md") else out_path.stem
    analyses = analyse(bp, config)
    skipped = analyses["skipped"]
    mermaid = to_mermaid(bp, view=DIAGRAM_VIEW)
    image_reason = "" if render_diagram or interview else "not rendered (--no-render)"
    context = doc_context(
        bp,
        stem=stem,
        analyses=analyses,
        image=render_diagram,
        mermaid=mermaid,
        image_skipped=image_reason,
        source=source,
    )
    markdown = render_markdown(context, template, interview=interview)  # a template error stops here
    files: list[Path] = []
    if render_diagram:
        files, image_reason = _render_files(bp, out_path.parent, stem)
        if image_reason:
            context = doc_context(
                bp,
                stem=stem,
                analyses=analyses,
                image=False,
                mermaid=mermaid,
                image_skipped=image_reason,
                source=source,
            )
            markdown = render_markdown(context, template, interview=interview)
    write_atomic(out_path, markdown)
    return DocResult(out_path, markdown, files, skipped + ([f"Diagram image: {image_reason}."] if image_reason else []))


__all__ = [
    "DEFAULT_METRICS",
    "DocResult",
    "DocTemplateError",
    "STEPS",
    "Md",
    "analyse",
    "build_context",
    "code",
    "doc_context",
    "doc_markdown",
    "escape_inline",
    "render_markdown",
    "task_family",
    "write_doc",
]
