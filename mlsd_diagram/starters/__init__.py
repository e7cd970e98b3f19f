"""Starter blueprints shipped with the package (``mlsd new``).

Each file in ``starters/blueprints/`` is one starter: its file stem is the
name a user passes to ``mlsd new --template NAME``; its ``name:`` and
``summary:`` fields describe it in ``mlsd new --list``. The folder is the only
list: adding a starter means adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import yaml

from ..diagnostics import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

STARTER_FOLDER = "blueprints"
SUFFIX = ".yaml"


class UnknownStarter(LookupError):
    """A starter name that is not in the package; the message lists the close ones."""


@dataclass(frozen=True)
class Starter:
    """One starter blueprint: its name (file stem), title (``name:``) and ``summary:``."""

    name: str
    title: str
    summary: str

    @property
    def text(self) -> str:
        """The starter's YAML text, exactly as shipped."""
        return _folder().joinpath(self.name + SUFFIX).read_text(encoding="utf-8")


def _folder() -> Traversable:
    return resources.files(__name__).joinpath(STARTER_FOLDER)


def _describe(text: str) -> tuple[str, str]:
    """The ``name:`` and ``summary:`` of a starter, read leniently (a listing never fails)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    title, summary = data.get("name"), data.get("summary")
    return (str(title).strip() if title else "", " ".join(str(summary).split()) if summary else "")


def starters() -> list[Starter]:
    """Every starter blueprint in the package, sorted by name (``blank`` included)."""
    folder = _folder()
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.endswith(SUFFIX) and not entry.name.startswith("."):
            title, summary = _describe(entry.read_text(encoding="utf-8"))
            found.append(Starter(entry.name[: -len(SUFFIX)], title, summary))
    return sorted(found, key=lambda s: s.name)


def starter(name: str) -> Starter:
    """The starter called ``name``; raises :class:`UnknownStarter` with a suggestion."""
    available = starters()
    for candidate in available:
        if candidate.name == name:
            return candidate
    names = [s.name for s in available]
    hint = did_you_mean(name, names)
    listing = ", ".join(names) if names else "none are installed"
    raise UnknownStarter(f"unknown template '{name}'{hint} (available: {listing}; see `mlsd new --list`)")


__all__ = ["Starter", "UnknownStarter", "starter", "starters"]
