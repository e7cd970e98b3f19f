"""Blueprints from git: ``REV:PATH`` read with ``git show``, and the blueprints changed since a revision.

``mlsd diff`` compares two versions of a design; one of them usually lives in git
(``main:blueprints/news_feed.yaml``). Git is run as a subprocess, only with arguments
(never through a shell); whatever git says when it refuses becomes a one-line
:class:`RevisionError`.

A side the user types (``REV:PATH`` or a file) is read with :func:`load_spec`. The sides of a
reviewed change (``mlsd diff --git``, the GitHub Action) come from :func:`changed_blueprints` as
structured :class:`Side` values and are read with :func:`load_side`: the old one from git by object
id, the new one from the checkout only when it is a regular file. A pull request controls every
file name and file type in the checkout, so no such side is ever re-parsed as ``REV:PATH`` (a file
named ``<base>:blueprints/a.yaml`` would otherwise stand in for the base) nor read through a link
(a blueprint linked to a secret would leak it through the error message; a FIFO would hang).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import BlueprintError, Diagnostic
from .loader import load, loads
from .located import MAX_BYTES
from .models import Blueprint

# Which files are blueprints when a whole change is reviewed: `blueprints/*.yaml` and `*.mlsd.yaml`
# anywhere (the same pattern as the pre-commit hooks in .pre-commit-hooks.yaml; a test keeps them equal).
BLUEPRINT_FILES = r"(^|/)(blueprints/[^/]+|[^/]+\.mlsd)\.ya?ml$"
GIT_TIMEOUT = 60


class RevisionError(ValueError):
    """Git could not give what was asked (not a repository, unknown revision, no such path)."""


def _git(args: list[str], cwd: str | os.PathLike | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise RevisionError("git was not found on the PATH") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {' '.join(args)} took more than {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        last = message[-1].removeprefix("fatal: ") if message else f"git {args[0]} failed (exit code {done.returncode})"
        raise RevisionError(last)
    return done.stdout


def split_spec(spec: str) -> tuple[str, str] | None:
    """``"main:blueprints/a.yaml"`` -> ``("main", "blueprints/a.yaml")``; an existing file (or no colon) -> None."""
    if os.path.exists(spec) or ":" not in spec:
        return None
    rev, _, path = spec.partition(":")
    return (rev, path) if rev and path else None


def read_revision(rev: str, path: str, cwd: str | os.PathLike | None = None) -> bytes:
    """The bytes of ``path`` at ``rev`` (``git show REV:PATH``; PATH from the repository root, or ``./`` relative)."""
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    data = _git(["show", f"{rev}:{path}"], cwd)
    if len(data) > MAX_BYTES:
        raise BlueprintError(
            [
                Diagnostic(
                    f"{rev}:{path}",
                    1,
                    1,
                    f"file is {len(data) / 2**20:.1f} MiB; blueprints are limited to {MAX_BYTES // 2**20} MiB",
                )
            ]
        )
    return data


def load_spec(spec: str, cwd: str | os.PathLike | None = None) -> Blueprint:
    """A blueprint from a file path or from ``REV:PATH``. Raises BlueprintError or RevisionError."""
    split = split_spec(spec)
    if split is None:
        return load(spec)
    try:
        data = read_revision(*split, cwd=cwd)
    except RevisionError as exc:
        raise RevisionError(f"cannot read '{spec}' from git: {exc}") from None
    return loads(data, name=spec)


# Git's modes of a tree entry: the regular files (read), and what a review refuses to read.
_REGULAR_MODES = {"100644", "100755"}
_OTHER_MODES = {"120000": "a symbolic link", "160000": "a submodule", "040000": "a folder"}


@dataclass(frozen=True)
class Side:
    """One side of a reviewed change, as git listed it: never a string to parse again.

    ``path`` is the file's path from the repository root. With ``rev`` set the side is git's
    blob ``blob`` (the file at that revision, read with ``git cat-file``); without it the side is
    the file in the checkout, read only when it is a regular file (never through a link).
    ``name`` is how messages and reports name it: ``REV:PATH``, or the file relative to the
    folder ``mlsd`` runs in.
    """

    path: str
    name: str
    rev: str | None = None
    blob: str | None = None
    mode: str = "100644"


@dataclass(frozen=True)
class Change:
    """A blueprint changed since a revision: ``old`` at the revision (None when added), ``new`` in the checkout
    (None when deleted); ``root`` is the repository's top folder."""

    old: Side | None
    new: Side | None
    root: str = "."


def _refused(name: str, reason: str) -> BlueprintError:
    return BlueprintError(
        [
            Diagnostic(
                name,
                1,
                1,
                f"{reason}: a review reads blueprints only from regular files and never follows links "
                "(the file was not read)",
            )
        ]
    )


def _too_big(name: str, size: int) -> BlueprintError:
    return BlueprintError(
        [Diagnostic(name, 1, 1, f"file is {size / 2**20:.1f} MiB; blueprints are limited to {MAX_BYTES // 2**20} MiB")]
    )


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in a message's words: "a symbolic link", "a FIFO", ..."""
    for test, what in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return "not a regular file"


def _lstat_mode(name: str, folder: int) -> int:
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError:
        return 0


def read_checkout(root: str | os.PathLike, path: str, name: str) -> bytes:
    """The bytes of the regular file ``path`` (from the repository ``root``) in the checkout.

    Every folder on the way and the file itself are opened without following links, and the file
    only after :func:`os.lstat` says it is a regular file (non-blocking, so a FIFO swapped in
    meanwhile cannot hang the read; checked again on the open file). A link, FIFO, device,
    socket or folder is a located :class:`BlueprintError` naming ``name``; nothing is read from it.
    """
    parts = path.split("/")
    folder_flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise BlueprintError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        for i, part in enumerate(parts[:-1]):
            try:
                inner = os.open(part, folder_flags, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    where = "/".join(parts[: i + 1])
                    raise _refused(name, f"'{where}' on its path is {file_kind(_lstat_mode(part, folder))}") from None
                raise BlueprintError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
            os.close(folder)
            folder = inner
        try:
            info = os.stat(parts[-1], dir_fd=folder, follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                raise _refused(name, f"it is {file_kind(info.st_mode)}, not a regular file")
            if info.st_size > MAX_BYTES:
                raise _too_big(name, info.st_size)
            handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # became a link after the lstat
                raise _refused(name, "it is a symbolic link, not a regular file") from None
            raise BlueprintError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    finally:
        os.close(folder)
    with os.fdopen(handle, "rb") as file:
        opened = os.fstat(file.fileno())
        if not stat.S_ISREG(opened.st_mode):  # swapped for something else between the lstat and the open
            raise _refused(name, f"it is {file_kind(opened.st_mode)}, not a regular file")
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big(name, len(data))
    return data


def read_blob(side: Side, cwd: str | os.PathLike | None = None) -> bytes:
    """The bytes of a side's git blob (``git cat-file``, by object id: no path is looked up, in git or on disk)."""
    if side.mode not in _REGULAR_MODES or not side.blob:
        what = _OTHER_MODES.get(side.mode, f"an entry of git mode {side.mode}")
        raise _refused(side.name, f"in {side.rev} it is {what}, not a regular file")
    size = int(_git(["cat-file", "-s", side.blob], cwd).strip() or 0)
    if size > MAX_BYTES:
        raise _too_big(side.name, size)
    return _git(["cat-file", "blob", side.blob], cwd)


def load_side(side: Side, root: str | os.PathLike = ".") -> Blueprint:
    """The blueprint on one side of a :class:`Change`: git's blob, or the regular file in the checkout.

    Raises :class:`BlueprintError` (invalid, or not a regular file) or :class:`RevisionError`."""
    if side.rev is not None:
        try:
            data = read_blob(side, root)
        except RevisionError as exc:
            raise RevisionError(f"cannot read '{side.name}' from git: {exc}") from None
    else:
        data = read_checkout(root, side.path, side.name)
    return loads(data, name=side.name)


def merge_base(one: str, other: str, cwd: str | os.PathLike | None = None) -> str:
    """The commit id where ``one`` and ``other`` last met (``git merge-base``); RevisionError when they never did."""
    for rev in (one, other):
        if rev.startswith("-"):
            raise RevisionError(f"'{rev}' is not a revision")
    return _git(["merge-base", "--end-of-options", one, other], cwd).decode("ascii", "replace").strip()


def _shown(root: Path, path: str, here: Path) -> str:
    """A checkout file's name relative to ``here``, with ``./`` before one that does not start with a letter, digit,
    ``.`` or ``_`` (so that a message starting with it cannot start with ``::``, a command in a GitHub Actions log)."""
    shown = _readable(os.path.relpath(root / path, here))
    return shown if re.match(r"[\w.]", shown) else f"./{shown}"


def _readable(name: str) -> str:
    """A path git listed, bytes that are not UTF-8 written as ``\\xff`` (the path itself keeps them, for reading)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def changed_blueprints(
    rev: str, paths: list[str] | None = None, cwd: str | os.PathLike | None = None, pattern: str = BLUEPRINT_FILES
) -> list[Change]:
    """The blueprints that differ between ``rev`` and the working tree, in path order.

    Without ``paths``, the files whose repository path matches ``pattern``; with them, the
    changed files under those paths. Renames are followed (old at the old path, new the new
    file). New files that git does not track yet are not seen. New sides are named relative to
    ``cwd``, old ones ``REV:PATH``; each side keeps its path and git's object id, so that it is
    read from git or from the checkout as listed, whatever files of such names exist.
    """
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    try:
        root = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip())
    except RevisionError as exc:
        raise RevisionError(f"cannot compare with '{rev}': {exc}") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd)
    except RevisionError:
        raise RevisionError(f"cannot compare with '{rev}': not a commit in this repository") from None
    listing = _git(
        ["diff", "--raw", "--no-abbrev", "-M", "-z", "--no-ext-diff", commit.decode().strip(), "--", *(paths or [])],
        cwd,
    )
    fields = listing.decode("utf-8", "surrogateescape").split("\0")
    here = Path(cwd or os.getcwd()).resolve()
    wanted = re.compile(pattern)
    changes = []
    i = 0
    while i < len(fields) and fields[i]:
        # ":OLDMODE NEWMODE OLDBLOB NEWBLOB STATUS", then the path (two paths for a rename or copy)
        old_mode, _, old_blob, _, status = fields[i].lstrip(":").split(" ")
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old = new = fields[i + 1]
            i += 2
        if not paths and not (wanted.search(old) or wanted.search(new)):
            continue
        before = Side(old, f"{rev}:{_readable(old)}", rev=rev, blob=old_blob, mode=old_mode)
        after = Side(new, _shown(root, new, here))
        if status[0] in "AC":  # added, or a copy: the new file has no earlier version of its own
            changes.append(Change(None, after, str(root)))
        elif status[0] == "D":
            changes.append(Change(before, None, str(root)))
        else:
            changes.append(Change(before, after, str(root)))
    return sorted(changes, key=lambda c: (c.new or c.old).name)  # type: ignore[union-attr]
