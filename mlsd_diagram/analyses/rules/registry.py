"""The rule registry: a decorator that records each rule function with its metadata."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from ..findings import SEVERITIES, Hit

CATEGORIES = {
    "1": "structure",
    "2": "failure and degradation",
    "3": "monitoring",
    "4": "data",
    "5": "model lifecycle",
    "6": "evaluation and experimentation",
}
ID_RE = re.compile(r"^MLSD[1-6]\d\d$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


Check = Callable[..., Iterable[Hit]]  # a rule function: takes the Design, yields Hits
C = TypeVar("C", bound=Check)
D = TypeVar("D")


@dataclass(frozen=True)
class Rule:
    """A design rule: stable id, kebab-case name, default severity, and its page (the docstring)."""

    id: str
    name: str
    severity: str
    category: str
    source: str
    check: Check
    aliases: tuple[str, ...] = ()  # former names, still accepted in settings

    @property
    def summary(self) -> str:
        """The first line of the rule's page."""
        return self.doc.split("\n", 1)[0].strip()

    @property
    def doc(self) -> str:
        """The rule's page: what it checks, why it matters, an example, how to fix it."""
        return inspect.cleandoc(self.check.__doc__ or "")


_REGISTERED: dict[str, Rule] = {}


def rule(id: str, name: str, severity: str, source: str, aliases: tuple[str, ...] = ()) -> Callable[[C], C]:  # noqa: A002
    """Register a rule function: ``@rule("MLSD201", "no-fallback", "error", "[SRE] ch. 22")``.

    ``aliases`` are former names of the rule, so that settings written with them keep working.
    """
    if not ID_RE.match(id) or not NAME_RE.match(name) or severity not in SEVERITIES:
        raise ValueError(f"bad rule metadata: {id} {name} {severity}")

    def register(func: C) -> C:
        if id in _REGISTERED or any(r.name == name for r in _REGISTERED.values()):
            raise ValueError(f"rule {id} {name} registered twice")
        if not (func.__doc__ or "").strip():
            raise ValueError(f"rule {id} needs a docstring page")
        _REGISTERED[id] = Rule(id, name, severity, CATEGORIES[id[4]], source, func, tuple(aliases))
        return func

    return register


class RuleCatalog:
    """Every registered rule, ordered by id. Iterating yields :class:`Rule` objects;
    ``catalog["MLSD201"]`` or ``catalog["no-fallback"]`` finds one by id or name."""

    def __init__(self, rules: Iterable[Rule]):
        self._rules = tuple(sorted(rules, key=lambda r: r.id))
        self._index = (
            {a: r for r in self._rules for a in r.aliases}
            | {r.id: r for r in self._rules}
            | {r.name: r for r in self._rules}
        )

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __getitem__(self, key: str) -> Rule:
        return self._index[key.strip() if isinstance(key, str) else key]

    @overload
    def get(self, key: str) -> Rule | None: ...
    @overload
    def get(self, key: str, default: D) -> Rule | D: ...
    def get(self, key: str, default: Any = None) -> Any:
        """The rule with this id or name, else ``default``."""
        return self._index.get(key, default)

    def ids(self) -> list[str]:
        """All rule ids, ascending."""
        return [r.id for r in self._rules]

    def matching(self, selector: str) -> list[Rule]:
        """Rules a selector names: an id, a name, an id prefix (``MLSD2``), or ``ALL``."""
        key = selector.strip()
        if key.upper() == "ALL":
            return list(self._rules)
        if key in self._index:
            return [self._index[key]]
        upper = key.upper()
        if upper.startswith("MLSD") and upper[4:].isdigit():
            return [r for r in self._rules if r.id.startswith(upper)]
        return []
