"""Text -> a plain Python tree plus the line and column of every key and value.

PyYAML's safe parser (libyaml when available) produces the events; this module
composes them into dicts, lists and scalars itself, iteratively, so that it can
keep positions, report duplicate keys, refuse non-standard tags and merge keys, and
bound nesting depth and alias expansion before any of them can hurt.

The messages are ours: libyaml and PyYAML's pure-Python parser word the same syntax
error differently (and reword it between releases), so each is mapped to one message
of this module, at one position, whichever parser produced the events (see
:func:`yaml_loader`).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from ..diagnostics import Diagnostic
from .limits import COLLECTIONS, FIELDS_PER_MAPPING, ITEMS_PER_LIST

Path = tuple[str | int, ...]
Position = tuple[int, int]

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000

# The parsers that can produce the events, by the name MLSD_YAML_LOADER and yaml_loader() take.
LOADERS = {"c": "CSafeLoader", "python": "SafeLoader"}
_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_resolver = Resolver()


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


_constructor = SafeConstructor()


def yaml_loader(name: str | None = None) -> type:
    """The PyYAML loader class whose parser produces the events.

    ``"c"`` is libyaml's (the default when PyYAML was built with it), ``"python"`` PyYAML's own
    pure-Python parser. Without a name, the environment variable ``MLSD_YAML_LOADER`` decides
    (the tests run the corpus with each). Both give the same trees and the same diagnostics.
    """
    name = name or os.environ.get("MLSD_YAML_LOADER") or ("c" if hasattr(yaml, LOADERS["c"]) else "python")
    if name not in LOADERS:
        raise ValueError(f"unknown YAML loader {name!r}; use one of: {', '.join(LOADERS)}")
    if not hasattr(yaml, LOADERS[name]):
        raise ValueError(f"the {name!r} YAML loader needs PyYAML built with libyaml")
    return getattr(yaml, LOADERS[name])


@dataclass
class LocatedTree:
    """A parsed YAML document with the 1-based position of each key and value."""

    data: Any
    file: str
    values: dict[Path, Any] = field(default_factory=dict)  # path -> yaml Mark (0-based)
    keys: dict[Path, Any] = field(default_factory=dict)
    # Keys that a comma made out of plain text (`{data: a, b}`): path -> (the value they split, hint).
    hints: dict[Path, tuple[Path, str]] = field(default_factory=dict)

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


class NotReadable(Exception):
    """A file that is not read: not a regular file (a FIFO, a device, a folder), or larger than its limit."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def read_regular(name: str, limit: int, what: str = "blueprints") -> bytes:
    """The bytes of the regular file ``name``, refused (:class:`NotReadable`) when it is anything else
    or holds more than ``limit`` bytes; :class:`OSError` when the system refuses.

    Opened without blocking, so a FIFO (whose open would wait for a writer forever) is seen for what
    it is, and checked on the open descriptor, so a file swapped after a check cannot slip through.
    """
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((word for test, word in _KINDS if test(info.st_mode)), "not a regular file")
            raise NotReadable(f"not a regular file ({kind}); {what} are read from regular files only")
        if info.st_size > limit:
            raise NotReadable(f"file is {info.st_size / 2**20:.1f} MiB; {what} are limited to {limit / 2**20:g} MiB")
        chunks, size = [], 0
        while size <= limit:  # a file still growing is read to one byte past the limit, no further
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _pos(mark) -> Position:
    return (mark.line + 1, mark.column + 1)


def decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text: size limit, binary data, UTF-8 (a leading byte-order mark is dropped)."""
    if len(raw) > MAX_BYTES:
        size = len(raw) / (1024 * 1024)
        return None, [
            Diagnostic(
                file, 1, 1, f"file is {size:.1f} MiB; blueprints are limited to {MAX_BYTES // (1024 * 1024)} MiB"
            )
        ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        return None, [
            Diagnostic(file, line, col, "file contains a NUL byte; is it a binary file? a blueprint is UTF-8 text")
        ]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return None, [
            Diagnostic(file, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")
        ]


def _byte_position(raw: bytes, offset: int) -> Position:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[line_start:offset].decode("utf-8", "replace")) + 1


TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels"
# YAML's printable characters (YAML 1.1, 5.1); both parsers refuse the others, in different
# words and at different positions (libyaml counts bytes there, PyYAML characters).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what both parsers count as a new line


class _Source:
    """The text by the lines that the parsers' marks count (split only when a message needs it)."""

    def __init__(self, text: str):
        self.text = text
        self._lines: list[str] | None = None

    def line(self, number: int) -> str:
        """Line ``number`` (1-based), or an empty string past the end."""
        if self._lines is None:
            self._lines = _BREAK.split(self.text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def char(self, line: int, column: int) -> str:
        """The character at a 1-based position, or an empty string."""
        text = self.line(line)
        return text[column - 1] if 0 < column <= len(text) else ""


def parse(text: str, file: str, loader: str | None = None) -> tuple[LocatedTree | None, list[Diagnostic]]:
    """Parse one YAML document safely, with the parser :func:`yaml_loader` picks for ``loader``.

    Returns the tree and the errors that leave the rest readable (duplicate keys), or None and
    the one error that stops reading.
    """
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line, col = _text_position(text, bad.start())
        return None, [
            Diagnostic(
                file, line, col, f"control character U+{ord(bad.group()):04X} is not allowed; a blueprint is plain text"
            )
        ]
    loader_class = yaml_loader(loader)
    source = _Source(text)
    tree = LocatedTree(None, file)
    errors: list[Diagnostic] = []
    try:
        events = loader_class(text)
        try:
            tree.data = _compose(events, tree, source, errors)
        finally:
            events.dispose()
    except _Stop as stop:
        # Fatal: what follows cannot be read reliably, or holds something we refuse to give meaning
        # to (a tag, a merge key, an alias bomb). Duplicate keys found before it are not reported:
        # how far each parser has read ahead when it stops differs, and the report must not.
        return None, [Diagnostic(file, *stop.diagnostic)]
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem) and loader_class is not yaml.SafeLoader:
            # libyaml's scanner reads far ahead and stops at a limit of its own (1,000 levels) before
            # the composer sees level 65; the pure-Python parser has no limit, so with it the composer
            # stops where ours is exceeded, at the position either parser would give.
            deeper_tree, errors = parse(text, file, loader="python")
            if deeper_tree is None:
                return None, errors
        return None, [Diagnostic(file, *_syntax_error(exc, source))]
    except yaml.YAMLError:  # pragma: no cover - printable text leaves only marked errors
        return None, [Diagnostic(file, 1, 1, "invalid YAML")]
    if tree.data is None:
        return None, [Diagnostic(file, 1, 1, "the file holds no blueprint; it should start with 'mlsd: 1'")]
    return tree, errors


def _text_position(text: str, index: int) -> Position:
    line, line_start = 1, 0
    for found in _BREAK.finditer(text, 0, index):
        line, line_start = line + 1, found.end()
    return line, index - line_start + 1


_TABS = "tabs cannot indent YAML, use spaces"
_DIRECTIVE = "invalid or unsupported '%' directive"
_TAB_INDENT = "this line is indented with a tab; YAML is indented with spaces"
_COLON = "a ':' inside {...} or [...] needs a space after it; write 'key: value', or quote the text"
# A parser's syntax error, matched by its words (libyaml's or PyYAML's, "context: problem" in lower
# case), -> our message. First match wins. {opened} is the line of what was being parsed, {char}
# the character at the error, {escape} the one after it.
_SYNTAX = (
    (r"nesting depth", TOO_DEEP),
    (r"tab character", _TAB_INDENT),
    (r"',' or '\}'", "expected ',' or '}' in the {...} mapping opened on line {opened}"),
    (r"',' or '\]'", "expected ',' or ']' in the [...] list opened on line {opened}"),
    (r"block mapping", "expected a key of the mapping that starts on line {opened}; check the indentation"),
    (r"block collection", "expected a '- ' item of the list that starts on line {opened}; check the indentation"),
    (r"node content", "expected a value here"),
    (r"document start", "unexpected text after the end of the document"),
    (r"cannot start any token", "'{char}' cannot start a value; quote the text"),
    (r"simple key", "expected ':' after the key on line {opened}"),
    (r"unexpected ':'", _COLON),
    (
        r"mapping values are not allowed",
        "':' is not allowed here; quote text that contains ': ', or check the indentation",
    ),
    (r"sequence entries are not allowed", "a '- ' list item is not allowed here; check the indentation"),
    (r"mapping keys are not allowed", "a '? ' key is not allowed here"),
    (
        r"unknown escape",
        "unknown escape '\\{escape}' in double-quoted text; write '\\\\' for a backslash, or use single quotes",
    ),
    (
        r"hexa?decimal|unicode character escape",
        "invalid escape in double-quoted text: '\\x', '\\u' and '\\U' take 2, 4 and 8 hexadecimal digits",
    ),
    (r"quoted scalar", "the quoted text opened on line {opened} is not closed"),
    (r"block scalar", "invalid '|' or '>' header: only '+', '-', a digit 1-9 and a comment may follow it"),
    (r"anchor|alias", "an anchor ('&') or alias ('*') needs a name of letters, digits, '-' or '_'"),
    (r"\btag\b|\buri\b", "invalid tag; blueprints hold plain data and need no tags"),
    (r"directive|incompatible yaml document", _DIRECTIVE),
)


def _syntax_error(exc: yaml.MarkedYAMLError, source: _Source) -> tuple[int, int, str]:
    """A parser's syntax error -> (line, column, our message)."""
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark) if mark else (1, 1)
    # PyYAML adds what it found instead ("..., but found '<block mapping start>'"): not matched.
    problem = re.sub(r",? but (found|got) .*", "", exc.problem or "", flags=re.S)
    said = f"{exc.context or ''}: {problem}".lower()
    if "escape" in said and source.char(line, col) != "\\" and source.char(line, col - 1) == "\\":
        col -= 1  # libyaml points at the backslash, PyYAML at the letter after it
    message = next((text for pattern, text in _SYNTAX if re.search(pattern, said)), "invalid syntax")
    if message == TOO_DEEP:
        return line, col, message
    char = source.char(line, col)
    if char == "\t":
        message = _TAB_INDENT  # libyaml and PyYAML each word a tab in the indentation differently
    opened = exc.context_mark.line + 1 if exc.context_mark else line
    message = (
        message.replace("{opened}", str(opened)).replace("{char}", char).replace("{escape}", source.char(line, col + 1))
    )
    if message != _TAB_INDENT:
        message += _tab_hint(source, line, col)
    return line, col, f"invalid YAML: {message}"


_MAYBE_TYPED = frozenset("0123456789+-.~yYnNtTfFoO")


def _scalar(event: ev.ScalarEvent) -> Any:
    tag = event.tag
    value = event.value
    if event.style == '"':  # the one style with escapes: "\e[2J" or "\x01" decode to what the text may not hold
        bad = _NOT_PRINTABLE.search(value)
        if bad:
            raise _Stop(
                *_pos(event.start_mark),
                f"control character U+{ord(bad.group()):04X} (written as an "
                "escape) is not allowed; a blueprint holds plain text",
            )
    if tag is None:
        if not event.implicit[0]:
            return value  # quoted: always a string
        if value and value[0] not in _MAYBE_TYPED:
            return value  # plain text no implicit resolver turns into a number, bool or null
    if tag in (None, "!"):
        tag = _resolver.resolve(ScalarNode, event.value, event.implicit)
    if tag not in _ALLOWED_TAGS:
        raise _Stop(
            *_pos(event.start_mark), f"tag '{_short(event.tag or '')}' is not allowed; blueprints hold plain data only"
        )
    if tag in (_TAG + "str", _TAG + "timestamp"):
        return event.value
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark)  # type: ignore[arg-type]  # C or Python marks
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


class _Duplicate:
    """Stands for a repeated key while its value is composed and dropped (the first one is kept)."""


def _compose(loader, tree: LocatedTree, source: _Source, errors: list[Diagnostic]) -> Any:
    """Compose parser events into plain data, recording the mark of every key and value.

    Iterative (no recursion, so nesting is bounded by MAX_DEPTH, not the C stack) and O(events).
    Duplicate keys go to ``errors`` and reading goes on; other problems raise _Stop. Frames are
    lists: [container, path, is_mapping, pending_key, key_event, anchor, is_flow_mapping,
    last_entry, split_keys, most]; ``most`` is twice the limit of a counted collection (COLLECTIONS),
    else FIELDS_PER_MAPPING or ITEMS_PER_LIST.
    In a {...} mapping, `{data: latency, errors}` reads as data: latency, errors: null: last_entry
    is (key, value event, value) of the last entry with a value, split_keys the keys without a ':'
    that commas made after its plain text (for a hint in their errors).
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
                errors.append(
                    Diagnostic(
                        tree.file, *_pos(event.start_mark), f"duplicate key '{key}' (first defined on line {first})"
                    )
                )
                key = _Duplicate()
            frame[3], frame[4] = key, event
            continue
        text_split = False  # for a value in a {...} mapping: whether a comma made its key (no ':')
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
                if frame is not None and frame[6] and not event.value and not event.style and event.tag is None:
                    text_split = _absent_value(frame[4], event, source)
            elif kind is alias_event:
                if event.anchor not in anchors:
                    raise _Stop(*_pos(event.start_mark), f"unknown alias '*{event.anchor}'")
                value, size = anchors[event.anchor]
                alias_nodes += size
                if alias_nodes > MAX_ALIAS_NODES:
                    raise _Stop(
                        *_pos(event.start_mark),
                        f"aliases expand to more than {MAX_ALIAS_NODES} nodes; is this an alias bomb?",
                    )
            else:
                if event.tag is not None and event.tag != "!" and event.tag not in _ALLOWED_TAGS:
                    raise _Stop(
                        *_pos(event.start_mark),
                        f"tag '{_short(event.tag)}' is not allowed; blueprints hold plain data only",
                    )
                if len(stack) >= MAX_DEPTH:
                    raise _Stop(*_pos(event.start_mark), TOO_DEEP)
                is_mapping = kind is mapping_start
                stack.append(
                    [
                        {} if is_mapping else [],
                        path,
                        is_mapping,
                        _NO_KEY,
                        None,
                        event.anchor,
                        is_mapping and bool(event.flow_style),
                        None,
                        None,
                        COLLECTIONS[path][0] * 2
                        if path in COLLECTIONS
                        else (FIELDS_PER_MAPPING if is_mapping else ITEMS_PER_LIST),
                    ]
                )
                continue
        elif kind in collection_end:
            container, path, _, _, _, anchor, _, last_entry, split_keys, _ = stack.pop()
            if split_keys is not None:
                _hint_commas(tree, path, last_entry, split_keys)
            if anchor is not None:
                anchors[anchor] = (container, _size(container))
            value = container
            frame = stack[-1] if stack else None
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Stop(*_pos(event.start_mark), "a blueprint file holds one YAML document; found a second '---'")
            if event.start_mark.line != event.end_mark.line:
                _check_directives(source, event)
            continue
        else:
            continue
        # Attach the finished value to its parent.
        if frame is None:
            root = value
        elif frame[2]:
            key = frame[3]
            if frame[6]:
                if text_split:
                    if frame[8] is not None or _plain_text(frame[7]):
                        frame[8] = (frame[8] or []) + [key]
                else:
                    if frame[8] is not None:
                        _hint_commas(tree, frame[1], frame[7], frame[8])
                        frame[8] = None
                    frame[7] = (key, event, value)
            if not isinstance(key, _Duplicate):
                frame[0][key] = value
                keys[frame[1] + (key,)] = frame[4].start_mark
                if frame[9] is not None and len(frame[0]) > frame[9]:
                    _too_many(frame, frame[4].start_mark)
            frame[3] = _NO_KEY
        else:
            frame[0].append(value)
            if frame[9] is not None and len(frame[0]) > frame[9]:
                _too_many(frame, values[frame[1] + (len(frame[0]) - 1,)])
    return root


def _too_many(frame: list, mark: Any) -> None:
    """Stop reading at the item (``mark``) that makes a counted collection longer than twice its limit.

    Up to twice its limit a collection is read whole, so that its count is reported with every other
    error (blueprint/checks.py); past that, a file of 100,000s of flows costs no more than one at the limits.
    """
    if frame[1] not in COLLECTIONS:
        raise _Stop(
            *_pos(mark),
            f"more than {frame[9]:,} {'fields in one mapping' if frame[2] else 'items in one list'}; reading stops "
            "here (the resource limits are listed in the docs, Security)",
        )
    limit, what = COLLECTIONS[frame[1]]
    raise _Stop(
        *_pos(mark),
        f"more than {2 * limit:,} {what} are declared, twice the limit of {limit:,}; reading stops "
        "here (the resource limits are listed in the docs, Security)",
    )


def _absent_value(key: Any, event: ev.ScalarEvent, source: _Source) -> bool:
    """Whether an empty value in a {...} mapping stands for no ':' at all (`{data: a, b}`: 'b')."""
    mark, end = event.start_mark, key.end_mark
    assert mark is not None and end is not None  # parser events always carry their marks
    if (mark.line, mark.column) == (end.line, end.column):
        return True
    line, col = mark.line + 1, mark.column + 1
    if not key.style and source.char(line, col - 1) == ":" and source.char(line, col) in (",", "]", "}"):
        # `{b:, c}`: libyaml refuses a ':' right after a plain key and before ',', ']' or '}',
        # PyYAML's own parser reads an empty value; refused here too, so that both agree.
        raise _Stop(line, col - 1, "invalid YAML: " + _COLON + _tab_hint(source, line, col - 1))
    return False


def _plain_text(entry: tuple | None) -> bool:
    """Whether a {...} mapping entry (key, value event, value) holds plain text a comma can cut."""
    if entry is None:
        return False
    key, event, value = entry
    return (
        isinstance(key, str)
        and type(event) is ev.ScalarEvent
        and not event.style
        and event.tag is None
        and isinstance(value, str)
        and value != ""
    )


def _hint_commas(tree: LocatedTree, path: Path, last_entry: tuple, split_keys: list) -> None:
    """Record, for each key a comma cut from plain text, the hint: quote the whole text."""
    field_name, _, text = last_entry
    whole = ", ".join([text, *(k for k in split_keys if isinstance(k, str))])
    quoted = '"' + whole.replace("\\", "\\\\").replace('"', '\\"') + '"'
    hint = f"the comma after '{text}' ends the value in a {{...}} mapping: quote the text ({field_name}: {quoted})"
    for key in split_keys:
        tree.hints[path + (key,)] = (path + (field_name,), hint)


def _check_directives(source: _Source, event: ev.DocumentStartEvent) -> None:
    """Refuse unknown '%' directives: libyaml does, PyYAML's own parser skips them (so both refuse)."""
    start, end = event.start_mark, event.end_mark
    assert start is not None and end is not None  # parser events always carry their marks
    for line in range(start.line + 1, end.line + 1):
        name = re.match(r"%([0-9A-Za-z_-]*)", source.line(line))
        if name and name.group(1) not in ("YAML", "TAG"):
            raise _Stop(line, name.end() + 1, "invalid YAML: " + _DIRECTIVE)


def _tab_hint(source: _Source, line: int, col: int) -> str:
    return "; " + _TABS if "\t" in source.line(line)[:col] else ""
