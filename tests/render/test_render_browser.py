"""The outputs in their real clients: the SVG in headless Chromium, the Mermaid text in the Mermaid library."""

from __future__ import annotations

import shutil
from pathlib import Path

import mermaid_client
import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import render
from mlsd_diagram.outputs.dot import flow_groups
from mlsd_diagram.outputs.mermaid import to_mermaid
from mlsd_diagram.outputs.views import VIEWS, select_view

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted((HERE / "data").glob("*.yaml"))

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.stem)
def test_copied_svg_shows_every_icon(browser, path, tmp_path):
    svg = render(load(path), formats=("svg",), out_dir=tmp_path / "render")[0]
    elsewhere = tmp_path / "copied" / "diagram.svg"  # another folder: nothing may depend on the original place
    elsewhere.parent.mkdir()
    shutil.copy(svg, elsewhere)
    page = browser.new_page()
    page.goto(elsewhere.as_uri())
    result = page.evaluate("""async () => {
        const hrefs = [...document.querySelectorAll('image')].map(
            i => i.getAttribute('xlink:href') || i.getAttribute('href'));
        const sizes = await Promise.all(hrefs.map(h => new Promise(resolve => {
            const img = new Image();
            img.onload = () => resolve(img.naturalWidth);
            img.onerror = () => resolve(0);
            img.src = h;
        })));
        const uses = [...document.querySelectorAll('use')];
        const resolved = uses.filter(u => document.getElementById(
            (u.getAttribute('xlink:href') || u.getAttribute('href')).slice(1)) !== null);
        return {count: hrefs.length, loaded: sizes.filter(w => w > 0).length,
                uses: uses.length, resolved: resolved.length,
                drawn: uses.filter(u => u.getBBox().width > 0).length,
                nodes: [...document.querySelectorAll('g.node')].map(g => g.id)};
    }""")
    page.close()
    components = load(path).components
    assert result["count"] >= 1 and result["loaded"] == result["count"], result  # every embedded icon loads
    assert result["uses"] >= len(components)  # an icon on every component, plus tech badges
    assert result["resolved"] == result["uses"], result
    assert result["drawn"] == result["uses"], result
    assert sorted(result["nodes"]) == sorted(f"component-{c}" for c in components)


@pytest.fixture(scope="module")
def mermaid_page(browser):
    page = mermaid_client.open_page(browser)
    yield page
    page.close()


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("view", VIEWS)
def test_mermaid_shows_every_label_as_written(mermaid_page, path, view):
    """The title, every node (label and tech), subgraph and flow label, as Mermaid draws them in Chromium."""
    bp = load(path)
    text = to_mermaid(bp, view=view)
    shown = mermaid_client.shown(mermaid_page, text)
    expected = mermaid_client.expected(bp, view)
    assert shown["nodes"] == expected["nodes"], text
    assert shown["clusters"] == expected["clusters"], text
    assert shown["edges"] == expected["edges"], text
    assert shown["title"] == expected["title"], text
    assert shown["links"] == expected["links"] and shown["scripts"] == 0


@pytest.mark.parametrize("path", sorted((ROOT / "blueprints").glob("*.yaml")), ids=lambda p: p.stem)
def test_mermaid_grouped_detail_draws_each_fan_once_with_its_count(mermaid_page, path):
    """`render -f mermaid` follows --detail as the picture does: a fan of telemetry or deploy flows is one link."""
    bp = load(path)
    groups = flow_groups(bp, select_view(bp.graph, "all"))
    assert groups, "the bundled blueprints fan telemetry to monitoring"
    full = mermaid_client.shown(mermaid_page, to_mermaid(bp))
    grouped = mermaid_client.shown(mermaid_page, to_mermaid(bp, detail="grouped"))
    saved = sum(len(g.flows) - 1 for g in groups)
    assert grouped["links"] == full["links"] - saved
    labels = [text for _, text in grouped["edges"]]
    for g in groups:
        what = "telemetry" if g.mode == "telemetry" else "deploys"
        assert f"{what} \u00d7{len(g.flows)}" in labels
    assert grouped["nodes"] == full["nodes"] and grouped["clusters"] == full["clusters"]


def test_mermaid_refuses_an_unknown_detail():
    with pytest.raises(ValueError, match="unknown detail 'some'"):
        to_mermaid(load(BLUEPRINTS[0]), detail="some")
