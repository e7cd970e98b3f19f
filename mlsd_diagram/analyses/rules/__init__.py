"""The rule catalog: one function per rule, in a module per category (split by concern where a category
is large: failure, latency and capacity for MLSD2xx; data, labels and privacy for MLSD4xx).

>>> from mlsd_diagram.analyses.rules import RULES
>>> RULES["MLSD201"].name
'no-fallback'
"""

from collections.abc import Iterable

from . import (  # noqa: F401 - registers the rules
    capacity,
    data,
    evaluation,
    failure,
    labels,
    latency,
    lifecycle,
    monitoring,
    privacy,
    structure,
)
from .registry import _REGISTERED, CATEGORIES, Rule, RuleCatalog, rule

RULES = RuleCatalog(_REGISTERED.values())


def all_rules() -> list[Rule]:
    """Every rule, ordered by id."""
    return list(RULES)


def rules_markdown(rules: Iterable[Rule] | None = None) -> str:
    """The rule table of ``mlsd rules --format markdown`` (the docs' rule pages: scripts/gen_docs.py)."""
    rows = ["| id | name | severity | category | what it flags | source |", "|---|---|---|---|---|---|"]
    for r in rules if rules is not None else RULES:
        rows.append(
            f"| {r.id} | `{r.name}` | {r.severity} | {r.category} | {r.summary.replace('|', '/')} | {r.source} |"
        )
    return "\n".join(rows) + "\n"


__all__ = ["CATEGORIES", "RULES", "Rule", "RuleCatalog", "all_rules", "rule", "rules_markdown"]
