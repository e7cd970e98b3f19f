#!/usr/bin/env bash
# The steps of action.yml (the GitHub Action), one per subcommand, so they also run outside GitHub:
#   install   Graphviz (apt, when `dot` is missing) and this package, pinned by requirements/runtime.lock
#   review    lint the blueprints changed since $MLSD_BASE (SARIF), diff them (Markdown), draw the diff diagrams
#   comment   post or update the one pull-request comment (or write it to $MLSD_OUTPUT/comment-body.md
#             when there is no GITHUB_TOKEN or pull request)
#   verdict   fail when the review counted new findings at the fail level ($MLSD_NEW_FAILURES)
# Settings are environment variables (see mlsd_diagram/ci_review.py); PYTHON picks the interpreter.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

case "${1:-}" in
  install)
    if ! command -v dot >/dev/null 2>&1; then
      echo "mlsd review: installing Graphviz"
      sudo="" && [ "$(id -u)" -ne 0 ] && sudo="sudo"
      $sudo apt-get update -qq
      $sudo apt-get install -y -qq --no-install-recommends graphviz
    fi
    # The lock's pins without their hashes: hashes in a constraints file would put pip in
    # hash-checking mode, which cannot install this package from its folder.
    constraints="$(mktemp)"
    trap 'rm -f "$constraints"' EXIT
    grep '==' "$here/requirements/runtime.lock" | sed -e 's/[[:space:]]*\\$//' >"$constraints"
    "$python" -m pip install --quiet --disable-pip-version-check --constraint "$constraints" "$here"
    "$python" -m mlsd_diagram --version
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
    echo "usage: $0 install|review|comment|verdict" >&2
    exit 2
    ;;
esac
