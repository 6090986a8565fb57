#!/usr/bin/env bash
# Installs the project into .venv and runs lint, the architecture contracts and the whole test suite.
# System packages (fonts, Qt libraries, Chromium) are installed by .ci/run, or by hand as the README says.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(bash scripts/python.sh)" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[dev]"
.venv/bin/python -m salon_desk.l10n compile
.venv/bin/ruff check salon_desk tests
.venv/bin/lint-imports
.venv/bin/mypy salon_desk
export QT_QPA_PLATFORM=offscreen

# No test may lean on today's date or the hour. CI runs the one pytest pass a year ahead (SALON_TEST_CLOCK
# picks another shift; "none" runs on the real clock); SALON_TEST_CLOCK_MATRIX=1 adds 02:00 and 23:30 in
# Riyadh (UTC+3). Shifting needs Debian's faketime and a C compiler; without them the real clock is used.
clock="${SALON_TEST_CLOCK:-}"
if [[ -z "$clock" && "${CI:-}" == "true" ]]; then clock="+365d"; fi
if [[ -n "$clock" && "$clock" != "none" ]] && ! command -v faketime >/dev/null; then
  echo "faketime is not installed: running on the real clock" >&2; clock=""
fi
run_pytest() {
  local spec="$1"; shift
  if [[ -n "$spec" && "$spec" != "none" ]]; then
    echo "== pytest with the clock at $spec"
    bash scripts/shifted-clock.sh "$spec" .venv/bin/pytest "$@"
  else
    .venv/bin/pytest "$@"
  fi
}
run_pytest "$clock" "$@"
if [[ "${SALON_TEST_CLOCK_MATRIX:-}" == "1" ]]; then
  today="$(date -u +%F)"
  yesterday="$(date -u -d "$today -1 day" +%F)"
  run_pytest "@$yesterday 23:00:00" "$@"   # 02:00 in Riyadh
  run_pytest "@$today 20:30:00" "$@"       # 23:30 in Riyadh
fi

# CI only: every benchmark once in quick mode (small data, few repetitions) after the tests, so none can rot.
# Figures are printed, never asserted (scripts/bench.sh; the full run writes docs/benchmarks.md).
if [[ "${CI:-}" == "true" ]]; then
  bash scripts/bench.sh --quick
fi
