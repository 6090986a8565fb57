#!/usr/bin/env bash
# Runs every benchmark in tests/benchmarks (marker `benchmark`) and writes docs/benchmarks.md: one row per
# figure with its same-run baseline, the ratio and the target, under a header naming the machine.
#   scripts/bench.sh            full run (seeds the year-scale salon: takes a while), writes docs/benchmarks.md
#   scripts/bench.sh --quick    small data, few repetitions (SALON_BENCH_QUICK=1 does the same); writes a
#                               temporary report and prints it: CI runs this to keep the benchmarks working
# Extra arguments go to pytest (e.g. -k slot). PostgreSQL figures need SALON_TEST_DATABASE_URL.
# SALON_BENCH_NOTE adds a sentence under the machine table (e.g. "the machine was shared: noisy figures").
# Figures are printed, never asserted: a benchmark fails only when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--quick" ]]; then export SALON_BENCH_QUICK=1; shift; fi
export QT_QPA_PLATFORM=offscreen
python=.venv/bin/python

if [[ "${SALON_BENCH_QUICK:-0}" != "0" ]]; then
  lines="$(mktemp -t salon-bench-XXXXXX.jsonl)"
  out="$(mktemp -t salon-benchmarks-XXXXXX.md)"
else
  lines="$(mktemp -t salon-bench-XXXXXX.jsonl)"
  out="docs/benchmarks.md"
  mkdir -p docs
fi
: >"$lines"
export SALON_BENCH_REPORT="$lines"

started=$SECONDS
status=0
.venv/bin/pytest tests/benchmarks -m benchmark -s -q "$@" || status=$?
elapsed=$((SECONDS - started))
outcome="Run took ${elapsed} s; pytest exit status ${status}. ${SALON_BENCH_NOTE:-}"
"$python" -m tests.benchmarks.report render "$lines" "$out" "$outcome" >/dev/null
echo "== benchmarks: ${elapsed} s, pytest exit status ${status}; report written to ${out}"
if [[ "${SALON_BENCH_QUICK:-0}" != "0" ]]; then cat "$out"; fi
rm -f "$lines"
exit "$status"
