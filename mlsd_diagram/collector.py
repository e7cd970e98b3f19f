"""The cyclic garbage collector paused while a blueprint is loaded, when the ``mlsd`` command asks for it.

Light on purpose (no pydantic): ``cli/process.py`` turns the pauses on at start without importing the loader.
"""

from __future__ import annotations

import contextlib
import gc
import threading

_pause_lock = threading.Lock()
_pauses = 0  # loads (in any thread) inside collector_paused() right now
_resume = False  # whether the last of them turns the collector back on


_PAUSING: list[bool] = []


def pause_collector_while_loading(on: bool = True) -> None:
    """Let :func:`collector_paused` pause the garbage collector (the ``mlsd`` command does, at start).

    Off by default: a program that imports the library keeps its collector as it set it.
    """
    _PAUSING[:] = [True] if on else []


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a document is composed and validated.

    Everything allocated there stays alive until the blueprint is built, so the collector's
    repeated scans find nothing to free; at 5,000 components they cost as much as the parse
    itself (benchmarks/validate.py). The input size is bounded (MAX_BYTES), and so is what is
    allocated meanwhile. The collector is process-wide and `mlsd render` loads files in threads:
    the pauses are counted, the first one turns it off (if it was on) and the last one turns it
    back on, so one load finishing never resumes it under another, nor turns on a collector that
    someone else had turned off.
    """
    global _pauses, _resume
    if not _PAUSING:  # a library call leaves its host's collector alone; the command turns this on
        yield
        return
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
