"""The reference pages are generated from the code and committed current: a merge that adds a rule, a field or
an option fails here until `make docs` (or `python scripts/gen_docs.py`) regenerates them. The README stays
short and the package's metadata and sdist carry what distributions need."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from mlsd_testing import ROOT

from mlsd_diagram.analyses.rules import RULES
from mlsd_diagram.blueprint.schema import json_schema_text

DOCS = ROOT / "docs"


def _gen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(cwd / "scripts" / "gen_docs.py"), *args], capture_output=True, text=True, timeout=120
    )


def test_generated_pages_are_current() -> None:
    done = _gen("--check")
    assert done.returncode == 0, done.stderr


def test_every_rule_field_and_command_has_its_page() -> None:
    index = (DOCS / "rules" / "index.md").read_text()
    for r in RULES:
        page = (DOCS / "rules" / f"{r.id}.md").read_text()
        assert page.splitlines()[2] == f"# {r.id} {r.name}"
        assert r.doc.strip() in page and f"[{r.id}]({r.id}.md)" in index
    assert sorted(p.stem for p in (DOCS / "rules").glob("MLSD*.md")) == sorted(r.id for r in RULES)
    fields = (DOCS / "reference" / "blueprint.md").read_text()
    schema = json.loads(json_schema_text())
    for name, model in schema["$defs"].items():
        assert f"\n## {name}\n" in fields, name
        for field in model.get("properties", {}):
            assert f"| `{field}` |" in fields, (name, field)
        for value in model.get("enum", []):
            assert f"`{value}`" in fields, (name, value)


def test_check_names_a_stale_page_and_regeneration_fixes_it(tmp_path: Path) -> None:
    """On a copy: a hand edit of a generated page (or a page of a rule that is gone) is stale, and a run fixes both."""
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    (copy / "scripts" / "gen_docs.py").write_text((ROOT / "scripts" / "gen_docs.py").read_text())
    (copy / "mlsd_diagram").symlink_to(ROOT / "mlsd_diagram")
    subprocess.run(["cp", "-r", str(DOCS), str(copy / "docs")], check=True)
    page = copy / "docs" / "rules" / "MLSD201.md"
    page.write_text(page.read_text().replace("fallback", "fall-back"))
    gone = copy / "docs" / "rules" / "MLSD999.md"
    gone.write_text((copy / "docs" / "rules" / "MLSD202.md").read_text())
    stale = _gen("--check", cwd=copy)
    assert stale.returncode == 1 and "rules/MLSD201.md" in stale.stderr and "rules/MLSD999.md" in stale.stderr
    assert _gen(cwd=copy).returncode == 0
    assert _gen("--check", cwd=copy).returncode == 0
    assert page.read_text() == (DOCS / "rules" / "MLSD201.md").read_text() and not gone.exists()


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 400
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## The two commands", "## Install", "## Quick start"]
    assert "make demo" in readme and "make test" in readme and "On macOS" in readme
    for link in ("docs/lint.md", "docs/reference/cli.md", "docs/reference/blueprint.md", "docs/rules/index.md"):
        assert f"]({link}" in readme and (ROOT / link).is_file()


def test_metadata_has_python_version_classifiers() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    low = project["requires-python"].removeprefix(">=")
    versions = [
        c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert versions[0] == low and versions == [f"3.{n}" for n in range(int(low.split(".")[1]), 14)]


@pytest.mark.slow
def test_sdist_carries_tests_changelog_schema_and_docs(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(out / done.stdout.strip().splitlines()[-1]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for needed in (
        "CHANGELOG.md",
        "schema/mlsd.schema.json",
        "tests/conftest.py",
        "tests/mlsd_testing.py",
        "tests/cli/test_conventions.py",
        "tests/lint/data/weak_design.yaml",
        "tests/js/package-lock.json",
        "docs/index.md",
        "mkdocs.yml",
        "scripts/gen_docs.py",
        "blueprints/news_feed.yaml",
        "mlsd_diagram/starters/blueprints/news_feed.yaml",
    ):
        assert needed in names, needed
    assert not any(n.startswith("tests/js/node_modules") or "__pycache__" in n for n in names)
