"""The `.pre-commit-hooks.yaml` of this repository, run by the real `pre-commit run` from a user's config.

pre-commit installs the package from a clone of this repository's HEAD into its own
environment with pip (through the configured index; about 45 s here), then runs
`mlsd lint` on the files given. pip is held to requirements/runtime.lock (PIP_CONSTRAINT),
so the hook is tested with the locked versions, not with whatever was released that morning.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mlsd_testing import ROOT, git

WEAK = Path(__file__).resolve().parent / "data" / "weak_design.yaml"


def test_hook_definitions() -> None:
    from mlsd_diagram.blueprint.revision import BLUEPRINT_FILES

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["mlsd-lint"]["entry"] == "mlsd lint" and hooks["mlsd-lint"]["language"] == "python"
    assert hooks["mlsd-render"]["entry"] == "mlsd render" and hooks["mlsd-render"]["language"] == "python"
    pattern = re.compile(hooks["mlsd-lint"]["files"])
    assert pattern.search("blueprints/news_feed.yaml") and pattern.search("design/search.mlsd.yml")
    assert not pattern.search("config/app.yaml") and not pattern.search("blueprints/sub/x.txt")
    # one definition of "a blueprint file": the hooks and `mlsd diff --git` agree
    assert {h["files"] for h in hooks.values()} == {BLUEPRINT_FILES}


def _constraints(tmp_path: Path) -> Path:
    """The runtime lock's pins without their hashes (hashes in a constraint would put pip in hash-checking
    mode, which cannot install the hook's own package from a folder)."""
    lock = ROOT / "requirements" / "runtime.lock"
    pins = [line.rstrip(" \\") for line in lock.read_text(encoding="utf-8").splitlines() if "==" in line]
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return constraints


@pytest.mark.slow
def test_pre_commit_runs_mlsd_lint_from_this_repository(tmp_path: Path) -> None:
    source = tmp_path / "source"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(source)], check=True, capture_output=True, timeout=120)
    user = tmp_path / "user"
    (user / "blueprints").mkdir(parents=True)
    shutil.copy(WEAK, user / "blueprints" / "weak.yaml")
    shutil.copy(ROOT / "blueprints" / "news_feed.yaml", user / "blueprints" / "ok.yaml")
    git("init", "--quiet", cwd=user)
    git("add", ".", cwd=user)
    git("commit", "--quiet", "-m", "blueprints", cwd=user)
    lock = ROOT / "requirements" / "runtime.lock"
    constraints = _constraints(tmp_path)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_CONSTRAINT": str(constraints)}
    pre_commit = [sys.executable, "-m", "pre_commit"]
    # A user's config naming this repository at its HEAD commit, as `pre-commit autoupdate` would.
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, check=True).stdout
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev.strip()}\n    hooks:\n      - id: mlsd-lint\n", encoding="utf-8"
    )
    done = subprocess.run(
        [*pre_commit, "run", "mlsd-lint", "--files", "blueprints/weak.yaml", "blueprints/ok.yaml"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "mlsd lint" in out and "Failed" in out
    assert "blueprints/weak.yaml:10:3: MLSD201 no-fallback (error)" in out
    assert "blueprints/ok.yaml: 0 errors" in out
    assert "Traceback" not in out
    # The hook's environment holds the locked versions.
    pythons = sorted((tmp_path / "cache").glob("repo*/py_env-*/bin/python"))
    assert len(pythons) == 1, pythons
    listed = subprocess.run(
        [str(pythons[0]), "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True, timeout=120
    )
    installed = {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}
    for package in ("pydantic", "pyyaml", "networkx", "click"):
        pins = re.findall(rf"^{package}==([^ ;\\\n]+)", lock.read_text(encoding="utf-8"), re.MULTILINE)
        assert installed[package] in pins, (package, installed[package], pins)


@pytest.mark.slow
def test_pre_commit_mlsd_render_keeps_committed_pictures_current(tmp_path: Path) -> None:
    """The hook re-renders a changed blueprint; a stale committed picture fails the commit until it is updated."""
    source = tmp_path / "source"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(source)], check=True, capture_output=True, timeout=120)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, check=True).stdout
    user = tmp_path / "user"
    (user / "blueprints").mkdir(parents=True)
    blueprint = user / "blueprints" / "feed.yaml"
    shutil.copy(ROOT / "blueprints" / "news_feed.yaml", blueprint)
    (user / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev.strip()}\n    hooks:\n      - id: mlsd-render\n"
        "        args: [-o, docs/diagrams, -f, svg]\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_CONSTRAINT": str(_constraints(tmp_path))}
    run = [sys.executable, "-m", "pre_commit", "run", "mlsd-render", "--files", "blueprints/feed.yaml"]
    svg = user / "docs" / "diagrams" / "feed.svg"

    def hook() -> subprocess.CompletedProcess:
        return subprocess.run(run, cwd=user, env=env, capture_output=True, text=True, timeout=900)

    git("init", "--quiet", cwd=user)
    git("add", ".", cwd=user)
    first = hook()  # renders the picture that is not there yet
    assert first.returncode == 0, first.stdout + first.stderr
    assert "mlsd render" in first.stdout and "Passed" in first.stdout
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    git("add", ".", cwd=user)
    git("commit", "--quiet", "-m", "blueprint and its picture", cwd=user)
    assert hook().returncode == 0  # up to date: same bytes, nothing modified

    blueprint.write_text(
        blueprint.read_text(encoding="utf-8").replace("label: Multi-task ranker", "label: Multi-task ranker v2")
    )
    git("add", "blueprints/feed.yaml", cwd=user)
    stale = hook()
    out = stale.stdout + stale.stderr
    assert stale.returncode == 1, out
    assert "files were modified by this hook" in out and "Traceback" not in out
    assert "task ranker v2<" in svg.read_text(encoding="utf-8")  # the picture now shows the change
    git("add", ".", cwd=user)
    assert hook().returncode == 0


EXAMPLE = re.compile(r"<!-- BEGIN pre-commit example -->\n```yaml\n(.*?)```\n<!-- END pre-commit example -->", re.S)
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "site",
    "build",
    "dist",
    "output",
    "mutants",
    "*.egg-info",
    "__pycache__",
    ".*cache",
)


def _documented_config() -> str:
    """The pre-commit configuration the README and docs/lint.md show (one text in both)."""
    found = {page: EXAMPLE.findall((ROOT / page).read_text(encoding="utf-8")) for page in ("README.md", "docs/lint.md")}
    assert all(len(blocks) == 1 for blocks in found.values()), found
    (readme,), (docs,) = found.values()
    assert readme == docs
    return readme


def _capped(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    """Run in a process group of its own under a memory bound; on a timeout the whole group is ended."""
    import resource
    import signal

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=limits,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


@pytest.mark.slow
def test_the_documented_local_hook_works_as_written(tmp_path: Path) -> None:
    """The README's configuration, verbatim, in a user's repository: pre-commit installs the pinned mlsd-diagram
    (a wheel of this checkout, found through PIP_FIND_LINKS as the docs say) and fails on a weak blueprint, an
    invalid one, and passes when only good ones are left."""
    import mlsd_diagram

    config = _documented_config()
    assert f'additional_dependencies: ["mlsd-diagram=={mlsd_diagram.__version__}"]' in config
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    wheels = tmp_path / "wheels"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_CONSTRAINT": str(_constraints(tmp_path))}
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)]
    built = _capped(build, cwd=tmp_path, env=env, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("mlsd_diagram-*.whl")
    assert wheel.name.startswith(f"mlsd_diagram-{mlsd_diagram.__version__}-")

    user = tmp_path / "user"
    (user / "blueprints").mkdir(parents=True)
    (user / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    shutil.copy(WEAK, user / "blueprints" / "weak.yaml")
    shutil.copy(ROOT / "blueprints" / "news_feed.yaml", user / "blueprints" / "feed.yaml")
    shutil.copy(ROOT / "blueprints" / "video_search.yaml", user / "search.mlsd.yaml")
    (user / "config.yaml").write_text("not: a blueprint\n", encoding="utf-8")  # not the hook's file
    git("init", "--quiet", cwd=user)
    git("add", ".", cwd=user)
    git("commit", "--quiet", "-m", "blueprints", cwd=user)
    env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(wheels), os.environ.get("PIP_FIND_LINKS", "")]))
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files"]

    weak = _capped(run, cwd=user, env=env)
    out = weak.stdout + weak.stderr
    assert weak.returncode == 1, out
    assert re.search(r"mlsd lint\.+Failed", out), out
    assert "blueprints/weak.yaml:10:3: MLSD201 no-fallback (error)" in out
    assert "blueprints/feed.yaml: 0 errors" in out and "search.mlsd.yaml: 0 errors" in out
    assert "config.yaml" not in out.replace("pre-commit-config.yaml", "") and "Traceback" not in out
    installed = sorted((tmp_path / "cache").glob("repo*/py_env-*/lib/python*/site-packages/mlsd_diagram-*.dist-info"))
    assert [p.name for p in installed] == [f"mlsd_diagram-{mlsd_diagram.__version__}.dist-info"]

    (user / "blueprints" / "weak.yaml").write_text("mlsd: 1\nname: no components\n", encoding="utf-8")
    invalid = _capped(run, cwd=user, env=env)
    out = invalid.stdout + invalid.stderr
    assert invalid.returncode == 1, out
    assert "blueprints/weak.yaml:1:1: error:" in out and "components" in out and "Traceback" not in out

    git("rm", "--quiet", "-f", "blueprints/weak.yaml", cwd=user)
    clean = _capped(run, cwd=user, env=env)
    out = clean.stdout + clean.stderr
    assert clean.returncode == 0, out
    assert re.search(r"mlsd lint\.+Passed", out), out
