"""Large and odd inputs generated at test time: size limit, deep nesting, many components, text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlsd_testing import YAML_LOADERS, run_mlsd

import mlsd_diagram


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_fifty_megabyte_file_is_refused_quickly(tmp_path):
    path = _write(tmp_path, "huge.yaml", b"mlsd: 1\nname: t\ncomponents: {}\n" + b"# padding\n" * 5_000_000)
    result = run_mlsd("validate", path.name, cwd=tmp_path, memory_mb=512, cpu_seconds=10)
    assert result.returncode == 2
    assert result.stderr == "huge.yaml:1:1: error: file is 47.7 MiB; blueprints are limited to 8 MiB\n"


@pytest.mark.parametrize("loader", YAML_LOADERS)
# Where level 65 starts: a '[', a '{', or the key of the one-pair mapping `x: ...` inside '[...]'.
@pytest.mark.parametrize("opening, column", [("[", 76), ("{x: ", 265), ("[x: ", 138)])
def test_ten_thousand_levels_of_flow_nesting(tmp_path, loader, opening, column):
    # libyaml reads ahead and stops at its own limit (1,000 levels, at column 1012); ours is
    # reported, where level 65 starts, whichever parser reads the file.
    closing = "}" if opening.startswith("{") else "]"
    path = _write(tmp_path, "deep.yaml", "mlsd: 1\nname: t\ncomponents: " + opening * 10_000 + closing * 10_000 + "\n")
    result = run_mlsd(
        "validate", path.name, cwd=tmp_path, memory_mb=1024, cpu_seconds=20, env={"MLSD_YAML_LOADER": loader}
    )
    assert result.returncode == 2
    assert result.stderr == f"deep.yaml:3:{column}: error: nesting is deeper than 64 levels\n"


@pytest.mark.parametrize("loader", YAML_LOADERS)
def test_three_thousand_levels_of_block_nesting(tmp_path, loader):
    # Block nesting costs indentation: 10,000 levels would be 48 MiB and hit the size limit first.
    lines = ["mlsd: 1", "name: t", "components:"]
    lines += [" " * (i + 1) + f"k{i}:" for i in range(3_000)]
    path = _write(tmp_path, "deep_block.yaml", "\n".join(lines) + " x\n")
    result = run_mlsd(
        "validate", path.name, cwd=tmp_path, memory_mb=1024, cpu_seconds=30, env={"MLSD_YAML_LOADER": loader}
    )
    assert result.returncode == 2
    assert result.stderr == "deep_block.yaml:67:65: error: nesting is deeper than 64 levels\n"


def _many(n: int) -> str:
    comps = "".join(f"  c{i}: {{kind: online_service, replicas: 2, latency_p99_ms: 1}}\n" for i in range(n))
    flows = "".join(f"  - {{from: c{i}, to: c{i + 1}, mode: request, data: d}}\n" for i in range(n - 1))
    return (
        f"mlsd: 1\nname: many\ncomponents:\n  app: {{kind: client_app}}\n{comps}flows:\n"
        f"  - {{from: app, to: c0, mode: request, data: d}}\n{flows}"
    )


def test_ten_thousand_components_validate(tmp_path):
    path = _write(tmp_path, "many.yaml", _many(9_999))  # with the client: 10,000, the most allowed (limits.py)
    result = run_mlsd("validate", path.name, cwd=tmp_path, memory_mb=2048, cpu_seconds=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "many.yaml: ok (10000 components, 9999 flows)\n"


def test_unicode_rtl_and_markup_in_labels_load_unchanged():
    labels = [
        "مُصنِّف المحتوى",
        "Ранжирование",
        "排序服务 🚀",
        'say "hi" <b>&amp;</b>',
        "<script>alert(1)</script>",
        "<<TABLE><TR><TD>x</TD></TR></TABLE>>",
        "graph { a -> b }",
        "A-->B; click A call x()",
        "subgraph end",
    ]
    comps = "".join(
        f"  c{i}: {{kind: online_service, label: {json.dumps(label, ensure_ascii=False)}}}\n"
        for i, label in enumerate(labels)
    )
    bp = mlsd_diagram.loads(f"mlsd: 1\nname: t\ncomponents:\n{comps}")
    assert [c.label for c in bp.components.values()] == labels


def test_valid_yaml_types_are_not_coerced_from_strings():
    bp = mlsd_diagram.loads("mlsd: 1\nname: '2026-01-01'\ncomponents:\n  a: {kind: cache, replicas: 0x10}\n")
    assert bp.name == "2026-01-01"
    assert bp.components["a"].replicas == 16
