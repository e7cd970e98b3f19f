"""``mlsd render``: blueprints to PNG, SVG, PDF, DOT, Mermaid, Excalidraw and draw.io files."""

from __future__ import annotations

import os
import sys

import click

from ..diagnostics import BlueprintError
from ..outputs import DETAILS, RENDER_VIEWS
from ..outputs.files import OutputPathError
from ..outputs.formats import FORMATS, formats_help, needs_layout
from . import EXIT_INVALID, UserError, main
from .inputs import expand_files, load, shown_path
from .terminal import echo


def _render_one(
    path: str, formats: tuple[str, ...], out_dir: str, view: str, direction: str | None, scale: float, detail: str
):
    """(paths written, None) or (None, BlueprintError) for one file; other errors propagate."""
    try:
        blueprint = load(path)
    except BlueprintError as exc:
        return None, exc
    from ..outputs.diagram import render as render_blueprint

    return render_blueprint(
        blueprint, formats=formats, out_dir=out_dir, view=view, direction=direction, scale=scale, detail=detail
    ), None


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help=f"Output format; repeat for several (default: png and svg). {formats_help()}.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write into; - writes the one FILE in the one format (-f) to standard output.",
)
@click.option(
    "--view",
    type=click.Choice(RENDER_VIEWS),
    default="all",
    show_default=True,
    help="Show everything, only the serving, training, data or monitoring part, the overview "
    "(one box per stage, the flows between stages counted by mode), or the request: the slowest entry "
    "point's p99 as a waterfall of its calls (svg, png, pdf, dot; excalidraw and drawio: the chart as editable "
    "bars and texts; mermaid: a sequence diagram).",
)
@click.option(
    "--direction",
    type=click.Choice(["LR", "TB"], case_sensitive=False),
    default=None,
    help="Left to right (the default) or top to bottom. The request view is a time chart drawn left to "
    "right only: TB is refused there (exit 2).",
)
@click.option(
    "--detail",
    type=click.Choice(DETAILS),
    default="grouped",
    show_default=True,
    help="grouped: telemetry and deploy flows fanning between two clusters drawn as one edge with "
    "their count, and the serving view without deploy flows or what feeds it from other stages (named in a "
    "caption); full: every flow.",
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0.1, max=8.0),
    default=1.0,
    show_default=True,
    help="Multiply the PNG resolution (the default fits a document page).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, no line per file written.")
def render(
    files: tuple[str, ...],
    formats: tuple[str, ...],
    out_dir: str,
    view: str,
    direction: str | None,
    scale: float,
    detail: str,
    quiet: bool,
) -> None:
    """Render blueprint FILES as diagrams into the output folder (news_feed.yaml -> news_feed.png, .svg).

    FILES are files, folders (every *.yaml below that starts with `mlsd:`), quoted globs or - (standard
    input). a.mlsd.yaml renders to a.png. With a view other than 'all', its name is appended: news_feed-serving.svg.
    Several files render in parallel; progress is shown on a terminal.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..outputs.diagram import (
        GraphvizMissing,
        RenderError,
        dot_binary,
        parallel_renders,
        sharing_budget,
        stop_rendering,
    )

    files = tuple(expand_files(files))
    formats = formats or ("png", "svg")
    direction = direction.upper() if direction else None
    if needs_layout(formats):
        try:
            dot_binary()
        except GraphvizMissing as exc:
            raise UserError(str(exc)) from None
    if out_dir == "-":
        _render_to_stdout(files, formats, view, direction, scale, detail)
        return
    progress = sys.stderr.isatty() and len(files) > 1
    failed = False
    try:
        # One `dot` per core, each with its share of the memory budget: the whole command stays within it.
        workers = parallel_renders(min(len(files), os.cpu_count() or 1))
        with sharing_budget(workers), ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                jobs = [
                    pool.submit(_render_one, path, formats, out_dir, view, direction, scale, detail) for path in files
                ]
                for done_count, (path, job) in enumerate(zip(files, jobs), start=1):
                    written, error = job.result()
                    if error is not None:
                        failed = True
                        for diagnostic in error.diagnostics:
                            echo(str(diagnostic), err=True)
                        continue
                    if progress:
                        echo(f"[{done_count}/{len(files)}] {path}", err=True)
                    if not quiet:
                        echo(f"{shown_path(path)}: wrote {', '.join(os.fspath(p) for p in _relative(written))}")
            except (KeyboardInterrupt, SystemExit):  # Ctrl-C or SIGTERM: the renders still running write nothing
                stop_rendering()
                raise
    except (GraphvizMissing, RenderError, OutputPathError) as exc:
        raise UserError(str(exc)) from None
    if failed:
        raise SystemExit(EXIT_INVALID)


def _render_to_stdout(
    files: tuple[str, ...], formats: tuple[str, ...], view: str, direction: str | None, scale: float, detail: str
) -> None:
    from ..outputs.diagram import RenderError, draw
    from ..outputs.files import write_stdout

    if len(files) != 1 or len(formats) != 1:
        raise UserError(
            "-o - writes one diagram to standard output: give one FILE and one format (-f svg, -f mermaid, -f dot, ...)"
        )
    try:
        write_stdout(draw(load(files[0]), formats[0], view=view, direction=direction, scale=scale, detail=detail))
    except RenderError as exc:
        raise UserError(str(exc)) from None


def _relative(paths):
    cwd = os.getcwd()
    for path in paths:
        try:
            yield os.path.relpath(path, cwd) if os.path.commonpath([cwd, path]) == cwd else path
        except ValueError:
            yield path
