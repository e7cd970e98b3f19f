"""What several commands share: reading blueprint files, id lists and where a report goes."""

from __future__ import annotations

import click

from ..blueprint.loader import load
from ..diagnostics import BlueprintError


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
    if output:
        from ..outputs.files import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
