#!/usr/bin/env bash
# `make lock`: resolve pyproject.toml into the two lock files, exact versions with hashes,
# universal (Python 3.10 to 3.13, Linux, macOS and Windows markers), with uv.
#   requirements/dev.lock      everything `make test` installs (the package's [dev] extra, which holds [test])
#   requirements/runtime.lock  what `make demo` installs: the runtime subset, at the same versions
# Existing pins are kept where pyproject.toml still allows them; UPGRADE=1 takes the newest releases.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-.venv/bin/uv}
upgrade=()
[ "${UPGRADE:-0}" = "1" ] && upgrade=(--upgrade)
common=(--universal --python-version 3.10 --generate-hashes --no-header --quiet)
"$UV" pip compile pyproject.toml requirements/build.in --extra dev "${common[@]}" "${upgrade[@]}" -o requirements/dev.lock
"$UV" pip compile pyproject.toml requirements/build.in "${common[@]}" -c requirements/dev.lock -o requirements/runtime.lock
echo "lock: requirements/dev.lock and requirements/runtime.lock written" >&2
