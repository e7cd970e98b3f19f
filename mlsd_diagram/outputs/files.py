"""Writing output files: atomically, and only inside the chosen output folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputPathError(ValueError):
    """An output name that would escape the output folder."""


def output_path(directory: str | os.PathLike, name: str) -> Path:
    """``directory/name``, refusing names that are absolute or climb out with ``..``."""
    if not name or os.path.isabs(name) or Path(name).drive:
        raise OutputPathError(f"output name {name!r} must be a plain file name inside the output folder")
    base = Path(directory).resolve()
    target = (base / name).resolve()
    if target.parent != base and base not in target.parents:
        raise OutputPathError(f"output name {name!r} would be written outside {os.fspath(directory)!r}")
    return base / name


def shown_path(path: str | os.PathLike) -> str:
    """A blueprint path as a report or doc shows it, the same whichever way it was typed.

    Relative to the working folder when the file is inside it, else just its name: an
    absolute path never makes the output bytes depend on the machine.
    """
    text = os.fspath(path)
    if not text or text.startswith("<"):  # "<blueprint>", "<stdin>": not a file
        return text
    resolved = Path(text).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.name


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Readers (and a run interrupted by SIGINT or SIGTERM) see either the old file
    or the new one, never a truncated one. Creates the parent folder if needed.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target

