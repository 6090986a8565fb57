"""Foundation figures on the year-scale salon: slot search, customer search, seeding throughput.

Run: pytest tests/benchmarks/test_foundation_bench.py -m benchmark -s
Each figure is printed beside a baseline measured in the same run on the same machine.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time

import pytest

from salon_desk.demo.build import build_demo
from salon_desk.demo.seed import INSERT_ORDER, write_demo
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.store.engine import make_engine
from salon_desk.store.migrate import upgrade
from salon_desk.store.types import instant_text
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.desk import DeskService

pytestmark = pytest.mark.benchmark
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


@pytest.fixture(scope="module")
def year_data():
    return build_demo(TODAY, NOW, "year")


@pytest.fixture(scope="module")
def year_desk(tmp_path_factory, year_data):
    db = tmp_path_factory.mktemp("year") / "salon-desk.db"
    engine = make_engine(db)
    upgrade(engine)
    write_demo(engine, year_data)
    desk = DeskService(make_uow_factory(engine, lambda: NOW), Actor("bench", Role.RECEPTIONIST))
    yield desk, db
    engine.dispose()


def _raw_value(value):
    if isinstance(value, datetime):
        return instant_text(value)
    if isinstance(value, wall_time):
        return value.strftime("%H:%M")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return int(value)
    return value


def test_seeding_rate_against_raw_executemany(tmp_path, year_data):
    ours_db, raw_db = tmp_path / "ours.db", tmp_path / "raw.db"
    for path in (ours_db, raw_db):
        upgrade(make_engine(path))
    rows = year_data.count()

    engine = make_engine(ours_db)
    start = time.perf_counter()
    write_demo(engine, year_data)
    ours = time.perf_counter() - start
    engine.dispose()

    prepared = []
    for name in INSERT_ORDER:
        table_rows = year_data.tables.get(name, [])
        if table_rows:
            columns = list(table_rows[0])
            sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            prepared.append((sql, [tuple(_raw_value(r[c]) for c in columns) for r in table_rows]))
    conn = sqlite3.connect(raw_db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN")
    for sql, values in prepared:
        conn.executemany(sql, values)
    conn.execute("COMMIT")
    raw = time.perf_counter() - start
    conn.close()

    ratio = raw / ours
    print(f"\nseeding year-scale salon: {rows:,} rows in {ours:.2f} s = {rows / ours:,.0f} rows/s; "
          f"raw sqlite3 executemany of the same rows: {rows / raw:,.0f} rows/s; ratio {ratio:.2f} (target >= 0.3)")
    assert rows > 200_000  # the scale this figure claims


def test_slot_search_year_scale(year_desk):
    desk, _ = year_desk
    service = next(s for s in desk.list_services() if s.duration_minutes == 60)
    command = FindSlots(((service.id, None),), NOW, days_ahead=14, limit=10)
    slots = desk.find_slots(command)
    assert len(slots) == 10
    total = median_ms(lambda: desk.find_slots(command), 30)
    db_path = year_desk[1]
    conn = sqlite3.connect(db_path)
    lo, hi = instant_text(NOW - timedelta(days=1)), instant_text(NOW + timedelta(days=15))

    def raw_load():
        conn.execute("SELECT staff_id, start_at, busy_until, phases FROM booking_item WHERE active = 1 AND "
                      "start_at >= ? AND start_at < ?", (lo, hi)).fetchall()

    baseline = median_ms(raw_load, 30)
    print(f"\nslot search, first 10 slots for a 60-minute service, anyone of 30 staff, 14 days, year-scale data: "
          f"median {total:.2f} ms (target < 5 ms) including loading availability and bookings; "
          f"baseline: the raw SQL read of those bookings alone {baseline:.2f} ms; ratio {total / baseline:.1f}x")


def test_customer_search_year_scale(year_desk):
    desk, db_path = year_desk
    phone_queries = ["050", "0551", "05612", "٠٥٣", "96658"]
    name_queries = ["نورة", "سارة القح", "maria", "العتيبي", "ريم الش"]
    for q in phone_queries + name_queries:
        assert desk.search_customers(q, limit=50), q
    by_phone = median_ms(lambda: [desk.search_customers(q, limit=50) for q in phone_queries], 20) / 5
    by_name = median_ms(lambda: [desk.search_customers(q, limit=50) for q in name_queries], 20) / 5
    conn = sqlite3.connect(db_path)

    def raw():
        for prefix in ("+96650", "+966551", "+9665612", "+96653", "+96658"):
            conn.execute("SELECT id, name, phone FROM customer WHERE phone >= ? AND phone < ? ORDER BY phone "
                         "LIMIT 50", (prefix, prefix + "~")).fetchall()

    baseline = median_ms(raw, 20) / 5
    print(f"\ncustomer search among 100,000: by phone prefix median {by_phone:.2f} ms, by name {by_name:.2f} ms "
          f"(target < 10 ms; includes visit counts per row); baseline raw indexed phone-prefix SELECT "
          f"{baseline:.2f} ms")
