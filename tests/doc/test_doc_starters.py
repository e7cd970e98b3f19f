"""Every starter template: valid, lint-clean, rendered, and documented with a sound doc."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from docmarkdown import H2, STEP_TITLES, h2_titles, parser, table_after

from mlsd_diagram import load
from mlsd_diagram.analyses.lint import lint
from mlsd_diagram.cli import main
from mlsd_diagram.starters import starters

NAMES = [s.name for s in starters()]
CASE_STUDIES = {
    "visual_search",
    "street_view_blurring",
    "video_search",
    "harmful_content_detection",
    "video_recommendation",
    "event_recommendation",
    "ad_click_prediction",
    "similar_listings",
    "news_feed",
    "people_you_may_know",
}


def test_the_ten_case_studies_and_blank_ship():
    assert CASE_STUDIES | {"blank"} <= set(NAMES)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """For each starter: `mlsd new`, then `mlsd doc` twice (to compare bytes)."""
    root = tmp_path_factory.mktemp("starters")
    runner = CliRunner()
    out = {}
    for name in NAMES:
        blueprint = root / f"{name}.yaml"
        result = runner.invoke(main, ["new", str(blueprint), "--template", name])
        assert result.exit_code == 0, result.output
        first = runner.invoke(main, ["doc", str(blueprint), "-o", str(root / "a" / f"{name}.md")])
        assert first.exit_code == 0, first.output
        second = runner.invoke(main, ["doc", str(blueprint), "-o", str(root / "b" / f"{name}.md")])
        assert second.exit_code == 0, second.output
        out[name] = (blueprint, root / "a" / f"{name}.md", root / "b" / f"{name}.md")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_starter_validates_and_lints_without_errors(name, generated):
    bp = load(generated[name][0])
    errors = [f for f in lint(bp) if f.severity == "error" and not f.accepted]
    assert errors == [], "\n".join(map(str, errors))


@pytest.mark.parametrize("name", sorted(CASE_STUDIES))
def test_case_study_shows_the_practice_the_rules_check(name):
    """The ten case studies lint clean: every finding is fixed in the design or accepted with a reason."""
    from mlsd_diagram import loads

    findings = lint(loads(next(s.text for s in starters() if s.name == name), f"{name}.yaml"))
    assert [str(f) for f in findings if not f.accepted] == []
    assert all(f.reason and f.reason.strip() for f in findings if f.accepted)


@pytest.mark.parametrize("name", NAMES)
def test_doc_has_the_seven_steps_then_risks_and_appendix(name, generated):
    markdown = generated[name][1].read_text(encoding="utf-8")
    assert h2_titles(markdown) == H2
    assert len(STEP_TITLES) == 7


@pytest.mark.parametrize("name", NAMES)
def test_component_table_rows_match_the_blueprint(name, generated):
    bp = load(generated[name][0])
    markdown = generated[name][1].read_text(encoding="utf-8")
    rows = table_after(markdown, "Components")
    assert [r[0].strip("`") for r in rows] == list(bp.components)
    assert [r[1].strip("`") for r in rows] == [bp.kind_of(c).name for c in bp.components]
    flows = table_after(markdown, "Flows")
    assert [(r[1].strip("`"), r[2].strip("`")) for r in flows] == [(f.source, f.target) for f in bp.flows]


@pytest.mark.parametrize("name", NAMES)
def test_embedded_diagram_exists_beside_the_doc(name, generated):
    doc = generated[name][1]
    markdown = doc.read_text(encoding="utf-8")
    tokens = parser().parse(markdown)
    images = [
        child.attrs["src"] for t in tokens if t.type == "inline" for child in t.children or [] if child.type == "image"
    ]
    # the doc opens with the overview; the serving view, then the request view (the slowest request's p99)
    assert images == [f"{name}-overview.png", f"{name}-serving.png", f"{name}-request.png"]
    assert all((doc.parent / image).stat().st_size > 0 for image in images)
    assert (doc.parent / f"{name}-serving.svg").read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))


@pytest.mark.parametrize("name", NAMES)
def test_doc_is_commonmark_with_rendered_tables(name, generated):
    markdown = generated[name][1].read_text(encoding="utf-8")
    html = parser().render(markdown)
    separators = sum(1 for line in markdown.splitlines() if line.startswith("|---") or line.startswith("|--:"))
    assert html.count("<table>") == separators >= 3
    assert "| --- |" not in html and "|---|" not in html  # no table left as a paragraph
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    assert all(line == line.rstrip() for line in markdown.splitlines())


@pytest.mark.parametrize("name", NAMES)
def test_doc_bytes_are_identical_across_runs(name, generated):
    _, first, second = generated[name]
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_serving_view_is_embedded_as_a_mermaid_block(name, generated):
    from mlsd_diagram.outputs.mermaid import to_mermaid

    bp = load(generated[name][0])
    tokens = parser().parse(generated[name][1].read_text(encoding="utf-8"))
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"]
    expected = to_mermaid(bp, view="serving")
    assert fences[0].content == (expected if expected.endswith("\n") else expected + "\n")
