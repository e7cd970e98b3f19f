"""The rule catalog: one module per category, one function per rule.

>>> from mlsd_diagram.analyses.rules import RULES
>>> RULES["MLSD201"].name
'no-fallback'
"""

from . import data, evaluation, failure, lifecycle, monitoring, structure  # noqa: F401 - registers the rules
from .registry import _REGISTERED, CATEGORIES, Rule, RuleCatalog, rule

RULES = RuleCatalog(_REGISTERED.values())


def all_rules() -> list[Rule]:
    """Every rule, ordered by id."""
    return list(RULES)


__all__ = ["CATEGORIES", "RULES", "Rule", "RuleCatalog", "all_rules", "rule"]
