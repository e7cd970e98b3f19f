"""The steps of the GitHub Action (action.yml) that review a pull request's blueprints.

``python -m mlsd_diagram.ci_review review`` lints the blueprints changed since ``MLSD_BASE``
into a SARIF file, compares each with its version at ``MLSD_BASE`` (Markdown for the comment)
and draws the diff diagrams; ``python -m mlsd_diagram.ci_review comment`` posts that Markdown as
one pull-request comment, or updates the comment it posted before: the one written by the
token's own account (``GET /user``; the default ``GITHUB_TOKEN`` cannot ask, and posts as
``github-actions[bot]``) that starts with a hidden marker. Anyone else's comment is left alone,
marker or not. When the comment cannot be posted (a push, not a pull request; no token; a
read-only token, as on a pull request from a fork: GitHub answers 403), the body goes to the
job summary (``GITHUB_STEP_SUMMARY``) and to ``MLSD_OUTPUT/comment-body.md`` instead, so the
steps run the same way on a laptop or in a test.

Everything in the checkout comes from the pull request's author, file names included: the base
side is read from git by object id, the head side only from regular files (see
:mod:`mlsd_diagram.blueprint.revision`); every printed string is kept on its line (a file name
cannot start a ``::command::`` line of the log) and every string in the comment is escaped for
its place in the Markdown.

Settings come from the environment, as the action sets them: ``MLSD_BASE`` (a revision; all
zeros, as on the first push of a branch, means the merge base with ``origin/MLSD_DEFAULT_BRANCH``),
``MLSD_OUTPUT`` (folder, default ``mlsd-review``), ``MLSD_VIEW`` (diagram view, default ``all``),
``MLSD_FAIL_ON`` (level for counting new findings, default from ``[tool.mlsd]``), ``MLSD_CONFIG``
(the pyproject.toml to read ``[tool.mlsd]`` from, default the nearest one), ``MLSD_PATHS`` (one
git pathspec a line: review the changed files under them instead of ``blueprints/*.yaml`` and
``*.mlsd.yaml``), ``MLSD_PR`` (the pull request number, else read from ``GITHUB_EVENT_PATH``),
``MLSD_ARTIFACT_URL`` (where the diagrams were uploaded), ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY``,
``GITHUB_API_URL``, ``GITHUB_OUTPUT`` (where step outputs go) and ``GITHUB_STEP_SUMMARY``. Exit
codes: 0 done, 2 a blueprint is invalid or git or GitHub refused (the message says which).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from .printable import one_line

MARKER = "<!-- mlsd-design-review -->"
COMMENT_CHARS = 60_000  # under GitHub's 65,536, leaving room for the marker and the diagram links
API_TIMEOUT = 30
# Who posts with the default GITHUB_TOKEN (an installation token, which may not ask GET /user).
ACTIONS_BOT = "github-actions[bot]"
MAX_COMMENT_PAGES = 100  # 10,000 comments: past that the review posts a new comment
FAIL_LEVELS = ("error", "warning", "note")


class ReviewError(RuntimeError):
    """A step could not do its job; the message says why (exit code 2)."""


@dataclass(frozen=True)
class Line:
    """One line of a step's log, for standard output or (``err``) standard error."""

    text: str
    err: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a step did: its exit code and its log; :func:`main` prints the log (the steps print nothing)."""

    code: int
    log: list[Line]


def _say(line: Line) -> None:
    """Print one line of the log: control characters and line breaks from file names or values shown as escapes."""
    print(one_line(line.text), file=sys.stderr if line.err else sys.stdout, flush=True)


def _set_outputs(**values: str) -> None:
    """Append step outputs to ``GITHUB_OUTPUT`` (a value holding a line break gets a delimiter of its own)."""
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            for key, value in values.items():
                if "\n" in value or "\r" in value:
                    delimiter = f"mlsd_{uuid.uuid4().hex}"
                    handle.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
                else:
                    handle.write(f"{key}={value}\n")


def _output_folder() -> Path:
    """``MLSD_OUTPUT`` (default ``mlsd-review``), refused when a folder of it inside the checkout is a link.

    The pull request controls the checkout: an output folder linked to ``.git`` (whose config holds the
    checkout's token) or elsewhere would have the review write there, and the artifact upload read from there.
    """
    out = Path(os.environ.get("MLSD_OUTPUT") or "mlsd-review")
    here = Path.cwd()
    try:
        inside = (here / out).relative_to(here) if not out.is_absolute() else out.relative_to(here)
    except ValueError:
        return out  # outside the checkout: the workflow's own choice
    folder = here
    for part in inside.parts:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            break
        if not stat.S_ISDIR(mode):
            from .blueprint.revision import file_kind

            raise ReviewError(f"the output folder {out}: {folder} is {file_kind(mode)}, not a folder (not used)")
    return out


def _base() -> str:
    """The revision to compare with: ``MLSD_BASE``; on a branch's first push (all zeros) the merge base with
    the default branch."""
    from .blueprint.revision import RevisionError, merge_base

    base = os.environ.get("MLSD_BASE", "").strip()
    if not base:
        raise ReviewError(
            "MLSD_BASE is not set: give the action a `base` revision (on pull requests it defaults "
            "to the base branch's commit, on pushes to the commit before the push; check out with "
            "fetch-depth: 0 so it is present)"
        )
    if re.fullmatch(r"0{40}|0{64}", base):
        default = os.environ.get("MLSD_DEFAULT_BRANCH", "").strip()
        if not default:
            raise ReviewError("a new branch has no previous commit to compare with: give the action a `base` revision")
        try:
            return merge_base(f"origin/{default}", "HEAD")
        except RevisionError as exc:
            raise ReviewError(
                f"a new branch: cannot compare with the default branch 'origin/{default}': {exc} "
                "(check out with fetch-depth: 0, or give the action a `base` revision)"
            ) from None
    return base


def review() -> Outcome:
    """Lint the changed blueprints (SARIF), compare each with the base (Markdown) and draw the diff diagrams."""
    from .analyses.changes import diff_changed
    from .analyses.diff import introduced_failures
    from .analyses.lint import lint, load_config
    from .blueprint.revision import RevisionError
    from .diagnostics import BlueprintError
    from .outputs.diff_diagram import render_diff
    from .outputs.diff_report import diff_markdown
    from .outputs.doc.markdown import fence
    from .outputs.files import write_atomic
    from .outputs.sarif import sarif_text

    base = _base()
    out = _output_folder()
    view = os.environ.get("MLSD_VIEW") or "all"
    config = load_config(os.environ.get("MLSD_CONFIG", "").strip() or None)
    fail_on = os.environ.get("MLSD_FAIL_ON", "").strip() or config.fail_on
    if fail_on not in FAIL_LEVELS:
        raise ReviewError(f"fail-on is '{fail_on}': use one of {', '.join(FAIL_LEVELS)}")
    paths = [line.strip() for line in os.environ.get("MLSD_PATHS", "").splitlines() if line.strip()]
    try:  # each side as git listed it: the base from git, the head a regular file (never through a link)
        changed = diff_changed(base, paths or None, config)
    except RevisionError as exc:
        raise ReviewError(str(exc)) from None
    problems = [
        line
        for p in changed.problems
        for line in ([str(d) for d in p.diagnostics] if isinstance(p, BlueprintError) else [str(p)])
    ]
    diffs = [c.diff for c in changed.compared]
    findings, pictures = [], []
    for c in changed.compared:
        if c.new_exists:
            findings += lint(c.new, config=config)
            pictures += render_diff(c.old, c.new, c.diff, out, _stem(c.path), view=view)
    sarif = write_atomic(out / "mlsd.sarif", sarif_text(findings))
    body = [MARKER, diff_markdown(diffs, max_chars=COMMENT_CHARS).rstrip("\n")]
    if problems:
        # one line each (a file name's line breaks escaped), in a fence longer than any backtick run in them
        shown = "\n".join(one_line(problem) for problem in problems[:50])
        body += ["", "**Invalid blueprints** (fix these first):", "", fence(shown, "text")]
    comment = write_atomic(out / "comment.md", "\n".join(body) + "\n")
    new_failures = sum(len(introduced_failures(d, fail_on)) for d in diffs)
    _set_outputs(
        sarif=str(sarif),
        comment=str(comment),
        diagrams="\n".join(str(out / Path(p).name) for p in pictures),  # only these get uploaded
        changed=str(changed.changes),
        **{"new-failures": str(new_failures), "invalid": str(len(problems))},
    )
    log = [
        Line(
            f"mlsd review: {changed.changes} blueprint(s) changed since {base}; {len(findings)} finding(s) in SARIF "
            f"{sarif}; {new_failures} new finding(s) at the fail level; comment in {comment}"
        )
    ]
    log += [Line(f"mlsd review: {problem}", err=True) for problem in problems]
    return Outcome(2 if problems else 0, log)


def _stem(path: str) -> str:
    """A diagram's file stem from a blueprint's path, in characters every artifact store and shell takes."""
    return re.sub(r"[^\w.-]", "_", Path(path).stem, flags=re.ASCII) or "blueprint"


def _pull_request() -> str | None:
    number = os.environ.get("MLSD_PR", "").strip()
    if number:
        return number
    event = os.environ.get("GITHUB_EVENT_PATH")
    if event and os.path.isfile(event):
        with open(event, encoding="utf-8") as handle:
            found = (json.load(handle).get("pull_request") or {}).get("number")
        return str(found) if found else None
    return None


def comment_body(out: Path) -> str:
    """The comment: the review's Markdown (with the marker) and where the diff diagrams are."""
    from .outputs.doc.markdown import code

    text = (out / "comment.md").read_text(encoding="utf-8").rstrip("\n")
    pictures = sorted(p.name for p in out.glob("*-diff*.png"))
    if pictures:
        artifact = os.environ.get("MLSD_ARTIFACT_URL", "").strip()
        server, repo, run = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
        link = artifact or (f"{server}/{repo}/actions/runs/{run}" if server and repo and run else "")
        names = ", ".join(code(one_line(name)) for name in pictures)
        where = f"[the `mlsd-design-review` artifact]({link})" if link and _plain_url(link) else code(str(out))
        text += (
            f"\n\n**Diff diagrams** (added green, removed dashed red, changed amber, unchanged faded; "
            f"PNG and SVG): {names} in {where}."
        )
    return text + "\n"


def _plain_url(link: str) -> bool:
    """An http(s) URL that can stand in a Markdown link destination as it is (no spaces, brackets or breaks)."""
    return re.fullmatch(r"https?://[^\s<>()\\]+", link) is not None


class GitHubRefused(ReviewError):
    """GitHub answered with an error status (``status``), e.g. 403 for a read-only token."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _api(method: str, url: str, token: str, payload: dict | None = None) -> object:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Content-Type": "application/json",
            "User-Agent": "mlsd-diagram",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT) as response:  # noqa: S310 - the GitHub API URL
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise GitHubRefused(
            f"GitHub answered {exc.code} to {method} {url}: {exc.read()[:300]!r}", status=exc.code
        ) from None
    except urllib.error.URLError as exc:
        raise ReviewError(f"cannot reach GitHub at {url}: {exc.reason}") from None
    except (TimeoutError, json.JSONDecodeError) as exc:
        raise ReviewError(f"no usable answer from GitHub to {method} {url}: {exc}") from None


def _author(api: str, token: str) -> str:
    """The login the token comments as: ``GET /user`` for a personal token; the default ``GITHUB_TOKEN`` (an
    installation token) may not ask, and comments as ``github-actions[bot]``."""
    try:
        me = _api("GET", f"{api}/user", token)
    except GitHubRefused as exc:
        if exc.status in (401, 403, 404):
            return ACTIONS_BOT
        raise
    login = me.get("login") if isinstance(me, dict) else None
    return login if isinstance(login, str) and login else ACTIONS_BOT


def own_comment(comments: list, author: str) -> dict | None:
    """The review's earlier comment among ``comments``: written by ``author`` and starting with the marker.

    A comment by anyone else is never taken, whatever it says: the pull request's author can quote the marker.
    """
    for found in comments:
        if not isinstance(found, dict):
            continue
        user = found.get("user") or {}
        body = found.get("body") or ""
        if isinstance(user, dict) and user.get("login") == author and isinstance(body, str) and body.startswith(MARKER):
            return found
    return None


def _summarize(out: Path, body: str, why: str) -> Outcome:
    """The review where the job's reader finds it when it is not posted: the job summary and a file."""
    target = out / "comment-body.md"
    target.write_text(body, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(body + "\n")
        return Outcome(0, [Line(f"mlsd review: {why}; the review is in the job summary and in {target}")])
    return Outcome(0, [Line(f"mlsd review: {why}; the comment is in {target}")])


def comment() -> Outcome:
    """Post the comment, or update the one this token posted before; else write it to the job summary and a file."""
    out = _output_folder()
    try:
        mode = os.lstat(out / "comment.md").st_mode
    except FileNotFoundError:
        raise ReviewError(f"{out / 'comment.md'} is missing: run the review step first") from None
    if not stat.S_ISREG(mode):
        raise ReviewError(f"{out / 'comment.md'} is not a regular file (a link?): not read")
    body = comment_body(out)
    token, number = os.environ.get("GITHUB_TOKEN", "").strip(), _pull_request()
    repo = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not (token and number and repo):
        why = "no pull request number" if not number else ("no GITHUB_TOKEN" if not token else "no GITHUB_REPOSITORY")
        return _summarize(out, body, why)
    if not re.fullmatch(r"\d+", number) or not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise ReviewError(f"'{number}' is not a pull request number or '{repo}' not an OWNER/NAME repository")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    author = _author(api, token)
    existing = None
    for page in range(1, MAX_COMMENT_PAGES + 1):
        batch = _api("GET", f"{api}/repos/{repo}/issues/{number}/comments?per_page=100&page={page}", token)
        if not isinstance(batch, list) or not batch:
            break
        existing = own_comment(batch, author)
        if existing is not None:
            break
    try:
        if existing is not None:
            _api("PATCH", f"{api}/repos/{repo}/issues/comments/{existing['id']}", token, {"body": body})
            done = f"mlsd review: updated comment {existing['id']} on #{number}"
        else:
            made = _api("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, {"body": body})
            done = f"mlsd review: posted comment {made.get('id') if isinstance(made, dict) else '?'} on #{number}"
    except GitHubRefused as exc:
        if exc.status != 403:
            raise
        # A pull request from a fork runs with a read-only token: the review still reaches its reader.
        return _summarize(out, body, f"GitHub refused the comment on #{number} (403: a read-only token, as on a fork)")
    return Outcome(0, [Line(done)])


def main(argv: list[str] | None = None) -> int:
    """Run one step (``review`` or ``comment``) and print its log; a problem is one line on stderr and exit code 2.

    The process entry (``python -m mlsd_diagram.ci_review``): the only function here that prints."""
    from .analyses.lint import LintConfigError
    from .outputs.diagram import RenderError
    from .outputs.files import OutputPathError

    args = sys.argv[1:] if argv is None else argv
    steps = {"review": review, "comment": comment}
    if len(args) != 1 or args[0] not in steps:
        print("usage: python -m mlsd_diagram.ci_review review|comment", file=sys.stderr)
        return 2
    try:
        outcome = steps[args[0]]()
    except (ReviewError, LintConfigError, RenderError, OutputPathError) as exc:
        outcome = Outcome(2, [Line(f"mlsd review: error: {exc}", err=True)])
    except OSError as exc:  # a folder or file the step needs (output, event, summary) that the system refused
        detail = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
        outcome = Outcome(2, [Line(f"mlsd review: error: {detail}", err=True)])
    for line in outcome.log:
        _say(line)
    return outcome.code


if __name__ == "__main__":
    sys.exit(main())
