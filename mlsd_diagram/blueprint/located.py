"""Text -> a plain Python tree plus the line and column of every key and value.

PyYAML's safe parser (libyaml when available) produces the events; this module
composes them into dicts, lists and scalars itself, iteratively, so that it can
keep positions, refuse duplicate keys, non-standard tags and merge keys, and
bound nesting depth and alias expansion before any of them can hurt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ..diagnostics import Diagnostic

Path = tuple[Union[str, int], ...]
Position = tuple[int, int]

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_resolver = Resolver()


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag
_constructor = SafeConstructor()


@dataclass
class LocatedTree:
    """A parsed YAML document with the 1-based position of each key and value."""

    data: Any
    file: str
    values: dict[Path, Any] = field(default_factory=dict)  # path -> yaml Mark (0-based)
    keys: dict[Path, Any] = field(default_factory=dict)

    def locate(self, path: Path, prefer_key: bool = False) -> Position:
        """Position of ``path``: its key or its value, else the nearest located ancestor."""
        path = tuple(path)
        while True:
            first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            if path in first:
                return _pos(first[path])
            if path in second:
                return _pos(second[path])
            if not path:
                return (1, 1)
            path = path[:-1]


class _Stop(Exception):
    def __init__(self, line: int, column: int, message: str):
        self.diagnostic = (line, column, message)


def _pos(mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text: size limit, binary data, UTF-8 (a leading byte-order mark is dropped)."""
    if len(raw) > MAX_BYTES:
        size = len(raw) / (1024 * 1024)
        return None, [Diagnostic(file, 1, 1, f"file is {size:.1f} MiB; blueprints are limited to "
                                             f"{MAX_BYTES // (1024 * 1024)} MiB")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        return None, [Diagnostic(file, line, col, "file contains a NUL byte; is it a binary file? "
                                                  "a blueprint is UTF-8 text")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return None, [Diagnostic(file, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                                  "save it as UTF-8")]


def _byte_position(raw: bytes, offset: int) -> Position:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[line_start:offset].decode("utf-8", "replace")) + 1


def parse(text: str, file: str) -> tuple[LocatedTree | None, list[Diagnostic]]:
    """Parse one YAML document safely. Returns the tree, or None and one located error."""
    tree = LocatedTree(None, file)
    try:
        loader = _Loader(text)
        try:
            tree.data = _compose(loader, tree)
        finally:
            loader.dispose()
    except _Stop as stop:
        line, col, message = stop.diagnostic
        return None, [Diagnostic(file, line, col, message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        lines = text.splitlines()
        if 0 < line <= len(lines) and "\t" in lines[line - 1][:col]:
            message += "; tabs cannot indent YAML, use spaces"
        return None, [Diagnostic(file, line, col, f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(file, 1, 1, f"invalid YAML: {exc}")]
    if tree.data is None:
        return None, [Diagnostic(file, 1, 1, "the file holds no blueprint; it should start with 'mlsd: 1'")]
    return tree, []


_MAYBE_TYPED = frozenset("0123456789+-.~yYnNtTfFoO")


def _scalar(event: ev.ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if tag is None:
        if not event.implicit[0]:
            return value  # quoted: always a string
        if value and value[0] not in _MAYBE_TYPED:
            return value  # plain text no implicit resolver turns into a number, bool or null
    if tag in (None, "!"):
        tag = _resolver.resolve(ScalarNode, event.value, event.implicit)
    if tag not in _ALLOWED_TAGS:
        raise _Stop(*_pos(event.start_mark), f"tag '{_short(event.tag)}' is not allowed; blueprints hold plain data only")
    if tag in (_TAG + "str", _TAG + "timestamp"):
        return event.value
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError) as exc:
        raise _Stop(*_pos(event.start_mark), f"invalid value {event.value!r}: {exc}") from None


def _size(value: Any) -> int:
    """Number of nodes in a composed value (used to bound alias expansion)."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


_NO_KEY = object()
_KEY_TYPES = (ev.ScalarEvent,)


def _compose(loader, tree: LocatedTree) -> Any:
    """Compose parser events into plain data, recording the mark of every key and value.

    Iterative (no recursion, so nesting is bounded by MAX_DEPTH, not the C stack)
    and O(events). Frames are lists: [container, path, is_mapping, pending_key, key_mark, anchor].
    """
    values, keys = tree.values, tree.keys
    stack: list[list] = []
    anchors: dict[str, tuple[Any, int]] = {}
    alias_nodes = 0
    root: Any = None
    documents = 0
    check_event, get_event = loader.check_event, loader.get_event
    scalar_event, alias_event = ev.ScalarEvent, ev.AliasEvent
    mapping_start, sequence_start = ev.MappingStartEvent, ev.SequenceStartEvent
    collection_end = (ev.MappingEndEvent, ev.SequenceEndEvent)

    while check_event():
        event = get_event()
        kind = type(event)
        frame = stack[-1] if stack else None
        if frame is not None and frame[2] and frame[3] is _NO_KEY and kind not in collection_end:
            # This event is a mapping key.
            if kind is not scalar_event:
                raise _Stop(*_pos(event.start_mark), "mapping keys must be plain strings")
            key = event.value
            if key == "<<" and event.tag is None and event.implicit[0]:
                raise _Stop(*_pos(event.start_mark), "merge keys ('<<') are not supported; write the fields out")
            if key in frame[0]:
                first = keys[frame[1] + (key,)].line + 1
                raise _Stop(*_pos(event.start_mark), f"duplicate key '{key}' (first defined on line {first})")
            frame[3], frame[4] = key, event.start_mark
            continue
        if kind is scalar_event or kind is alias_event or kind is mapping_start or kind is sequence_start:
            if frame is None:
                path: Path = ()
            elif frame[2]:
                path = frame[1] + (frame[3],)
            else:
                path = frame[1] + (len(frame[0]),)
            values[path] = event.start_mark
            if kind is scalar_event:
                value = _scalar(event)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif kind is alias_event:
                if event.anchor not in anchors:
                    raise _Stop(*_pos(event.start_mark), f"unknown alias '*{event.anchor}'")
                value, size = anchors[event.anchor]
                alias_nodes += size
                if alias_nodes > MAX_ALIAS_NODES:
                    raise _Stop(*_pos(event.start_mark),
                                f"aliases expand to more than {MAX_ALIAS_NODES} nodes; is this an alias bomb?")
            else:
                if event.tag is not None and event.tag != "!" and event.tag not in _ALLOWED_TAGS:
                    raise _Stop(*_pos(event.start_mark),
                                f"tag '{_short(event.tag)}' is not allowed; blueprints hold plain data only")
                if len(stack) >= MAX_DEPTH:
                    raise _Stop(*_pos(event.start_mark), f"nesting is deeper than {MAX_DEPTH} levels")
                is_mapping = kind is mapping_start
                stack.append([{} if is_mapping else [], path, is_mapping, _NO_KEY, None, event.anchor])
                continue
        elif kind in collection_end:
            container, path, _, _, _, anchor = stack.pop()
            if anchor is not None:
                anchors[anchor] = (container, _size(container))
            value = container
            frame = stack[-1] if stack else None
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Stop(*_pos(event.start_mark), "a blueprint file holds one YAML document; found a second '---'")
            continue
        else:
            continue
        # Attach the finished value to its parent.
        if frame is None:
            root = value
        elif frame[2]:
            key = frame[3]
            frame[0][key] = value
            keys[frame[1] + (key,)] = frame[4]
            frame[3] = _NO_KEY
        else:
            frame[0].append(value)
    return root
