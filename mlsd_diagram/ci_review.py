"""The steps of the GitHub Action (action.yml) that review a pull request's blueprints.

``python -m mlsd_diagram.ci_review review`` lints the blueprints changed since ``MLSD_BASE``
into a SARIF file, compares each with its version at ``MLSD_BASE`` (Markdown for the comment)
and draws the diff diagrams; ``python -m mlsd_diagram.ci_review comment`` posts that Markdown as
one pull-request comment, or updates the comment it posted before (found by a hidden marker).
Without ``GITHUB_TOKEN`` or a pull request number, the comment body is written to
``MLSD_OUTPUT/comment-body.md`` instead, so the steps run the same way on a laptop or in a test.

Settings come from the environment, as the action sets them: ``MLSD_BASE`` (a revision),
``MLSD_OUTPUT`` (folder, default ``mlsd-review``), ``MLSD_VIEW`` (diagram view, default ``all``),
``MLSD_FAIL_ON`` (level for counting new findings, default from ``[tool.mlsd]``), ``MLSD_PR`` (the
pull request number, else read from ``GITHUB_EVENT_PATH``), ``MLSD_ARTIFACT_URL`` (where the
diagrams were uploaded), ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY``, ``GITHUB_API_URL``, and
``GITHUB_OUTPUT`` (where step outputs go). Exit codes: 0 done, 2 a blueprint is invalid or git or
GitHub refused (the message says which).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

MARKER = "<!-- mlsd-design-review -->"
COMMENT_CHARS = 60_000  # under GitHub's 65,536, leaving room for the marker and the diagram links
API_TIMEOUT = 30


class ReviewError(RuntimeError):
    """A step could not do its job; the message says why (exit code 2)."""


def _set_outputs(**values: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            for key, value in values.items():
                handle.write(f"{key}={value}\n")


def review() -> int:
    """Lint the changed blueprints (SARIF), compare each with the base (Markdown) and draw the diff diagrams."""
    from .analyses.diff import diff_blueprints, empty_blueprint, introduced_failures
    from .analyses.lint import lint, load_config
    from .blueprint.revision import RevisionError, changed_blueprints, load_spec
    from .diagnostics import BlueprintError
    from .outputs.diff_diagram import render_diff
    from .outputs.diff_report import diff_markdown
    from .outputs.files import write_atomic
    from .outputs.sarif import sarif_text

    base = os.environ.get("MLSD_BASE", "").strip()
    if not base:
        raise ReviewError(
            "MLSD_BASE is not set: give the action a `base` revision (on pull requests it defaults "
            "to the base branch's commit; check out with fetch-depth: 0 so it is present)"
        )
    out = Path(os.environ.get("MLSD_OUTPUT") or "mlsd-review")
    view = os.environ.get("MLSD_VIEW") or "all"
    config = load_config()
    try:
        changes = changed_blueprints(base)
    except RevisionError as exc:
        raise ReviewError(str(exc)) from None
    findings, diffs, problems, pictures = [], [], [], []
    for change in changes:
        try:
            old = load_spec(change.old) if change.old else None
            new = load_spec(change.new) if change.new else None
        except (BlueprintError, RevisionError) as exc:
            problems += [str(d) for d in exc.diagnostics] if isinstance(exc, BlueprintError) else [str(exc)]
            continue
        name = (new or old).name  # type: ignore[union-attr]
        old_side, new_side = old or empty_blueprint(name), new or empty_blueprint(name)
        diff = diff_blueprints(
            old_side, new_side, config, old_name=change.old or "/dev/null", new_name=change.new or "/dev/null"
        )
        diffs.append(diff)
        if new is not None:
            findings += lint(new, config=config)
            stem = Path(change.new).stem  # type: ignore[arg-type]
            pictures += render_diff(old_side, new_side, diff, out, stem, view=view)
    sarif = write_atomic(out / "mlsd.sarif", sarif_text(findings))
    body = [MARKER, diff_markdown(diffs, max_chars=COMMENT_CHARS).rstrip("\n")]
    if problems:
        body += ["", "**Invalid blueprints** (fix these first):", "", "```text", *problems[:50], "```"]
    comment = write_atomic(out / "comment.md", "\n".join(body) + "\n")
    new_failures = sum(len(introduced_failures(d, os.environ.get("MLSD_FAIL_ON") or config.fail_on)) for d in diffs)
    _set_outputs(
        sarif=str(sarif),
        comment=str(comment),
        diagrams=str(out) if pictures else "",
        changed=str(len(changes)),
        **{"new-failures": str(new_failures), "invalid": str(len(problems))},
    )
    print(
        f"mlsd review: {len(changes)} blueprint(s) changed since {base}; {len(findings)} finding(s) in SARIF "
        f"{sarif}; {new_failures} new finding(s) at the fail level; comment in {comment}"
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 2 if problems else 0


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
    text = (out / "comment.md").read_text(encoding="utf-8").rstrip("\n")
    pictures = sorted(p.name for p in out.glob("*-diff*.png"))
    if pictures:
        artifact = os.environ.get("MLSD_ARTIFACT_URL", "").strip()
        server, repo, run = (os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
        link = artifact or (f"{server}/{repo}/actions/runs/{run}" if server and repo and run else "")
        names = ", ".join(f"`{name}`" for name in pictures)
        where = f"[the `mlsd-design-review` artifact]({link})" if link else f"`{out}`"
        text += (
            f"\n\n**Diff diagrams** (added green, removed dashed red, changed amber, unchanged faded; "
            f"PNG and SVG): {names} in {where}."
        )
    return text + "\n"


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
        raise ReviewError(f"GitHub answered {exc.code} to {method} {url}: {exc.read()[:300]!r}") from None
    except urllib.error.URLError as exc:
        raise ReviewError(f"cannot reach GitHub at {url}: {exc.reason}") from None


def comment() -> int:
    """Post the comment, or update the one with the marker; without a token or PR, write it to a file."""
    out = Path(os.environ.get("MLSD_OUTPUT") or "mlsd-review")
    if not (out / "comment.md").is_file():
        raise ReviewError(f"{out / 'comment.md'} is missing: run the review step first")
    body = comment_body(out)
    token, number = os.environ.get("GITHUB_TOKEN", "").strip(), _pull_request()
    repo = os.environ.get("GITHUB_REPOSITORY", "").strip()
    if not (token and number and repo):
        why = "no GITHUB_TOKEN" if not token else ("no pull request number" if not number else "no GITHUB_REPOSITORY")
        target = out / "comment-body.md"
        target.write_text(body, encoding="utf-8")
        print(f"mlsd review: {why}; the comment is in {target}")
        return 0
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    existing = None
    page = 1
    while existing is None:
        batch = _api("GET", f"{api}/repos/{repo}/issues/{number}/comments?per_page=100&page={page}", token)
        if not isinstance(batch, list) or not batch:
            break
        existing = next((c for c in batch if MARKER in (c.get("body") or "")), None)
        page += 1
    if existing is not None:
        _api("PATCH", f"{api}/repos/{repo}/issues/comments/{existing['id']}", token, {"body": body})
        print(f"mlsd review: updated comment {existing['id']} on #{number}")
    else:
        made = _api("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, {"body": body})
        print(f"mlsd review: posted comment {made.get('id') if isinstance(made, dict) else '?'} on #{number}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one step (``review`` or ``comment``); a problem is one line on stderr and exit code 2."""
    from .analyses.lint import LintConfigError
    from .outputs.diagram import RenderError
    from .outputs.files import OutputPathError

    args = sys.argv[1:] if argv is None else argv
    steps = {"review": review, "comment": comment}
    if len(args) != 1 or args[0] not in steps:
        print("usage: python -m mlsd_diagram.ci_review review|comment", file=sys.stderr)
        return 2
    try:
        return steps[args[0]]()
    except (ReviewError, LintConfigError, RenderError, OutputPathError) as exc:
        print(f"mlsd review: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
