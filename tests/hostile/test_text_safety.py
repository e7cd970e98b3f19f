"""Every output accepts what validation accepts: character references and entity-like text stay text
(in Graphviz's SVG, PNG, the DOT export, the report), the Mermaid title is valid YAML, and the terminal
never receives escape sequences or unisolated bidi overrides from a blueprint."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml
from mlsd_testing import run_mlsd

from mlsd_diagram import loads
from mlsd_diagram.outputs.diagram import render
from mlsd_diagram.outputs.mermaid import to_mermaid

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
        update={"name": name}
    )
    front = to_mermaid(bp).split("---\n")[1]
    assert yaml.safe_load(front)["title"] == " ".join(name.split())


BIDI = """\
mlsd: 1
name: "Bidi \u202eevil\u2066"
components:
  app: {kind: client_app, label: "A \u202b label"}
  svc: {kind: online_service}
flows:
  - {from: app, to: svc, mode: request, data: "x \u2067 y"}
lint:
  accept:
    - {rule: MLSD202, component: svc, reason: "fine \u202e)gnorw si siht("}
"""


@pytest.mark.parametrize(
    "command", [["validate"], ["lint"], ["simulate"], ["lint", "--format", "json"], ["diff", "{other}"]]
)
def test_the_terminal_gets_no_escape_sequence_and_no_bare_bidi_override(tmp_path, command):
    path = tmp_path / "name \x1b]52;c;SGVsbG8=\x07 \x1b[2J \u202e.yaml"  # the file name reaches the output too
    path.write_text(BIDI, encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(BIDI.replace("svc", "svc2"), encoding="utf-8")
    args = [a.replace("{other}", str(other)) for a in command]
    result = run_mlsd(args[0], str(path), *args[1:])
    assert result.returncode in (0, 1), result.stderr
    shown = result.stdout + result.stderr
    assert shown.strip()
    for char in ["\x1b", "\x07", "\x9b", "\x9d", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]:
        assert char not in shown, (hex(ord(char)), shown[:300])
    if command == ["lint"]:
        assert "fine \\u202e)gnorw si siht(" in shown  # shown as a visible escape, not obeyed
    if "json" in command:
        import json

        assert json.loads(result.stdout)  # the escapes are JSON's own: the document reads back unchanged


def test_escaped_control_characters_are_refused_by_validation(tmp_path):
    path = tmp_path / "esc.yaml"
    path.write_text('mlsd: 1\nname: "x \\e[2J"\ncomponents: {a: {kind: cache}}\nflows: []\n')
    result = run_mlsd("validate", str(path))
    assert result.returncode == 2
    assert (
        result.stderr == f"{path}:2:7: error: control character U+001B (written as an escape) is not allowed; "
        "a blueprint holds plain text\n"
    )


def test_validate_reports_unknown_rules_in_the_lint_section_as_lint_does(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "mlsd: 1\nname: R\ncomponents: {a: {kind: online_service}}\nflows: []\nlint:\n"
        "  disable: [MLSD999]\n  accept:\n    - {rule: nope-rule, reason: r}\n"
    )
    validated, linted = run_mlsd("validate", str(path)), run_mlsd("lint", str(path))
    assert validated.returncode == linted.returncode == 2
    assert validated.stderr == linted.stderr
    assert f"{path}:6:13: error: lint.disable names unknown rule 'MLSD999'" in validated.stderr
    assert f"{path}:8:14: error: lint.accept names unknown rule 'nope-rule'" in validated.stderr


def test_a_bad_role_names_the_role(tmp_path):
    path = tmp_path / "role.yaml"
    path.write_text(
        "mlsd: 1\nname: R\nkinds:\n  x-svc: {stage: serving, roles: [online]}\n"
        "components: {a: {kind: x-svc}}\nflows: []\n"
    )
    result = run_mlsd("validate", str(path))
    assert result.returncode == 2 and "unknown role 'online' (expected one of: " in result.stderr, result.stderr
