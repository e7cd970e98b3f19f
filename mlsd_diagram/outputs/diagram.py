"""Render a blueprint to PNG, SVG, PDF, DOT and Mermaid files.

Graphviz lays the graph out exactly once per :func:`render` call: one ``dot``
process gets every raster/vector format at once (``-Tsvg -o .. -Tpng -o ..``).
The SVG is then made self-contained (icons as data URIs) and given its natural
size back (the PNG's page-size limit and resolution are graph attributes, which
Graphviz also applies to the SVG). Every file is written atomically.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from ..blueprint.models import Blueprint
from . import icons
from .dot import to_dot
from .files import output_path, write_atomic

FORMATS = ("png", "svg", "pdf", "dot", "mermaid")
EXTENSIONS = {"png": "png", "svg": "svg", "pdf": "pdf", "dot": "dot", "mermaid": "mmd"}
GRAPHVIZ_FORMATS = ("svg", "png", "pdf")
INSTALL_HINT = "install Graphviz: `apt-get install graphviz` (Debian, Ubuntu) or `brew install graphviz` (macOS)"


class RenderError(RuntimeError):
    """Rendering failed (bad option, or Graphviz reported an error)."""


class GraphvizMissing(RenderError):
    """Graphviz's ``dot`` is not on the PATH."""

    def __init__(self) -> None:
        super().__init__(f"Graphviz's `dot` was not found on the PATH; {INSTALL_HINT}")


def dot_binary() -> str:
    """The path of Graphviz's ``dot``; raises :class:`GraphvizMissing` when absent."""
    found = shutil.which("dot")
    if found is None:
        raise GraphvizMissing()
    return found


def output_stem(blueprint: Blueprint) -> str:
    """The default file stem: the blueprint file's stem, else a slug of its name."""
    if blueprint.file and blueprint.file != "<blueprint>":
        return Path(blueprint.file).stem
    return re.sub(r"[^a-z0-9]+", "_", blueprint.name.lower()).strip("_") or "blueprint"


def output_name(stem: str, fmt: str, view: str = "all") -> str:
    """``news_feed.svg``, or ``news_feed-serving.svg`` for a view other than ``all``."""
    return f"{stem}{'' if view == 'all' else '-' + view}.{EXTENSIONS[fmt]}"


def _imagepath() -> str:
    return os.pathsep.join(str(root) for root in icons.icon_roots())


def run_dot(dot_text: str, formats: Iterable[str]) -> dict[str, bytes]:
    """Lay ``dot_text`` out once and draw it in every one of ``formats`` (svg, png, pdf)."""
    formats = list(dict.fromkeys(formats))
    binary = dot_binary()
    with tempfile.TemporaryDirectory(prefix="mlsd-render-") as tmp:
        args = [binary, f"-Gimagepath={_imagepath()}"]
        for fmt in formats:
            args += [f"-T{fmt}", "-o", os.path.join(tmp, f"out.{fmt}")]
        env = dict(os.environ, SOURCE_DATE_EPOCH="0")
        try:
            done = subprocess.run(args, input=dot_text.encode("utf-8"), capture_output=True, env=env, check=False)
        except FileNotFoundError as exc:  # removed between which() and run()
            raise GraphvizMissing() from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
            raise RenderError(f"Graphviz failed: {message}")
        return {fmt: Path(tmp, f"out.{fmt}").read_bytes() for fmt in formats}


_IMAGE = re.compile(r'<image xlink:href="([^"]+)" (width="[^"]*" height="[^"]*") preserveAspectRatio="([^"]*)" '
                    r'(x="[^"]*" y="[^"]*")/>')
_SVG_OPEN = re.compile(r"<svg [^>]*>")
_ID = re.compile(r' id="([^"]*)"')
_SVG_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"\n viewBox="[^"]*"')
_SCALE = re.compile(r'transform="scale\([^)]*\) rotate\(0\) translate\(([-\d.]+) ([-\d.]+)\)"')
_BACKGROUND = re.compile(r'<polygon fill="[^"]*" stroke="[^"]*" points="([^"]*)"/>')


def finish_svg(svg: str) -> str:
    """Make Graphviz's SVG self-contained and natural-sized.

    Each distinct icon is embedded once, as a data URI in a ``<symbol>`` of ``<defs>``,
    and drawn with ``<use>`` wherever it appears; the ``size``/``dpi`` scaling meant for the
    PNG is undone (the drawing keeps its natural size in points); ``&#45;`` in
    ids is written as ``-`` so ids read as written in the blueprint.
    """
    # Every pass but the icon embedding runs first, on the small text: embedding makes it larger.
    svg = _ID.sub(lambda m: f' id="{m.group(1).replace("&#45;", "-")}"', svg)
    background = _BACKGROUND.search(svg)
    if background:
        xs, ys = zip(*(map(float, p.split(",")) for p in background.group(1).split()))
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        svg = _SVG_SIZE.sub(f'<svg width="{width:.0f}pt" height="{height:.0f}pt"\n'
                            f' viewBox="0.00 0.00 {width:.2f} {height:.2f}"', svg, count=1)
        svg = _SCALE.sub(lambda m: f'transform="scale(1 1) rotate(0) translate({m.group(1)} {m.group(2)})"', svg,
                         count=1)
    return _embed_icons(svg)


def _embed_icons(svg: str) -> str:
    """Replace icon ``<image>`` file references by ``<use>`` of one embedded ``<symbol>`` per icon."""
    symbols: dict[tuple[str, str], str] = {}

    def use(match: re.Match) -> str:
        ref, size, aspect, position = match.groups()
        if not (ref.endswith(".png") and icons.icon_file(ref).is_file()):
            return match.group(0)
        symbol = symbols.setdefault((ref, aspect), f"icon-{len(symbols)}")
        return f'<use xlink:href="#{symbol}" {size} {position}/>'

    svg = _IMAGE.sub(use, svg)
    if not symbols:
        return svg
    defs = ["<defs>"]
    for (ref, aspect), symbol in symbols.items():
        width, height = icons.png_size(ref)
        defs.append(f'<symbol id="{symbol}" viewBox="0 0 {width} {height}" preserveAspectRatio="{aspect}">'
                    f'<image width="{width}" height="{height}" xlink:href="{icons.data_uri(ref)}"/></symbol>')
    defs.append("</defs>")
    opening = _SVG_OPEN.search(svg)
    return svg[:opening.end()] + "\n" + "\n".join(defs) + svg[opening.end():]


_PDF_DATE = re.compile(rb"/CreationDate \(D:[0-9]{14}[^)]*\)")


def finish_pdf(pdf: bytes) -> bytes:
    """Blank the creation date cairo stamps into PDFs, so reruns give the same bytes (same length kept)."""
    return _PDF_DATE.sub(lambda m: b"/CreationDate (D:" + b"0" * (len(m.group(0)) - 18) + b")", pdf)


def render_svg_text(blueprint: Blueprint, view: str = "all", direction: str = "LR") -> str:
    """The diagram as self-contained SVG text (icons as data URIs), without writing files."""
    drawn = run_dot(to_dot(blueprint, view=view, direction=direction), ["svg"])
    return finish_svg(drawn["svg"].decode("utf-8"))


def render(blueprint: Blueprint, formats: Iterable[str] = ("png", "svg"), out_dir: str | os.PathLike = "output",
           stem: str | None = None, view: str = "all", direction: str = "LR", scale: float = 1.0) -> list[Path]:
    """Write the diagram of ``blueprint`` in ``formats`` into ``out_dir``; return the paths written.

    Formats: png, svg, pdf (one Graphviz layout for all three), dot, mermaid
    (``.mmd``). Files are named ``<stem>[-<view>].<ext>``; ``stem`` defaults to
    the blueprint file's stem. ``scale`` multiplies the PNG resolution.
    Nothing is written unless every format rendered.
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format {unknown[0]!r}; expected one of: {', '.join(FORMATS)}")
    if not scale > 0:
        raise RenderError(f"scale must be greater than 0, got {scale}")
    stem = stem or output_stem(blueprint)
    targets = {fmt: output_path(out_dir, output_name(stem, fmt, view)) for fmt in formats}
    dot_text = to_dot(blueprint, view=view, direction=direction, scale=scale)
    payloads: dict[str, bytes | str] = {}
    drawn_formats = [f for f in GRAPHVIZ_FORMATS if f in formats]
    if drawn_formats:
        drawn = run_dot(dot_text, drawn_formats)
        for fmt, data in drawn.items():
            if fmt == "svg":
                payloads[fmt] = finish_svg(data.decode("utf-8"))
            elif fmt == "pdf":
                payloads[fmt] = finish_pdf(data)
            else:
                payloads[fmt] = data
    if "dot" in formats:
        payloads["dot"] = dot_text
    if "mermaid" in formats:
        from .mermaid import to_mermaid

        payloads["mermaid"] = to_mermaid(blueprint, view=view, direction=direction)
    return [write_atomic(targets[fmt], payloads[fmt]) for fmt in formats]
