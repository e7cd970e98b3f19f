"""Writing output files: atomically, and only inside the chosen output folder."""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
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


def is_stdout(path: str | os.PathLike | None) -> bool:
    """Whether an ``-o`` value asks for standard output (``-``)."""
    return path is not None and os.fspath(path) == "-"


def write_stdout(data: bytes | str) -> None:
    """Write ``data`` to standard output as it is (bytes unchanged, text as UTF-8)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    sys.stdout.flush()
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


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


class OutputError(OSError):
    """An output could not be written: the target is not a regular file, or the system refused
    (read-only folder, full disk, a file where a folder is expected). The message names the path."""


def check_replaceable(path: str | os.PathLike) -> None:
    """Raise :class:`OutputError` unless ``path`` is missing or a regular file (not a link to one).

    Renaming over a device, a FIFO or a link (``-o /dev/stdout`` is a link to ``/proc/self/fd/1``)
    would replace the special file itself with a regular file.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failed(path, exc) from None
    if not stat.S_ISREG(mode):
        from ..blueprint.revision import file_kind  # the one naming of file types (a review refuses them too)

        what = file_kind(mode)
        hint = "; for standard output use -o -" if not stat.S_ISDIR(mode) else ""
        raise OutputError(f"refusing to replace {os.fspath(path)}: it is {what}, not a regular file{hint}")


def _failed(path: str | os.PathLike, exc: OSError) -> OutputError:
    """Our words for a system error while writing ``path`` (the folder in the way is named too)."""
    reason = exc.strerror or str(exc)
    other = os.fspath(exc.filename) if exc.filename is not None else ""
    detail = f" ({other})" if other and other != os.fspath(path) and ".tmp-" not in os.path.basename(other) else ""
    return OutputError(f"cannot write {os.fspath(path)}: {reason}{detail}")


# -- what a killed run leaves behind ------------------------------------------------------------------
# A run killed outright (kill -9, a power cut) cannot remove its temporary files: `.tmp-NAME.PID-XXXXXXXX`
# beside its outputs and `mlsd-render-PID-XXXXXXXX` folders in the temporary folder. The next run that
# writes there removes them: only names of ours, owned by this user, untouched for STALE_AFTER seconds,
# and whose process (the PID in the name) is gone. Names from before the PID was recorded
# (`.tmp-NAME.XXXXXXXX` of one of our output formats, `mlsd-render-XXXXXXXX`) go by age alone.
STALE_AFTER = 3600.0
_TEMP_FILE = re.compile(r"\.tmp-(?P<name>.+?)\.(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}")
_RENDER_FOLDER = re.compile(r"mlsd-render-(?:(?P<pid>[0-9]+)-)?[a-z0-9_]{8}")
_OUR_SUFFIXES = {
    ".svg",
    ".png",
    ".pdf",
    ".dot",
    ".mmd",
    ".excalidraw",
    ".drawio",
    ".html",
    ".md",
    ".json",
    ".sarif",
    ".txt",
}
_swept: set[str] = set()
_sweep_lock = threading.Lock()


def _gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def _stale(info: os.stat_result, pid: str | None, now: float) -> bool:
    return info.st_uid == os.getuid() and now - info.st_mtime > STALE_AFTER and (pid is None or _gone(int(pid)))


def remove_stale(folder: str | os.PathLike, kind: str = "outputs") -> list[str]:
    """Remove what killed runs left in ``folder``: ``outputs`` (temporary files beside outputs) or
    ``renders`` (render folders in the temporary folder). Once per folder and process; returns the names
    removed. Never follows a link, never touches a name that is not ours; failures are ignored."""
    key = f"{kind}:{os.path.realpath(folder)}"
    with _sweep_lock:
        if key in _swept:
            return []
        _swept.add(key)
    pattern = _TEMP_FILE if kind == "outputs" else _RENDER_FOLDER
    removed: list[str] = []
    now = time.time()
    try:
        entries: list[os.DirEntry[str]] = list(os.scandir(os.fspath(folder)))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid = match.group("pid")
        if kind == "outputs" and pid is None and Path(match.group("name")).suffix not in _OUR_SUFFIXES:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not _stale(info, pid, now):
                continue
            if kind == "outputs" and stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
            elif kind == "renders" and stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path)  # fd-based on Linux: a link swapped in is not followed
            else:
                continue
        except OSError:
            continue
        removed.append(entry.name)
    return removed


def _stage(target: Path, data: bytes | str) -> str:
    """Write ``data`` to a new temporary file beside ``target``; its name."""
    check_replaceable(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed(target, exc) from None
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".tmp-{target.name}.{os.getpid()}-", dir=target.parent)
    except OSError as exc:
        raise _failed(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            raise _failed(target, exc) from None
        raise
    return tmp


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Readers (and a run interrupted by SIGINT or SIGTERM) see either the old file
    or the new one, never a truncated one. Creates the parent folder if needed.
    Raises :class:`OutputError` (naming the path) when ``path`` is not a regular file or
    the system refuses the write.
    """
    return write_all([(path, data)])[0]


def write_all(files: list[tuple[str | os.PathLike, bytes | str]]) -> list[Path]:
    """Write several files all or nothing: every temporary file is written first, then all are renamed.

    On a failure before the renames (full disk, read-only folder, a target that is not a regular
    file) the temporary files are removed and every old file is left as it was.
    """
    targets = [Path(path) for path, _ in files]
    for target in targets:  # refuse before writing anything
        check_replaceable(target)
    for folder in dict.fromkeys(target.parent for target in targets):
        remove_stale(folder)
    staged: list[str] = []
    try:
        for target, (_, data) in zip(targets, files):
            staged.append(_stage(target, data))
        for target, tmp in zip(targets, staged):
            check_replaceable(target)  # may have changed while the others were written
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _failed(target, exc) from None
    except BaseException:
        for tmp in staged:
            _remove(tmp)
        raise
    return targets
