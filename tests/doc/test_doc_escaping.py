"""Blueprint text can change what a reader sees in the doc, never the doc's structure."""

from __future__ import annotations

import copy

import yaml
from docmarkdown import DATA, doc_for, parser
from hypothesis import given, settings
from hypothesis import strategies as st

from mlsd_diagram.outputs.doc.markdown import code, escape_inline, fence

HOSTILE = [
    "a | b || c",
    "<script>alert(1)</script>",
    "# not a heading",
    "## also not",
    "1. not a list",
    "2) nor this",
    "- nor this",
    "+ nor",
    "---",
    "***",
    "___",
    "=====",
    "> not a quote",
    "```fence```",
    "`code`",
    "x & y &amp; z",
    "*emph* _emph_ __strong__",
    "[link](http://example.com)",
    "![img](x.png)",
    "\\ back \\\\ slash",
    "~~strike~~",
    "line one\n# line two\n- line three",
    "&#35; entity",
    "<http://example.com>",
    "|---|---|",
    "    indented",
    "snake_case_name",
    "p(x > 10) < 5",
]

TEXT = st.text(alphabet=st.sampled_from(list("ab #|<>&`*_[]()!~\\-+=.:1\n\t")), min_size=1, max_size=40).filter(
    lambda s: s.strip()
)


def _structure(markdown: str) -> list[tuple[str, str]]:
    """Block tokens (type and tag): headings, paragraphs, lists, tables, rows, cells, quotes, fences."""
    return [(t.type, t.tag) for t in parser().parse(markdown) if t.type != "inline"]


def _inline_text(token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def _with_text(data: dict, text: str) -> dict:
    data = copy.deepcopy(data)
    data["name"] = text
    data["summary"] = text
    data["requirements"]["objective"] = text
    data["requirements"]["constraints"] = [text, "plain"]
    data["metrics"]["online"] = [text]
    for cid in ("ranker", "orders", "lake", "monitoring"):
        data["components"][cid]["label"] = text
        data["components"][cid]["tech"] = text
        data["components"][cid]["notes"] = text
    data["components"]["ranker"]["inputs"] = [text]
    data["components"]["ranker"]["outputs"] = [text, text]
    for flow in data["flows"]:
        flow["data"] = text
        flow.setdefault("tags", []).append(text)
        if "label_source" in flow:
            flow["label_source"] = text
    for key in ("motivation", "cost", "security", "privacy"):
        data["context"][key] = text
    for key in ("scope_in", "scope_out", "alternatives", "milestones", "risks", "integrations"):
        data["context"][key] = [text, "plain"]
    ranker = data["components"]["ranker"]
    for key in ("model", "loss", "positives", "negatives", "training_setup", "tuning", "compression", "value_model"):
        ranker[key] = text
    ranker["alternatives"] = [text]
    data["components"]["retrieval"]["negative_sampling"] = text
    return data


RANKER = yaml.safe_load((DATA / "ranker.yaml").read_text(encoding="utf-8"))
REFERENCE = _structure(doc_for(yaml.safe_dump(_with_text(RANKER, "plain words"), sort_keys=False)))


@settings(max_examples=25, deadline=None)
@given(text=TEXT)
def test_random_text_never_changes_the_structure(text):
    markdown = doc_for(yaml.safe_dump(_with_text(RANKER, text), sort_keys=False))
    assert _structure(markdown) == REFERENCE


def _talk(text: str) -> str:
    from mlsd_diagram import loads
    from mlsd_diagram.outputs.doc import doc_markdown

    bp = loads(yaml.safe_dump(_with_text(RANKER, text), sort_keys=False), "bp.yaml")
    return doc_markdown(bp, stem="bp", interview=True)


def test_hostile_text_never_changes_the_interview_talk_track():
    reference = _structure(_talk("plain words"))
    for text in HOSTILE:
        markdown = _talk(text)
        assert _structure(markdown) == reference, text
        html = parser().render(markdown)
        assert "<script>" not in html and "<a href" not in html


def test_hostile_text_is_shown_literally():
    for text in HOSTILE:
        markdown = doc_for(yaml.safe_dump(_with_text(RANKER, text), sort_keys=False))
        assert _structure(markdown) == REFERENCE, text
        tokens = parser().parse(markdown)
        title = next(tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1")
        assert _inline_text(title) == " ".join(text.split()) + ": design doc"
        html = parser().render(markdown)
        assert "<script>" not in html and "<a href" not in html and '<img src="x.png"' not in html


def test_escape_inline_round_trips_through_commonmark():
    for text in HOSTILE:
        tokens = parser().parse(escape_inline(text) + "\n")
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], text
        assert _inline_text(tokens[1]) == " ".join(text.split())


def test_code_spans_only_for_safe_text():
    assert code("feature_store") == "`feature_store`"
    assert code("a|b") == "a\\|b"
    assert code("x`y") == "x\\`y"


def test_fence_outgrows_backticks_inside():
    block = fence("graph LR\n  a[```] --> b\n", "mermaid")
    assert block.startswith("````mermaid\n") and block.endswith("\n````")
    tokens = parser().parse(block + "\n")
    assert [t.type for t in tokens] == ["fence"] and tokens[0].content == "graph LR\n  a[```] --> b\n"
