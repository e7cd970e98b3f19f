"""``mlsd lint``.

Kept light on purpose: nothing here (or in what it imports) loads diagrams or
graphviz, so ``mlsd lint`` stays quick in pre-commit hooks.
"""

from __future__ import annotations

import click

from . import EXIT_FINDINGS, EXIT_INVALID, UserError, main
from .inputs import emit, load_each, plural, split_ids
from .terminal import echo

FORMATS = ["text", "json", "sarif"]


@main.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for scripts, sarif for GitHub code scanning.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    help="Only these rules: ids, names or id prefixes (MLSD2), comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules (adds to [tool.mlsd] ignore).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"]),
    default=None,
    help="Exit 1 when an unaccepted finding is at or above this severity [default: error, or [tool.mlsd] fail-on].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="The pyproject.toml to read [tool.mlsd] from [default: the nearest one above the working directory].",
)
@click.option(
    "--profile",
    type=click.Choice(["review", "interview"]),
    default=None,
    help="review: a practice field the design uses nowhere (timeouts, replicas, ...) is one note; interview: "
    "every blank is a finding [default: review, or [tool.mlsd] profile]. Errors are the same in both.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to this file (atomically) instead of standard output (- is standard output).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="A `mlsd lint --format json` file of known findings: report everything, fail only on findings "
    "not in it (matched by rule, file, component or flow, and message; not by line).",
)
def lint_command(files, fmt, select, ignore, fail_on, config_path, profile, output, baseline_path) -> None:
    """Lint blueprint FILES against ML production practice (see `mlsd rules`).

    Exit 0 when clean, 1 when an unaccepted finding is at or above the fail level
    (with --baseline: such a finding that the baseline does not hold),
    2 when a file is not a valid blueprint: its located errors go to standard error (and into the
    JSON and SARIF reports), and every other file is still linted and reported.
    """
    from ..analyses.lint import LintConfigError, counts, design_for, fails, lint, load_config

    known = None
    if baseline_path is not None:
        from ..analyses.baseline import BaselineError, load_baseline

        try:
            known = load_baseline(baseline_path)
        except BaselineError as exc:
            from ..diagnostics import BlueprintError, Diagnostic

            raise BlueprintError([Diagnostic(exc.file, exc.line, exc.column, f"baseline: {exc}")]) from None
    try:
        config = load_config(config_path)
        profile = profile or config.profile
        blueprints, invalid = load_each(files)
        designs = [design_for(bp, config) for bp in blueprints]  # one view each, for the rules and the score
        results = [
            (bp, lint(bp, split_ids(select) or None, split_ids(ignore) or None, config, design, profile))
            for bp, design in zip(blueprints, designs)
        ]
    except LintConfigError as exc:
        raise UserError(str(exc)) from None
    findings = [f for _, found in results for f in found]
    baselined: list = []
    if known is not None:
        from ..analyses.baseline import in_baseline

        baselined = [f for f, old in zip(findings, in_baseline(findings, known)) if old]
    if fmt == "json":
        from ..outputs.findings_json import findings_json

        emit(findings_json(findings, [bp.file for bp in blueprints], profile, invalid), output)
    elif fmt == "sarif":
        from ..outputs.sarif import sarif_text

        emit(
            sarif_text(findings, baselined=None if known is None else baselined, profile=profile, errors=invalid),
            output,
        )
    else:
        from ..analyses.score import score

        old = set(baselined)
        lines = []
        for (bp, found), design in zip(results, designs):
            lines += [str(f) + (" [in baseline]" if f in old else "") for f in found]
            c = counts(found)
            accepted = f" ({c['accepted']} accepted)" if c["accepted"] else ""
            lines.append(
                f"{bp.file}: {plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, "
                f"{plural(c['note'], 'note')}{accepted}"
            )
            summary = score(bp, config, None if select or ignore else found, design)  # found: all rules, as score needs
            lines.append(
                f"{bp.file}: design: ML Test Score {summary['shown']} of {summary['total']} architecture "
                f"tests shown; MLOps {summary['mlops_reason']}"
            )
        if len(results) > 1:
            c = counts(findings)
            lines.append(
                f"{plural(len(results), 'file')}: {plural(c['error'], 'error')}, "
                f"{plural(c['warning'], 'warning')}, {plural(c['note'], 'note')}, {c['accepted']} accepted"
            )
        if known is not None:
            lines.append(
                f"baseline {baseline_path}: {len(baselined)} of {plural(len(findings), 'finding')} already "
                f"known, {len(findings) - len(baselined)} new"
            )
        if invalid:
            bad = len({d.file for d in invalid})
            lines.append(f"{plural(bad, 'file')} not linted: not a valid blueprint (located errors on standard error)")
        emit("\n".join(lines) + "\n", output)
    if invalid:  # every file that could be read was linted and reported; the invalid ones decide the exit
        for diagnostic in sorted(invalid):
            echo(str(diagnostic), err=True)
        raise SystemExit(EXIT_INVALID)
    if known is not None:
        old = set(baselined)
        findings = [f for f in findings if f not in old]
    if fails(findings, fail_on or config.fail_on):
        raise SystemExit(EXIT_FINDINGS)
