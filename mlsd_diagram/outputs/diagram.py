"""Render a blueprint to PNG, SVG, PDF, DOT, Mermaid, Excalidraw and draw.io files.

Graphviz lays the graph out exactly once per :func:`render` call: one ``dot``
process gets every raster/vector format at once (``-Tsvg -o .. -Tpng -o ..``).
That process is started before the DOT text is built, and draws the SVG first,
into a FIFO: the SVG is made self-contained (icons as data URIs) and given its
natural size back (the PNG's page-size limit and resolution are graph
attributes, which Graphviz also applies to the SVG) in a thread while ``dot``
still rasterises the PNG. Every file is written atomically, and only once every
format has been drawn. The editable exports (Excalidraw, draw.io) read the layout of
that same run (``-Tjson``), so their boxes and arrows are where the pictures have them.
"""

from __future__ import annotations

import atexit
import contextlib
import html
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

from ..blueprint.models import Blueprint
from . import EDITABLE_FORMATS, FORMATS, fonts, icons
from .dot import Overlay, to_dot, with_icons_in
from .files import check_replaceable, output_path, remove_stale, write_all, write_atomic

EXTENSIONS = {
    "png": "png",
    "svg": "svg",
    "pdf": "pdf",
    "dot": "dot",
    "mermaid": "mmd",
    "excalidraw": "excalidraw",
    "drawio": "drawio",
}
GRAPHVIZ_FORMATS = ("svg", "png", "pdf")
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


atexit.register(kill_running_dot)  # an exit with a worker thread still in a render: no `dot` outlives us


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


def output_stem(blueprint: Blueprint) -> str:
    """The default file stem: the blueprint file's stem (``a`` for ``a.mlsd.yaml``), else a slug of its name
    (standard input, a blueprint from text)."""
    if blueprint.file and not blueprint.file.startswith("<"):
        stem = Path(blueprint.file).stem
        return stem[: -len(".mlsd")] if stem.endswith(".mlsd") and stem != ".mlsd" else stem
    return re.sub(r"[^a-z0-9]+", "_", blueprint.name.lower()).strip("_") or "blueprint"


def output_name(stem: str, fmt: str, view: str = "all") -> str:
    """``news_feed.svg``, or ``news_feed-serving.svg`` for a view other than ``all``."""
    return f"{stem}{'' if view == 'all' else '-' + view}.{EXTENSIONS[fmt]}"


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
        for fmt in formats:
            args += [f"-T{fmt}", "-o", paths[fmt]]
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
                    stdout=subprocess.DEVNULL,
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
                        _, stderr = process.communicate(text.encode("utf-8"), timeout=left)
                    except subprocess.TimeoutExpired:
                        timed_out = True
                        _kill_group(process)
                        _, stderr = process.communicate()
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
            if memory is not None and _out_of_memory(process.returncode, message):
                share = f" (its share of {_size_text(budget or 0)}: {shared_by} at once)" if shared_by > 1 else ""
                raise RenderLimitExceeded(
                    f"the layout needs more than {_size_text(memory)} of memory{share}, so Graphviz "
                    f"was stopped; raise {DOT_MEMORY_ENV} (e.g. 8G, 0 for no limit) or draw "
                    "a smaller --view"
                )
            raise RenderError(f"Graphviz failed: {message}")
        drawn: dict[str, bytes | str] = {
            fmt: Path(paths[fmt]).read_bytes() for fmt in formats if svg_reader is None or fmt != "svg"
        }
        if svg_reader is not None:
            drawn["svg"] = svg_reader.result()
        elif finish_svg_text is not None and "svg" in drawn:
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


_IMAGE = re.compile(r"<image ([^>]*)/>")
_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
_SVG_OPEN = re.compile(r"<svg [^>]*>")
_ID = re.compile(r' (id|class)="([^"]*)"')
_SVG_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"\n viewBox="[^"]*"')
_SCALE = re.compile(r'transform="scale\([^)]*\) rotate\(0\) translate\(([-\d.]+) ([-\d.]+)\)"')
_BACKGROUND = re.compile(r'<polygon fill="[^"]*" stroke="[^"]*" points="([^"]*)"/>')


def finish_svg(svg: str) -> str:
    """Make Graphviz's SVG self-contained and natural-sized.

    Each distinct icon is embedded once, as a data URI in a ``<symbol>`` of ``<defs>``,
    and drawn with ``<use>`` wherever it appears; the ``size``/``dpi`` scaling meant for the
    PNG is undone (the drawing keeps its natural size in points); ``&#45;`` in
    ids and classes is written as ``-`` so ids read as written in the blueprint.
    """
    # Every pass but the icon embedding runs first, on the small text: embedding makes it larger.
    svg = _ID.sub(lambda m: f' {m.group(1)}="{m.group(2).replace("&#45;", "-")}"', svg)
    background = _BACKGROUND.search(svg)
    if background:
        xs, ys = zip(*(map(float, p.split(",")) for p in background.group(1).split()))
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        svg = _SVG_SIZE.sub(
            f'<svg width="{width:.0f}pt" height="{height:.0f}pt"\n viewBox="0.00 0.00 {width:.2f} {height:.2f}"',
            svg,
            count=1,
        )
        svg = _SCALE.sub(
            lambda m: f'transform="scale(1 1) rotate(0) translate({m.group(1)} {m.group(2)})"', svg, count=1
        )
    return _embed_icons(svg)


def _embed_icons(svg: str) -> str:
    """Replace icon ``<image>`` file references by ``<use>`` of one embedded ``<symbol>`` per icon."""
    symbols: dict[tuple[str, str], str] = {}

    def use(match: re.Match) -> str:
        # attributes by name, whatever order this Graphviz version writes them in
        attrs = dict(_ATTRIBUTE.findall(match.group(1)))
        ref = attrs.get("xlink:href") or attrs.get("href") or ""
        if not (
            ref.endswith(".png")
            and all(k in attrs for k in ("width", "height", "x", "y"))
            and icons.icon_file(ref).is_file()
        ):
            return match.group(0)
        symbol = symbols.setdefault((ref, attrs.get("preserveAspectRatio", "xMidYMid meet")), f"icon-{len(symbols)}")
        return (
            f'<use xlink:href="#{symbol}" width="{attrs["width"]}" height="{attrs["height"]}" '
            f'x="{attrs["x"]}" y="{attrs["y"]}"/>'
        )

    svg = _IMAGE.sub(use, svg)
    if not symbols:
        return svg
    defs = ["<defs>"]
    for (ref, aspect), symbol in symbols.items():
        width, height = icons.png_size(ref)
        defs.append(
            f'<symbol id="{symbol}" viewBox="0 0 {width} {height}" preserveAspectRatio="{aspect}">'
            f'<image width="{width}" height="{height}" xlink:href="{icons.data_uri(ref)}"/></symbol>'
        )
    defs.append("</defs>")
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # not an SVG Graphviz wrote: leave it as it is
        return svg
    return svg[: opening.end()] + "\n" + "\n".join(defs) + svg[opening.end() :]


def add_svg_style(svg: str, css: str) -> str:
    """``svg`` with a ``<style>`` element holding ``css`` right after the opening ``<svg>`` tag."""
    opening = _SVG_OPEN.search(svg)
    if opening is None:
        return svg
    return svg[: opening.end()] + f"\n<style>{html.escape(css, quote=False)}</style>" + svg[opening.end() :]


_PDF_DATE = re.compile(rb"/CreationDate \(D:[0-9]{14}[^)]*\)")


def finish_pdf(pdf: bytes) -> bytes:
    """Blank the creation date cairo stamps into PDFs, so reruns give the same bytes (same length kept)."""
    return _PDF_DATE.sub(lambda m: b"/CreationDate (D:" + b"0" * (len(m.group(0)) - 18) + b")", pdf)


def render_svg_text(blueprint: Blueprint, view: str = "all", direction: str | None = None, detail: str = "full") -> str:
    """The diagram as self-contained SVG text (icons as data URIs), without writing files.

    ``detail`` is ``full`` by default: the preview page marks single flows (``flow-N``) by index.
    """
    drawn = run_dot(lambda: to_dot(blueprint, view=view, direction=direction, detail=detail), ["svg"], finish_svg)
    svg = drawn["svg"]
    return svg.decode("utf-8") if isinstance(svg, bytes) else svg


def render(
    blueprint: Blueprint,
    formats: Iterable[str] = ("png", "svg"),
    out_dir: str | os.PathLike = "output",
    stem: str | None = None,
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
    overlay: Overlay | None = None,
    svg_style: str = "",
    detail: str = "grouped",
) -> list[Path]:
    """Write the diagram of ``blueprint`` in ``formats`` into ``out_dir``; return the paths written.

    Formats: png, svg, pdf (one Graphviz layout for all three), dot, mermaid
    (``.mmd``), excalidraw and drawio (that same layout as editable elements, see
    :mod:`.editable`). Files are named ``<stem>[-<view>].<ext>``; ``stem`` defaults to
    the blueprint file's stem. ``scale`` multiplies the PNG resolution. The DOT
    file comes with the icons it uses in ``<stem>[-<view>].icons/`` beside it
    (listed right after it), referred to relatively, so plain ``dot`` renders it
    from its folder. ``overlay`` restyles components and flows (see
    :class:`~.dot.Overlay`; Mermaid ignores it), ``svg_style`` is CSS put into the SVG. ``direction``
    ``None`` is the view's own (TB for the overview, else LR); ``detail`` ``grouped`` draws fanned
    telemetry and deploy flows as one edge each (:func:`~.dot.flow_groups`), ``full`` every flow.
    Nothing is written unless every format rendered, and then all or nothing: a failed write
    (full disk, read-only folder) leaves every old file as it was. A target that is not a regular
    file (a device, FIFO or link) is refused with :class:`~.files.OutputError`.
    """
    stem = stem or output_stem(blueprint)
    targets = {fmt: output_path(out_dir, output_name(stem, fmt, view)) for fmt in _checked(formats, scale)}
    for target in targets.values():  # a device, FIFO or link in the way: refused before drawing anything
        check_replaceable(target)
    payloads, dot_text = _draw(blueprint, formats, view, direction, scale, overlay, svg_style, detail)
    icon_folder, used_icons = None, {}  # type: tuple[str | None, dict[str, str]]
    if "dot" in payloads:  # its icons go beside it, so plain `dot` renders it from its folder
        icon_folder = icons_folder_name(targets["dot"].name)
        payloads["dot"], used_icons = with_icons_in(dot_text, icon_folder)
    if _STOP.is_set():  # checked once: from here on every file of this render is written, or none was
        raise RenderCancelled()
    folder = _write_icons(out_dir, icon_folder, used_icons) if icon_folder else None  # before the DOT using them
    written = write_all([(targets[fmt], payload) for fmt, payload in payloads.items()])  # all or nothing
    if folder is not None:
        written.insert(list(payloads).index("dot") + 1, folder)
        _remove_unused_icons(folder, used_icons)  # after: the DOT it replaced no longer needs them
    return written


def _checked(formats: Iterable[str], scale: float) -> list[str]:
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format {unknown[0]!r}; expected one of: {', '.join(FORMATS)}")
    if not scale > 0:
        raise RenderError(f"scale must be greater than 0, got {scale}")
    return formats


def draw(
    blueprint: Blueprint,
    fmt: str,
    view: str = "all",
    direction: str | None = None,
    scale: float = 1.0,
    detail: str = "grouped",
) -> bytes | str:
    """The diagram in one format, as :func:`render` would write it, without writing a file (for ``-o -``).

    A DOT text drawn this way names its icons by file name: render it with
    ``-Gimagepath`` pointing at the icon folders, or write it with :func:`render` instead.
    """
    payloads, _ = _draw(blueprint, [fmt], view, direction, scale, None, "", detail)
    return payloads[fmt]


def _draw(
    blueprint: Blueprint,
    formats: Iterable[str],
    view: str,
    direction: str | None,
    scale: float,
    overlay: Overlay | None,
    svg_style: str,
    detail: str,
) -> tuple[dict[str, bytes | str], str]:
    """Every format's content, in the order asked, and the DOT text they were drawn from."""
    formats = _checked(formats, scale)
    dot_text = ""

    def build() -> str:
        nonlocal dot_text
        dot_text = to_dot(blueprint, view=view, direction=direction, scale=scale, overlay=overlay, detail=detail)
        return dot_text

    def finish(svg: str) -> str:
        return add_svg_style(finish_svg(svg), svg_style) if svg_style else finish_svg(svg)

    drawn: dict[str, bytes | str] = {}
    drawn_formats = [f for f in GRAPHVIZ_FORMATS if f in formats]
    editable = [f for f in EDITABLE_FORMATS if f in formats]
    if editable:  # the editable exports place Graphviz's layout, read from the same run as the pictures
        drawn_formats.append("json")
    if drawn_formats:
        # dot starts while the DOT text is built, and the SVG is finished while dot draws the PNG
        drawn.update(run_dot(build, drawn_formats, finish))
        if "pdf" in drawn:
            drawn["pdf"] = finish_pdf(drawn["pdf"])  # type: ignore[arg-type]
    else:
        build()
    if "dot" in formats:
        drawn["dot"] = dot_text
    if editable:
        drawn.update(_editable_exports(blueprint, drawn.pop("json"), view, editable))
    if "mermaid" in formats:
        from .mermaid import to_mermaid

        drawn["mermaid"] = to_mermaid(blueprint, view=view, direction=direction, detail=detail)
    return {fmt: drawn[fmt] for fmt in formats}, dot_text


def _editable_exports(blueprint: Blueprint, layout: bytes | str, view: str, formats: list[str]) -> dict[str, str]:
    """The Excalidraw and draw.io files of Graphviz's layout (``dot -Tjson``) of the diagram."""
    from .drawio import to_drawio
    from .editable import editable
    from .excalidraw import to_excalidraw
    from .geometry import LayoutError, placement

    try:
        diagram = editable(blueprint, placement(layout), view)
    except LayoutError as exc:
        raise RenderError(str(exc)) from None
    writers = {"excalidraw": to_excalidraw, "drawio": to_drawio}
    return {fmt: writers[fmt](diagram) for fmt in formats}


def icons_folder_name(dot_name: str) -> str:
    """The folder of a DOT export's icons, beside it: ``news_feed.dot`` -> ``news_feed.icons``."""
    return f"{Path(dot_name).stem}.icons"


def _write_icons(out_dir: str | os.PathLike, folder_name: str, used: dict[str, str]) -> Path:
    """Copy the icons a DOT export uses into its icon folder (atomically; unchanged files are left alone)."""
    folder = output_path(out_dir, folder_name)
    folder.mkdir(parents=True, exist_ok=True)
    for name, ref in used.items():
        target = output_path(out_dir, f"{folder_name}/{name}")
        data = icons.icon_file(ref).read_bytes()
        if not (target.is_file() and target.read_bytes() == data):
            write_atomic(target, data)
    return folder


def _remove_unused_icons(folder: Path, used: dict[str, str]) -> None:
    for path in folder.glob("*.png"):
        if path.name not in used:
            path.unlink(missing_ok=True)
