"""Output names never leave the output folder, whatever the blueprint file is called."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mlsd_testing import ROOT, run_mlsd

import mlsd_diagram
from mlsd_diagram.outputs.diagram import render
from mlsd_diagram.outputs.files import OutputPathError, output_path, write_atomic

BLUEPRINT = ROOT / "mlsd_diagram" / "starters" / "blueprints" / "blank.yaml"


@pytest.mark.parametrize("name", ["../escape", "../../etc/passwd", "/tmp/absolute", "a/../../b", ""])
def test_output_path_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(OutputPathError):
        output_path(tmp_path / "out", name)


@pytest.mark.parametrize("stem", ["../escape", "/tmp/mlsd-absolute-escape"])
def test_render_refuses_a_stem_outside_the_folder_and_writes_nothing(tmp_path, stem):
    out = tmp_path / "out"
    with pytest.raises(OutputPathError):
        render(mlsd_diagram.load(BLUEPRINT), formats=("svg", "mermaid"), out_dir=out, stem=stem)
    assert not (tmp_path / "escape.svg").exists() and not Path(stem + ".svg").exists()
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("filename", ["..yaml", ".yaml", "-rf.yaml", "name with spaces.yaml", "ünïcødé.yaml"])
def test_render_cli_writes_inside_the_output_folder_for_odd_file_names(tmp_path, filename):
    source = tmp_path / "in" / filename
    source.parent.mkdir()
    shutil.copy(BLUEPRINT, source)
    result = run_mlsd("render", "-f", "svg", "-o", "out", "--", str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.parent.name != "in")
    assert len(written) == 1 and written[0].parent == tmp_path / "out", written


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    target = write_atomic(tmp_path / "x" / "file.txt", "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]
