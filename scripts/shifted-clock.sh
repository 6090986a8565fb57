#!/usr/bin/env bash
# Runs a command with the wall clock moved, so no test can lean on today's date or the hour:
#   scripts/shifted-clock.sh +365d  pytest …                  # a year ahead, still ticking
#   scripts/shifted-clock.sh '@2026-12-04 23:00:00' pytest …  # 02:00 in Riyadh (UTC+3), ticking from there
# Only the wall clock moves (libfaketime with a real monotonic clock), so timeouts, Qt timers and
# threading waits behave. PostgreSQL's own now() does not move: the code passes instants explicitly.
# Needs Debian's `faketime` package and a C compiler (installed by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
shift_spec="$1"; shift
libfaketime="$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketimeMT.so.1$' || true)"
[[ -n "$libfaketime" ]] || { echo "libfaketime is not installed (apt-get install faketime)" >&2; exit 2; }
shim_dir=".venv/clockshift"
shim="$shim_dir/monotonic_passthrough.so"
source_file="scripts/clockshift/monotonic_passthrough.c"
if [[ ! -f "$shim" || "$source_file" -nt "$shim" ]]; then
  mkdir -p "$shim_dir"
  cc -shared -fPIC -O2 -o "$shim" "$source_file"
fi
export LD_PRELOAD="$PWD/$shim $libfaketime${LD_PRELOAD:+ $LD_PRELOAD}"
export FAKETIME="$shift_spec" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1
exec "$@"
