"""Shared by the test folders: paths, bundled blueprints, the real CLI in a subprocess.

Imported as ``from mlsd_testing import ...`` (pytest puts tests/ on the path); a
module rather than conftest.py, since several folders have a conftest of their own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*.yaml"))
MLSD = [sys.executable, "-m", "mlsd_diagram"]
# The YAML parsers a blueprint can be read with (MLSD_YAML_LOADER): both must give the same results.
YAML_LOADERS = [
    pytest.param("c", marks=pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")),
    "python",
]


def _limits(memory_bytes: int, cpu_seconds: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return apply


def run_mlsd(
    *args: str,
    cwd: Path | None = None,
    memory_mb: int = 2048,
    cpu_seconds: int = 60,
    timeout: float = 120,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run the real `mlsd` in a subprocess under a memory and CPU-time bound."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [*MLSD, *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limits(memory_mb * 2**20, cpu_seconds),
        env=full_env,
    )


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd`` as a throwaway committer; its standard output, stripped. Fails on a non-zero exit."""
    return subprocess.run(
        ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


def kind_names_in_code(path: Path, keys_allowed: bool = False) -> set[str]:
    """The built-in kind names written as string constants in a module (docstrings aside).

    Analyses ask about roles, traits, stages and flows, so that a custom kind works the same; a kind
    name in their code would be a lookup by kind. Stage names ('monitoring') are allowed. With
    ``keys_allowed`` (the design doc, whose published template variables include ``batch_scoring``
    and ``alerting``), a name used as a dict key or a subscript is a variable's name, not a kind.
    """
    import ast

    from mlsd_diagram.blueprint.kinds import BUILTIN_KINDS, Stage

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    keys: set[int] = set()
    if keys_allowed:
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys.update(id(k) for k in node.keys if k is not None)
            elif isinstance(node, ast.Subscript):
                keys.add(id(node.slice))
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and id(node) not in keys
    }
    return strings & ({k.name for k in BUILTIN_KINDS} - {s.value for s in Stage})


MULTITOOL = ROOT / "tests" / "js" / "node_modules" / ".bin" / "sarif-multitool"


def multitool_results(sarif: Path, report: Path) -> list[dict]:
    """The SARIF Multitool's results for ``sarif`` under GitHub's rules (``--rule-kind Gh``), as written to
    ``report``; the run itself must succeed (`make test` installs the tool in tests/js)."""
    done = subprocess.run(
        [
            str(MULTITOOL),
            "validate",
            str(sarif),
            "--rule-kind",
            "Gh",
            "--output",
            str(report),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(report.read_text())["runs"][0].get("results", [])
