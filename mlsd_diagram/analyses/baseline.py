"""A lint baseline: the findings a project has already seen, so a check fails only on new ones.

The baseline is the JSON document ``mlsd lint --format json`` writes. A finding is *in* the
baseline when an entry has the same rule, file, component, flow identity (``"app -> gateway
(request)"``, see :mod:`.identity`) and message: never the line or the flow's index, so
moving, reordering or inserting lines keeps old findings matched. Matching is one to one: two
identical findings need two entries. Entries from a JSON file written before findings carried
``flow_id`` match a flow finding by rule, file, component and message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding
from .identity import match


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a ``mlsd lint --format json`` document."""


@dataclass(frozen=True)
class BaselineEntry:
    """One finding recorded in a baseline."""

    rule: str
    file: str
    message: str
    component: str | None = None
    flow_id: str | None = None
    legacy_flow: bool = False  # a flow finding recorded without its flow_id


def _same_file(path: str) -> str:
    # `blueprints/a.yaml` and `./blueprints/a.yaml` are one file; the baseline was written from the same folder
    return Path(os.path.normpath(path)).as_posix()


def load_baseline(path: str | os.PathLike) -> list[BaselineEntry]:
    """The entries of a baseline file. Raises :class:`BaselineError` with a one-line reason."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {name}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(
            f"baseline {name} is not JSON ({exc}); write one with `mlsd lint FILES --format json -o BASELINE`"
        ) from None
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(
            f"baseline {name} has no 'findings' list; write one with `mlsd lint FILES --format json -o BASELINE`"
        )
    entries = []
    for i, item in enumerate(findings):
        fields = item if isinstance(item, dict) else {}
        rule, file, message = fields.get("rule"), fields.get("file"), fields.get("message")
        if not (isinstance(rule, str) and isinstance(file, str) and isinstance(message, str)):
            raise BaselineError(f"baseline {name}: finding {i} needs 'rule', 'file' and 'message' strings")
        component, flow_id = fields.get("component"), fields.get("flow_id")
        entries.append(
            BaselineEntry(
                rule,
                _same_file(file),
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
    # (key, finding index) for the findings; (key, None) for the entries
    current = [((f.rule, _same_file(f.file), f.component, f.flow_id, f.message), i) for i, f in enumerate(findings)]
    recorded = [((e.rule, e.file, e.component, e.flow_id, e.message), None) for e in entries if not e.legacy_flow]
    pairs, _, rest = match(recorded, current, key=lambda item: item[0])
    known = {i for _, (_, i) in pairs}
    legacy = [((e.rule, e.file, e.component, e.message), None) for e in entries if e.legacy_flow]
    if legacy:  # flow findings recorded before they carried flow_id: match without it
        flows = [((k[0], k[1], k[2], k[4]), i) for k, i in rest if k[3] is not None]
        more, _, _ = match(legacy, flows, key=lambda item: item[0])
        known |= {i for _, (_, i) in more}
    return [i in known for i in range(len(findings))]
