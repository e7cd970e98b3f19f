"""Render a blueprint to PNG, SVG, PDF, DOT, Mermaid, Excalidraw and draw.io files: the format dispatch.

The formats are those of :mod:`.formats`. Graphviz lays the graph out exactly once per :func:`render`
call (see :mod:`.sandbox`): one ``dot`` process gets every raster/vector format at once, and the SVG
is made self-contained (icons as data URIs) and given its natural size back (:mod:`.svg`) while ``dot``
still rasterises the PNG. Every file is written atomically, and only once every format has been
drawn. The editable exports (Excalidraw, draw.io) read the layout of that same run (``-Tjson``), so
their boxes and arrows are where the pictures have them.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ..blueprint.models import Blueprint
from . import icons
from .dot import Overlay, to_dot, with_icons_in
from .files import check_replaceable, output_path, write_all, write_atomic
from .formats import BY_NAME, EDITABLE_FORMATS, EXTENSIONS, FORMATS, GRAPHVIZ_FORMATS
from .label_room import SETTLE_UP_TO_COMPONENTS, SETTLE_UP_TO_EDGES, settle
from .sandbox import (
    INSTALL_HINT,
    GraphvizMissing,
    RenderCancelled,
    RenderError,
    RenderLimitExceeded,
    dot_binary,
    dot_limits,
    kill_running_dot,
    parallel_renders,
    run_dot,
    sharing_budget,
    stop_rendering,
    stopped,
)
from .svg import add_svg_style, finish_pdf, finish_svg

# The names other modules and tests have long imported from here.
__all__ = [
    "EXTENSIONS",
    "GRAPHVIZ_FORMATS",
    "INSTALL_HINT",
    "GraphvizMissing",
    "RenderCancelled",
    "RenderError",
    "RenderLimitExceeded",
    "add_svg_style",
    "dot_binary",
    "dot_limits",
    "draw",
    "finish_pdf",
    "finish_svg",
    "kill_running_dot",
    "output_name",
    "output_stem",
    "parallel_renders",
    "render",
    "render_svg_text",
    "run_dot",
    "sharing_budget",
    "stop_rendering",
]


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


def render_svg_text(blueprint: Blueprint, view: str = "all", direction: str | None = None, detail: str = "full") -> str:
    """The diagram as self-contained SVG text (icons as data URIs), without writing files.

    ``detail`` is ``full`` by default: the preview page marks single flows (``flow-N``) by index.
    """
    drawn, _ = _settled_run(
        lambda moves: to_dot(blueprint, view=view, direction=direction, detail=detail, moves=moves),
        ["svg"],
        finish_svg,
        _settles(blueprint, view),
    )
    svg = drawn["svg"]
    return svg.decode("utf-8") if isinstance(svg, bytes) else svg


# Views whose labels are not settled after the layout (:mod:`.label_room`): the request view is a chart.
SETTLED_VIEWS_EXCEPT = ("request",)


def _settles(blueprint: Blueprint, view: str) -> bool:
    """Whether the labels of ``view`` are settled: not in the request chart, nor in a design of more flows
    than :data:`.label_room.SETTLE_UP_TO_EDGES` or more components than
    :data:`.label_room.SETTLE_UP_TO_COMPONENTS` (known before Graphviz starts, so a large diagram is drawn in
    one plain run, without a layout before it)."""
    return (
        view not in SETTLED_VIEWS_EXCEPT
        and len(blueprint.flows) <= SETTLE_UP_TO_EDGES
        and len(blueprint.components) <= SETTLE_UP_TO_COMPONENTS
    )


def _lay_out(text: str) -> dict:
    """Graphviz's layout of ``text`` (``dot -Tjson``, under the render limits), parsed."""
    return json.loads(run_dot(text, ["json"])["json"])


def _settled_run(
    make: Callable[[Mapping[str, str]], str],
    formats: list[str],
    finish: Callable[[str], str] | None,
    settles: bool,
) -> tuple[dict[str, bytes | str], str]:
    """Draw ``make(moves)`` in ``formats`` (none: only the settling) and return the drawings and the DOT text
    drawn. When it ``settles``, Graphviz lays ``make({})`` out as JSON first and :func:`.label_room.settle`
    picks the ``moves`` (none when no label is faulty); the pictures are then drawn once, in one run. (A layout
    costs a fraction of drawing a large PNG, so this is cheaper than drawing, finding a fault and drawing again.)
    """
    moves = settle(make, _lay_out) if settles else {}
    texts: list[str] = []

    def build() -> str:
        texts.append(make(moves))
        return texts[-1]

    if not formats:
        return {}, build()
    drawn = run_dot(build, formats, finish)
    return drawn, texts[-1]


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
    ``None`` is LR; ``detail`` ``grouped`` draws fanned
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
    if stopped():  # checked once: from here on every file of this render is written, or none was
        raise RenderCancelled()
    # before the DOT using them; a DOT that uses none (the request view) gets no folder
    folder = _write_icons(out_dir, icon_folder, used_icons) if icon_folder and used_icons else None
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
    if view == "request":
        _check_request_view(blueprint, direction)

    def make(moves: Mapping[str, str]) -> str:
        return to_dot(
            blueprint, view=view, direction=direction, scale=scale, overlay=overlay, detail=detail, moves=moves
        )

    def finish(svg: str) -> str:
        return add_svg_style(finish_svg(svg), svg_style) if svg_style else finish_svg(svg)

    drawn_formats = [f for f in GRAPHVIZ_FORMATS if f in formats]
    editable = [f for f in EDITABLE_FORMATS if f in formats]
    if editable:  # the editable exports place Graphviz's layout, read from the same run as the pictures
        drawn_formats.append("json")
    # dot starts while the DOT text is built, and the SVG is finished while dot draws the PNG. A DOT file
    # alone is settled too when Graphviz is here, so it is the text the pictures are drawn from.
    settles = _settles(blueprint, view)
    if drawn_formats or (settles and "dot" in formats and _graphviz_here()):
        drawn, dot_text = _settled_run(make, drawn_formats, finish, settles)
    else:
        drawn, dot_text = {}, make({})
    if "pdf" in drawn:
        drawn["pdf"] = finish_pdf(drawn["pdf"])  # type: ignore[arg-type]
    if "dot" in formats:
        drawn["dot"] = dot_text
    if editable:
        drawn.update(_editable_exports(blueprint, drawn.pop("json"), view, editable, detail))
    if "mermaid" in formats:
        drawn["mermaid"] = writer("mermaid")(blueprint, view=view, direction=direction, detail=detail)
    return {fmt: drawn[fmt] for fmt in formats}, dot_text


def _graphviz_here() -> bool:
    try:
        dot_binary()
    except GraphvizMissing:
        return False
    return True


def _check_request_view(blueprint: Blueprint, direction: str | None = None) -> None:
    """Refuse, before anything is drawn, a request view that has no request or a direction it is not drawn in."""
    from .request_view import NoRequestPath, RequestDirection, check_request_direction, waterfall

    try:
        check_request_direction(direction)
    except RequestDirection as exc:
        raise RenderError(str(exc)) from None
    try:
        waterfall(blueprint)
    except NoRequestPath as exc:
        raise RenderError(f"{blueprint.file or '<blueprint>'}: {exc}") from None


def _editable_exports(
    blueprint: Blueprint, layout: bytes | str, view: str, formats: list[str], detail: str = "full"
) -> dict[str, str]:
    """The Excalidraw and draw.io files of Graphviz's layout (``dot -Tjson``) of the diagram."""
    from .editable import editable
    from .geometry import LayoutError, placement

    try:
        diagram = editable(blueprint, placement(layout), view, detail)
    except LayoutError as exc:
        raise RenderError(str(exc)) from None
    return {fmt: writer(fmt)(diagram) for fmt in formats}


def writer(fmt: str):
    """The function that writes format ``fmt`` (its registry entry's ``writer``), imported when first used."""
    module, function = BY_NAME[fmt].writer.split(":")
    return getattr(importlib.import_module(f".{module}", __package__), function)


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
