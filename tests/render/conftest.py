"""Blueprints the render tests run on: the bundled ones and this folder's fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsd_diagram import load

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUNDLED = sorted((ROOT / "blueprints").glob("*.yaml"))
FIXTURES = sorted((HERE / "data").glob("*.yaml"))
ALL = BUNDLED + FIXTURES


@pytest.fixture(params=ALL, ids=lambda p: p.stem)
def blueprint_path(request) -> Path:
    """Each bundled blueprint and each fixture blueprint."""
    return request.param


@pytest.fixture
def blueprint(blueprint_path):
    return load(blueprint_path)


@pytest.fixture
def mlsd():
    """The real `mlsd` CLI in a subprocess: ``mlsd(*args, env={...})`` -> CompletedProcess."""
    import os
    import subprocess
    import sys

    def run(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        return subprocess.run(
            [sys.executable, "-c", "from mlsd_diagram.cli import main; main()", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
        )

    return run
