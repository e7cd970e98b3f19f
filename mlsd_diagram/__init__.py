"""mlsd-diagram: diagram-as-code for ML production systems.

>>> from mlsd_diagram import load
>>> bp = load("blueprints/news_feed.yaml")      # doctest: +SKIP
>>> bp.graph.number_of_nodes()                   # doctest: +SKIP

The names below are imported on first use, so that ``import mlsd_diagram``
itself is instant (the command line installs its signal handling first).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Blueprint": "blueprint",
    "Component": "blueprint",
    "Flow": "blueprint",
    "Kind": "blueprint",
    "Loop": "blueprint",
    "Mode": "blueprint",
    "Role": "blueprint",
    "Stage": "blueprint",
    "load": "blueprint",
    "loads": "blueprint",
    "BlueprintError": "diagnostics",
    "Diagnostic": "diagnostics",
}

__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .blueprint import Blueprint, Component, Flow, Kind, Loop, Mode, Role, Stage, load, loads
    from .diagnostics import BlueprintError, Diagnostic


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
