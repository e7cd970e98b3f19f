"""The one font every diagram is laid out with: DejaVu Sans, shipped in this folder.

Graphviz measures and draws text through Pango and fontconfig, so the layout
(node sizes, and with them every coordinate) depends on which fonts a machine
has. ``dot`` therefore runs with a fontconfig file of our own
(:func:`dot_environment`) that lists this folder and nothing else: no system
configuration, no system or user font folders, so any family name resolves to
the bundled DejaVu Sans (regular and bold) and the same blueprint gives the same
bytes on every machine. The SVG names the family with fallbacks
(:data:`FONTNAME`), for browsers that do not have it. License: ``LICENSE`` here.
"""

from __future__ import annotations

import os
from html import escape as _html_escape
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent
FAMILY = "DejaVu Sans"
# Graphviz's fontname, written as is into the SVG's font-family: narrower fallbacks, so text that a
# browser draws with one of them still fits the boxes laid out for DejaVu Sans.
FONTNAME = f"{FAMILY},Arial,sans-serif"
FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
# Variables that would point fontconfig or Pango elsewhere; the dot subprocess gets ours instead.
_FONT_VARIABLES = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "PANGOCAIRO_BACKEND")


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities, as ``xml.sax.saxutils.escape`` does (which would import
    urllib and ssl, 17 ms of every render's start-up)."""
    return _html_escape(text, quote=False)


def cache_dir() -> Path:
    """Where fontconfig keeps its scan of the font folder between runs (the user's cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlsd-diagram" / "fontconfig"


def fontconfig_text(spare_cache: str | os.PathLike) -> str:
    """A fontconfig file that knows only the bundled fonts.

    Its cache goes to :func:`cache_dir`, or to ``spare_cache`` when that is not
    writable (fontconfig writes to the first writable one). Absolute paths only:
    older fontconfig versions resolve ``prefix="relative"`` differently.
    """
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{escape(str(FONT_DIR))}</dir>\n"
        f"  <cachedir>{escape(str(cache_dir()))}</cachedir>\n"
        f"  <cachedir>{escape(os.fspath(spare_cache))}</cachedir>\n"
        "</fontconfig>\n"
    )


def dot_environment(base: dict[str, str], folder: str | os.PathLike) -> dict[str, str]:
    """``base`` with fontconfig pinned to the bundled fonts, for the ``dot`` subprocess only.

    Writes the fontconfig file into ``folder`` (a temporary folder of the run).
    ``PANGOCAIRO_BACKEND=fc`` makes Pango use fontconfig on macOS too, where it
    would otherwise ask Core Text for the system's fonts.
    """
    config = Path(folder) / "fonts.conf"
    config.write_text(fontconfig_text(Path(folder) / "fontconfig-cache"), encoding="utf-8")
    env = {k: v for k, v in base.items() if k not in _FONT_VARIABLES}
    env.update(FONTCONFIG_FILE=str(config), PANGOCAIRO_BACKEND="fc")
    return env
