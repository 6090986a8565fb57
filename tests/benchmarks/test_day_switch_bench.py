"""Switching the calendar's day with 30 staff and 400 bookings, against a plain QTableWidget baseline.

Run: QT_QPA_PLATFORM=offscreen pytest tests/benchmarks/test_day_switch_bench.py -m benchmark -s
The DayViews are built beforehand (no database): this measures the UI's own work, i.e. laying out the
scene (reusing pooled items), formatting every block's texts, and painting the visible part once.
The baseline fills a QTableWidget with the same 400 rows (customer, service, staff, time, status) and
paints it once: the cheapest "show 400 bookings" a Qt screen can do.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem  # noqa: E402

from salon_desk.ui import i18n, theme  # noqa: E402
from salon_desk.ui.calendar.day_view import CalendarPage  # noqa: E402
from salon_desk.ui.context import DeskEvents, UiContext  # noqa: E402
from salon_desk.ui.tasks import TaskRunner  # noqa: E402
from tests.benchmarks.report import Recorder, scaled  # noqa: E402
from tests.calendar_sample import SampleDesk, sample_day_view  # noqa: E402

pytestmark = pytest.mark.benchmark
DAY = date(2025, 3, 2)
NOW = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
STAFF, BOOKINGS, DAYS, RUNS = 30, 400, 6, scaled(25, 5)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return f"median {statistics.median(samples):6.2f} ms   p90 {p90:6.2f} ms   (n={len(samples)})"


@pytest.fixture
def page(qapp, tmp_path):
    i18n.set_ui_language("ar", "latn")
    theme.apply_theme(qapp, rtl=True)
    runner = TaskRunner()
    ctx = UiContext(
        desk=SampleDesk(DAY, STAFF, BOOKINGS),  # a stand-in for DeskService: no database
        runner=runner,
        events=DeskEvents(),
        now=lambda: NOW,
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    page = CalendarPage(ctx)
    page.resize(1600, 900)
    page.show()
    runner.wait_idle(10_000)
    yield page
    page.close()
    runner.shutdown()


def table_baseline(table: QTableWidget, view) -> None:
    names = {c.staff.id: c.staff.name_ar for c in view.columns}
    table.setRowCount(0)
    table.setRowCount(len(view.blocks))
    for row, block in enumerate(view.blocks):
        values = (
            block.customer_name,
            block.service_name_ar,
            names[block.staff_id],
            block.start_at.strftime("%H:%M"),
            block.status,
        )
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    table.viewport().repaint()


def test_day_switch_30_staff_400_bookings(page, qapp, bench: Recorder):
    views = [
        sample_day_view(DAY + timedelta(days=n), STAFF, BOOKINGS, open_hour=9, close_hour=23)
        for n in range(DAYS)
    ]
    assert all(len(v.blocks) == BOOKINGS and len(v.columns) == STAFF for v in views)
    body = page.board.grid.body

    def switch(view) -> None:
        page.show_day_view(view)
        body.viewport().repaint()  # paint the visible part now, as the screen would

    first = timed(lambda: switch(views[0]))  # creates the pooled items
    calendar = [timed(lambda n=n: switch(views[n % DAYS])) for n in range(1, RUNS + 1)]
    assert len(page.scene.block_items()) == BOOKINGS

    table = QTableWidget(0, 5)
    table.resize(1600, 900)
    table.show()
    table_baseline(table, views[0])
    baseline = [timed(lambda n=n: table_baseline(table, views[n % DAYS])) for n in range(1, RUNS + 1)]
    table.close()

    ratio = statistics.median(calendar) / statistics.median(baseline)
    print()
    print(f"day switch, {STAFF} staff / {BOOKINGS} bookings (first build {first:.1f} ms)")
    print(f"  calendar scene (reused items + paint): {summary(calendar)}")
    print(f"  baseline QTableWidget, same 400 rows:  {summary(baseline)}")
    print(f"  ratio calendar / baseline: {ratio:.2f}x   (target: calendar median < 50 ms)")
    bench(f"day switch, {STAFF} staff / {BOOKINGS} bookings: calendar scene (reused items + paint), median",
          statistics.median(calendar), "ms", baseline=statistics.median(baseline),
          baseline_name=f"QTableWidget filled with the same {BOOKINGS} rows + paint, median", target="< 50 ms",
          note=f"first build {first:.0f} ms")
