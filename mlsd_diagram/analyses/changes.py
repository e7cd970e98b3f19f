"""The blueprints changed since a revision, each compared with its earlier version: what ``mlsd diff --git``
and the GitHub Action's review step both do (:func:`diff_changed`), so they read and compare the same way.

Each side is read as git listed it (:mod:`mlsd_diagram.blueprint.revision`): the old side from git by
object id, the new side only from a regular file of the checkout. A side that is invalid or cannot
be read is collected, not raised, so one bad file does not hide the others; the caller decides what
that means (``mlsd diff`` fails with every located error, the review lists them in its comment).
Nothing is printed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..blueprint.models import Blueprint
from ..blueprint.revision import RevisionError, changed_blueprints, load_side
from ..diagnostics import BlueprintError, Diagnostic
from .diff import DesignDiff, diff_blueprints, empty_blueprint

NO_FILE = "/dev/null"


@dataclass(frozen=True)
class Compared:
    """One design compared: both sides (a missing one is an empty design named ``/dev/null``), the names
    they came from, the path git listed (the new side's, else the old side's) and the diff."""

    old: Blueprint
    new: Blueprint
    old_name: str
    new_name: str
    path: str
    diff: DesignDiff
    new_exists: bool = True

    @property
    def stem(self) -> str:
        """The file stem of :attr:`path` (a diagram's name)."""
        return Path(self.path).stem


@dataclass(frozen=True)
class Changed:
    """What :func:`diff_changed` found: the compared designs and, per file, what could not be compared."""

    compared: list[Compared] = field(default_factory=list)
    # per file not compared, in git's order: an invalid blueprint, or a side git could not give
    problems: list[BlueprintError | RevisionError] = field(default_factory=list)
    changes: int = 0  # files git listed as changed

    @property
    def invalid(self) -> list[Diagnostic]:
        """The located errors of every invalid blueprint."""
        return [d for p in self.problems if isinstance(p, BlueprintError) for d in p.diagnostics]

    @property
    def unreadable(self) -> list[RevisionError]:
        """The sides git could not give."""
        return [p for p in self.problems if isinstance(p, RevisionError)]


def compare(
    old: Blueprint | None,
    new: Blueprint | None,
    config: Any = None,
    old_name: str | None = None,
    new_name: str | None = None,
    path: str | None = None,
) -> Compared:
    """Compare two sides; a missing side (an added or deleted file) is an empty design named ``/dev/null``."""
    present = new or old
    if present is None:
        raise ValueError("compare needs at least one side")
    name = present.name
    old_side, new_side = old or empty_blueprint(name, NO_FILE), new or empty_blueprint(name, NO_FILE)
    old_name, new_name = old_name or NO_FILE, new_name or NO_FILE
    diff = diff_blueprints(old_side, new_side, config, old_name=old_name, new_name=new_name)
    return Compared(old_side, new_side, old_name, new_name, path or present.file, diff, new is not None)


def diff_changed(rev: str, paths: Sequence[str] | None = None, config: Any = None) -> Changed:
    """Every blueprint changed since ``rev`` (under ``paths``, else ``blueprints/*.yaml`` and ``*.mlsd.yaml``),
    compared with its version at ``rev``. Raises :class:`RevisionError` when git cannot list the changes."""
    changes = changed_blueprints(rev, list(paths) if paths else None)
    found = Changed(changes=len(changes))
    for change in changes:
        try:
            old = load_side(change.old, change.root) if change.old else None
            new = load_side(change.new, change.root) if change.new else None
        except (BlueprintError, RevisionError) as exc:
            found.problems.append(exc)
            continue
        listed = change.new or change.old
        found.compared.append(
            compare(
                old,
                new,
                config,
                change.old.name if change.old else None,
                change.new.name if change.new else None,
                listed.path if listed else None,
            )
        )
    return found


__all__ = ["Changed", "Compared", "compare", "diff_changed"]
