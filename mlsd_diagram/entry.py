"""The ``mlsd`` console script: Ctrl-C at any moment ends quietly, never with a traceback."""

from __future__ import annotations

import os
import sys
import threading
from typing import NoReturn


def run() -> NoReturn:
    """Import the CLI and run it; an interrupt while importing exits with 130 and one line."""
    # pydantic looks for plugins in the entry points of every installed package the first time a
    # model validates (a scan of all dist-info folders, a sizeable part of a `mlsd lint` run);
    # mlsd's models use none. A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("mlsd: interrupted\n")
        raise SystemExit(130) from None
    try:
        main(prog_name="mlsd")
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


def leave(code: object) -> NoReturn:
    """End the process with ``code`` (as ``SystemExit`` reads it) without tearing the interpreter down.

    At exit Python frees every module and object one by one: with pydantic, networkx and the
    models loaded that is 50-80 ms of a 0.4 s `mlsd lint` (benchmarks/startup.py), spent on memory
    the system takes back at once. Everything that matters happens first: the exit handlers run
    (they stop any ``dot`` still running, flush logging) and standard output and error are flushed.
    The exit is Python's own while another thread still works (a render being interrupted: it
    waits for it, so that no half-written file is left), and when mlsd is not the program but runs
    inside one (``python -m cProfile -m mlsd_diagram``, a debugger, a tracer), which has work left
    to do after mlsd returns: mlsd is the program when the main module is the console script or
    ``python -m mlsd_diagram``, both of which call this module's :func:`run`.
    """
    status = code if isinstance(code, int) else 0 if code is None else 1
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
    from .cli.process import signal_status  # loaded already: run() imported it

    signalled = signal_status()
    if signalled is not None:  # stopped by a signal, even one whose exit could not be raised where it landed
        status = signalled
    inside_another_program = getattr(sys.modules.get("__main__"), "run", None) is not run
    if inside_another_program or any(
        t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()
    ):
        raise SystemExit(status)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader left (`mlsd rules | head`), or the stream is closed
            pass
    os._exit(status)
