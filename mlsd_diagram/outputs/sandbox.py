"""The Graphviz sandbox: run ``dot`` once per layout, bounded in memory and time, stoppable as a whole.

One ``dot`` process gets every format at once (``-Tsvg -o .. -Tpng -o ..``). It is started before
the DOT text is built, and draws the SVG first, into a FIFO, which a thread finishes while ``dot``
still rasterises the PNG. Each ``dot`` runs in a session of its own under the limits of
:func:`dot_limits`, shared among the renders running at once (:func:`sharing_budget`);
:func:`stop_rendering` kills every running ``dot`` and keeps further renders from writing.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows: Graphviz runs unbounded there
    resource = None  # type: ignore[assignment]

from . import fonts, icons
from .files import remove_stale

INSTALL_HINT = "install Graphviz: `apt-get install graphviz` (Debian, Ubuntu) or `brew install graphviz` (macOS)"


class RenderError(RuntimeError):
    """Rendering failed (bad option, or Graphviz reported an error)."""


class GraphvizMissing(RenderError):
    """Graphviz's ``dot`` is not on the PATH."""

    def __init__(self) -> None:
        super().__init__(f"Graphviz's `dot` was not found on the PATH; {INSTALL_HINT}")


class RenderLimitExceeded(RenderError):
    """Graphviz needed more memory or time than :func:`dot_limits` allow (its process group was killed)."""


class RenderCancelled(RenderError):
    """Rendering was stopped by :func:`stop_rendering` (the process is being interrupted)."""

    def __init__(self) -> None:
        super().__init__("rendering was stopped")


# The renders of this process stop together: worker threads cannot be interrupted, so an interrupted
# `mlsd render` kills their `dot` processes and they write nothing more.
_STOP = threading.Event()
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.RLock()  # re-entrant: a signal handler may kill while this thread holds it

# Graphviz's budget: a hostile-but-valid blueprint can drive `dot` past 16 GiB within a minute.
DOT_MEMORY_ENV, DOT_TIMEOUT_ENV = "MLSD_DOT_MEMORY", "MLSD_DOT_TIMEOUT"
DEFAULT_DOT_MEMORY = 4 * 2**30  # bytes of address space (RLIMIT_AS)
DEFAULT_DOT_TIMEOUT = 120.0  # seconds of wall-clock time
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def _parse_size(text: str) -> int | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text.lower())
    if match is None:
        raise RenderError(
            f"{DOT_MEMORY_ENV}={text!r} is not a size: give bytes or a number with K, M, G or T "
            "(e.g. 4G), or 0 for no limit"
        )
    value = int(float(match.group(1)) * _UNITS[match.group(2)])
    return value or None


def _parse_seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and math.isfinite(value)):
        raise RenderError(f"{DOT_TIMEOUT_ENV}={text!r} is not a number of seconds (e.g. 120), or 0 for no limit")
    return value or None


def dot_limits() -> tuple[int | None, float | None]:
    """Graphviz's memory (bytes of address space) and wall-clock (seconds) limits; ``None`` is no limit.

    ``MLSD_DOT_MEMORY`` (e.g. ``4G``, ``512M``; default 4 GiB) and ``MLSD_DOT_TIMEOUT`` (seconds;
    default 120) set them, ``0`` removes one. Raises :class:`RenderError` for a value that is not one.
    """
    memory = os.environ.get(DOT_MEMORY_ENV, "").strip()
    seconds = os.environ.get(DOT_TIMEOUT_ENV, "").strip()
    return (
        _parse_size(memory) if memory else DEFAULT_DOT_MEMORY,
        _parse_seconds(seconds) if seconds else DEFAULT_DOT_TIMEOUT,
    )


# Several renders at once (`mlsd render A B C` draws one file per core) share the one budget: each `dot`
# gets its part of MLSD_DOT_MEMORY, so the command as a whole stays within it.
_SHARING = [1]
_SHARING_LOCK = threading.Lock()
MIN_DOT_SHARE = 2**30  # the least memory a share gives one `dot`: fewer renders at once rather than less


def parallel_renders(wanted: int) -> int:
    """How many renders may run at once, at most ``wanted``: each gets at least ``MIN_DOT_SHARE`` of the
    memory budget (all of them when there is no limit)."""
    memory, _ = dot_limits()
    if memory is None:
        return max(1, wanted)
    return max(1, min(wanted, memory // MIN_DOT_SHARE))


@contextlib.contextmanager
def sharing_budget(renders: int) -> Iterator[None]:
    """Within it, each ``dot`` gets 1/``renders`` of the memory budget (``renders`` run at once)."""
    with _SHARING_LOCK:
        before, _SHARING[0] = _SHARING[0], max(1, renders)
    try:
        yield
    finally:
        with _SHARING_LOCK:
            _SHARING[0] = before


def _size_text(size: int) -> str:
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"


def _kill_group(process: subprocess.Popen) -> None:
    """Kill ``dot`` and its process group; only while it is not reaped, so its pid is surely still ours."""
    if process.returncode is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    except OSError:
        process.kill()


def kill_running_dot() -> None:
    """Kill every ``dot`` this process started and is still running (the signal and exit handlers' job)."""
    with _RUNNING_LOCK:
        for process in list(_RUNNING):
            _kill_group(process)


def stop_rendering() -> None:
    """Stop every render of this process for good: running ``dot`` processes are killed, and renders
    that have not started writing write nothing (they raise :class:`RenderCancelled`)."""
    _STOP.set()
    kill_running_dot()


def stopped() -> bool:
    """Whether :func:`stop_rendering` was called: renders that have not started writing must not."""
    return _STOP.is_set()


# The command registers kill_running_dot at exit (cli/process.py); a host program keeps its exit to itself.


def _lowered(current: tuple[int, int], wanted: int) -> tuple[int, int]:
    """``wanted`` as (soft, hard) limits, never above limits already inherited (which cannot be raised)."""
    soft, hard = current
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            wanted = min(wanted, limit)
    return wanted, wanted


def _cpu_backstop(seconds: float) -> int:
    return math.ceil(seconds) + 5


def _wanted(memory: int | None, seconds: float | None) -> list[tuple[int, int | None]]:
    """(resource, limit) pairs: the address space, and the CPU-time backstop of the wall-clock limit."""
    return [(resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, None if seconds is None else _cpu_backstop(seconds))]


def _bound(process: subprocess.Popen, memory: int | None, seconds: float | None) -> None:
    """Give a just-started ``dot`` its limits, before it reads any input (so before it can grow).

    The CPU-time limit backs up the wall-clock one for the case that this process is killed outright
    (SIGKILL) and cannot stop ``dot`` itself.
    """
    for kind, value in _wanted(memory, seconds):
        if value is not None:
            try:
                resource.prlimit(process.pid, kind, _lowered(resource.prlimit(process.pid, kind), value))
            except ProcessLookupError:  # it has already ended (its error is read as usual)
                return


def _limits_in_child(memory: int | None, seconds: float | None) -> Callable[[], None]:
    """The same limits, set in the child before ``exec`` (where ``resource.prlimit`` is missing: macOS)."""

    def apply() -> None:
        for kind, value in _wanted(memory, seconds):
            if value is not None:
                resource.setrlimit(kind, _lowered(resource.getrlimit(kind), value))

    return apply


_SETPRIV: list[str | None] = []


def _dies_with_us() -> list[str]:
    """The command prefix that makes ``dot`` die when the thread that started it ends (Linux).

    ``dot`` runs in a session of its own, so a signal to our process group does not reach it, and a
    ``dot`` waiting to open the SVG FIFO uses no CPU, so its CPU-time limit would never end it: were
    this process killed outright (SIGKILL, no handler runs), it would be left behind. util-linux's
    ``setpriv --pdeathsig KILL`` sets PR_SET_PDEATHSIG and then execs ``dot`` (same pid, so the
    limits set on it still apply). Each render's thread waits for its ``dot``, so the thread ends
    only after it. Without ``setpriv`` (macOS) the signal handlers are what stop ``dot``.
    """
    if not _SETPRIV:
        found = shutil.which("setpriv") if sys.platform.startswith("linux") else None
        _SETPRIV.append(found)
    found = _SETPRIV[0]
    return [found, "--pdeathsig", "KILL", "--"] if found else []


def dot_binary() -> str:
    """The path of Graphviz's ``dot``; raises :class:`GraphvizMissing` when absent."""
    found = shutil.which("dot")
    if found is None:
        raise GraphvizMissing()
    return found


def _imagepath() -> str:
    return os.pathsep.join(str(root) for root in icons.icon_roots())


def run_dot(
    dot_text: str | Callable[[], str], formats: Iterable[str], finish_svg_text: Callable[[str], str] | None = None
) -> dict[str, bytes | str]:
    """Lay the graph out once and draw it in every one of ``formats`` (svg, png, pdf, ...).

    ``dot_text`` may be a function that builds the DOT text: ``dot`` is started
    first, so its start-up (plugins, fontconfig) overlaps the build. With
    ``finish_svg_text``, the SVG is drawn first into a FIFO and finished in a
    thread while ``dot`` still draws the other formats; its entry is then the
    finished text. Raises :class:`RenderError` when Graphviz fails.
    """
    formats = list(dict.fromkeys(formats))
    if finish_svg_text is not None and "svg" in formats:
        formats.remove("svg")
        formats.insert(0, "svg")  # drawn first, so finishing it overlaps drawing the rest
    binary = dot_binary()
    budget, seconds = dot_limits()
    shared_by = _SHARING[0]
    memory = None if budget is None else budget // shared_by
    remove_stale(tempfile.gettempdir(), "renders")  # what a killed run left there (once per process)
    with tempfile.TemporaryDirectory(prefix=f"mlsd-render-{os.getpid()}-") as tmp:
        paths = {fmt: os.path.join(tmp, f"out.{fmt}") for fmt in formats}
        svg_reader = None
        if finish_svg_text is not None and "svg" in formats and hasattr(os, "mkfifo"):
            os.mkfifo(paths["svg"])
            svg_reader = _FifoReader(paths["svg"], finish_svg_text)
        args = [*_dies_with_us(), binary, f"-Gimagepath={_imagepath()}"]
        # one format (the settling layout, a single picture) comes back through a pipe: no file to write, so
        # no file-size limit (ulimit -f) can stop dot; our own write of the output is checked as any other
        piped = formats[0] if len(formats) == 1 and svg_reader is None else None
        for fmt in formats:
            args += [f"-T{fmt}"] if fmt == piped else [f"-T{fmt}", "-o", paths[fmt]]
        env = fonts.dot_environment(dict(os.environ, SOURCE_DATE_EPOCH="0"), tmp)  # the bundled font only
        in_parent = hasattr(resource, "prlimit")
        in_child = None if in_parent or resource is None else _limits_in_child(memory, seconds)
        timed_out = False
        try:
            try:
                # Its own process group (session): killed with its group, and a terminal's Ctrl-C reaches
                # only us, so it is always our handlers that stop it (before or as we exit).
                process = subprocess.Popen(
                    args,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE if piped else subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=env,
                    start_new_session=True,
                    preexec_fn=in_child,
                )
            except FileNotFoundError as exc:  # removed between which() and here
                raise GraphvizMissing() from exc
            started = time.monotonic()
            with process:
                with _RUNNING_LOCK:
                    _RUNNING.add(process)
                    if _STOP.is_set():
                        _kill_group(process)
                try:
                    if in_parent:
                        _bound(process, memory, seconds)
                    text = dot_text() if callable(dot_text) else dot_text
                    left = None if seconds is None else max(0.01, seconds - (time.monotonic() - started))
                    try:
                        output, stderr = process.communicate(text.encode("utf-8"), timeout=left)
                    except subprocess.TimeoutExpired:
                        timed_out = True
                        _kill_group(process)
                        output, stderr = process.communicate()
                finally:
                    if process.poll() is None:  # the build failed or we were interrupted: stop dot
                        _kill_group(process)
                        process.wait()
                    with _RUNNING_LOCK:
                        _RUNNING.discard(process)
        finally:
            if svg_reader is not None:
                svg_reader.close()
        if _STOP.is_set():
            raise RenderCancelled()
        if timed_out:
            raise RenderLimitExceeded(
                f"the layout takes longer than {seconds:g} s, so Graphviz was stopped; raise "
                f"{DOT_TIMEOUT_ENV} (seconds, 0 for no limit) or draw a smaller --view"
            )
        if process.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip() or f"exit code {process.returncode}"
            if process.returncode == -getattr(signal, "SIGXFSZ", 0):  # not memory: a file past `ulimit -f`
                raise RenderError(
                    "Graphviz could not write the picture: it is larger than this shell's file size limit (ulimit -f)"
                )
            if memory is not None and _out_of_memory(process.returncode, message):
                share = f" (its share of {_size_text(budget or 0)}: {shared_by} at once)" if shared_by > 1 else ""
                raise RenderLimitExceeded(
                    f"the layout needs more than {_size_text(memory)} of memory{share}, so Graphviz "
                    f"was stopped; raise {DOT_MEMORY_ENV} (e.g. 8G, 0 for no limit) or draw "
                    "a smaller --view"
                )
            raise RenderError(f"Graphviz failed: {message}")
        drawn: dict[str, bytes | str] = {}
        if svg_reader is not None:
            drawn["svg"] = svg_reader.result()
        if piped is not None:
            if not output:  # a dot that exits 0 without drawing
                raise RenderError(f"Graphviz wrote no {piped.upper()}")
            drawn[piped] = output
        for fmt in formats:
            if fmt not in drawn:
                if not os.path.exists(paths[fmt]):
                    raise RenderError(f"Graphviz wrote no {fmt.upper()}")
                drawn[fmt] = Path(paths[fmt]).read_bytes()
        if svg_reader is None and finish_svg_text is not None and "svg" in drawn:
            raw = drawn["svg"]
            drawn["svg"] = finish_svg_text(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
        return drawn


def _out_of_memory(returncode: int, message: str) -> bool:
    """Whether ``dot`` failed for want of memory: it says so, or its allocator aborted it (a signal)."""
    return returncode < 0 or "memory" in message.lower() or "alloc" in message.lower()


class _FifoReader:
    """Reads what ``dot`` draws into a FIFO, in a thread, and finishes it there.

    ``dot`` opens each output file only when it draws that format and closes it
    when done, so the reader sees the end of the SVG while ``dot`` goes on
    with the PNG on the other core.
    """

    def __init__(self, path: str, finish: Callable[[str], str]) -> None:
        self._path, self._finish = path, finish
        self._text: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mlsd-svg-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with open(self._path, "rb") as handle:  # blocks until dot (or close()) opens the other end
                data = handle.read()
            if data:
                self._text = self._finish(data.decode("utf-8"))
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def close(self) -> None:
        """Wait for the reader; if ``dot`` never opened the FIFO, open it here so the reader sees an end."""
        while self._thread.is_alive():
            try:
                os.close(os.open(self._path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:  # ENXIO: the reader is not waiting in open() (yet, or any more)
                pass
            self._thread.join(0.005)

    def result(self) -> str:
        if self._error is not None:
            raise self._error
        if self._text is None:
            raise RenderError("Graphviz wrote no SVG")
        return self._text
