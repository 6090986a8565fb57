"""One way for every benchmark to record its figures, and the renderer of `docs/benchmarks.md`.

A benchmark calls `record(...)` (or the `bench` fixture, which fills in the test's name) once per figure:
the figure, the baseline measured in the same run, the unit and the target where an issue gives one. The
figure is printed at once; when SALON_BENCH_REPORT names a file, it is also appended there as one JSON line.
`scripts/bench.sh` sets that variable, runs every benchmark, then renders the lines with
`python -m tests.benchmarks.report render LINES OUT`. Figures are never asserted.

SALON_BENCH_QUICK=1 shrinks data sizes and repetitions (`scaled(full, quick)`), so CI can run the whole set
in a few minutes to keep the benchmarks working; quick figures say little about speed.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REPORT_ENV = "SALON_BENCH_REPORT"
QUICK_ENV = "SALON_BENCH_QUICK"


def quick() -> bool:
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


def scaled(full: T, small: T) -> T:
    """`full` normally, `small` in quick mode."""
    return small if quick() else full


@dataclass(frozen=True, slots=True)
class Figure:
    test: str  # the benchmark that measured it (module::function)
    name: str  # what was measured, e.g. "slot search, 60 min, anyone of 30 staff"
    value: float
    unit: str  # "ms", "s", "rows/s", "MB", ...
    baseline: float | None = None  # the same-run baseline, in the same unit
    baseline_name: str = ""  # what the baseline is
    target: str = ""  # from the issue, as written there ("< 5 ms", ">= 0.5 x baseline")
    higher_is_better: bool = False  # rates: the ratio is then baseline-relative throughput
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0 or self.value == 0:
            return None
        return self.value / self.baseline


def record(
    test: str,
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    target: str = "",
    higher_is_better: bool = False,
    note: str = "",
) -> Figure:
    figure = Figure(test, name, float(value), unit, None if baseline is None else float(baseline), baseline_name,
                    target, higher_is_better, note)
    ratio = f"; ratio {figure.ratio:.2f}x" if figure.ratio is not None else ""
    base = f" | baseline {baseline_name}: {_number(figure.baseline)} {unit}" if baseline is not None else ""
    aim = f" (target {target})" if target else ""
    print(f"\n[bench] {name}: {_number(figure.value)} {unit}{aim}{base}{ratio}")  # noqa: T201
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")
    return figure


class Recorder:
    """What the `bench` fixture hands a test: `bench(name, value, unit, baseline=..., ...)`."""

    def __init__(self, test: str) -> None:
        self.test = test

    def __call__(self, name: str, value: float, unit: str, **options: object) -> Figure:
        return record(self.test, name, value, unit, **options)  # type: ignore[arg-type]


# -- rendering ------------------------------------------------------------------------------------------------
def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def _first_line(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as source:
            return next((line.split(":", 1)[1].strip() for line in source if line.startswith(prefix)), "?")
    except OSError:
        return "?"


def _postgres_version() -> str:
    url = os.environ.get("SALON_TEST_DATABASE_URL", "")
    if not url:
        return "not used (SALON_TEST_DATABASE_URL unset)"
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"
    except Exception as exc:  # noqa: BLE001 - the header says why instead of failing the report
        return f"unreachable ({type(exc).__name__})"


def machine() -> dict[str, str]:
    try:
        import PySide6

        pyside = PySide6.__version__
    except ImportError:
        pyside = "not installed"
    memory_kb = _first_line("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(memory_kb) / 1024 / 1024:.1f} GiB" if memory_kb.isdigit() else "?"
    from salon_desk.clock import utc_now

    return {
        "CPU": _first_line("/proc/cpuinfo", "model name") if sys.platform == "linux" else platform.processor(),
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PySide6": pyside,
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _postgres_version(),
        "git": _git_head(),
        "date (UTC)": utc_now().strftime("%Y-%m-%d %H:%M"),
    }


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=20)
    except OSError:
        return "?"
    return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(lines: Path, out: Path, outcome: str = "") -> str:
    figures = [Figure(**json.loads(line)) for line in lines.read_text(encoding="utf-8").splitlines() if line]
    info = machine()
    mode = "quick (small data, few repetitions: checks the benchmarks run, not speed)" if quick() else "full"
    parts = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench.sh` from the figures each benchmark in `tests/benchmarks/` records through "
        "`tests/benchmarks/report.py`. Every figure sits beside a baseline measured in the same run on the same "
        "machine; the ratio is figure / baseline. Figures are printed, never asserted.",
        "",
        f"Mode: {mode}.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {_cell(value)} |" for key, value in info.items()),
        "",
    ]
    if outcome:
        parts += [outcome, ""]
    parts += [
        "| benchmark | figure | value | baseline (same run) | baseline value | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "–"
        base = f"{_number(f.baseline)} {f.unit}" if f.baseline is not None else "–"
        name = f.name + (f" ({f.note})" if f.note else "")
        parts.append(
            f"| `{f.test.split('::')[-1]}` | {_cell(name)} | {_number(f.value)} {f.unit} | "
            f"{_cell(f.baseline_name) or '–'} | {base} | {ratio} | {_cell(f.target) or '–'} |"
        )
    if not figures:
        parts.append("| – | no figures were recorded | | | | | |")
    parts.append("")
    text = "\n".join(parts)
    out.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "render":
        sys.exit("usage: python -m tests.benchmarks.report render LINES.jsonl OUT.md [OUTCOME]")
    print(render(Path(sys.argv[2]), Path(sys.argv[3]), " ".join(sys.argv[4:])))  # noqa: T201
