"""How diagrams look: stage and flow-mode colours, Graphviz attributes, page size, and label text helpers.

Plain data and string helpers, shared by the DOT, Mermaid and editable outputs.
"""

from __future__ import annotations

import html
import re
import textwrap
from dataclasses import dataclass

from ..blueprint.kinds import Stage
from .fonts import FONTNAME

DIRECTIONS = ("LR", "TB")
FONT = FONTNAME  # DejaVu Sans, the bundled font dot lays out with (see .fonts), with fallbacks for the SVG

STAGE_ORDER = [
    s.value for s in (Stage.CLIENT, Stage.SERVING, Stage.FEATURES, Stage.DATA, Stage.TRAINING, Stage.MONITORING)
]
# cluster fill, border and label colours per stage; custom groups take the neutral one
STAGE_COLOURS = {
    "client": ("#F4F6F8", "#B0BEC5", "#37474F"),
    "serving": ("#EEF5FD", "#90B4DD", "#0D47A1"),
    "features": ("#F6F0FB", "#C3A6DB", "#4A148C"),
    "data": ("#EFF8F0", "#9CCB9F", "#1B5E20"),
    "training": ("#FEF4EA", "#F0BE8C", "#BF360C"),
    "monitoring": ("#FDF0F0", "#E3A5A5", "#B71C1C"),
}
NEUTRAL_COLOURS = ("#F7F7F5", "#BDBDBD", "#424242")


def _halfway(a: str, b: str) -> str:
    """The colour halfway between two ``#RRGGBB`` colours."""
    return "#" + "".join(f"{(int(a[k : k + 2], 16) + int(b[k : k + 2], 16) + 1) // 2:02X}" for k in (1, 3, 5))


# A component's frame: halfway between its cluster's border and label colours, so it stands out against the
# white inside it and the cluster's fill around it (3:1 or more on white).
def frame_colour(group: str) -> str:
    """The frame colour of the components of cluster ``group``."""
    _, border, ink = STAGE_COLOURS.get(group, NEUTRAL_COLOURS)
    return _halfway(border, ink)


@dataclass(frozen=True)
class ModeStyle:
    """How a flow mode is drawn, and how the legend shows it.

    ``color`` is one of the Okabe-Ito colours (readable for colour-blind readers, none a stage's hue),
    and the line's pattern alone (``style``, ``penwidth``, ``double``) tells the modes apart in greyscale.
    """

    color: str
    style: str
    penwidth: str
    sample: str
    meaning: str
    ink: str = ""  # the label text's colour where the line's own is too light for text
    double: bool = False  # drawn as two parallel lines

    @property
    def text(self) -> str:
        """The colour of the flow's label: readable (WCAG AA, 4.5:1) on white and on every cluster fill."""
        return self.ink or self.color

    @property
    def line(self) -> str:
        """The DOT ``color`` of the line: two parallel strokes for a double line."""
        return f"{self.color}:transparent:{self.color}" if self.double else self.color

    def haloed(self, halo: str) -> str:
        """The DOT ``color`` of the line with a ``halo`` stroke along each side (the diff's highlight)."""
        return f"{halo}:{self.line}:{halo}"


# Okabe & Ito's colour-blind-safe palette (black, blue, orange, reddish purple, bluish green) and a grey;
# in greyscale: thick solid, thin solid, dashed, double, double dashed, dotted.
MODE_STYLES = {
    "request": ModeStyle("#000000", "bold", "2.4", "\u2501\u2501\u2501", "request (online call)"),
    "stream": ModeStyle("#0072B2", "solid", "1.3", "\u2500\u2500\u2500", "stream"),
    "batch": ModeStyle("#E69F00", "dashed", "1.5", "\u2574 \u2574 \u2574", "batch", ink="#7A5000"),
    "deploy": ModeStyle(
        "#CC79A7", "solid", "1.1", "\u2550\u2550\u2550", "deploy (artifact)", ink="#9C3F75", double=True
    ),
    "fallback": ModeStyle("#009E73", "dashed", "1.1", "\u254d\u254d\u254d", "fallback", ink="#00694D", double=True),
    "telemetry": ModeStyle("#808080", "dotted", "1.2", "\u00b7\u00b7\u00b7\u00b7\u00b7", "telemetry", ink="#5E6A72"),
}
# The diff's highlight: a translucent Okabe-Ito yellow around what changed (no flow or stage uses it).
HALO = "#F0E442"

# the modes whose flows between clusters decide the cluster order, so the request path reads left to right
ORDERING_MODES = frozenset({"request"})
# modes that never decide which flow of a cycle inside a cluster is turned around (Graphviz breaks a cycle
# they close itself), so a telemetry flow never turns a data flow around
LOOSE_MODES = frozenset({"telemetry"})
# request flows pull their ends into a straight line harder than other flows (Graphviz's default is 1),
# so the request path reads as one left-to-right line
REQUEST_WEIGHT = "4"

# polyline splines, wide node gaps and close ranks: measured with benchmarks/layout.py on every bundled
# blueprint and starter (default and serving views): nodesep 0.85 / ranksep 0.3 keeps crossings, labels
# struck by edges, labels on frames and the aspect within their targets; 0.7 / 0.4 struck 14 labels once the
# starters grew, and neighbouring values swing each figure by a few (the layouts are sensitive)
GRAPH_ATTRS = {
    "splines": "polyline",
    "nodesep": "0.85",
    "ranksep": "0.3",
    "pad": "0.25",
    "fontname": FONT,
    "fontsize": "11",
    "fontcolor": "#263238",
    "outputorder": "edgesfirst",
    "labelloc": "t",
    "labeljust": "l",
    "bgcolor": "white",
    "mclimit": "0.5",
    "remincross": "true",
    "newrank": "true",
}
# Diagrams of up to this many components get this many times Graphviz's usual crossing-reduction passes
# (``mclimit``): measured with benchmarks/layout.py on every bundled blueprint and starter (all and serving views),
# crossings 432 -> 379 and labels on frames 5 at 3 (1: 419 and 5, 2: 402 and 7, 4: 379 and 6, 6: 380 and 6), in
# no measurable time; larger designs keep GRAPH_ATTRS' 0.5, as each pass costs more there.
THOROUGH_MCLIMIT = "3"
THOROUGH_UP_TO = 150

# A component is a white rounded box holding its icon, badge and label: edges clip to (and arrowheads end on)
# its frame, and its text reads on white whatever the cluster's fill. The frame takes the cluster's label colour.
NODE_ATTRS = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "white",
    "penwidth": "1.0",
    "fontname": FONT,
    "fontsize": "11",
    "fontcolor": "#263238",
    "margin": "0.06,0.03",
}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"}
CLUSTER_ATTRS = {
    "style": "rounded,filled",
    "fontname": FONT,
    "fontsize": "12",
    "labeljust": "l",
    "margin": "24",  # room between the frame and the labels of edges passing inside it
    "penwidth": "1.2",
}
# A labelled flow spans two ranks or more, so its label gets a rank of its own, clear of the other edges'
# bends (measured: labels struck by another edge 19 -> 7 over the bundled diagrams, with the margin above).
LABELLED_MINLEN = "2"
# The serving view goes into a design doc, a page 6.5 in wide, drawn left to right along the request. Its width
# is the request path's depth (each hop a column of components and a column of flow labels), so it is kept
# narrow: components' names wrap at SERVING_TITLE_CHARS (their tech 4 more; whole words), flow labels are cut
# at a word to SERVING_LABEL_CHARS (the whole text is in the flow's tooltip) and wrap at SERVING_LABEL_WRAP,
# labelled flows span one rank, the cluster margin is halved, and its smallest text (tech lines, flow labels)
# is SERVING_TEXT_PT, not 9. Measured with benchmarks/layout.py on the bundled blueprints (the feeders from other
# stages left out too, see views.select_view): smallest text at 6.5 in 1.6-2.5 pt -> 4.5-4.7 pt, no label
# struck or on a frame. The way in stacked in the first column (below): 15-16 in wide -> 10.6-11.0 in, 6.5-6.7 pt
# (the starters 4.5-7.9 -> 6.5-8.2 pt), still none struck or on a frame; the pictures grow 1.6-2 in taller.
SERVING_TEXT_PT = "11"
# a component a view borrows from another stage (the data view's producers and consumers): its name, this size
SMALL_NODE_PT = "10"
SERVING_TITLE_CHARS = 12
SERVING_LABEL_CHARS = 28
SERVING_LABEL_WRAP = 12
SERVING_MINLEN = "1"
SERVING_CLUSTER_MARGIN = "12"
# The serving view's way in (client, gateway, the service that fans out) stands top to bottom in the first column
# (dot.entry_chain); its flows' labels go on the left of it, in room an invisible node makes: as wide as the widest
# label line at SERVING_ENTRY_CHAR_EM of the font size a character, less the SERVING_ENTRY_ROOM_PT the column has
# there anyway (half a component, the gap of two ranks, the cluster margin). The name cannot be a component id.
SERVING_ENTRY_CHAR_EM = 0.62
SERVING_ENTRY_ROOM_PT = 76.0
ENTRY_ROOM = "entry room"

# Flows of these modes that fan between two clusters are drawn as one edge with their count (detail
# "grouped"): telemetry per (source cluster, target cluster), deploys per (source component, target cluster).
# They are the long loops back across the canvas; the request path is never grouped.
GROUPED_MODES = ("telemetry", "deploy")

# The overview: one box per stage, with bigger text, so the picture reads at 8 pt or more on a page.
OVERVIEW_NODE_NAMES = 3  # component names listed in a stage's box before "+ N more"
OVERVIEW_NAME_WRAP = 15  # characters per line of a name in a stage's box: narrower columns, a slide's shape
OVERVIEW_FONTSIZE = "12"
OVERVIEW_ATTRS = {"nodesep": "0.35", "ranksep": "0.25"}
# A view's direction when none is asked for, where it is not LR.
VIEW_DIRECTIONS: dict[str, str] = {}
OVERVIEW_SUMMARY_WIDTH = 70  # characters per line of the overview's summary

# Default PNG canvas: the size follows the text. At 88 dpi the smallest text (9 pt labels) is 11 px at 100%
# zoom, so a full diagram reads when zoomed; only a layout wider or taller than 8192 px (93 in; a side most
# image viewers and GPUs handle, at most 67 Mpx) is scaled down to fit.
PNG_MAX_PX = 8192
PNG_DPI = 88.0
PAGE_INCHES = (PNG_MAX_PX / PNG_DPI, PNG_MAX_PX / PNG_DPI)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


_PLAIN_LINE = re.compile(r"\S(?:[^\t\n\r\v\f]*\S)?")


def wrap(text: str, width: int) -> list[str]:
    if len(text) <= width and _PLAIN_LINE.fullmatch(text):  # most labels: one line, nothing to wrap
        return [text]
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def wrap_words(text: str, width: int, longest: int = 26) -> list[str]:
    """``text`` wrapped at ``width`` without breaking a word, except one over ``longest`` characters (a narrow
    label reads "Recommendations API", not "Recommendati / ons API")."""
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]
    return [piece for line in lines for piece in wrap(line, longest)]


def tooltip_text(text: str) -> str:
    # Graphviz reads backslash escapes in tooltips; keep user backslashes literal. nohtml: a text that
    # happens to look like <...> must stay a quoted string, not become an HTML label. '&' is written
    # '&amp;': Graphviz decodes character references in quoted strings (`&#1;`, `&#xD800;` gave bytes
    # that are not UTF-8) and copies entity-like text into the SVG as is (`&nbsp;` is not XML).
    from graphviz import nohtml  # here, not at the top: `mlsd lint` must not load Graphviz bindings

    return nohtml(text.replace("&", "&amp;").replace("\\", "\\\\").replace("\n", "\\n"))
