"""The design page's fixed assets (HTML, script, style, icon): one copy for ``mlsd report``,
which inlines them into one file, and ``mlsd serve``, which serves them by name."""

from __future__ import annotations

from importlib import resources

ASSETS = ("index.html", "app.js", "style.css", "favicon.svg")


def asset_bytes(name: str) -> bytes:
    """The bytes of one of :data:`ASSETS` (a fixed name, never a path from a request)."""
    if name not in ASSETS:
        raise KeyError(name)
    return resources.files(__name__).joinpath(name).read_bytes()


def asset_text(name: str) -> str:
    """One of :data:`ASSETS` as text."""
    return asset_bytes(name).decode("utf-8")
