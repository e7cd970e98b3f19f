"""Blueprints from git: ``REV:PATH`` read with ``git show``, and the blueprints changed since a revision.

``mlsd diff`` compares two versions of a design; one of them usually lives in git
(``main:blueprints/news_feed.yaml``). Git is run as a subprocess, only with arguments
(never through a shell); whatever git says when it refuses becomes a one-line
:class:`RevisionError`.
"""

from __future__ import annotations

import os
import re
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


@dataclass(frozen=True)
class Change:
    """A blueprint changed since a revision: ``old`` is ``REV:PATH`` (None when added), ``new`` a file (None when
    deleted)."""

    old: str | None
    new: str | None


def changed_blueprints(
    rev: str, paths: list[str] | None = None, cwd: str | os.PathLike | None = None, pattern: str = BLUEPRINT_FILES
) -> list[Change]:
    """The blueprints that differ between ``rev`` and the working tree, in path order.

    Without ``paths``, the files whose repository path matches ``pattern``; with them, the
    changed files under those paths. Renames are followed (old ``REV:OLD``, new the new
    file). New files that git does not track yet are not seen. New paths are given
    relative to ``cwd``.
    """
    if rev.startswith("-"):
        raise RevisionError(f"'{rev}' is not a revision")
    try:
        root = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8").strip())
    except RevisionError as exc:
        raise RevisionError(f"cannot compare with '{rev}': {exc}") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd)
    except RevisionError:
        raise RevisionError(f"cannot compare with '{rev}': not a commit in this repository") from None
    listing = _git(["diff", "--name-status", "-M", "-z", "--no-ext-diff", rev, "--", *(paths or [])], cwd)
    fields = listing.decode("utf-8", "surrogateescape").split("\0")
    here = Path(cwd or os.getcwd()).resolve()
    wanted = re.compile(pattern)
    changes = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old = new = fields[i + 1]
            i += 2
        if not paths and not (wanted.search(old) or wanted.search(new)):
            continue
        shown = os.path.relpath(root / new, here)
        if status[0] in "AC":  # added, or a copy: the new file has no earlier version of its own
            changes.append(Change(None, shown))
        elif status[0] == "D":
            changes.append(Change(f"{rev}:{old}", None))
        else:
            changes.append(Change(f"{rev}:{old}", shown))
    return sorted(changes, key=lambda c: c.new or c.old or "")
