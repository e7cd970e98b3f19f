"""A lint baseline: the findings a project has already seen, so a check fails only on new ones.

The baseline is the JSON document ``mlsd lint --format json`` writes. A finding is *in* the
baseline when an entry has the same rule, file, component, flow identity (``"app -> gateway
(request)"``) and message (:func:`.identity.recorded_key`): never the line or the flow's index, so
moving, reordering or inserting lines keeps old findings matched. Matching is one to one: two
identical findings need two entries. Entries from a JSON file written before findings carried
``flow_id`` match a flow finding by rule, file, component and message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..blueprint.located import MAX_DEPTH, NotReadable, read_regular
from .findings import Finding
from .identity import match, recorded_key, same_file

# A baseline of every finding of many designs at the limits runs to a few MiB; 522 MB took 31 s and 2.2 GB.
MAX_BASELINE_BYTES = 32 * 2**20
# Longest number read: a count or a line fits in far fewer digits; Python refuses ints past 4,300 digits.
MAX_DIGITS = 30
_WRITE_ONE = "write one with `mlsd lint FILES --format json -o BASELINE`"


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a ``mlsd lint --format json`` document.

    ``line`` and ``column`` (1-based) locate the problem in the file."""

    def __init__(self, message: str, file: str = "", line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.file, self.line, self.column = file, line, column


class _LongNumber(ValueError):
    pass


def _too_long(number: str) -> bool:
    """A whole number past MAX_DIGITS digits (its sign aside), a real one past MAX_DIGITS + 10 characters."""
    if any(c in number for c in ".eE"):
        return len(number) > MAX_DIGITS + 10
    return len(number.lstrip("-")) > MAX_DIGITS


def _whole_number(text: str) -> int:
    if _too_long(text):
        raise _LongNumber(text)
    return int(text)


def _real_number(text: str) -> float:
    if _too_long(text):
        raise _LongNumber(text)
    return float(text)


# Strings (skipped whole), brackets and numbers: enough to find where a JSON text nests too deep or
# holds too long a number, in one pass of the regex engine.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|-?[0-9][0-9.eE+-]*')


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _find(text: str, deep: bool) -> tuple[int, int]:
    """Where ``text`` first nests deeper than MAX_DEPTH (``deep``) or holds a number the parse refuses as too long."""
    depth = 0
    for token in _TOKENS.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if deep and depth > MAX_DEPTH:
                return _position(text, token.start())
        elif first in "]}":
            depth -= 1
        elif first != '"' and not deep and _too_long(token.group()):
            return _position(text, token.start())
    return 1, 1


def _parse(name: str, text: str) -> object:
    """The JSON document in ``text``, within the blueprint reader's limits (nesting, number size)."""
    try:
        return json.loads(text, parse_int=_whole_number, parse_float=_real_number)
    except RecursionError:
        line, column = _find(text, deep=True)
        raise BaselineError(f"nesting is deeper than {MAX_DEPTH} levels; {_WRITE_ONE}", name, line, column) from None
    except _LongNumber:
        line, column = _find(text, deep=False)
        raise BaselineError(f"a number longer than {MAX_DIGITS} digits; {_WRITE_ONE}", name, line, column) from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"not JSON ({exc.msg}); {_WRITE_ONE}", name, exc.lineno, exc.colno) from None
    except ValueError as exc:  # what json's own number handling refuses
        raise BaselineError(f"not JSON ({exc}); {_WRITE_ONE}", name) from None


@dataclass(frozen=True)
class BaselineEntry:
    """One finding recorded in a baseline."""

    rule: str
    file: str
    message: str
    component: str | None = None
    flow_id: str | None = None
    legacy_flow: bool = False  # a flow finding recorded without its flow_id


def load_baseline(path: str | os.PathLike[str]) -> list[BaselineEntry]:
    """The entries of a baseline file. Raises :class:`BaselineError` with a one-line reason."""
    name = os.fspath(path)
    try:
        raw = read_regular(name, MAX_BASELINE_BYTES, what="baselines")
    except NotReadable as exc:
        raise BaselineError(str(exc), name) from None
    except OSError as exc:
        raise BaselineError(f"cannot read file: {exc.strerror or exc}", name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line, column = _position(before, len(before))
        raise BaselineError(f"not UTF-8 text; {_WRITE_ONE}", name, line, column) from None
    document = _parse(name, text.removeprefix("\ufeff"))
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(f"no 'findings' list; {_WRITE_ONE}", name)
    entries = []
    for i, item in enumerate(findings):
        fields = item if isinstance(item, dict) else {}
        rule, file, message = fields.get("rule"), fields.get("file"), fields.get("message")
        if not (isinstance(rule, str) and isinstance(file, str) and isinstance(message, str)):
            raise BaselineError(f"finding {i} needs 'rule', 'file' and 'message' strings", name)
        component, flow_id = fields.get("component"), fields.get("flow_id")
        entries.append(
            BaselineEntry(
                rule,
                same_file(file),
                message,
                component if isinstance(component, str) else None,
                flow_id if isinstance(flow_id, str) else None,
                fields.get("flow") is not None and "flow_id" not in fields,
            )
        )
    return entries


def in_baseline(findings: Sequence[Finding], baseline: Iterable[BaselineEntry]) -> list[bool]:
    """For each finding, whether the baseline holds it (matched one to one, lines ignored). O(n)."""
    entries = list(baseline)
    # (key, finding index) for the findings; (key, None) for the entries (:func:`.identity.recorded_key`)
    current = [(recorded_key(f, f.file), i) for i, f in enumerate(findings)]
    recorded = [(recorded_key(e, e.file), None) for e in entries if not e.legacy_flow]
    pairs, _, rest = match(recorded, current, key=lambda item: item[0])
    known = {i for _, (_, i) in pairs}
    legacy = [(_without_flow(recorded_key(e, e.file)), None) for e in entries if e.legacy_flow]
    if legacy:  # flow findings recorded before they carried flow_id: match without it
        flows = [(_without_flow(k), i) for k, i in rest if k[3]]
        more, _, _ = match(legacy, flows, key=lambda item: item[0])
        known |= {i for _, (_, i) in more}
    return [i in known for i in range(len(findings))]


def _without_flow(key: tuple[str, str, str, str, str]) -> tuple[str, str, str, str]:
    rule, file, component, _, message = key
    return (rule, file, component, message)
