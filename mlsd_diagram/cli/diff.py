"""``mlsd diff``: what changed between two versions of a design, and the diff diagram."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from ..diagnostics import BlueprintError
from ..outputs import VIEWS
from ..printable import one_line
from . import EXIT_FINDINGS, UserError, main
from .inputs import lint_config
from .terminal import echo

if TYPE_CHECKING:  # pragma: no cover
    from ..analyses.changes import Compared

FORMATS = ["text", "markdown", "json"]


@main.command("diff")
@click.argument("sides", nargs=-1, metavar="OLD NEW | --git REV [PATH...]")
@click.option(
    "--git",
    "rev",
    metavar="REV",
    default=None,
    help="Compare every blueprint changed since REV with the working tree (blueprints/*.yaml and "
    "*.mlsd.yaml, or the files under the PATHs given).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for the terminal, markdown for a pull-request comment, json for scripts.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also draw the diff diagram (PNG and SVG) into this folder: <stem>-diff[-VIEW].png/.svg.",
)
@click.option(
    "--view",
    type=click.Choice([v for v in VIEWS if v != "overview"]),
    default="all",
    show_default=True,
    help="The diagram's view (not the overview: its stages hide which component changed).",
)
@click.option(
    "--direction",
    type=click.Choice(["LR", "TB"], case_sensitive=False),
    default="LR",
    show_default=True,
    help="The diagram's direction.",
)
@click.option(
    "--scope",
    type=click.Choice(["changed", "all"]),
    default="changed",
    show_default=True,
    help="The diagram draws the changed components and their neighbours one flow away, or all of the design.",
)
@click.option(
    "--fail-on-new",
    is_flag=True,
    help="Exit 1 when the change introduces an unaccepted finding at or above the fail level.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "note"]),
    default=None,
    help="The fail level for --fail-on-new [default: error, or [tool.mlsd] fail-on].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="The pyproject.toml to read [tool.mlsd] from (both sides are linted with it).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1000),
    default=65_536,
    show_default=True,
    help="Markdown: stop adding rows at this many characters (GitHub's comment limit).",
)
def diff_command(
    sides, rev, fmt, out_dir, view, direction, scope, fail_on_new, fail_on, config_path, max_chars
) -> None:
    """Compare two versions of a design: OLD and NEW are files or REV:PATH (read with git show).

    Components are matched by id, flows by (from, to, mode). Reports what was added, removed
    and changed, the lint findings introduced and resolved, and the change in latency,
    knock-outs, critical components, single points of failure, load headroom and the first
    component to saturate, ML Test Score and MLOps level.

    Exit 0 (whatever changed), 1 with --fail-on-new when a new finding is at or above the
    fail level, 2 when a side cannot be read or is invalid.
    """
    from ..analyses.changes import compare, diff_changed
    from ..analyses.diff import introduced_failures
    from ..blueprint.revision import RevisionError, load_spec

    config = lint_config(config_path)
    try:
        if rev is not None:
            # Sides as git listed them, read from git and from regular files of the checkout: never
            # re-parsed as REV:PATH, never through a link (a pull request names its files).
            changed = diff_changed(rev, list(sides) or None, config)
            if changed.unreadable:
                raise changed.unreadable[0]
            if changed.invalid:  # every invalid file's errors at once, as `lint` does
                raise BlueprintError(changed.invalid)
            compared = changed.compared
        elif len(sides) == 2:
            old, new = load_spec(sides[0]), load_spec(sides[1])
            compared = [compare(old, new, config, sides[0], sides[1], sides[1])]
        else:
            raise click.UsageError("give two sides (OLD NEW) or --git REV")
    except RevisionError as exc:
        raise UserError(str(exc)) from None
    diffs = [c.diff for c in compared]
    if fmt == "json":
        from ..outputs.diff_report import diff_json

        echo(diff_json(diffs), nl=False)
    elif fmt == "markdown":
        from ..outputs.diff_report import diff_markdown

        echo(diff_markdown(diffs, max_chars=max_chars), nl=False)
    else:
        from ..outputs.diff_report import diff_text

        echo(diff_text(diffs) if diffs else f"no blueprint changed since {rev}\n", nl=False)
    if out_dir is not None:
        _draw(compared, out_dir, view, direction.upper(), scope)
    if fail_on_new and any(introduced_failures(d, fail_on or config.fail_on) for d in diffs):
        raise SystemExit(EXIT_FINDINGS)


def _draw(compared: list[Compared], out_dir: str, view: str, direction: str, scope: str) -> None:
    from ..outputs.diagram import GraphvizMissing, RenderError, dot_binary
    from ..outputs.diff_diagram import render_diff
    from ..outputs.files import OutputPathError

    try:
        dot_binary()
        for c in compared:
            written = render_diff(c.old, c.new, c.diff, out_dir, c.stem, view=view, direction=direction, scope=scope)
            echo(one_line(f"{c.new_name}: wrote {', '.join(os.path.relpath(p) for p in written)}"), err=True)
    except (GraphvizMissing, RenderError, OutputPathError) as exc:
        raise UserError(str(exc)) from None
