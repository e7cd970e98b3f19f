"""One registry of output formats (mlsd_diagram/outputs/formats.py): the CLI, render and the docs read it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

from mlsd_diagram import load
from mlsd_diagram.cli import main
from mlsd_diagram.outputs import formats as registry
from mlsd_diagram.outputs.diagram import output_name, render, writer

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_offers_exactly_the_registry_with_its_help():
    result = CliRunner().invoke(main, ["render", "--help"], terminal_width=400)
    assert result.exit_code == 0
    choice = re.search(r"--format \[([a-z|]+)\]", result.output)
    assert choice is not None and tuple(choice.group(1).split("|")) == registry.FORMATS
    flat = " ".join(result.output.split())
    for fmt in registry.REGISTRY:
        assert f"{fmt.name}: {fmt.help}" in flat


def test_every_format_is_written_under_its_registry_extension(tmp_path):
    blueprint = load(ROOT / "blueprints" / "news_feed.yaml")
    written = render(blueprint, formats=registry.FORMATS, out_dir=tmp_path, view="serving")
    files = [p for p in written if p.is_file()]
    assert [p.name for p in files] == [output_name("news_feed", f, "serving") for f in registry.FORMATS]
    assert [p.suffix for p in files] == ["." + registry.EXTENSIONS[f] for f in registry.FORMATS]
    assert files[-1].suffix == ".drawio" and files[4].suffix == ".mmd"


def test_each_writer_resolves_and_layout_needs_follow_the_kind():
    for fmt in registry.REGISTRY:
        if fmt.writer:
            assert callable(writer(fmt.name)), fmt.name
        assert fmt.needs_layout == (fmt.made in (registry.GRAPHVIZ, registry.LAYOUT))
    assert registry.needs_layout(["mermaid", "dot"]) is False
    assert registry.needs_layout(["mermaid", "drawio"]) is True
    assert registry.GRAPHVIZ_FORMATS[0] == "svg"  # drawn first, finished while the others are drawn


def test_the_rendering_guide_lists_every_format():
    """The rendering page's option table names the registry's formats, in its order."""
    guide = (ROOT / "docs" / "rendering.md").read_text()
    row = next(line for line in guide.splitlines() if line.startswith("| `-f, --format "))
    listed = re.search(r"--format ([a-z\\|]+)`", row)
    assert listed is not None and tuple(listed.group(1).split("\\|")) == registry.FORMATS


def test_no_other_module_keeps_its_own_format_list():
    """The names of formats are spelled out only in the registry: no tuple of several format names elsewhere."""
    names = set(registry.FORMATS)
    offenders = []
    for path in sorted((ROOT / "mlsd_diagram").rglob("*.py")):
        if path.name == "formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                strings = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                if len(strings & names) >= 3:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
