"""Wall-clock timing for the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable


def seconds(fn: Callable[[], object]) -> float:
    """Wall time of one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls of ``fn``: the least disturbed by the shared machine."""
    return min(seconds(fn) for _ in range(repeat))
