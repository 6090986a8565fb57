#!/usr/bin/env bash
# Builds the frozen desk from this checkout: dist/salon-desk/salon-desk (one folder, PyInstaller).
#   bash packaging/build.sh [--dist DIR] [--work DIR]
# 1. a clean virtual environment in WORK/venv with exactly the packages of packaging/requirements-desk.lock,
#    every file checked against its SHA-256 (--require-hashes --no-deps): the desk only, no server packages;
#    reused while the lock file and the Python are unchanged (WORK/venv/.lock-stamp);
# 2. the translation catalogs compiled; 3. PyInstaller (packaging/salon-desk.spec);
# 4. BUILD-INFO.json (version, commit, lock digest) and a smoke start (`salon-desk --version`).
# Signing, the .deb and the portable archive come after: packaging/release.py (see README, "For IT").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIST="$ROOT/dist"
WORK="$ROOT/build"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dist) DIST="$(realpath -m "$2")"; shift 2 ;;
    --work) WORK="$(realpath -m "$2")"; shift 2 ;;
    *) echo "usage: packaging/build.sh [--dist DIR] [--work DIR]" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
LOCK="$ROOT/packaging/requirements-desk.lock"
PY="${SALON_BUILD_PYTHON:-$(bash scripts/python.sh)}"
VENV="$WORK/venv"
start=$SECONDS

stamp="$(sha256sum "$LOCK" | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version.split()[0])')"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.lock-stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "== build environment from $(basename "$LOCK") (hashes required)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  uv="$(command -v uv || true)"; [[ -z "$uv" && -x "$ROOT/.venv/bin/uv" ]] && uv="$ROOT/.venv/bin/uv"
  if [[ -n "$uv" ]]; then  # faster; checks the same hashes
    "$uv" pip install -q --python "$VENV/bin/python" --require-hashes --no-deps -r "$LOCK"
  else
    "$VENV/bin/python" -m pip install -q --require-hashes --no-deps -r "$LOCK"
  fi
  echo "$stamp" > "$VENV/.lock-stamp"
else
  echo "== build environment unchanged since the lock file: reused ($VENV)"
fi
for server in fastapi starlette uvicorn psycopg; do
  if "$VENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$server') is None)"; then
    echo "the build environment has the server package $server: the desk lock must not include it" >&2; exit 1
  fi
done

echo "== translations"
"$VENV/bin/python" -m salon_desk.l10n compile >/dev/null

echo "== PyInstaller"
rm -rf "$DIST/salon-desk"
"$VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$WORK/pyinstaller" packaging/salon-desk.spec

exe="$DIST/salon-desk/salon-desk"
[[ -x "$exe" ]] || exe="$DIST/salon-desk/salon-desk.exe"
version="$("$VENV/bin/python" -c 'import salon_desk; print(salon_desk.__version__)')"
commit="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
"$VENV/bin/python" - "$DIST/salon-desk/BUILD-INFO.json" "$version" "$commit" "$LOCK" <<'PY'
import hashlib, json, platform, sys
from pathlib import Path
out, version, commit, lock = sys.argv[1:]
info = {"name": "salon-desk", "version": version, "commit": commit,
        "lock_sha256": hashlib.sha256(Path(lock).read_bytes()).hexdigest(),
        "python": platform.python_version(), "platform": f"{sys.platform}-{platform.machine()}"}
Path(out).write_text(json.dumps(info, indent=2) + "\n")
PY
"$exe" --version
echo "built $DIST/salon-desk ($(du -sh "$DIST/salon-desk" | cut -f1)) in $((SECONDS - start)) s"
