"""``mlsd lint``.

Kept light on purpose: nothing here (or in what it imports) loads diagrams or
graphviz, so ``mlsd lint`` stays quick in pre-commit hooks.
"""

from __future__ import annotations

import click

from . import EXIT_FINDINGS, EXIT_INVALID, UserError, main
from .completion import complete_rules
from .inputs import emit, expand_files, lint_config, load_each, plural, shown_path, split_ids
from .terminal import echo, paint_finding

FORMATS = ["text", "json", "sarif", "github"]


@main.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for scripts, sarif for GitHub code scanning, github for workflow annotations.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="IDS",
    shell_complete=complete_rules,
    help="Only these rules: ids, names or id prefixes (MLSD2), comma-separated or repeated.",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="IDS",
    shell_complete=complete_rules,
    help="Skip these rules (adds to [tool.mlsd] ignore).",
)
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
    help="The mlsd.toml or pyproject.toml to read the settings from, for every file [default: for each "
    "blueprint, the nearest mlsd.toml or pyproject.toml with [tool.mlsd] above it].",
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
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Record today's findings as the baseline FILE (the JSON report) and exit 0: findings are not a "
    "failure here, an invalid blueprint still is (exit 2).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no per-file summary lines.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each file's ML Test Score and MLOps level.")
def lint_command(
    files, fmt, select, ignore, fail_on, config_path, profile, output, baseline_path, write_baseline, quiet, verbose
) -> None:
    """Lint blueprint FILES against ML production practice (see `mlsd rules`).

    FILES are blueprint files, folders (every *.yaml below that starts with `mlsd:`), quoted globs
    ('designs/**/*.yaml') or - for standard input. Each file is linted with the settings nearest to it
    (mlsd.toml, or pyproject.toml [tool.mlsd]) unless --config names one for all.

    Exit 0 when clean, 1 when an unaccepted finding is at or above the fail level
    (with --baseline: such a finding that the baseline does not hold),
    2 when a file is not a valid blueprint: its located errors go to standard error (and into the
    JSON and SARIF reports), and every other file is still linted and reported.
    """
    from ..analyses.lint import LintConfigError, design_for, fails, lint

    known = None
    if baseline_path is not None:
        from ..analyses.baseline import BaselineError, load_baseline

        try:
            known = load_baseline(baseline_path)
        except BaselineError as exc:
            from ..diagnostics import BlueprintError, Diagnostic

            raise BlueprintError([Diagnostic(exc.file, exc.line, exc.column, f"baseline: {exc}")]) from None
    paths = expand_files(files)
    blueprints, invalid = load_each(tuple(paths))
    configs = {}
    try:
        for bp in blueprints:
            configs[bp.file] = lint_config(config_path, bp.file)
        results = []
        for bp in blueprints:
            config = configs[bp.file]
            design = design_for(bp, config)  # one view each, for the rules and the score
            found = lint(
                bp, split_ids(select) or None, split_ids(ignore) or None, config, design, profile or config.profile
            )
            results.append((bp, found, design, config))
    except LintConfigError as exc:
        raise UserError(str(exc)) from None
    profiles = sorted({profile or config.profile for config in configs.values()}) or [profile or "review"]
    shown_profile = profiles[0]  # the one profile of the run (the first, should settings differ)
    findings = [f for _, found, _, _ in results for f in found]
    baselined: list = []
    if known is not None:
        from ..analyses.baseline import in_baseline

        baselined = [f for f, old in zip(findings, in_baseline(findings, known)) if old]
    if write_baseline is not None:
        from ..outputs.files import write_atomic
        from ..outputs.findings_json import findings_json

        write_atomic(write_baseline, findings_json(findings, [bp.file for bp in blueprints], shown_profile, invalid))
    if fmt == "json":
        from ..outputs.findings_json import findings_json

        emit(findings_json(findings, [bp.file for bp in blueprints], shown_profile, invalid), output)
    elif fmt == "sarif":
        from ..outputs.sarif import sarif_text

        emit(
            sarif_text(findings, baselined=None if known is None else baselined, profile=shown_profile, errors=invalid),
            output,
        )
    elif fmt == "github":
        from ..outputs.github import workflow_commands

        emit(workflow_commands(findings, invalid, set(baselined)), output)
    else:
        _text_report(
            results, findings, baselined, known, baseline_path, invalid, output, select or ignore, quiet, verbose
        )
    if write_baseline is not None and not quiet:
        echo(f"baseline {shown_path(write_baseline)}: recorded {plural(len(findings), 'finding')}", err=True)
    if invalid:  # every file that could be read was linted and reported; the invalid ones decide the exit
        for diagnostic in sorted(invalid):
            echo(str(diagnostic), err=True)
        raise SystemExit(EXIT_INVALID)
    if write_baseline is not None:
        return  # recording is not a lint failure: it works under `set -e`
    old = set(baselined)
    # each file fails at its own settings' level (--fail-on for all)
    if any(fails([f for f in found if f not in old], fail_on or config.fail_on) for _, found, _, config in results):
        raise SystemExit(EXIT_FINDINGS)


def _text_report(results, findings, baselined, known, baseline_path, invalid, output, selected, quiet, verbose) -> None:
    """The text report: each finding, then (unless quiet) each file's counts; with verbose, its score."""
    from ..analyses.lint import counts
    from ..analyses.score import score
    from .terminal import colour_enabled, terminal_text

    to_terminal = not output or output == "-"
    painted = to_terminal and colour_enabled()
    old = set(baselined)
    lines = []
    for bp, found, design, config in results:
        for f in found:
            line = str(f) + (" [in baseline]" if f in old else "")
            lines.append(paint_finding(line) if painted else line)
        if quiet:
            continue
        c = counts(found)
        accepted = f" ({c['accepted']} accepted)" if c["accepted"] else ""
        lines.append(
            f"{bp.file}: {plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, "
            f"{plural(c['note'], 'note')}{accepted}"
        )
        if verbose:
            summary = score(bp, config, None if selected else found, design)  # found: all rules, as score needs
            lines.append(
                f"{bp.file}: design: ML Test Score {summary['shown']} of {summary['total']} architecture "
                f"tests shown; MLOps {summary['mlops_reason']}"
            )
    if len(results) > 1 and not quiet:
        c = counts(findings)
        lines.append(
            f"{plural(len(results), 'file')}: {plural(c['error'], 'error')}, "
            f"{plural(c['warning'], 'warning')}, {plural(c['note'], 'note')}, {c['accepted']} accepted"
        )
    if known is not None and not quiet:
        lines.append(
            f"baseline {baseline_path}: {len(baselined)} of {plural(len(findings), 'finding')} already "
            f"known, {len(findings) - len(baselined)} new"
        )
    if invalid and not quiet:
        bad = len({d.file for d in invalid})
        lines.append(f"{plural(bad, 'file')} not linted: not a valid blueprint (located errors on standard error)")
    if not lines:
        return
    if painted:  # the findings were escaped by paint_finding, the rest is escaped here
        text = "\n".join(line if "\x1b[" in line else terminal_text(line) for line in lines) + "\n"
        echo(text, nl=False, colour=True)
        return
    text = "\n".join(lines) + "\n"
    emit(text, output)
