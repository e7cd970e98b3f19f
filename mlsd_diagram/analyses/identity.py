"""What stays the same about a flow or a finding when lines move: their identity.

The one home of identity: :func:`flow_ids` (a flow), :func:`finding_about` (what a finding is
about: ``mlsd diff``), :func:`recorded_key` (a finding in a baseline) and :func:`fingerprint` (a
SARIF result), all built from the same terms. None of them uses a line or a flow's index.

A component is known by its id. A flow has no id of its own and its index changes
whenever a flow is inserted above it, so it is known by its ends and mode,
``"app -> gateway (request)"``; a second flow with the same ends and mode is
``"app -> gateway (request) #2"``. Component ids contain no spaces, so the text
is unambiguous. Lint findings name the flow they are about this way too
(:attr:`Finding.flow_id <mlsd_diagram.analyses.findings.Finding.flow_id>`), which is what lets a
baseline, a SARIF fingerprint and ``mlsd diff`` follow a finding across edits.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from ..blueprint.models import Blueprint, Mode

_MODE_TEXT = {mode: mode.value for mode in Mode}  # `.value` is a slow descriptor on Python 3.11

T = TypeVar("T")


class Identified(Protocol):
    """What identity reads of a finding (a :class:`~.findings.Finding` or a baseline entry)."""

    @property
    def rule(self) -> str: ...
    @property
    def component(self) -> str | None: ...
    @property
    def flow_id(self) -> str | None: ...
    @property
    def message(self) -> str: ...


def flow_ids(blueprint: Blueprint) -> list[str]:
    """Each flow's identity, by index: ``"from -> to (mode)"``, with ``" #n"`` from the second repeat on.

    O(flows).
    """
    seen: dict[str, int] = {}
    result = []
    for flow in blueprint.flows:
        base = f"{flow.source} -> {flow.target} ({_MODE_TEXT[flow.mode]})"
        seen[base] = seen.get(base, 0) + 1
        result.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return result


def match(
    old: Sequence[T], new: Sequence[T], key: Callable[[T], Hashable], prefer: Callable[[T], Hashable] | None = None
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair items of ``old`` and ``new`` with equal ``key``: (pairs, only in old, only in new).

    Items with equal keys pair up one to one (a multiset match); among them, those whose
    ``prefer`` value is equal too pair first (e.g. findings whose message did not change),
    the rest in order. Orders are kept: pairs and leftovers follow ``new`` and ``old``.
    O(len(old) + len(new)).
    """
    waiting: dict[Hashable, list[int]] = {}
    for i, item in enumerate(old):
        waiting.setdefault(key(item), []).append(i)
    taken: dict[int, int] = {}  # new index -> old index
    later: list[int] = []
    for j, item in enumerate(new):
        candidates = waiting.get(key(item))
        if not candidates:
            continue
        if prefer is not None:
            wanted = prefer(item)
            exact = next((k for k, i in enumerate(candidates) if prefer(old[i]) == wanted), None)
            if exact is None:
                later.append(j)
                continue
            taken[j] = candidates.pop(exact)
        else:
            taken[j] = candidates.pop(0)
    for j in later:  # same key, different `prefer`: pair with what is left, in order
        candidates = waiting.get(key(new[j]))
        if candidates:
            taken[j] = candidates.pop(0)
    used = set(taken.values())
    pairs = [(old[taken[j]], new[j]) for j in sorted(taken)]
    return (
        pairs,
        [item for i, item in enumerate(old) if i not in used],
        [item for j, item in enumerate(new) if j not in taken],
    )


def finding_about(finding: Identified) -> tuple[str, str, str]:
    """What a finding is about, whatever line it is on: (rule, component, flow identity).

    Design-wide findings (no component, no flow) of one rule share it; callers that must tell
    them apart add the message (``mlsd diff`` prefers pairs whose message is unchanged).
    """
    return (finding.rule, finding.component or "", finding.flow_id or "")


def same_file(path: str) -> str:
    """One spelling per file: ``blueprints/a.yaml`` and ``./blueprints/a.yaml`` are one file."""
    return Path(os.path.normpath(path)).as_posix()


def recorded_key(finding: Identified, file: str) -> tuple[str, str, str, str, str]:
    """A finding as a baseline knows it: rule, file, component, flow identity and message."""
    rule, component, flow = finding_about(finding)
    return (rule, same_file(file), component, flow, finding.message)


def fingerprint(finding: Identified, uri: str) -> str:
    """A SARIF ``partialFingerprints`` value: a hash of what the finding is about, stable across moved lines.

    Rule, file (its ``uri``), component and flow identity; a design-wide finding (neither
    component nor flow) adds its message, so two of one rule are told apart.
    """
    rule, component, flow = finding_about(finding)
    about = f"{rule}|{uri}|{component}|{flow}"
    if finding.component is None and finding.flow_id is None:
        about += "|" + finding.message
    return hashlib.sha256(about.encode("utf-8")).hexdigest()[:32]
