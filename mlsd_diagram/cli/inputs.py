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
    from ..blueprint.loader import load as load_blueprint

    return load_blueprint(path)


def split_ids(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def load_all(files: tuple[str, ...]) -> list:
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
