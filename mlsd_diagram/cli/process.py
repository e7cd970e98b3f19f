"""What the ``mlsd`` command does to its own process, and the library never does to its host's.

A program or notebook that imports :mod:`mlsd_diagram` and calls ``load``, ``lint`` or ``render`` keeps
its signal handlers, its ``sys.unraisablehook``, its garbage collector and its exit (a test imports the
library in a fresh process and checks). The command takes its process over in :func:`take_over_process`,
called by the ``mlsd`` group before any command runs:

- SIGTERM, SIGINT and SIGHUP stop Graphviz first, then unwind (atomic writes remove their temporary
  files; a half-finished output never replaces a good one);
- the unraisable hook hides the exit a signal raised where it could not propagate;
- loads pause the cyclic garbage collector (:mod:`mlsd_diagram.collector`);
- an exit with a render still running kills its ``dot``.

``mlsd_diagram.entry`` ends the process (``os._exit`` after the exit handlers) and
``cli.inputs`` freezes the loaded blueprints out of the collector's sight: both run only in the command.
"""

from __future__ import annotations

import atexit
import signal
import sys


def take_over_process() -> None:
    """Install the command's signal handlers, unraisable hook, collector pauses and exit clean-up (idempotent)."""
    from ..collector import pause_collector_while_loading

    # SIGTERM unwinds like Ctrl-C, so atomic writes remove their temporary files
    # and a half-finished output never replaces a good one. Both stop Graphviz first: `dot` runs in a
    # process group of its own, which the terminal's Ctrl-C does not reach.
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _interrupt)
    if hasattr(signal, "SIGHUP"):  # the terminal closed: as SIGTERM (by default it would end us without clean-up)
        signal.signal(signal.SIGHUP, _terminate)
    if sys.unraisablehook is not _unraisable:
        _UNRAISABLE[:] = [sys.unraisablehook]
        sys.unraisablehook = _unraisable
    pause_collector_while_loading(True)
    if not _EXIT_HOOKED:
        _EXIT_HOOKED.append(True)
        atexit.register(_kill_graphviz)  # an exit with a worker thread still in a render: no `dot` outlives us


_EXIT_HOOKED: list[bool] = []


def _kill_graphviz() -> None:
    diagram = sys.modules.get("mlsd_diagram.outputs.sandbox")
    if diagram is not None:
        diagram.kill_running_dot()


def _stop_graphviz() -> None:
    """Kill the `dot` processes of this run, if it rendered at all (nothing is imported for it)."""
    diagram = sys.modules.get("mlsd_diagram.outputs.sandbox")
    if diagram is not None:
        diagram.stop_rendering()


# The signal that is ending this run, once one arrived (see signal_status); the unraisable hook before ours.
_SIGNALLED: list[int] = []
_UNRAISABLE: list = [sys.__unraisablehook__]


def signal_status() -> int | None:
    """The exit status of the signal that stopped this run (130 for Ctrl-C, 128 + N else), or ``None``.

    Python runs a signal handler between any two bytecodes of the main thread, also inside a weakref
    callback or a ``__del__`` (the import system has some), where the exception it raises cannot
    propagate: Python prints it as "Exception ignored" and carries on. The work goes on to fail (Graphviz
    was stopped first) or to finish, and :func:`mlsd_diagram.entry.leave` still ends with this status.
    """
    if not _SIGNALLED:
        return None
    return 130 if _SIGNALLED[0] == signal.SIGINT else 128 + _SIGNALLED[0]


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    _stopping(signum)
    raise SystemExit(128 + signum)


def _interrupt(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    _stopping(signum)
    raise KeyboardInterrupt


def _unraisable(unraisable) -> None:
    """Our handlers' exit swallowed where it landed (see :func:`signal_status`): no "Exception ignored"."""
    if _SIGNALLED and isinstance(unraisable.exc_value, (SystemExit, KeyboardInterrupt)):
        return
    _UNRAISABLE[0](unraisable)


def _stopping(signum: int) -> None:
    """The first SIGTERM or Ctrl-C: stop Graphviz, and let a second one only do that again, so it cannot
    break into the clean-up under way (temporary files removed, a traceback from the exit handlers)."""
    _SIGNALLED.append(signum)
    _stop_graphviz()
    for other in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
        if other is not None:
            signal.signal(other, _again)


def _again(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    _stop_graphviz()
