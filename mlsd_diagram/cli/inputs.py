"""What several commands share: reading blueprint files, id lists and where a report goes."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import BlueprintError
from ..printable import one_line
from .terminal import echo

if TYPE_CHECKING:  # pragma: no cover
    from ..blueprint.models import Blueprint


STDIN = "-"
STDIN_NAME = "<stdin>"
_GLOB_CHARS = re.compile(r"[*?\[]")


def blueprint_stem(path: str) -> str:
    """``a`` for ``dir/a.yaml``, ``dir/a.yml`` and ``dir/a.mlsd.yaml``: the name outputs are written under."""
    name = Path(path).name
    for suffix in (".mlsd.yaml", ".mlsd.yml", ".yaml", ".yml"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(name).stem or "blueprint"


def shown_path(path: str) -> str:
    """``path`` relative to the working directory when it lies under it, else as given."""
    if path in (STDIN, STDIN_NAME) or not os.path.isabs(path):
        return path
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative


def is_blueprint_file(path: Path) -> bool:
    """A ``*.yaml`` / ``*.yml`` file whose first line that is not blank or a comment starts with ``mlsd:``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for _, line in zip(range(200), handle):
                text = line.lstrip("\ufeff").strip()
                if text and not text.startswith("#"):
                    return text.startswith("mlsd:")
    except OSError:
        return False
    return False


def expand_files(files: tuple[str, ...] | list[str]) -> list[str]:
    """The blueprint files named by the arguments, as linters read them.

    ``-`` is standard input; a folder is every ``*.yaml`` / ``*.yml`` below it that starts with
    ``mlsd:`` (sorted, hidden folders skipped); a quoted glob (``'designs/**/*.yaml'``) is expanded
    here, sorted; anything else is a file, read (or reported as missing) as given. A folder or glob
    that names no blueprint is an error (exit 2).
    """
    from . import UserError

    found: list[str] = []
    for arg in files:
        if arg == STDIN or os.path.isfile(arg) or (not os.path.isdir(arg) and not _GLOB_CHARS.search(arg)):
            found.append(arg)
        elif os.path.isdir(arg):
            inside = _blueprints_in(arg)
            if not inside:
                raise UserError(f"{one_line(arg)}: no blueprint in this folder (*.yaml files starting with 'mlsd:')")
            found.extend(inside)
        else:
            matched = sorted(p for p in glob.glob(arg, recursive=True) if os.path.isfile(p))
            if not matched:
                raise UserError(f"{one_line(arg)}: no file matches this pattern")
            found.extend(matched)
    if found.count(STDIN) > 1:
        raise UserError("standard input (-) can be read once only")
    return list(dict.fromkeys(found))  # a file named twice is read once


def _blueprints_in(top: str) -> list[str]:
    """The blueprint files below ``top``, in sorted order; hidden folders (.git, .venv) are skipped."""
    found = []
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in ("node_modules", "__pycache__")
        )
        for name in sorted(names):
            if name.endswith((".yaml", ".yml")) and is_blueprint_file(Path(folder, name)):
                found.append(os.path.normpath(os.path.join(folder, name)))
    return sorted(found)


def read_stdin() -> bytes:
    import sys

    return sys.stdin.buffer.read()


def load(path: str) -> Blueprint:
    """The library's :func:`~mlsd_diagram.blueprint.loader.load`, imported on first use; ``-`` is standard input.

    The command modules import nothing heavy at import time, so ``mlsd --help`` and
    ``mlsd --version`` do not pay for pydantic and networkx (see benchmarks/startup.py).
    """
    import gc

    if path == STDIN:
        from ..blueprint.loader import loads

        blueprint = loads(read_stdin(), name=STDIN_NAME)
    else:
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


def lint_config(path: str | None = None, file: str | None = None):
    """The lint settings: from ``path`` (``--config``), else the nearest ``mlsd.toml`` or pyproject.toml
    ``[tool.mlsd]`` above blueprint ``file`` (above the working directory for standard input); a bad
    table is exit 2."""
    from ..analyses.lint import LintConfigError, load_config
    from . import UserError

    start = os.path.dirname(os.path.abspath(file)) if file and file != STDIN else None
    try:
        return load_config(path, start=start)
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
