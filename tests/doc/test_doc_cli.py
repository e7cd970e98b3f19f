"""`mlsd doc` and `mlsd new` through the real CLI."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from docmarkdown import DATA, H2, h2_titles, sections

from mlsd_diagram.cli import main
from mlsd_diagram.starters import starter, starters


@pytest.fixture
def runner():
    return CliRunner()


# -- mlsd new --------------------------------------------------------------------------


def test_list_shows_every_starter_with_its_name_and_summary(runner):
    result = runner.invoke(main, ["new", "--list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [s.name for s in starters()]
    for item, line in zip(starters(), lines):
        data = yaml.safe_load(item.text)
        assert f"{data['name']}: " in line and " ".join(data["summary"].split()) in line


SCHEMA_LINE = "# yaml-language-server: $schema=mlsd.schema.json\n"


def test_new_writes_the_starter_verbatim_under_a_schema_line(runner, tmp_path):
    target = tmp_path / "sub" / "feed.yaml"
    result = runner.invoke(main, ["new", str(target), "--template", "news_feed"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == SCHEMA_LINE + starter("news_feed").text
    assert runner.invoke(main, ["validate", str(target)]).exit_code == 0


@pytest.mark.parametrize("name", [s.name for s in starters()])
def test_new_writes_the_schema_the_editor_checks_the_starter_with(runner, tmp_path, name):
    """The schema file named on the first line is `mlsd schema`'s, and every starter passes it."""
    import jsonschema

    target = tmp_path / f"{name}.yaml"
    result = runner.invoke(main, ["new", str(target), "--template", name])
    assert result.exit_code == 0 and "mlsd.schema.json for editor completion" in result.output
    schema_text = (tmp_path / "mlsd.schema.json").read_text(encoding="utf-8")
    assert schema_text == runner.invoke(main, ["schema"]).output
    schema = json.loads(schema_text)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(target.read_text(encoding="utf-8")), schema)


def test_new_keeps_an_existing_schema_file_and_writes_none_for_a_url(runner, tmp_path):
    (tmp_path / "mlsd.schema.json").write_text("{}", encoding="utf-8")
    assert runner.invoke(main, ["new", str(tmp_path / "a.yaml")]).exit_code == 0
    assert (tmp_path / "mlsd.schema.json").read_text(encoding="utf-8") == "{}"
    other = tmp_path / "other"
    url = "https://example.org/mlsd.schema.json"
    assert runner.invoke(main, ["new", str(other / "b.yaml"), "--schema", url]).exit_code == 0
    assert (other / "b.yaml").read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema={url}"
    assert sorted(p.name for p in other.iterdir()) == ["b.yaml"]


def test_new_defaults_to_blank_and_names_the_file_in_a_folder(runner, tmp_path):
    assert runner.invoke(main, ["new", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "blank.yaml").read_text(encoding="utf-8") == SCHEMA_LINE + starter("blank").text


def test_new_never_overwrites_without_force(runner, tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("my work\n", encoding="utf-8")
    result = runner.invoke(main, ["new", str(target), "--template", "visual_search"])
    assert result.exit_code == 2
    assert "already exists; use --force to overwrite it" in result.output
    assert target.read_text(encoding="utf-8") == "my work\n"
    forced = runner.invoke(main, ["new", str(target), "--template", "visual_search", "--force"])
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8") == SCHEMA_LINE + starter("visual_search").text


def test_new_unknown_template_suggests_the_close_one(runner, tmp_path):
    result = runner.invoke(main, ["new", str(tmp_path / "x.yaml"), "--template", "news_fed"])
    assert result.exit_code == 2
    assert "unknown template 'news_fed'; did you mean 'news_feed'?" in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_new_without_path_or_list_is_a_usage_error(runner):
    result = runner.invoke(main, ["new"])
    assert result.exit_code == 2 and "--list" in result.output


# -- mlsd doc --------------------------------------------------------------------------


def test_doc_default_output_is_output_stem_md(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shop.yaml").write_text((DATA / "ranker.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["doc", "shop.yaml"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "output" / "shop.md").is_file()
    assert (tmp_path / "output" / "shop-serving.png").is_file()
    assert (tmp_path / "output" / "shop-serving.svg").is_file()
    assert h2_titles((tmp_path / "output" / "shop.md").read_text(encoding="utf-8")) == H2


def test_doc_no_render_says_so_in_the_appendix(runner, tmp_path):
    out = tmp_path / "d.md"
    result = runner.invoke(main, ["doc", str(DATA / "ranker.yaml"), "-o", str(out), "--no-render"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.md"]
    appendix = sections(out.read_text(encoding="utf-8"))["Appendix"]
    assert "- Skipped: diagram image, not rendered (--no-render)." in appendix


def test_invalid_blueprint_gives_located_errors_and_writes_nothing(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "mlsd: 1\nname: x\ncomponents:\n  a: {kind: client_app}\n  b: {kind: api_gatway}\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["doc", str(bad), "-o", str(tmp_path / "out" / "bad.md")])
    assert result.exit_code == 2
    assert f"{bad}:5:" in result.output and "did you mean 'api_gateway'" in result.output
    assert not (tmp_path / "out").exists()


def test_user_template_replaces_the_packaged_one(runner, tmp_path):
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "# {{ name }}\n\n{% for c in components %}- {{ c.id|code }}: {{ c.label }}\n{% endfor %}"
        "{{ decide.objective }}\n",
        encoding="utf-8",
    )
    out = tmp_path / "doc.md"
    result = runner.invoke(
        main, ["doc", str(DATA / "ranker.yaml"), "-o", str(out), "--template", str(template), "--no-render"]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Small ranker\n\n- `app`: Shop app\n- `gateway`: gateway\n")
    assert "## 1." not in text


def test_user_template_can_extend_the_packaged_one(runner, tmp_path):
    template = tmp_path / "extends.md.j2"
    template.write_text(
        '{% extends "design_doc.md.j2" %}{% block appendix %}## Appendix\n\nOurs.\n{% endblock %}', encoding="utf-8"
    )
    out = tmp_path / "doc.md"
    result = runner.invoke(
        main, ["doc", str(DATA / "ranker.yaml"), "-o", str(out), "--template", str(template), "--no-render"]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert h2_titles(text) == H2 and text.endswith("## Appendix\n\nOurs.\n")


@pytest.mark.parametrize(
    "source,line,message",
    [
        ("ok\n{% for c in components %}\n", 2, "template syntax: Unexpected end of template"),
        ("line one\nline two {{ no_such_variable }}\n", 2, "'no_such_variable' is undefined"),
    ],
)
def test_bad_template_is_located_and_writes_nothing(runner, tmp_path, source, line, message):
    template = tmp_path / "bad.md.j2"
    template.write_text(source, encoding="utf-8")
    out = tmp_path / "out" / "doc.md"
    result = runner.invoke(main, ["doc", str(DATA / "ranker.yaml"), "-o", str(out), "--template", str(template)])
    assert result.exit_code == 2, result.output
    assert f"{template}:{line}:1: error:" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_template_file(runner, tmp_path):
    result = runner.invoke(
        main, ["doc", str(DATA / "ranker.yaml"), "-o", str(tmp_path / "d.md"), "--template", str(tmp_path / "nope.j2")]
    )
    assert result.exit_code == 2 and "template not found" in result.output


def test_without_graphviz_the_doc_is_written_and_says_why_there_is_no_image(tmp_path):
    """No `dot` on the PATH: the doc is still written, with the Mermaid block, and names what is missing."""
    from mlsd_testing import run_mlsd

    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "d.md"
    done = run_mlsd("doc", str(DATA / "ranker.yaml"), "-o", str(out), env={"PATH": str(empty)})
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert h2_titles(text) == H2
    appendix = sections(text)["Appendix"]
    assert "- Skipped: diagram image, rendering failed: Graphviz's" in appendix
    assert "apt-get install graphviz" in appendix
    assert "```mermaid" in text and "![" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.md", "empty"]


def test_doc_and_report_bytes_do_not_depend_on_how_the_path_was_typed(tmp_path):
    """An absolute path, or a folder elsewhere on the machine, never leaks into the output."""
    from mlsd_testing import ROOT, run_mlsd

    outputs = {}
    for name, arg in (
        ("relative", "blueprints/news_feed.yaml"),
        ("absolute", str(ROOT / "blueprints" / "news_feed.yaml")),
    ):
        for command, suffix in (("doc", "md"), ("report", "html")):
            target = tmp_path / f"{name}.{suffix}"
            extra = ["--no-render"] if command == "doc" else []
            done = run_mlsd(command, arg, "-o", str(target), *extra)
            assert done.returncode == 0, done.stderr
            outputs[name, command] = target.read_bytes()
    assert outputs["relative", "doc"] == outputs["absolute", "doc"]
    assert outputs["relative", "report"] == outputs["absolute", "report"]
    assert b"blueprints/news_feed.yaml" in outputs["relative", "doc"]
    assert str(ROOT).encode() not in outputs["absolute", "doc"] + outputs["absolute", "report"]


@pytest.mark.parametrize(
    "expression, refused",
    [
        ("''.__class__.__mro__[1].__subclasses__()", "access to attribute '__class__' of 'str' object is unsafe"),
        ("cycler.__init__.__globals__.os.popen('touch PWNED').read()", "attribute '__init__'"),
        ("components.clear()", "access to attribute 'clear' of 'list' object is unsafe"),
    ],
)
def test_a_template_cannot_reach_python_objects(tmp_path, expression, refused):
    """`doc --template` may come from a pull request: the template runs in Jinja's sandbox (issue 23).
    On the old code the first prints every class of the process, the second runs a shell command."""
    from mlsd_testing import run_mlsd

    template = tmp_path / "evil.md.j2"
    template.write_text("# {{ name }}\n\n{{ " + expression + " }}\n", encoding="utf-8")
    out = tmp_path / "out" / "doc.md"
    done = run_mlsd("doc", str(DATA / "ranker.yaml"), "-o", str(out), "--template", str(template), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        f"{template}:3:1: error: template: refused, templates run sandboxed (see the docs, Design docs)" in done.stderr
    )
    assert refused in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "PWNED").exists()
