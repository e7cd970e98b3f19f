"""Text -> located tree -> validated :class:`Blueprint`, with every error located."""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..collector import collector_paused, pause_collector_while_loading  # noqa: F401 - re-exported
from ..diagnostics import BlueprintError, Diagnostic, Suggestions
from .checks import check_design
from .located import MAX_BYTES, LocatedTree, NotReadable, decode, parse, read_regular
from .models import (
    DURATION_PATTERN,
    Blueprint,
)


def _models_by_path(
    model: type[BaseModel], prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], type[BaseModel]]]:
    """Which model sits at which shape of path (``*`` for any list index or mapping key), read off the
    models themselves, so that a model added to the format gets its "did you mean" hints too."""
    found = [(prefix, model)]
    for name, info in model.model_fields.items():
        for sub, shape in _nested_models(info.annotation):
            found += _models_by_path(sub, (*prefix, info.alias or name, *shape))
    return found


def _nested_models(annotation: Any) -> list[tuple[type[BaseModel], tuple[str, ...]]]:
    """The models inside a field's type, each with the ``*`` steps (list items, mapping values) down to it."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, ())]
    args = get_args(annotation)
    if get_origin(annotation) in (list, dict) and args:
        return [(sub, ("*", *shape)) for sub, shape in _nested_models(args[-1])]
    return [found for arg in args for found in _nested_models(arg)]  # X | None, Annotated[X, ...]


# For "unknown field; did you mean" hints.
_MODEL_AT = _models_by_path(Blueprint)


def _model_at(path: tuple) -> type[BaseModel] | None:
    for shape, model in _MODEL_AT:
        if len(shape) == len(path) and all(s == "*" or s == p for s, p in zip(shape, path)):
            return model
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
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


class _Hints:
    """ "Did you mean" for all the errors of one file: one index per set of names, and one budget.

    An index (with a budget of its own, :class:`Suggestions`) built per error made 550,000 unknown
    fields cost minutes. Past ``HINTED`` look-ups the further errors get no hint: the same ones each run.
    """

    HINTED = 10_000

    def __init__(self) -> None:
        self._indexes: dict[tuple[str, ...], Suggestions] = {}
        self._fields: dict[tuple, list[str] | None] = {}
        self._asked = 0

    def hint(self, word: str, names: list[str]) -> str:
        self._asked += 1
        if self._asked > self.HINTED:
            return ""
        key = tuple(names)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = Suggestions(names)
        return index.hint(word)

    def fields_at(self, path: tuple) -> list[str] | None:
        """The field names of the model at ``path`` (None when no model is there)."""
        if path not in self._fields:
            model = _model_at(path)
            self._fields[path] = _field_names(model) if model else None
        return self._fields[path]


def _translate(error: dict[str, Any], hints: _Hints | None = None) -> tuple[tuple, str, bool]:
    """A pydantic error -> (path, message, prefer_key)."""
    hints = hints or _Hints()
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        if path and path[0] == "kinds":
            return path, f"custom kind '{path[-1]}' must be named with the prefix 'x-' (e.g. 'x-{path[-1]}')", True
        return (
            path,
            (
                f"{_yaml_value(str(path[-1]))} is not a valid id: use letters, digits, '_' and '-', "
                f"starting with a letter or '_', at most 64 characters"
            ),
            True,
        )
    field = loc[-1] if loc else "blueprint"
    if kind == "missing":
        parent = loc[:-1]
        hint = " (a blueprint starts with 'mlsd: 1')" if loc == ("mlsd",) else ""
        return parent, f"missing required field '{field}'{_describe(parent)}{hint}", True
    if kind == "extra_forbidden":
        names = hints.fields_at(loc[:-1])
        hint = hints.hint(str(field), names) if names else ""
        return loc, f"unknown field '{field}'{_describe(loc[:-1])}{hint}", True
    if kind in ("enum", "literal_error"):
        options = _choices(loc)
        listed = f" (expected one of: {', '.join(options)})" if options else ""
        if isinstance(value, str):
            word = field if isinstance(field, str) else _singular(loc[-2] if len(loc) > 1 else "value")
            return loc, f"unknown {word} '{value}'{hints.hint(value, options)}{listed}", False
        return loc, f"{_name(loc)} should be one of: {', '.join(options)}, got {_yaml_type(value)}", False
    if kind == "string_pattern_mismatch" and field in ("from", "to", "component", "deployed_with", "trained_by"):
        return loc, f"{_yaml_value(value)} is not a valid component id", False
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == DURATION_PATTERN:
        return (
            loc,
            f"{_name(loc)} should be a duration: a number and s, m, h, d or w (15m, 6h, 7d), got {_yaml_type(value)}",
            False,
        )
    if kind == "model_type" or kind == "dict_type":
        return loc, f"'{field}' should be a mapping of fields, got {_yaml_type(value)}", False
    if kind == "list_type":
        return loc, f"'{field}' should be a list, got {_yaml_type(value)}", False
    return loc, _value_message(kind, error.get("ctx") or {}, _name(loc), value), False


# pydantic error types -> what the value should have been. Keyed on the type (stable across
# pydantic releases), never on pydantic's message, so that our messages (and goldens) stay ours.
_SHOULD_BE = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}


def _value_message(kind: str, ctx: dict[str, Any], name: str, value: Any) -> str:
    """Our words for a pydantic error about a value, from its type and context values."""
    got = _yaml_type(value)
    if kind in _SHOULD_BE:
        return f"{name} should be {_SHOULD_BE[kind]}, got {got}"
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, words = _BOUNDS[kind]
        return f"{name} should be {words} {_number(ctx[key])}, got {got}"
    if kind == "string_too_long" and isinstance(value, str) and "max_length" in ctx:
        return f"{name} has {len(value)} characters; at most {ctx['max_length']} are allowed"
    return f"{name} is not a valid value here, got {got}"


def _name(loc: tuple) -> str:
    """A field as messages name it: 'replicas', or item 2 of 'inputs'."""
    field = loc[-1] if loc else "blueprint"
    if isinstance(field, int):
        return f"item {field} of '{loc[-2]}'" if len(loc) > 1 else f"item {field}"
    return f"'{field}'"


def _singular(word: Any) -> str:
    return word[:-1] if isinstance(word, str) and word.endswith("s") else str(word)


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _choices(loc: tuple) -> list[str]:
    """The values an enum or literal field accepts, read from the model (not from pydantic's message)."""
    field_loc = loc[:-1] if loc and isinstance(loc[-1], int) else loc
    model = _model_at(field_loc[:-1]) if field_loc else None
    if model is None:
        return []
    for name, info in model.model_fields.items():
        if (info.alias or name) == field_loc[-1]:
            return _annotation_choices(info.annotation)
    return []


def _annotation_choices(annotation: Any) -> list[str]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(arg) for arg in get_args(annotation)]
    for arg in get_args(annotation):  # Optional[...], list[...]
        found = _annotation_choices(arg)
        if found:
            return found
    return []


def _yaml_type(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{_yaml_value(value)}"


def _yaml_value(value: Any) -> str:
    text = (
        repr(value)
        if isinstance(value, str)
        else ("null" if value is None else str(value).lower() if isinstance(value, bool) else str(value))
    )
    return text if len(text) <= 60 else text[:57] + "..."


def validate_tree(tree: LocatedTree) -> tuple[Blueprint | None, list[Diagnostic]]:
    """Validate a located tree into a Blueprint, collecting every located error."""
    data = tree.data
    problems: list[tuple[tuple, str, bool]] = []
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else f"a single value ({_yaml_value(data)})"
        return None, [
            Diagnostic(
                tree.file,
                1,
                1,
                f"a blueprint is a mapping of fields ('mlsd: 1', 'name: ...', "
                f"'components: ...'), but this file holds {what}",
            )
        ]
    design = check_design(data)
    blueprint = None
    try:
        blueprint = Blueprint.model_validate(data, context={"located": True})
    except ValidationError as exc:
        hints = _Hints()
        for error in exc.errors():
            if tuple(error["loc"]) == ("mlsd",) and "mlsd" in data and error["type"] == "literal_error":
                continue  # reported by check_design with a better message
            problems.append(_translate(dict(error), hints))
    diagnostics: dict[tuple, Diagnostic] = {}
    # Design problems first: at a shared position (a flow's `to: "no such id"`) they say more.
    located = [
        (*tree.locate(path, prefer_key=prefer_key or path in tree.hints), index, path, message)
        for index, (path, message, prefer_key) in enumerate(design + problems)
    ]
    split_values_reported = set()
    for line, col, _, path, message in sorted(located, key=lambda item: item[:3]):
        if path in tree.hints:
            # A key a comma cut from plain text: say so once per cut value, on its first error.
            split_value, hint = tree.hints[path]
            if split_value in split_values_reported:
                continue
            split_values_reported.add(split_value)
            message += "; " + hint
        diagnostics.setdefault((line, col, path), Diagnostic(tree.file, line, col, message))
    if diagnostics:
        return None, sorted(diagnostics.values())
    assert blueprint is not None  # validated without an error
    blueprint._file = tree.file
    blueprint._tree = tree
    return blueprint, []


def loads(text: str | bytes, name: str = "<string>") -> Blueprint:
    """Parse and validate blueprint text. Raises :class:`BlueprintError` with every located error."""
    with collector_paused():
        return _loads(text, name)


def _loads(text: str | bytes, name: str) -> Blueprint:
    if isinstance(text, bytes):
        decoded, errors = decode(text, name)
        if errors or decoded is None:
            raise BlueprintError(errors)
        text = decoded
    elif text.startswith("\ufeff"):
        text = text[1:]
    tree, errors = parse(text, name)
    if tree is None:
        raise BlueprintError(errors)
    # Duplicate keys (the first value kept) are reported with every other error in the file.
    blueprint, more = validate_tree(tree)
    if errors or more or blueprint is None:
        raise BlueprintError([*errors, *more])
    return blueprint


def load(path: str | os.PathLike) -> Blueprint:
    """Load and validate a blueprint file. Raises :class:`BlueprintError` with every located error."""
    name = os.fspath(path)
    try:
        raw = read_regular(name, MAX_BYTES)
    except NotReadable as exc:
        raise BlueprintError([Diagnostic(name, 1, 1, str(exc))]) from None
    except OSError as exc:
        raise BlueprintError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    return loads(raw, name=name)
