"""Reading generated design docs with markdown-it-py (CommonMark plus GFM tables), as GitHub shows them."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from mlsd_diagram import loads
from mlsd_diagram.outputs.doc import doc_context, render_markdown

DATA = Path(__file__).parent / "data"
STEP_TITLES = [
    "1. Clarifying requirements",
    "2. Framing as an ML task",
    "3. Data preparation",
    "4. Model development",
    "5. Evaluation",
    "6. Deployment and serving",
    "7. Monitoring and infrastructure",
]
H2 = STEP_TITLES + ["Cost, security and milestones", "Risks and open questions", "Appendix"]


def parser() -> MarkdownIt:
    """CommonMark plus GFM tables, as GitHub shows the doc."""
    return MarkdownIt("commonmark").enable("table")


def h2_titles(markdown: str) -> list[str]:
    tokens = parser().parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]


def sections(markdown: str) -> dict[str, str]:
    """Markdown split at its `## ` headings; the part before the first is under ``"title"``."""
    parts: dict[str, str] = {}
    current = "title"
    for line in markdown.split("\n"):
        match = re.match(r"^## (.+)$", line)
        if match:
            current = match.group(1)
            parts[current] = ""
            continue
        parts[current] = parts.get(current, "") + line + "\n"
    return parts


def table_after(markdown: str, heading: str) -> list[list[str]]:
    """The body rows (cell text) of the first table under the `###` heading ``heading``."""
    tokens = parser().parse(markdown)
    start = next(i for i, t in enumerate(tokens) if t.type == "heading_open" and tokens[i + 1].content == heading)
    rows: list[list[str]] = []
    in_body, row = False, None
    for token in tokens[start:]:
        if token.type == "heading_open" and token is not tokens[start]:
            break
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            break
        elif in_body and token.type == "tr_open":
            row = []
        elif in_body and token.type == "tr_close":
            rows.append(row)
        elif in_body and token.type == "inline":
            row.append(token.content)
    return rows


def doc_for(text: str, name: str = "bp.yaml") -> str:
    """The doc's Markdown for blueprint text, without rendering a diagram."""
    bp = loads(text, name=name)
    return render_markdown(doc_context(bp, stem=Path(name).stem, image=False, source=name))
