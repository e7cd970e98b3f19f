"""The output formats of ``mlsd render``: one registry that the CLI, :mod:`.diagram`, the preview and the docs read.

Each :class:`OutputFormat` says its file extension, how it is drawn (by Graphviz itself, from Graphviz's
layout as editable shapes, or from the blueprint alone), the function that writes it, and its help text.
This module imports nothing heavy, so ``mlsd --help`` lists the formats without loading a renderer.
"""

from __future__ import annotations

from dataclasses import dataclass

# How a format is made: Graphviz draws it (``dot -T<name>``); it places Graphviz's layout
# (``dot -Tjson``) as editable shapes; or it is written from the blueprint without a layout.
GRAPHVIZ, LAYOUT, TEXT = "graphviz", "layout", "text"


@dataclass(frozen=True)
class OutputFormat:
    """One output format: ``name`` (``-f NAME``), ``extension`` of its files, how it is ``made``,
    its ``writer`` (``module:function`` under ``mlsd_diagram.outputs``, loaded when used; empty for the
    formats Graphviz draws) and a one-line ``help``."""

    name: str
    extension: str
    made: str
    writer: str
    help: str

    @property
    def needs_layout(self) -> bool:
        """Whether Graphviz must lay the diagram out (so ``dot`` must be installed)."""
        return self.made in (GRAPHVIZ, LAYOUT)


REGISTRY: tuple[OutputFormat, ...] = (
    OutputFormat("png", "png", GRAPHVIZ, "", "raster picture for documents and slides"),
    OutputFormat("svg", "svg", GRAPHVIZ, "", "self-contained vector picture (icons embedded), ids per component"),
    OutputFormat("pdf", "pdf", GRAPHVIZ, "", "vector picture for print"),
    OutputFormat("dot", "dot", TEXT, "dot:to_dot", "Graphviz source, with its icons in a folder beside it"),
    OutputFormat("mermaid", "mmd", TEXT, "mermaid:to_mermaid", "Mermaid text (GitHub renders it in Markdown)"),
    OutputFormat("excalidraw", "excalidraw", LAYOUT, "excalidraw:to_excalidraw", "editable boxes for Excalidraw"),
    OutputFormat("drawio", "drawio", LAYOUT, "drawio:to_drawio", "editable boxes for diagrams.net (draw.io)"),
)
BY_NAME = {f.name: f for f in REGISTRY}
FORMATS = tuple(f.name for f in REGISTRY)
# Graphviz draws these in one run; the SVG first, so it is finished while the others are drawn.
GRAPHVIZ_FORMATS = tuple(sorted((f.name for f in REGISTRY if f.made == GRAPHVIZ), key=lambda n: n != "svg"))
# The formats drawn from Graphviz's layout (its `dot -Tjson`), for editing in their own tools.
EDITABLE_FORMATS = tuple(f.name for f in REGISTRY if f.made == LAYOUT)
EXTENSIONS = {f.name: f.extension for f in REGISTRY}


def needs_layout(formats) -> bool:
    """Whether any of ``formats`` needs Graphviz's layout (so Graphviz must be installed)."""
    return any(BY_NAME[f].needs_layout for f in formats if f in BY_NAME)


def formats_help() -> str:
    """The ``-f`` option's help: every format with its one line."""
    return "; ".join(f"{f.name}: {f.help}" for f in REGISTRY)
