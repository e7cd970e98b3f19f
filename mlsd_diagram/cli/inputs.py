"""What several commands share: reading blueprint files, id lists and where a report goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import BlueprintError
from .terminal import echo

if TYPE_CHECKING:  # pragma: no cover
    from ..blueprint.models import Blueprint


def load(path: str) -> Blueprint:
    """The library's :func:`~mlsd_diagram.blueprint.loader.load`, imported on first use.

    The command modules import nothing heavy at import time, so ``mlsd --help`` and
    ``mlsd --version`` do not pay for pydantic and networkx (see benchmarks/startup.py).
    """
    import gc

    from ..blueprint.loader import load as load_blueprint

    blueprint = load_blueprint(path)
    # A command keeps its blueprints to the end of the process: moved out of the collector's sight,
    # the millions of objects of a 170k-flow file are not scanned again by every collection that
    # the analyses' allocations trigger (a third of a large lint's time). Not for `serve`, which
    # loads again on every save and reads files through its own loader.
    gc.freeze()
    return blueprint


def split_ids(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_all(files: tuple[str, ...]) -> list:
    """Every blueprint, or every located error of every file at once (then exit 2, no output)."""
    blueprints, diagnostics = load_each(files)
    if diagnostics:
        raise BlueprintError(diagnostics)
    return blueprints


def load_each(files: tuple[str, ...]) -> tuple[list, list]:
    """``(blueprints, errors)``: every valid blueprint, and the located errors of every other file."""
    blueprints, diagnostics = [], []
    for path in files:
        try:
            blueprints.append(load(path))
        except BlueprintError as exc:
            diagnostics.extend(exc.diagnostics)
    return blueprints, diagnostics


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def emit(text: str, output: str | None) -> None:
    """``text`` to the file ``output`` (atomically), or to standard output (no ``-o``, or ``-o -``)."""
    if output and output != "-":
        from ..outputs.files import write_atomic

        write_atomic(output, text)
    else:
        echo(text, nl=False)


def lint_config(path: str | None = None):
    """The ``[tool.mlsd]`` settings (from ``path``, or the nearest pyproject.toml); a bad table is exit 2."""
    from ..analyses.lint import LintConfigError, load_config
    from . import UserError

    try:
        return load_config(path)
    except LintConfigError as exc:
        raise UserError(str(exc)) from None


def known_case(name: str) -> str:
    """``name`` when it is a practice case; else the one-line error listing the cases (exit 2)."""
    from ..practice.cases import UnknownCase, check_case
    from . import UserError

    try:
        check_case(name)
    except UnknownCase as exc:
        raise UserError(str(exc)) from None
    return name
