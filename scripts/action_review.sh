#!/usr/bin/env bash
# The steps of action.yml (the GitHub Action), one per subcommand, so they also run outside GitHub:
#   cache     where pip keeps its downloads ($PIP_CACHE_DIR, else ~/.cache/mlsd-diagram/pip) and the cache key
#             (runner OS and architecture, Python version, the lock's hash), as step outputs `dir` and `key`
#   install   Graphviz (apt, when `dot` is missing) and this package, pinned by requirements/runtime.lock, into a
#             virtual environment of its own ($MLSD_VENV, else $RUNNER_TEMP/mlsd-venv: current runner images refuse
#             pip into the system Python, PEP 668); its interpreter is the step output `python`
#   review    lint the blueprints changed since $MLSD_BASE (SARIF), diff them (Markdown), draw the diff diagrams
#   comment   post or update the one pull-request comment (or, when it cannot, write it to the job summary and
#             to $MLSD_OUTPUT/comment-body.md)
#   verdict   fail when the review counted new findings at the fail level ($MLSD_NEW_FAILURES)
# Settings are environment variables (see mlsd_diagram/ci_review.py); PYTHON picks the interpreter (for review and
# comment, the one `install` printed; for install, the one that makes the virtual environment).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

output() {  # a step output, when GitHub collects them
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

case "${1:-}" in
  cache)
    dir="${PIP_CACHE_DIR:-$HOME/.cache/mlsd-diagram/pip}"
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    lock="$(cat "$here/requirements/runtime.lock" "$here/pyproject.toml" | sha256sum | cut -c1-16)"
    key="mlsd-pip-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-py$version-$lock"
    output dir "$dir"
    output key "$key"
    echo "mlsd review: pip cache $dir, key $key"
    ;;
  install)
    if ! command -v dot >/dev/null 2>&1; then
      echo "mlsd review: installing Graphviz"
      sudo="" && [ "$(id -u)" -ne 0 ] && sudo="sudo"
      $sudo apt-get update -qq
      $sudo apt-get install -y -qq --no-install-recommends graphviz
    fi
    venv="${MLSD_VENV:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mlsd-venv}"
    "$python" -m venv "$venv"
    # The lock's pins without their hashes: hashes in a constraints file would put pip in
    # hash-checking mode, which cannot install this package from its folder.
    constraints="$(mktemp)"
    trap 'rm -f "$constraints"' EXIT
    grep '==' "$here/requirements/runtime.lock" | sed -e 's/[[:space:]]*\\$//' >"$constraints"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --constraint "$constraints" "$here"
    "$venv/bin/python" -m mlsd_diagram --version
    output python "$venv/bin/python"
    ;;
  review)
    exec "$python" -m mlsd_diagram.ci_review review
    ;;
  comment)
    exec "$python" -m mlsd_diagram.ci_review comment
    ;;
  verdict)
    failures="${MLSD_NEW_FAILURES:-0}"
    if [ "$failures" != "0" ]; then
      echo "mlsd review: this change introduces $failures finding(s) at the fail level (see the comment)" >&2
      exit 1
    fi
    echo "mlsd review: no new findings at the fail level"
    ;;
  *)
    echo "usage: $0 cache|install|review|comment|verdict" >&2
    exit 2
    ;;
esac
