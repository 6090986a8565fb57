"""Cold start of the desk, through the same start path as `salon-desk` (app.show_shell paints the window's
frame before SQLAlchemy, the store or the database are touched; then app.open_desk and app.open_into load
the day), against a bare PySide6 window with one table started the same way, in the same run:

* first paint: the desk's window frame vs the bare window (target <= 1.6x);
* usable day view on the year-scale salon (today's bookings loaded and painted): target <= 1 s, reported
  from the launch and from the first paint;
* resident memory after opening the year-scale salon (target < 300 MB).
Quick mode (SALON_BENCH_QUICK=1) starts on the demo-scale salon, once each.

Run: pytest tests/benchmarks/test_desk_start_bench.py -m benchmark -s
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from salon_desk.clock import utc_now
from salon_desk.demo.seed import seed_demo
from tests.benchmarks.report import Recorder, quick, scaled

pytestmark = pytest.mark.benchmark
PROBE = Path(__file__).with_name("cold_start_probe.py")
SCALE = scaled("year", "demo")
STARTS = scaled(3, 1)


def _run(home: Path, *args: str) -> dict[str, float]:
    started = time.time()
    out = subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True, timeout=180,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(home)},
                         check=True)
    fields = {k: float(v) for k, v in (part.split("=") for part in out.stdout.split() if "=" in part)}
    fields["paint_s"] = fields["painted_at"] - started
    if "usable_at" in fields:
        fields["usable_s"] = fields["usable_at"] - started
    return fields


def test_cold_start_and_memory(tmp_path: Path, bench: Recorder) -> None:
    seed_demo(tmp_path / "salon", scale=SCALE, now=utc_now())  # the desk runs on the real clock: today
    home = tmp_path / "home"  # no remembered geometry: the first-run window, same area as the bare one
    home.mkdir()
    data = str(tmp_path / "salon")
    if not quick():
        _run(home, "desk", data)  # warm the OS file cache once for both, as a second start at a desk would
    desk = [_run(home, "desk", data) for _ in range(STARTS)]
    bare = [_run(home, "bare") for _ in range(STARTS)]
    assert all(d["orm_at_paint"] == 0 for d in desk), "SQLAlchemy or the store was imported before the first paint"
    assert all(d["blocks"] > 0 for d in desk), "the day view showed no bookings"
    paint = statistics.median(d["paint_s"] for d in desk)
    usable = statistics.median(d["usable_s"] for d in desk)
    bare_s = statistics.median(b["paint_s"] for b in bare)
    bare_name = "bare PySide6 window with one table, first paint"
    bench("cold start: first paint of the desk's window (frame, rail, empty calendar)", paint, "s",
          baseline=bare_s, baseline_name=bare_name, target="<= 1.6x baseline")
    bench(f"cold start: usable day view, {SCALE}-scale salon, from launch", usable, "s", baseline=bare_s,
          baseline_name=bare_name, target="<= 1 s",
          note=f"{int(statistics.median(d['blocks'] for d in desk))} bookings painted")
    bench(f"cold start: usable day view, {SCALE}-scale salon, after the first paint", usable - paint, "s",
          baseline=bare_s, baseline_name=bare_name)
    bench(f"resident memory after opening the {SCALE}-scale salon", max(d["rss_mb"] for d in desk), "MB",
          baseline=max(b["rss_mb"] for b in bare), baseline_name="bare PySide6 window", target="< 300 MB")
