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
