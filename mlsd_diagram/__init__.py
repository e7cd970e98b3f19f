"""mlsd-diagram: diagram-as-code for ML production systems.

>>> from mlsd_diagram import load
>>> bp = load("blueprints/news_feed.yaml")      # doctest: +SKIP
>>> bp.graph.number_of_nodes()                   # doctest: +SKIP
"""

from .blueprint import Blueprint, Component, Flow, Kind, Loop, Mode, Role, Stage, load, loads
from .diagnostics import BlueprintError, Diagnostic

__version__ = "0.1.0"

__all__ = ["Blueprint", "BlueprintError", "Component", "Diagnostic", "Flow", "Kind", "Loop", "Mode", "Role",
           "Stage", "load", "loads", "__version__"]
