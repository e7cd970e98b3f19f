"""The review gate against a hostile pull request: its author controls every file in the checkout, names and
types included. `mlsd diff --git` and the Action's steps run on real git repositories: a file named like the
base side does not stand in for it, links and FIFOs are refused unread (no secret reaches the comment or the
log, nothing hangs), and file names or values cannot add Markdown structure to the comment (read back with a
CommonMark parser) nor lines to the log (where `::command::` lines drive the runner)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mlsd_testing import git, run_mlsd
from test_action import _outputs, _step
from test_diff import NEWS, _edit, _findings, slower_ranker

from mlsd_diagram.diagnostics import BlueprintError

BROKEN = "mlsd: 1\nname: broken\ncomponents:\n  a: {kind: no_such_kind}\n"


def _repo(path: Path, files: dict[str, str]) -> str:
    """A repository at ``path`` whose first commit holds ``files``; returns that commit's id."""
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    git("init", "--quiet", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "--quiet", "-m", "base", cwd=path)
    return git("rev-parse", "HEAD", cwd=path)


def _commit(path: Path) -> None:
    git("add", "-A", cwd=path)
    git("commit", "--quiet", "-m", "head", cwd=path)


def _review(repo: Path, base: str, tmp_path: Path, timeout: float = 300) -> tuple[subprocess.CompletedProcess, dict]:
    github_output = tmp_path / "github_output"
    github_output.unlink(missing_ok=True)
    env = {"MLSD_BASE": base, "MLSD_OUTPUT": "review", "GITHUB_OUTPUT": str(github_output)}
    done = _step("review", repo, env, timeout=timeout)
    return done, _outputs(github_output) if github_output.exists() else {}


# -- the base side comes from git, whatever the checkout holds --------------------------------------------------


def test_a_file_named_like_the_base_side_does_not_stand_in_for_it(tmp_path: Path) -> None:
    """A pull request slows the ranker down and adds `<base>:blueprints/news_feed.yaml` (a folder named
    `<base>:blueprints`) holding the new text: read as the base side, it would make the review say "no changes"."""
    repo = tmp_path / "repo"
    repo.mkdir()
    base = _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    slow = slower_ranker()
    (repo / "blueprints" / "news_feed.yaml").write_text(slow, encoding="utf-8")
    decoy = repo / f"{base}:blueprints" / "news_feed.yaml"
    decoy.parent.mkdir()
    decoy.write_text(slow, encoding="utf-8")
    _commit(repo)

    done = run_mlsd("diff", "--git", base, "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    (diff,) = json.loads(done.stdout)["diffs"]
    assert (diff["old"], diff["new"]) == (f"{base}:blueprints/news_feed.yaml", "blueprints/news_feed.yaml")
    assert _findings(diff["findings"]["introduced"]) == {("MLSD203", "app")}
    assert diff["summary"]["changed"] is True

    review, outputs = _review(repo, base, tmp_path)
    assert review.returncode == 0, review.stderr
    assert (outputs["changed"], outputs["new-failures"], outputs["invalid"]) == ("1", "1", "0")
    comment = (repo / "review" / "comment.md").read_text(encoding="utf-8")
    assert "**Changes:** none" not in comment
    assert "`MLSD203` latency-budget-exceeded" in comment


# -- links and special files are refused, never read ------------------------------------------------------------

SECRETS = {
    "one line": "TOPSECRET-hunter2-0042\n",  # a single value: its text would be quoted in the error
    "json": '{"TOPSECRET_API_KEY": "hunter2-0042", "aws": 1}\n',  # a mapping: its keys would be listed
}


@pytest.mark.parametrize("secret", list(SECRETS.values()), ids=list(SECRETS))
def test_a_blueprint_linked_to_a_secret_is_refused_unread(tmp_path: Path, secret: str) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "blueprints").mkdir(parents=True)
    os.symlink(secret_file, repo / "blueprints" / "was_a_link.yaml")  # a link in the base, a file in the head
    base = _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    (repo / "blueprints" / "was_a_link.yaml").unlink()
    (repo / "blueprints" / "was_a_link.yaml").write_text(NEWS, encoding="utf-8")
    os.symlink(secret_file, repo / "blueprints" / "leak.yaml")
    os.symlink("../../secret.txt", repo / "blueprints" / "relative.mlsd.yaml")
    (repo / "blueprints" / "news_feed.yaml").write_text(slower_ranker(), encoding="utf-8")
    _commit(repo)

    review, outputs = _review(repo, base, tmp_path)
    summary = tmp_path / "summary.md"
    posted = _step("comment", repo, {"MLSD_OUTPUT": "review", "GITHUB_STEP_SUMMARY": str(summary)})
    cli = run_mlsd("diff", "--git", base, cwd=repo)
    out = repo / "review"
    written = [p for p in out.iterdir() if p.suffix in (".md", ".sarif")] + [summary, tmp_path / "github_output"]
    assert written
    for text in (review.stdout, review.stderr, posted.stdout, posted.stderr, cli.stdout, cli.stderr):
        assert "TOPSECRET" not in text and "hunter2" not in text
    for path in written:
        assert "TOPSECRET" not in path.read_text(encoding="utf-8"), path
        assert "hunter2" not in path.read_text(encoding="utf-8"), path

    assert review.returncode == 2, review.stdout + review.stderr
    assert (outputs["changed"], outputs["invalid"], outputs["new-failures"]) == ("4", "3", "1")
    assert posted.returncode == 0, posted.stderr
    comment = (out / "comment.md").read_text(encoding="utf-8")
    refused = "it is a symbolic link, not a regular file: a review reads blueprints only from regular files"
    for name in ("blueprints/leak.yaml", "blueprints/relative.mlsd.yaml"):
        assert f"{name}:1:1: error: {refused}" in comment
        assert f"mlsd review: {name}:1:1: error: {refused}" in review.stderr
    assert f"{base}:blueprints/was_a_link.yaml:1:1: error: in {base} it is a symbolic link, not a regular file" in (
        comment
    )
    assert "`MLSD203` latency-budget-exceeded" in comment  # the rest of the change is still reviewed
    assert cli.returncode == 2
    assert f"blueprints/leak.yaml:1:1: error: {refused}" in cli.stderr


def test_an_output_folder_linked_out_of_place_is_not_used(tmp_path: Path) -> None:
    """A pull request adding `mlsd-review -> .git`: the review would write there and the artifact upload would
    publish the folder, `.git/config` (the checkout's token) with it. Only the diagram files are uploaded, too."""
    repo = tmp_path / "repo"
    repo.mkdir()
    base = _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    (repo / "blueprints" / "news_feed.yaml").write_text(slower_ranker(), encoding="utf-8")
    os.symlink(".git", repo / "mlsd-review")
    _commit(repo)
    before = sorted(p.name for p in (repo / ".git").iterdir())
    github_output = tmp_path / "github_output"
    done = _step("review", repo, {"MLSD_BASE": base, "GITHUB_OUTPUT": str(github_output)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr == (
        f"mlsd review: error: the output folder mlsd-review: {repo / 'mlsd-review'} is a symbolic link, "
        "not a folder (not used)\n"
    )
    assert sorted(p.name for p in (repo / ".git").iterdir()) == before
    assert not github_output.exists()
    comment = _step("comment", repo, {})
    assert comment.returncode == 2 and "is a symbolic link, not a folder" in comment.stderr
    (repo / "mlsd-review").unlink()  # control: a real folder is used, and only the diagrams are listed for upload
    done = _step("review", repo, {"MLSD_BASE": base, "GITHUB_OUTPUT": str(github_output)})
    assert done.returncode == 0, done.stderr
    assert _outputs(github_output)["diagrams"].splitlines() == [
        "mlsd-review/news_feed-diff.png",
        "mlsd-review/news_feed-diff.svg",
    ]


@contextlib.contextmanager
def _fifo(path: Path):
    """A FIFO at ``path``; afterwards a reader still blocked on it (the old code) gets an end of file."""
    os.mkfifo(path)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def test_a_fifo_in_the_checkout_is_refused_without_waiting(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    (repo / "blueprints" / "news_feed.yaml").unlink()
    with _fifo(repo / "blueprints" / "news_feed.yaml"):
        done = run_mlsd("diff", "--git", "HEAD", cwd=repo, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("blueprints/news_feed.yaml:1:1: error: it is a FIFO, not a regular file"), done.stderr


def test_the_action_refuses_a_link_to_a_fifo_without_waiting(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    base = _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    with _fifo(tmp_path / "pipe") as pipe:
        os.symlink(pipe, repo / "blueprints" / "pipe.yaml")
        _commit(repo)
        review, outputs = _review(repo, base, tmp_path, timeout=60)
    assert review.returncode == 2, review.stdout + review.stderr
    assert outputs["invalid"] == "1"
    assert "blueprints/pipe.yaml:1:1: error: it is a symbolic link" in review.stderr


def test_a_folder_on_the_way_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    from mlsd_diagram.blueprint.revision import read_checkout

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.yaml").write_text(NEWS, encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", tmp_path / "blueprints")
    with pytest.raises(BlueprintError) as caught:
        read_checkout(tmp_path, "blueprints/a.yaml", "blueprints/a.yaml")
    assert str(caught.value) == (
        "blueprints/a.yaml:1:1: error: 'blueprints' on its path is a symbolic link: a review reads blueprints "
        "only from regular files and never follows links (the file was not read)"
    )
    assert read_checkout(tmp_path / "elsewhere", "a.yaml", "a.yaml") == NEWS.encode()  # control: a regular file


# -- file names and values stay text: in the comment and in the log --------------------------------------------

FORGED_HEADING = "blueprints/n\n# Safe to merge\n::error title=forged::pwned.yaml"
FORGED_FENCE = "blueprints/z\n```\n# Approved by security\n```.yaml"
TICKS = "blueprints/a`` ` ``|b #.yaml"
ROOT_COMMAND = "::warning title=forged::root.mlsd.yaml"


@pytest.fixture()
def hostile_names(tmp_path: Path) -> tuple[Path, str]:
    """A pull request adding blueprints named to forge Markdown and log lines, and a note that holds a line feed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    base = _repo(repo, {"blueprints/news_feed.yaml": NEWS})
    for name in (FORGED_HEADING, TICKS, ROOT_COMMAND):
        (repo / name).write_text(NEWS, encoding="utf-8")
    (repo / FORGED_FENCE).write_text(BROKEN, encoding="utf-8")
    (repo / os.fsdecode(b"blueprints/\xff.yaml")).write_text(NEWS, encoding="utf-8")  # not UTF-8
    noted = _edit(
        NEWS,
        (
            "  gateway: {kind: api_gateway, label: Edge gateway,",
            '  gateway: {kind: api_gateway, label: Edge gateway, notes: "one\\n::stop-commands::x\\n# two",',
        ),
    )
    (repo / "blueprints" / "news_feed.yaml").write_text(noted, encoding="utf-8")
    _commit(repo)
    return repo, base


def _shown(name: str) -> str:
    return name.replace("\n", "\\x0a")


def _heading_texts(tokens: list) -> list[str]:
    """Each heading as its reader sees it: the text of its inline children, code spans included."""
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            found.append("".join(child.content for child in tokens[i + 1].children or []))
    return found


def test_file_names_cannot_add_markdown_structure_to_the_comment(hostile_names: tuple[Path, str]) -> None:
    repo, base = hostile_names
    review = _step("review", repo, {"MLSD_BASE": base, "MLSD_OUTPUT": "review"})
    assert review.returncode == 2, review.stdout + review.stderr  # the broken blueprint
    posted = _step("comment", repo, {"MLSD_OUTPUT": "review", "MLSD_PR": "7", "GITHUB_REPOSITORY": "o/r"})
    assert posted.returncode == 0, posted.stderr
    body = (repo / "review" / "comment-body.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").parse(body)
    assert _heading_texts(tokens) == [
        "mlsd: Design review",
        f"./{ROOT_COMMAND}",
        "blueprints/\\xff.yaml",
        TICKS,
        _shown(FORGED_HEADING),
        "blueprints/news_feed.yaml",
    ]
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1  # the invalid blueprints, as one block: the name's ``` did not close it
    assert fences[0].content.startswith(f"{_shown(FORGED_FENCE)}:4:")
    assert fences[0].content.count("\n") == 1
    # the diagram names, each a code span in the last paragraph
    last = [t for t in tokens if t.type == "inline"][-1]
    spans = [c.content for c in last.children or [] if c.type == "code_inline"]
    assert "n___Safe_to_merge___error_title_forged__pwned-diff.png" in spans
    assert all("\n" not in s for s in spans)
    html = MarkdownIt("commonmark").render(body)
    assert "<h1>" not in html and "<h2>" not in html


def test_file_names_and_values_cannot_start_a_line_of_the_log(hostile_names: tuple[Path, str]) -> None:
    repo, base = hostile_names
    review = _step("review", repo, {"MLSD_BASE": base, "MLSD_OUTPUT": "review"})
    cli = run_mlsd("diff", "--git", base, cwd=repo)
    assert cli.returncode == 2  # the broken blueprint, located, on one line
    assert cli.stderr.startswith(f"{_shown(FORGED_FENCE)}:4:") and len(cli.stderr.splitlines()) == 1, cli.stderr
    (repo / FORGED_FENCE).unlink()
    _commit(repo)
    text = run_mlsd("diff", "--git", base, cwd=repo)
    assert text.returncode == 0, text.stderr
    assert "  ~ gateway: notes (none) -> one\\x0a::stop-commands::x\\x0a# two\n" in text.stdout
    assert f"/dev/null -> {_shown(FORGED_HEADING)}\n" in text.stdout
    assert f"/dev/null -> ./{ROOT_COMMAND}\n" in text.stdout
    for output in (review.stdout, review.stderr, cli.stdout, cli.stderr, text.stdout, text.stderr):
        for line in output.splitlines():
            assert not line.lstrip().startswith(("::", "#")), line
    for forged in ("::error", "::warning", "::stop-commands"):
        assert sum(forged in line for line in text.stdout.splitlines()) == 1, forged


def test_every_line_break_is_escaped_on_a_printed_line() -> None:
    from mlsd_diagram.printable import one_line

    breaks = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    assert one_line(f"a{breaks}b\tc") == "a\\x0a\\x0d\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029b\tc"
    assert len(f"a{breaks}b".splitlines()) == len(breaks) + 1  # each is a line break to Python
    assert one_line(f"a{breaks}b").splitlines() == [one_line(f"a{breaks}b")]
