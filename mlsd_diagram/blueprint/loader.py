"""Text -> located tree -> validated :class:`Blueprint`, with every error located."""

from __future__ import annotations

import contextlib
import gc
import os
from typing import Any

from pydantic import ValidationError

from ..diagnostics import BlueprintError, Diagnostic, did_you_mean
from .checks import check_design
from .located import MAX_BYTES, LocatedTree, decode, parse
from .models import (Acceptance, Blueprint, Component, Flow, KindDeclaration, LintSettings, Metrics, Requirements,
                     SLO, Scale)

# Which model sits at which shape of path, for "unknown field; did you mean" hints.
_MODEL_AT = [
    ((), Blueprint), (("requirements",), Requirements), (("requirements", "scale"), Scale),
    (("requirements", "slo"), SLO), (("metrics",), Metrics), (("kinds", "*"), KindDeclaration),
    (("components", "*"), Component), (("flows", "*"), Flow), (("lint",), LintSettings),
    (("lint", "accept", "*"), Acceptance),
]


def _model_at(path: tuple) -> type | None:
    for shape, model in _MODEL_AT:
        if len(shape) == len(path) and all(s == "*" or s == p for s, p in zip(shape, path)):
            return model
    return None


def _field_names(model: type) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _describe(path: tuple) -> str:
    """Human words for where a path points: "component 'app'", "flow 3", ..."""
    if len(path) >= 2 and path[0] == "components":
        return f" in component '{path[1]}'"
    if len(path) >= 2 and path[0] == "flows":
        return f" in flow {path[1]}"
    if len(path) >= 2 and path[0] == "kinds":
        return f" in kind '{path[1]}'"
    if path:
        return " in " + "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))
    return ""


def _translate(error: dict[str, Any]) -> tuple[tuple, str, bool]:
    """A pydantic error -> (path, message, prefer_key)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        if path and path[0] == "kinds":
            return path, f"custom kind '{path[-1]}' must be named with the prefix 'x-' (e.g. 'x-{path[-1]}')", True
        return path, (f"{_yaml_value(str(path[-1]))} is not a valid id: use letters, digits, '_' and '-', starting with a letter "
                      f"or '_', at most 64 characters"), True
    field = loc[-1] if loc else "blueprint"
    if kind == "missing":
        parent = loc[:-1]
        hint = " (a blueprint starts with 'mlsd: 1')" if loc == ("mlsd",) else ""
        return parent, f"missing required field '{field}'{_describe(parent)}{hint}", True
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        hint = did_you_mean(str(field), _field_names(model)) if model else ""
        return loc, f"unknown field '{field}'{_describe(loc[:-1])}{hint}", True
    if kind in ("enum", "literal_error") and isinstance(value, str):
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",") if o.strip(" '")]
        hint = did_you_mean(value, options)
        return loc, f"unknown {field} '{value}'{hint or ''} (expected one of: {', '.join(options)})", False
    if kind == "string_pattern_mismatch" and field in ("from", "to", "component"):
        return loc, f"{_yaml_value(value)} is not a valid component id", False
    if kind == "model_type" or kind == "dict_type":
        return loc, f"'{field}' should be a mapping of fields, got {_yaml_type(value)}", False
    if kind == "list_type":
        return loc, f"'{field}' should be a list, got {_yaml_type(value)}", False
    message = error["msg"]
    message = message[0].lower() + message[1:]
    shown = f", got {_yaml_value(value)}" if not isinstance(value, (dict, list)) else f", got {_yaml_type(value)}"
    name = f"'{field}'" if isinstance(field, str) else f"item {field}"
    return loc, f"{name}: {message}{shown}", False


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{_yaml_value(value)}"


def _yaml_value(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else ("null" if value is None else str(value).lower()
                                                        if isinstance(value, bool) else str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def validate_tree(tree: LocatedTree) -> tuple[Blueprint | None, list[Diagnostic]]:
    """Validate a located tree into a Blueprint, collecting every located error."""
    data = tree.data
    problems: list[tuple[tuple, str, bool]] = []
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single value ({_yaml_value(data)})"
        return None, [Diagnostic(tree.file, 1, 1, f"a blueprint is a mapping of fields ('mlsd: 1', 'name: ...', "
                                                   f"'components: ...'), but this file holds {what}")]
    design = check_design(data)
    blueprint = None
    try:
        blueprint = Blueprint.model_validate(data, context={"located": True})
    except ValidationError as exc:
        for error in exc.errors():
            if tuple(error["loc"]) == ("mlsd",) and "mlsd" in data and error["type"] == "literal_error":
                continue  # reported by check_design with a better message
            problems.append(_translate(error))
    diagnostics: dict[tuple, Diagnostic] = {}
    # Design problems first: at a shared position (a flow's `to: "no such id"`) they say more.
    for path, message, prefer_key in design + problems:
        line, col = tree.locate(path, prefer_key=prefer_key)
        diagnostics.setdefault((line, col, path), Diagnostic(tree.file, line, col, message))
    if diagnostics:
        return None, sorted(diagnostics.values())
    blueprint._file = tree.file
    blueprint._tree = tree
    return blueprint, []


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a document is composed and validated.

    Everything allocated there stays alive until the blueprint is built, so the collector's
    repeated scans find nothing to free; at 5,000 components they cost as much as the parse
    itself. The input size is bounded (MAX_BYTES), and so is what is allocated meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def loads(text: str | bytes, name: str = "<string>") -> Blueprint:
    """Parse and validate blueprint text. Raises :class:`BlueprintError` with every located error."""
    with collector_paused():
        return _loads(text, name)


def _loads(text: str | bytes, name: str) -> Blueprint:
    if isinstance(text, bytes):
        text, errors = decode(text, name)
        if errors:
            raise BlueprintError(errors)
    elif text.startswith("\ufeff"):
        text = text[1:]
    tree, errors = parse(text, name)
    if errors:
        raise BlueprintError(errors)
    blueprint, errors = validate_tree(tree)
    if errors:
        raise BlueprintError(errors)
    return blueprint


def load(path: str | os.PathLike) -> Blueprint:
    """Load and validate a blueprint file. Raises :class:`BlueprintError` with every located error."""
    name = os.fspath(path)
    try:
        size = os.stat(name).st_size
        if size > MAX_BYTES:
            raise BlueprintError([Diagnostic(name, 1, 1, f"file is {size / 2**20:.1f} MiB; blueprints are "
                                                         f"limited to {MAX_BYTES // 2**20} MiB")])
        with open(name, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BlueprintError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    return loads(raw, name=name)
