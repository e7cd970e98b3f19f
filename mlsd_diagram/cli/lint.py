"""``mlsd lint``, ``mlsd rules``, ``mlsd simulate`` and ``mlsd score``.

Kept light on purpose: nothing here (or in what it imports) loads diagrams or
graphviz, so ``mlsd lint`` stays quick in pre-commit hooks.
"""

from __future__ import annotations

import json

import click

from ..blueprint.loader import load
from ..diagnostics import BlueprintError, did_you_mean
from . import EXIT_FINDINGS, UserError, main

FORMATS = ["text", "json", "sarif"]


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _load_all(files: tuple[str, ...]) -> list:
    """Every blueprint, or every located error of every file at once (then exit 2, no output)."""
    blueprints, diagnostics = [], []
    for path in files:
        try:
            blueprints.append(load(path))
        except BlueprintError as exc:
            diagnostics.extend(exc.diagnostics)
    if diagnostics:
        raise BlueprintError(diagnostics)
    return blueprints


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _emit(text: str, output: str | None) -> None:
    if output:
        from ..outputs.files import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@main.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for scripts, sarif for GitHub code scanning.")
@click.option("--select", multiple=True, metavar="IDS",
              help="Only these rules: ids, names or id prefixes (MLSD2), comma-separated or repeated.")
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (adds to [tool.mlsd] ignore).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default=None,
              help="Exit 1 when an unaccepted finding is at or above this severity [default: error, or "
                   "[tool.mlsd] fail-on].")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="The pyproject.toml to read [tool.mlsd] from [default: the nearest one above the working "
                   "directory].")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of standard output.")
def lint_command(files, fmt, select, ignore, fail_on, config_path, output) -> None:
    """Lint blueprint FILES against ML production practice (see `mlsd rules`).

    Exit 0 when clean, 1 when an unaccepted finding is at or above the fail level,
    2 when a file is invalid (nothing is reported then but the located errors).
    """
    from ..analyses.lint import LintConfigError, counts, fails, lint, load_config

    try:
        config = load_config(config_path)
        blueprints = _load_all(files)
        results = [(bp, lint(bp, _split(select) or None, _split(ignore) or None, config)) for bp in blueprints]
    except LintConfigError as exc:
        raise UserError(str(exc)) from None
    findings = [f for _, found in results for f in found]
    if fmt == "json":
        from ..outputs.findings_json import findings_json

        _emit(findings_json(findings, [bp.file for bp in blueprints]), output)
    elif fmt == "sarif":
        from ..outputs.sarif import sarif_text

        _emit(sarif_text(findings), output)
    else:
        from ..analyses.score import score

        lines = []
        for bp, found in results:
            lines += [str(f) for f in found]
            c = counts(found)
            accepted = f" ({c['accepted']} accepted)" if c["accepted"] else ""
            lines.append(f"{bp.file}: {_plural(c['error'], 'error')}, {_plural(c['warning'], 'warning')}, "
                         f"{_plural(c['note'], 'note')}{accepted}")
            summary = score(bp)
            lines.append(f"{bp.file}: design: ML Test Score {summary['shown']} of {summary['total']} architecture "
                         f"tests shown; MLOps {summary['mlops_reason']}")
        if len(results) > 1:
            c = counts(findings)
            lines.append(f"{_plural(len(results), 'file')}: {_plural(c['error'], 'error')}, "
                         f"{_plural(c['warning'], 'warning')}, {_plural(c['note'], 'note')}, {c['accepted']} accepted")
        _emit("\n".join(lines) + "\n", output)
    if fails(findings, fail_on or config.fail_on):
        raise SystemExit(EXIT_FINDINGS)


@main.command("rules")
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules_command(rule: str | None, fmt: str) -> None:
    """List every lint rule, or print the page of RULE (an id or a name)."""
    from ..analyses.rules import RULES

    if rule is not None:
        found = RULES.get(rule) or RULES.get(rule.upper())
        if found is None:
            names = [r.id for r in RULES] + [r.name for r in RULES]
            raise UserError(f"unknown rule '{rule}'{did_you_mean(rule, names)} (see `mlsd rules`)")
        chosen = [found]
    else:
        chosen = list(RULES)
    if fmt == "json":
        rows = [{"id": r.id, "name": r.name, "severity": r.severity, "category": r.category, "summary": r.summary,
                 "source": r.source, "doc": r.doc} for r in chosen]
        click.echo(json.dumps({"rules": rows}, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(rules_markdown(chosen), nl=False)
    elif rule is not None:
        r = chosen[0]
        click.echo(f"{r.id} {r.name}\n\nSeverity: {r.severity}. Category: {r.category}. Source: {r.source}.\n\n{r.doc}")
    else:
        width = max(len(r.name) for r in chosen)
        for r in chosen:
            click.echo(f"{r.id}  {r.name:<{width}}  {r.severity:<7}  {r.summary}")
        click.echo(f"\n{len(chosen)} rules. `mlsd rules ID` prints a rule's page.")


def rules_markdown(rules=None) -> str:
    """The README's rule table (generated; `scripts/gen_rules_table.py` writes it between the markers)."""
    from ..analyses.rules import RULES

    rows = ["| id | name | severity | category | what it flags | source |", "|---|---|---|---|---|---|"]
    for r in rules if rules is not None else RULES:
        rows.append(f"| {r.id} | `{r.name}` | {r.severity} | {r.category} | {r.summary.replace('|', '/')} | "
                    f"{r.source} |")
    return "\n".join(rows) + "\n"


@main.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--knock-out", "knock", multiple=True, metavar="ID",
              help="Knock these components out together (repeat or comma-separate); default: each request-path "
                   "component in turn.")
def simulate_command(file: str, fmt: str, knock: tuple[str, ...]) -> None:
    """Knock components out and report, per entry point, served / degraded / down; latency vs SLO."""
    from ..analyses.simulate import simulate

    blueprint = load(file)
    chosen = _split(knock)
    for cid in chosen:
        if cid not in blueprint.components:
            raise UserError(f"--knock-out names '{cid}', which is not a component of {file}"
                            f"{did_you_mean(cid, blueprint.components)}")
    result = simulate(blueprint, [set(chosen)] if chosen else None)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    lines = [f"{file}: entry points: {', '.join(result['entry_points']) or 'none (no client sends requests)'}"]
    if result["knock_outs"]:
        what = "knocked out together" if chosen else "knocked out one at a time"
        lines.append(f"Knock-outs ({what}):")
        width = max(len(", ".join(k["components"])) for k in result["knock_outs"])
        for k in result["knock_outs"]:
            states = ", ".join(f"{e} {s}" for e, s in k["entry_points"].items())
            lines.append(f"  {', '.join(k['components']):<{width}}  {states}")
    spofs = result["single_points_of_failure"]
    lines.append(f"Single points of failure: {', '.join(spofs) if spofs else 'none'}")
    lines.append("Latency (p99, slowest request path):")
    for entry, info in result["latency"].items():
        budget = f" of {info['slo_ms']} ms SLO" if info["slo_ms"] is not None else " (no SLO declared)"
        over = "  OVER BUDGET" if info["slo_ms"] is not None and info["p99_ms"] > info["slo_ms"] else ""
        lines.append(f"  {entry}: {info['p99_ms']} ms{budget}{over}: {' -> '.join(info['path'])}")
        if info["missing"]:
            lines.append(f"    no latency declared (counted as 0): {', '.join(info['missing'])}")
    click.echo("\n".join(lines))


@main.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def score_command(file: str, fmt: str) -> None:
    """The ML Test Score tests the design shows evidence for, and its MLOps level (0-2)."""
    from ..analyses.score import score

    result = score(load(file))
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    lines = [f"{file}: ML Test Score: {result['shown']} of {result['total']} architecture tests shown",
             f"MLOps {result['mlops_reason']}", ""]
    for t in result["tests"]:
        mark = "yes" if t["shown"] else "no "
        lines.append(f"  [{mark}] {t['id']:<9} {t['title']}: {t['reason']}")
    lines.append(f"\nManual checklist ({len(result['manual'])} tests a diagram cannot show): "
                 + "; ".join(f"{m['id']} {m['title']}" for m in result["manual"]))
    click.echo("\n".join(lines))


__all__ = ["rules_markdown"]
