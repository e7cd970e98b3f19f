"""Finishing Graphviz's pictures: self-contained, natural-sized SVG and reproducible PDF bytes."""

from __future__ import annotations

import html
import re

from . import icons

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
