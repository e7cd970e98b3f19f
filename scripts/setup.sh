#!/usr/bin/env bash
# Self-installing set-up used by `make demo` and `make test`.
#   scripts/setup.sh venv [SET]      virtual environment .venv with requirements/SET.lock (runtime or dev)
#                                    and the package itself (editable)
#   scripts/setup.sh graphviz        Graphviz's `dot` (apt on Debian/Ubuntu)
#   scripts/setup.sh browser         Debian's Chromium for the browser tests
#   scripts/setup.sh node            Node.js + npm and the real clients in tests/js (Mermaid, Excalidraw, mxGraph, SARIF Multitool)
# Each step does nothing when its part is already there, and says clearly what to do when it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 2; }

APT_UPDATED=0
apt_install() {  # apt_install PACKAGE... (root or passwordless sudo)
  local sudo=""
  if ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else return 1; fi
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

step_venv() {  # step_venv [runtime|dev]: the locked set (requirements/<set>.lock), then the package itself
  local set=${1:-runtime}
  local lock="requirements/$set.lock"
  local stamp="$VENV/.installed-$set"
  [ -f "$lock" ] || die "no lock file $lock (run 'make lock')"
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && [ "$stamp" -nt "$lock" ]; then return 0; fi
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment $VENV with $($PYTHON --version 2>&1)"
    if ! $PYTHON -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install python3-venv || die "cannot create a virtual environment: install python3-venv (Debian/Ubuntu) and retry"
      $PYTHON -m venv "$VENV"
    fi
  fi
  say "installing the locked dependencies ($lock) into $VENV"
  # Exact versions with hashes: every fresh install tests what the lock says, not that morning's releases.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$lock" >&2 \
    || die "pip could not install $lock: check access to PyPI (or a mirror set in pip's configuration)"
  say "installing mlsd-diagram (editable) into $VENV"
  # No build isolation and no dependency resolution: the build backend (setuptools) comes from the lock too.
  PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . >&2
  touch "$stamp"
}

step_graphviz() {
  command -v dot >/dev/null 2>&1 && return 0
  if [ "$(uname)" = "Darwin" ]; then die "Graphviz's dot is missing: run 'brew install graphviz' and retry"; fi
  apt_install graphviz || die "Graphviz's dot is missing and could not be installed: run 'sudo apt-get install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)"
}

step_browser() {
  for name in chromium chromium-browser google-chrome; do command -v $name >/dev/null 2>&1 && return 0; done
  if [ "$(uname)" = "Darwin" ]; then die "Chromium is missing: run 'brew install --cask chromium' and retry"; fi
  apt_install chromium fonts-dejavu-core || die "Chromium is missing and could not be installed: run 'sudo apt-get install chromium'"
}

step_node() {
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(uname)" = "Darwin" ]; then die "Node.js is missing: run 'brew install node' and retry"; fi
    apt_install nodejs npm || die "Node.js and npm are missing: run 'sudo apt-get install nodejs npm'"
  fi
  local stamp=tests/js/node_modules/.mlsd-installed
  if [ -f "$stamp" ] && [ "$stamp" -nt tests/js/package.json ] && [ "$stamp" -nt tests/js/package-lock.json ]; then
    return 0
  fi
  say "npm install in tests/js (Mermaid, Excalidraw with React and esbuild, mxGraph, SARIF Multitool)"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm could not install tests/js: check access to the npm registry"
  # npm 11 does not run install scripts by default; the multitool's only one makes its binary executable.
  chmod u+x tests/js/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true
  touch "$stamp"
}

[ $# -ge 1 ] || die "usage: scripts/setup.sh venv [runtime|dev] | graphviz | browser | node"
step=$1; shift
case "$step" in
  venv) step_venv "$@" ;;
  graphviz) step_graphviz ;;
  browser) step_browser ;;
  node) step_node ;;
  *) die "unknown step '$step'" ;;
esac
