"""The outputs in their real clients: the SVG in headless Chromium, the Mermaid text in the Mermaid library."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from mlsd_diagram import load
from mlsd_diagram.outputs.diagram import render
from mlsd_diagram.outputs.mermaid import mermaid_id, to_mermaid

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*.yaml")) + sorted((HERE / "data").glob("*.yaml"))
MERMAID_JS = ROOT / "tests" / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

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
    assert MERMAID_JS.is_file(), "npm package mermaid is required in tests/js (make test installs it)"
    page = browser.new_page()
    page.set_content("<!doctype html><html><body><div id='host'></div></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    page.evaluate("() => mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
    yield page
    page.close()


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("view", ["all", "serving"])
def test_mermaid_parses_and_renders_every_component(mermaid_page, path, view):
    bp = load(path)
    text = to_mermaid(bp, view=view)
    result = mermaid_page.evaluate("""async (text) => {
        try {
            await mermaid.parse(text);
            const {svg} = await mermaid.render('diagram' + Math.floor(Math.random() * 1e9), text);
            return {ok: true, svg: svg};
        } catch (e) { return {ok: false, error: String(e && e.message || e)}; }
    }""", text)
    assert result["ok"], result.get("error") + "\n" + text
    svg = result["svg"]
    node_ids = re.findall(r'<g class="node[^"]*" id="([^"]+)"', svg)
    from mlsd_diagram.outputs.views import select_view

    view_components = select_view(bp.graph, view).components
    for cid in view_components:
        needle = f"flowchart-{mermaid_id(cid)}-"
        assert any(needle in node_id for node_id in node_ids), (cid, json.dumps(node_ids[:5]))
    assert len(node_ids) == len(view_components)
    assert len(re.findall(r'<path[^>]*class="[^"]*flowchart-link', svg)) == len(select_view(bp.graph, view).flows)
