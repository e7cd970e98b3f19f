"""The resource budget of a blueprint: how much of each thing one file may declare.

Within these limits (and the 8 MiB file limit of :mod:`.located`) validate, lint and simulate
finish in seconds (``benchmarks/hostile.py``); beyond them the loader reports a located error.
Text sizes are bounded by the models (``MAX_ID``, ``MAX_TEXT``, ``MAX_NOTES``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Most of each thing a blueprint may declare."""

    components: int = 10_000
    flows: int = 25_000
    groups: int = 1_000
    kinds: int = 1_000
    accepts: int = 50_000
    disabled: int = 1_000


LIMITS = Limits()

# The counted collections of a blueprint: path -> (limit, what they are called). The loader reports each
# one over its limit (blueprint/checks.py) and stops reading one at twice its limit (blueprint/located.py).
COLLECTIONS: dict[tuple[str | int, ...], tuple[int, str]] = {  # paths as the located tree keys them
    ("components",): (LIMITS.components, "components"),
    ("flows",): (LIMITS.flows, "flows"),
    ("kinds",): (LIMITS.kinds, "custom kinds"),
    ("lint", "accept"): (LIMITS.accepts, "accepted findings"),
    ("lint", "disable"): (LIMITS.disabled, "disabled rules"),
}

# Every other mapping is one model's fields (a few dozen at most) and every other list a few notes or
# names: reading stops at the entry past these, so that 8 MiB of one-line entries (550,000 unknown
# fields in one component) cost no more than a small file.
FIELDS_PER_MAPPING = 1_000
ITEMS_PER_LIST = 2 * LIMITS.components
