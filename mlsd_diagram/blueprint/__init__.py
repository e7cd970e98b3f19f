"""Text -> located YAML tree -> blueprint model; the kind catalog; JSON Schema."""

from .kinds import BUILTIN_KINDS, Kind, Role, Stage
from .loader import load, loads
from .models import Blueprint, Component, Flow, Loop, Mode

__all__ = ["BUILTIN_KINDS", "Blueprint", "Component", "Flow", "Kind", "Loop", "Mode", "Role", "Stage", "load", "loads"]
