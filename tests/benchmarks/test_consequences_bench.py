"""Consequences of a change to one person's week on the year-scale salon (issue #10): target < 100 ms,
beside a raw SQL count of the same bookings in the same run.

What is timed: `desk.availability.preview_week` for the staff member with the most future bookings, her week
without Thursday (the change the issue's story makes): checking the new week, loading her future bookings
and dated exceptions, the slot finder's timeline over the whole stretch, and the affected bookings with
customer and service names. Baseline: one raw sqlite3 `count(*)` of her future active booking items, the
rows the preview has to look at. Quick mode (SALON_BENCH_QUICK=1) uses the demo-scale salon.
Run: .venv/bin/pytest tests/benchmarks/test_consequences_bench.py -m benchmark -s
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from datetime import UTC, date, datetime

import pytest

from salon_desk.demo.build import build_demo
from salon_desk.demo.seed import write_demo
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.store.engine import make_engine
from salon_desk.store.migrate import upgrade
from salon_desk.store.types import instant_text
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.desk import DeskService
from tests.benchmarks.report import Recorder, scaled

pytestmark = pytest.mark.benchmark

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SCALE = scaled("year", "demo")
RUNS = scaled(20, 3)
THURSDAY = 3

FUTURE_ITEMS = (
    "SELECT count(*) FROM booking_item WHERE staff_id = ? AND active = 1 AND deleted_at IS NULL AND start_at >= ?"
)


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


@pytest.fixture(scope="module")
def salon(tmp_path_factory):
    db = tmp_path_factory.mktemp("consequences") / "salon-desk.db"
    engine = make_engine(db)
    upgrade(engine)
    write_demo(engine, build_demo(TODAY, NOW, SCALE))
    desk = DeskService(make_uow_factory(engine, lambda: NOW), Actor("bench", Role.MANAGER))
    yield desk, db
    engine.dispose()


def test_consequences_of_one_persons_week(salon, bench: Recorder):
    desk, db = salon
    conn = sqlite3.connect(db)
    now_text = instant_text(NOW)
    staff_id, future = conn.execute(
        "SELECT staff_id, count(*) AS n FROM booking_item WHERE active = 1 AND deleted_at IS NULL AND start_at >= ?"
        " GROUP BY staff_id ORDER BY n DESC LIMIT 1", (now_text,)).fetchone()
    week = [WeeklySpan(r.weekday, r.start, r.end, r.valid_from, r.valid_to) for r in desk.availability.week(staff_id)]
    without_thursday = [s for s in week if s.weekday != THURSDAY]
    affected = desk.availability.preview_week(staff_id, without_thursday)
    assert affected and all(a.staff_id == staff_id for a in affected)
    assert desk.availability.preview_week(staff_id, week) == []  # an unchanged week leaves nothing outside

    ours = median_ms(lambda: desk.availability.preview_week(staff_id, without_thursday), RUNS)
    assert conn.execute(FUTURE_ITEMS, (staff_id, now_text)).fetchone()[0] == future
    raw = median_ms(lambda: conn.execute(FUTURE_ITEMS, (staff_id, now_text)).fetchone(), RUNS)
    conn.close()
    bench(f"consequences of one person's week without Thursday ({SCALE}-scale salon; {future:,} future bookings "
          f"of hers, {len(affected)} left outside)", ours, "ms", baseline=raw,
          baseline_name="raw sqlite3 count(*) of the same future booking items", target="< 100 ms")
