"""Outputs: diagrams, Mermaid, design docs, SARIF/JSON, the HTML report. Each reads the model and analyses."""

# The names the command line offers, here so that `mlsd --help` need not import the renderers.
from .formats import EDITABLE_FORMATS, FORMATS

VIEWS = ("all", "serving", "training", "data", "monitoring", "overview")
# The views of components and flows above, and the request view: the slowest request's p99 as a waterfall
# (``outputs.request_view``; drawn by `mlsd render`, not a selection of components).
RENDER_VIEWS = (*VIEWS, "request")
# How many edges a diagram draws: "grouped" draws telemetry and deploy flows that fan between two clusters
# as one edge with their count, "full" draws every flow.
DETAILS = ("grouped", "full")

__all__ = ["DETAILS", "EDITABLE_FORMATS", "FORMATS", "RENDER_VIEWS", "VIEWS"]
