"""Design-doc skeletons: a blueprint (and what lint, simulate and score say about it) -> Markdown.

The doc follows the 7-step framework of ML system design interviews (clarifying
requirements, framing as an ML task, data preparation, model development,
evaluation, deployment and serving, monitoring and infrastructure), then risks
and open questions, then an appendix. It is filled from the blueprint wherever
the blueprint says something; where it is silent the section says
``> Decide: ...`` instead.

The analyses and the renderer are optional: when one is not installed or fails,
the doc says so in its appendix and the rest is still written.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import jinja2

from ... import __version__
from ...blueprint.models import Blueprint
from ..files import write_atomic
from .context import DEFAULT_METRICS, STEPS, build_context, task_family
from .markdown import Md, code, environment, escape_inline, fence, tidy
from .testscore import ML_TEST_SCORE, MANUAL_TESTS

DEFAULT_TEMPLATE = "design_doc.md.j2"
DIAGRAM_VIEW = "serving"
DIAGRAM_FORMATS = ("png", "svg")
_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


class DocTemplateError(ValueError):
    """A template that cannot be read or rendered; the message starts with ``file:line:``."""


@dataclass
class DocResult:
    """What :func:`write_doc` wrote: the doc, the diagram files beside it, and what it skipped."""

    path: Path
    markdown: str
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# -- analyses, each optional ----------------------------------------------------------


def _lint(bp: Blueprint, skipped: list[str]) -> Optional[dict[str, Any]]:
    try:
        from ...analyses.lint import lint
    except ImportError:
        skipped.append("Lint findings: the lint analysis (`mlsd_diagram.analyses.lint`) is not installed, so "
                       "the risks below come from the blueprint alone.")
        return None
    rows = []
    for finding in lint(bp):
        row = {name: getattr(finding, name, None) for name in
               ("rule", "name", "severity", "message", "line", "column", "component", "flow", "accepted", "reason")}
        row["severity"] = str(getattr(row["severity"], "value", row["severity"]) or "warning").lower()
        row["accepted"] = bool(row["accepted"])
        rows.append(row)
    rows.sort(key=lambda r: (r["accepted"], _SEVERITY_ORDER.get(r["severity"], 3), r["line"] or 0,
                             r["column"] or 0, str(r["rule"])))
    counts = {sev: sum(1 for r in rows if not r["accepted"] and r["severity"] == sev) for sev in _SEVERITY_ORDER}
    return {"findings": [r for r in rows if not r["accepted"]], "accepted": [r for r in rows if r["accepted"]],
            "counts": counts}


def _ids(items: Any) -> list[str]:
    """Component ids from a list of ids or of dicts/objects carrying one."""
    out = []
    for item in items or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.append(str(item.get("component") or item.get("id") or item.get("name")))
        else:
            out.append(str(getattr(item, "component", None) or getattr(item, "id", item)))
    return out


def _simulation(bp: Blueprint, skipped: list[str]) -> Optional[dict[str, Any]]:
    try:
        from ...analyses.simulate import simulate
    except ImportError:
        skipped.append("Latency and failure simulation: `mlsd_diagram.analyses.simulate` is not installed, so "
                       "request-path latency, knock-outs and single points of failure are not computed.")
        return None
    result = simulate(bp)
    latency = []
    for entry, info in sorted((result.get("latency") or {}).items()):
        info = info or {}
        p99, slo = info.get("p99_ms"), info.get("slo_ms")
        latency.append({
            "entry": entry, "label": bp.components[entry].label or entry if entry in bp.components else entry,
            "path": _ids(info.get("path")), "p99_ms": p99, "slo_ms": slo, "missing": _ids(info.get("missing")),
            "headroom_ms": (slo - p99) if isinstance(p99, (int, float)) and isinstance(slo, (int, float)) else None,
            "within": (p99 <= slo) if isinstance(p99, (int, float)) and isinstance(slo, (int, float)) else None,
        })
    spofs = [{"id": c, "label": bp.components[c].label or c if c in bp.components else c,
              "replicas": bp.components[c].replicas if c in bp.components else None}
             for c in _ids(result.get("single_points_of_failure"))]
    knock_outs = []
    for item in result.get("knock_outs") or []:
        components = _ids(item.get("components") if isinstance(item, dict) else [item])
        states = item.get("entry_points", {}) if isinstance(item, dict) else {}
        knock_outs.append({
            "components": [{"id": c, "label": bp.components[c].label or c if c in bp.components else c}
                           for c in components],
            "states": [{"entry": e, "label": bp.components[e].label or e if e in bp.components else e,
                        "state": str(s)} for e, s in states.items()],
            "worst": _worst(states.values()),
        })
    return {"latency": latency, "single_points_of_failure": spofs, "knock_outs": knock_outs,
            "entry_points": _ids(result.get("entry_points"))}


def _worst(states: Any) -> str:
    """The worst entry-point state of a knock-out: down, degraded or served."""
    found = {str(s) for s in states}
    for state in ("down", "degraded", "served"):
        if state in found:
            return state
    return ""


def _test_score(bp: Blueprint, skipped: list[str]) -> dict[str, Any]:
    """ML Test Score coverage: which tests the architecture shows, and the manual checklist."""
    manual = [dict(t) for t in ML_TEST_SCORE if t["id"] in MANUAL_TESTS]
    try:
        from ...analyses.score import score
    except ImportError:
        skipped.append("ML Test Score coverage and MLOps level: `mlsd_diagram.analyses.score` is not installed; "
                       "only the manual checklist is listed.")
        return {"available": False, "tests": [], "shown": 0, "architectural": 0, "manual": manual,
                "mlops_level": None, "mlops_reason": ""}
    result = score(bp)
    tests = []
    for item in _score_tests(result):
        test_id = str(item.get("id") or item.get("test") or "")
        if test_id in MANUAL_TESTS:
            continue
        known = next((t for t in ML_TEST_SCORE if t["id"] == test_id), {})
        rules = item.get("rules") or item.get("by") or known.get("rules") or []
        tests.append({"id": test_id, "title": item.get("title") or item.get("name") or known.get("title", ""),
                      "shown": bool(item.get("shown", item.get("passed", item.get("pass", False)))),
                      "rules": [str(r) for r in rules] if not isinstance(rules, str) else [rules],
                      "why": str(item.get("reason") or item.get("why") or item.get("evidence") or "")})
    level = result.get("mlops_level")
    reason = ""
    if isinstance(level, dict):
        reason = str(level.get("reason") or level.get("why") or "")
        level = level.get("level")
    reason = reason or str(result.get("mlops_reason") or "")
    reason = re.sub(r"^level\s*\d+\s*:?\s*", "", reason, flags=re.IGNORECASE)  # the template says the level
    if result.get("manual"):  # the score analysis's own list, when it has one
        manual = [{"id": str(t.get("id")), "title": str(t.get("title") or "")} if isinstance(t, dict)
                  else {"id": str(t[0]), "title": str(t[1])} for t in result["manual"]]
    return {"available": True, "tests": tests, "shown": sum(1 for t in tests if t["shown"]),
            "architectural": len(tests), "manual": manual, "mlops_level": level, "mlops_reason": reason}


def _score_tests(result: dict[str, Any]) -> list[dict[str, Any]]:
    raw = result.get("tests") or result.get("shown") or []
    if isinstance(raw, dict):
        raw = [dict(v, id=k) if isinstance(v, dict) else {"id": k, "shown": bool(v)} for k, v in raw.items()]
    out = []
    for item in raw:
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, str):
            out.append({"id": item, "shown": True})
        else:
            out.append({k: getattr(item, k) for k in ("id", "title", "shown", "rules", "reason") if hasattr(item, k)})
    return out


def analyse(bp: Blueprint) -> dict[str, Any]:
    """Run lint, simulate and score when they are installed; say what was skipped."""
    skipped: list[str] = []
    return {"lint": _lint(bp, skipped), "simulation": _simulation(bp, skipped),
            "test_score": _test_score(bp, skipped), "skipped": skipped}


# -- the diagram ----------------------------------------------------------------------


def _link_target(name: str) -> str:
    return f"<{name}>" if re.search(r"[\s()<>]", name) else name


def _mermaid(bp: Blueprint, skipped: list[str]) -> str:
    try:
        from ..mermaid import to_mermaid
    except ImportError:
        skipped.append("Mermaid block: `mlsd_diagram.outputs.mermaid` is not installed.")
        return ""
    return to_mermaid(bp, view=DIAGRAM_VIEW)


def _diagram_names(stem: str) -> tuple[str, str]:
    """The PNG and SVG names the renderer gives the serving view of ``stem``."""
    try:
        from ..diagram import output_name
    except ImportError:
        return f"{stem}-{DIAGRAM_VIEW}.png", f"{stem}-{DIAGRAM_VIEW}.svg"
    return output_name(stem, "png", DIAGRAM_VIEW), output_name(stem, "svg", DIAGRAM_VIEW)


def _diagram_context(stem: str, mermaid: str, image: bool, reason: str = "") -> dict[str, Any]:
    png, svg = _diagram_names(stem)
    return {
        "image": Md(_link_target(png)) if image else "",
        "svg": Md(_link_target(svg)) if image else "",
        "image_name": png if image else "",
        "svg_name": svg if image else "",
        "mermaid": fence(mermaid, "mermaid") if mermaid else "",
        "skipped": reason,
    }


def _render_files(bp: Blueprint, out_dir: Path, stem: str) -> tuple[list[Path], str]:
    """Render the serving view beside the doc; ``([], reason)`` when rendering is unavailable."""
    try:
        from ..diagram import RenderError, render
    except ImportError:
        return [], "the renderer (mlsd_diagram.outputs.diagram) is not installed"
    try:
        files = render(bp, formats=DIAGRAM_FORMATS, out_dir=out_dir, stem=stem, view=DIAGRAM_VIEW, direction="LR")
    except (RenderError, OSError) as exc:  # e.g. Graphviz missing: the doc is still worth writing
        message = " ".join(str(exc).split()) or type(exc).__name__
        return [], f"rendering failed: {message}"
    return [Path(f) for f in files], ""


# -- the template ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _packaged_template() -> jinja2.Template:
    # Compiling the packaged template is ~90% of a doc's time: do it once per process.
    return environment().get_template(DEFAULT_TEMPLATE)


def _template(template: str | os.PathLike | None) -> jinja2.Template:
    if template is None:
        return _packaged_template()
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
        raise DocTemplateError(f"{os.fspath(template)}:{exc.lineno}:1: error: template syntax: {exc.message}") \
            from None


def _compile(env: jinja2.Environment, source: str, filename: str) -> jinja2.Template:
    code_object = env.compile(source, name=Path(filename).name, filename=filename)
    return env.template_class.from_code(env, code_object, env.make_globals(None), None)


def render_markdown(context: dict[str, Any], template: str | os.PathLike | None = None) -> str:
    """Render the doc's Markdown from a context (see :func:`build_context`) and a template."""
    compiled = _template(template)
    try:
        text = compiled.render(context)
    except jinja2.TemplateError as exc:
        where = compiled.filename or DEFAULT_TEMPLATE
        line = 1
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename == compiled.filename:
                line = lineno
        message = getattr(exc, "message", None) or str(exc)
        raise DocTemplateError(f"{where}:{line}:1: error: template: {message}") from None
    return tidy(text)


def doc_context(bp: Blueprint, *, stem: str, analyses: dict[str, Any] | None = None, image: bool = True,
                mermaid: str = "", image_skipped: str = "", source: str | None = None) -> dict[str, Any]:
    """The template variables for ``bp`` (analyses run here when not given)."""
    analyses = analyses if analyses is not None else analyse(bp)
    diagram = _diagram_context(stem, mermaid, image, image_skipped)
    context = build_context(bp, analyses=analyses, diagram=diagram, source=source)
    context["generator"] = {"name": "mlsd-diagram", "version": __version__}
    context["stem"] = stem
    return context


def write_doc(bp: Blueprint, out: str | os.PathLike, *, template: str | os.PathLike | None = None,
              render_diagram: bool = True, source: str | None = None) -> DocResult:
    """Write the design doc of ``bp`` to ``out``, with the serving diagram beside it.

    The Markdown is rendered before anything is written, so a template error leaves no
    file behind; the doc itself is written last, atomically. Raises
    :class:`DocTemplateError` for a bad template.
    """
    out_path = Path(out)
    stem = out_path.name[:-3] if out_path.name.endswith(".md") else out_path.stem
    analyses = analyse(bp)
    skipped = analyses["skipped"]
    mermaid = _mermaid(bp, skipped)
    image_reason = "" if render_diagram else "not rendered (--no-render)"
    context = doc_context(bp, stem=stem, analyses=analyses, image=render_diagram, mermaid=mermaid,
                          image_skipped=image_reason, source=source)
    markdown = render_markdown(context, template)  # a template error stops here, before any write
    files: list[Path] = []
    if render_diagram:
        files, image_reason = _render_files(bp, out_path.parent, stem)
        if image_reason:
            context = doc_context(bp, stem=stem, analyses=analyses, image=False, mermaid=mermaid,
                                  image_skipped=image_reason, source=source)
            markdown = render_markdown(context, template)
    write_atomic(out_path, markdown)
    return DocResult(out_path, markdown, files, skipped + ([f"Diagram image: {image_reason}."] if image_reason else []))


__all__ = ["DEFAULT_METRICS", "DocResult", "DocTemplateError", "ML_TEST_SCORE", "MANUAL_TESTS", "STEPS", "Md",
           "analyse", "build_context", "code", "doc_context", "escape_inline", "render_markdown", "task_family",
           "write_doc"]
