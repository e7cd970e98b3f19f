"""The ``mlsd`` command: a thin shell that parses options, calls the library and picks the exit code.

Exit codes: 0 success, 1 findings at or above the fail level, 2 invalid input
(or a missing system tool), 3 internal error (a bug: please report it).
Each command lives in a module of this package, listed in ``COMMANDS`` and imported on use.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..diagnostics import BlueprintError
from ..printable import one_line
from .terminal import echo

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3


class UserError(Exception):
    """A problem the user can fix (bad option, missing tool); printed as one line, exit 2."""


class MlsdGroup(click.Group):
    """Turns library errors into located messages and exit codes, never a traceback.

    Commands are imported when they are used (``COMMANDS`` names the module of each), so
    ``mlsd --version`` loads no command and ``mlsd lint`` loads nothing of ``render``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``mlsd --help``, from :data:`SUMMARIES` (no command is imported)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # shortened exactly as click shortens a command's own help
        rows = [(name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}")  # registers it with @main.command
        return super().get_command(ctx, cmd_name)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:  # `mlsd --bogus`: the same family of message as every other error
            show_click_error(exc)
            raise click.exceptions.Exit(exc.exit_code) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BlueprintError as exc:
            for diagnostic in exc.diagnostics:
                echo(str(diagnostic), err=True)
            ctx.exit(EXIT_INVALID)
        except UserError as exc:
            echo(f"mlsd: error: {one_line(str(exc))}", err=True)
            ctx.exit(EXIT_INVALID)
        except click.ClickException as exc:  # a usage error of a command: `mlsd: error: ...`, then its usage
            show_click_error(exc)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `mlsd kinds | head`: the reader left, nothing to report
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's own flush error
            ctx.exit(EXIT_OK)
        except OSError as exc:  # the system refused a read or write: the path and the reason, not a bug
            echo(f"mlsd: error: {one_line(_os_error(exc))}", err=True)
            ctx.exit(EXIT_INVALID)
        except KeyboardInterrupt:
            echo("mlsd: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if debug_enabled(ctx):
                import traceback

                traceback.print_exc()
            echo(
                f"mlsd: internal error: {type(exc).__name__}: {exc}\n"
                f"This is a bug in mlsd-diagram {__version__}; please report it on the project's issue "
                "tracker with the command you ran (add --debug for the traceback).",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


def show_click_error(exc: click.ClickException) -> None:
    """A click error as mlsd prints every error: ``mlsd: error: MESSAGE``, then for a usage error the usage
    line and where help is (click's own form starts with ``Usage:`` and ends with ``Error: ...``)."""
    echo(f"mlsd: error: {one_line(exc.format_message())}", err=True)
    context = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and context is not None:
        echo(context.get_usage(), err=True)
        echo(f"Try '{context.command_path} -h' for help.", err=True)


def _os_error(exc: OSError) -> str:
    """``cannot write out/x.svg: No space left on device``: our own message, else the path and the reason."""
    if exc.strerror is None or exc.filename is None:
        return str(exc)
    return f"{os.fspath(exc.filename)}: {exc.strerror}"


def debug_enabled(ctx: click.Context | None = None) -> bool:
    """True when --debug was given or MLSD_DEBUG is set to a true value."""
    root = ctx.find_root() if ctx is not None else None
    if root is not None and (root.params or {}).get("debug"):
        return True
    return os.environ.get("MLSD_DEBUG", "").lower() not in ("", "0", "false", "no")


@click.group(cls=MlsdGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="mlsd")
@click.option("--debug", is_flag=True, help="Show the traceback of internal errors (or set MLSD_DEBUG=1).")
def main(debug: bool) -> None:
    """Diagram-as-code for ML production systems: validate, lint, render and document blueprints."""
    from .process import take_over_process

    take_over_process()  # signals, the unraisable hook, the collector: the command's process, not a library's


# Each command's one-line summary (the first paragraph of its docstring), so that `mlsd --help`
# lists the commands without importing them; tests/project/test_cli_startup.py keeps the two equal.
SUMMARIES: dict[str, str] = {
    "completion": "Print the shell completion script for SHELL (bash, zsh or fish); see the docs for where it goes.",
    "diff": "Compare two versions of a design: OLD and NEW are files or REV:PATH (read with git show).",
    "doc": "Write a design-doc skeleton for blueprint FILE, in the 7 steps of an ML system design.",
    "estimate": "Capacity estimates: peak QPS, replicas, memory, storage, event and training volume, with formulas.",
    "kinds": "List the built-in component kinds with their stage, roles and aliases.",
    "lint": "Lint blueprint FILES against ML production practice (see `mlsd rules`).",
    "practice": "Practice an ML system design interview: take a case, design it, get a scorecard by framework step.",
    "new": "Write a starter blueprint to PATH (a case study, or the blank one); see --list.",
    "render": "Render blueprint FILES as diagrams into the output folder (news_feed.yaml -> news_feed.png, .svg).",
    "report": "Write FILE's design page as one self-contained HTML file (works offline, no network).",
    "rules": "List every lint rule, or print the page of RULE (an id or a name).",
    "schema": "Print the JSON Schema of the blueprint format (for editor completion and validation).",
    "score": "The ML Test Score tests the design shows evidence for, and its MLOps level (0-2).",
    "serve": "Serve a live preview of FILE: the diagram, lint findings, score, latency and knock-outs.",
    "simulate": "Knock components out, load the design at L x peak: served / degraded / down; latency vs SLO.",
    "validate": "Check blueprint FILES: every schema and graph error at once, each with FILE:LINE:COL.",
}

# Command name -> the module of this package that defines it.
COMMANDS = {
    "completion": "completion",
    "validate": "core",
    "kinds": "core",
    "schema": "core",
    "lint": "lint",
    "rules": "rules",
    "simulate": "simulate",
    "estimate": "estimate",
    "score": "score",
    "render": "render",
    "doc": "doc",
    "new": "doc",
    "diff": "diff",
    "practice": "practice",
    "serve": "preview",
    "report": "preview",
}
