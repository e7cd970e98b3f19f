"""Every output accepts what validation accepts: character references and entity-like text stay text
(in Graphviz's SVG, PNG, the DOT export, the report), the Mermaid title is valid YAML, and the terminal
never receives escape sequences or unisolated bidi overrides from a blueprint."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from mlsd_diagram import loads
from mlsd_diagram.outputs.diagram import render
from mlsd_diagram.outputs.mermaid import to_mermaid
from mlsd_testing import run_mlsd

REFERENCES = """\
mlsd: 1
name: "Refs &nbsp; &#1; \\\\ back\\\\slash"
components:
  a: {kind: online_service, group: "Q&nbsp;A", label: "x&#1;y &#x7; &copy; &amp; &#xD800;", tech: "&#0;"}
  b: {kind: cache, label: "&#65535; &lt;b&gt;"}
flows:
  - {from: a, to: b, mode: request, data: "d&#8; &nbsp;"}
"""


def test_entity_like_text_gives_valid_svg_png_pdf_and_dot(tmp_path):
    bp = loads(REFERENCES)
    written = render(bp, formats=("svg", "png", "pdf", "dot"), out_dir=tmp_path, stem="refs")
    svg = ET.parse(tmp_path / "refs.svg").getroot()
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "Q&nbsp;A" in texts and "x&#1;y" in texts  # shown as written
    ids = {e.get("id") for e in svg.iter()}
    assert "group-Q&nbsp;A" in ids
    assert len(written) == 5
    again = subprocess.run(["dot", "-Tsvg", "refs.dot"], cwd=tmp_path, capture_output=True, timeout=60, check=True)
    ET.fromstring(again.stdout)


def test_entity_like_text_gives_a_report(tmp_path):
    path = tmp_path / "refs.yaml"
    path.write_text(REFERENCES)
    result = run_mlsd("report", str(path), "-o", str(tmp_path / "refs.html"))
    assert result.returncode == 0, result.stderr


@pytest.mark.browser
def test_chromium_opens_the_svg_and_shows_the_text_as_written(browser, tmp_path):
    render(loads(REFERENCES), formats=("svg",), out_dir=tmp_path, stem="refs")
    page = browser.new_page()
    page.goto((tmp_path / "refs.svg").as_uri())
    shown = page.evaluate("""() => ({
        error: document.getElementsByTagName('parsererror').length,
        texts: [...document.querySelectorAll('text')].map(t => t.textContent)})""")
    page.close()
    assert shown["error"] == 0
    assert "Q&nbsp;A" in shown["texts"]


@pytest.mark.parametrize("name", ["C:\\Users\\x", "a\\\\b\\", "\\u0041 \\n", "del\x7fand\x85c1\x9f"])
def test_the_mermaid_title_is_valid_yaml(name):
    bp = loads("mlsd: 1\nname: placeholder\ncomponents: {a: {kind: cache}}\nflows: []\n").model_copy(
        update={"name": name})
    front = to_mermaid(bp).split("---\n")[1]
    assert yaml.safe_load(front)["title"] == " ".join(name.split())
