"""What a lint rule reports: a located :class:`Finding`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

if TYPE_CHECKING:  # pragma: no cover
    from .practices import Practice

from ..printable import one_line
from .identity import finding_about

SEVERITIES = ("error", "warning", "note")
SEVERITY_RANK = {"error": 0, "warning": 1, "note": 2}


class FindingDict(TypedDict):
    """A finding as JSON (:meth:`Finding.to_dict`; docs/lint.md, "JSON output")."""

    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    component: str | None
    flow: int | None
    flow_id: str | None
    accepted: bool
    reason: str | None


class Hit(NamedTuple):
    """What a rule function yields: a message and the component or flow it is about.

    With neither, the finding is about the whole design and points at the top of the file.
    ``practice`` is the optional practice whose blank field the hit rests on (:mod:`.practices`):
    the review profile turns the hits of a practice the design uses nowhere into one note.
    """

    message: str
    component: str | None = None
    flow: int | None = None
    practice: Practice | None = None


@dataclass(frozen=True)
class Finding:
    """One lint finding, located at the component or flow it is about (1-based line and column)."""

    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    component: str | None = None
    flow: int | None = None
    accepted: bool = False
    reason: str | None = None
    flow_id: str | None = None  # the flow's identity, "from -> to (mode)", which survives reordering

    def identity(self) -> tuple[str, str, str]:
        """What the finding is about, whatever line it is on (:func:`.identity.finding_about`)."""
        return finding_about(self)

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: file, line, column, rule, then what it is about."""
        return (
            self.file,
            self.line,
            self.column,
            self.rule,
            self.component or "",
            -1 if self.flow is None else self.flow,
            self.message,
        )

    def to_dict(self) -> FindingDict:
        """The JSON form documented in docs/lint.md, "JSON output" (``mlsd lint --format json``)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "component": self.component,
            "flow": self.flow,
            "flow_id": self.flow_id,
            "accepted": self.accepted,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        status = f", accepted: {self.reason}" if self.accepted else ""
        return one_line(  # one line whatever the file name, message or reason hold
            f"{self.file}:{self.line}:{self.column}: {self.rule} {self.name} ({self.severity}{status}): {self.message}"
        )
