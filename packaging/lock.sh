#!/usr/bin/env bash
# Updates the lock files: the one documented command (`bash packaging/lock.sh`); commit what it changes.
#   packaging/requirements-desk.lock   the desk and the tools that freeze it (PyInstaller): what build.sh installs
#   packaging/requirements-cloud.lock  the cloud server (`pip install --require-hashes -r ...`, then the project)
# Universal resolution: one file covers Linux, Windows and macOS (environment markers), every distribution
# listed with its SHA-256, so pip installs with --require-hashes and two builds of one commit get the same
# packages. No index address is written into the files: pip and uv use the machine's configured index.
# Upgrading: `bash packaging/lock.sh --upgrade` (or `--upgrade-package NAME`).
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-$(command -v uv || echo .venv/bin/uv)}"
common=(--universal --generate-hashes --python-version 3.11 --quiet
        --custom-compile-command "bash packaging/lock.sh" "$@")
"$uv" pip compile pyproject.toml --extra build -o packaging/requirements-desk.lock "${common[@]}"
"$uv" pip compile pyproject.toml --extra cloud -o packaging/requirements-cloud.lock "${common[@]}"
if grep -qiE '^\s*(-i|--index-url|--extra-index-url|--find-links)|https?://' packaging/requirements-*.lock; then
  echo "a lock file names an index address; remove it" >&2; exit 1
fi
echo "lock files updated: packaging/requirements-desk.lock packaging/requirements-cloud.lock"
