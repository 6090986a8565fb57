"""Foundation figures on the year-scale salon: slot search, customer search, seeding throughput.

Run: pytest tests/benchmarks/test_foundation_bench.py -m benchmark -s
Each figure is recorded beside a baseline measured in the same run on the same machine. The slot-search
baseline is independent of the product's code: raw sqlite3 reads of the same rules, time off and bookings,
then a plain-Python scan written here for the first free starts on a 15-minute grid. Quick mode
(SALON_BENCH_QUICK=1) uses the demo-scale salon instead of the year-scale one.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from zoneinfo import ZoneInfo

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
from tests.benchmarks.report import Recorder, scaled

pytestmark = pytest.mark.benchmark
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SCALE = scaled("year", "demo")
RUNS = scaled(30, 5)
RIYADH = ZoneInfo("Asia/Riyadh")


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


@pytest.fixture(scope="module")
def year_data():
    return build_demo(TODAY, NOW, SCALE)


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


def test_seeding_rate_against_raw_executemany(tmp_path, year_data, bench: Recorder):
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

    bench(f"seeding the {SCALE}-scale salon ({rows:,} rows)", rows / ours, "rows/s", baseline=rows / raw,
          baseline_name="raw sqlite3 executemany of the same rows", target=">= 0.3x baseline",
          higher_is_better=True)
    assert rows > (200_000 if SCALE == "year" else 1_000)  # the scale this figure claims


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def plain_slot_scan(conn: sqlite3.Connection, staff_ids: list[str], start: datetime, days: int, minutes: int,
                    limit: int) -> list[tuple[datetime, str]]:
    """The baseline, written without the product's code: raw reads of the weekly rules, the time off and the
    active bookings of those staff, then the first `limit` starts (15-minute grid, salon time) where `minutes`
    fit inside a rule's hours and clear every busy interval. Simpler than the product (no phases, salon hours or
    valid_from/to), so it is the floor a hand-written search would reach."""
    marks = ", ".join("?" * len(staff_ids))
    lo, hi = instant_text(start - timedelta(days=1)), instant_text(start + timedelta(days=days + 1))
    rules: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for staff_id, weekday, begin, end in conn.execute(
        f"SELECT staff_id, weekday, start_time, end_time FROM availability_rule WHERE deleted_at IS NULL "  # noqa: S608
        f"AND staff_id IN ({marks})", staff_ids):
        rules.setdefault((staff_id, weekday), []).append((begin, end))
    busy: dict[str, list[tuple[datetime, datetime]]] = {s: [] for s in staff_ids}
    for staff_id, begin, end in conn.execute(
        f"SELECT staff_id, start_at, busy_until FROM booking_item WHERE active = 1 AND deleted_at IS NULL "  # noqa: S608
        f"AND start_at >= ? AND start_at < ? AND staff_id IN ({marks})", (lo, hi, *staff_ids)):
        busy[staff_id].append((_utc(begin), _utc(end)))
    for staff_id, begin, end in conn.execute(
        f"SELECT staff_id, start_at, end_at FROM availability_exception WHERE deleted_at IS NULL "  # noqa: S608
        f"AND kind != 'extra_hours' AND end_at > ? AND start_at < ? AND staff_id IN ({marks})", (lo, hi, *staff_ids)):
        busy[staff_id].append((_utc(begin), _utc(end)))
    length, step = timedelta(minutes=minutes), timedelta(minutes=15)
    first_day = start.astimezone(RIYADH).date()
    found: list[tuple[datetime, str]] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for staff_id in staff_ids:
            for begin, end in rules.get((staff_id, day.weekday()), ()):
                t = datetime.combine(day, wall_time.fromisoformat(begin), RIYADH).astimezone(UTC)
                stop = datetime.combine(day, wall_time.fromisoformat(end), RIYADH).astimezone(UTC)
                while t + length <= stop:
                    if t >= start and not any(b < t + length and e > t for b, e in busy[staff_id]):
                        found.append((t, staff_id))
                        break  # this stretch's first free start is enough: later ones come later
                    t += step
        if len(found) >= limit:
            break
    return sorted(found)[:limit]


def test_slot_search_year_scale(year_desk, bench: Recorder):
    desk, db_path = year_desk
    service = next(s for s in desk.reference.services() if s.duration_minutes == 60)
    command = FindSlots(((service.id, None),), NOW, days_ahead=14, limit=10)
    slots = desk.calendar.find_slots(command)
    assert len(slots) == 10
    total = median_ms(lambda: desk.calendar.find_slots(command), RUNS)
    conn = sqlite3.connect(db_path)
    staff_ids = [row[0] for row in conn.execute(
        "SELECT staff_id FROM staff_service WHERE service_id = ? AND deleted_at IS NULL", (service.id,))]
    assert len(plain_slot_scan(conn, staff_ids, NOW, 14, 60, 10)) == 10
    baseline = median_ms(lambda: plain_slot_scan(conn, staff_ids, NOW, 14, 60, 10), RUNS)
    conn.close()
    bench(f"slot search through the desk ({SCALE}-scale data): first 10 slots, 60-minute service, anyone of "
          f"{len(staff_ids)} staff, 14 days, incl. loading", total, "ms", baseline=baseline,
          baseline_name="raw sqlite3 reads + plain-Python free-interval scan written in the test",
          target="< 5 ms")


def test_customer_search_year_scale(year_desk, bench: Recorder):
    desk, db_path = year_desk
    phone_queries = ["050", "0551", "05612", "٠٥٣", "96658"]
    name_queries = ["نورة", "سارة القح", "maria", "العتيبي", "ريم الش"]
    for q in phone_queries + name_queries:
        assert desk.customers.search(q, limit=50), q
    runs = scaled(20, 3)
    by_phone = median_ms(lambda: [desk.customers.search(q, limit=50) for q in phone_queries], runs) / 5
    by_name = median_ms(lambda: [desk.customers.search(q, limit=50) for q in name_queries], runs) / 5
    conn = sqlite3.connect(db_path)

    def raw():
        for prefix in ("+96650", "+966551", "+9665612", "+96653", "+96658"):
            conn.execute("SELECT id, name, phone FROM customer WHERE phone >= ? AND phone < ? ORDER BY phone "
                         "LIMIT 50", (prefix, prefix + "~")).fetchall()

    baseline = median_ms(raw, runs) / 5
    customers = conn.execute("SELECT count(*) FROM customer").fetchone()[0]
    conn.close()
    raw_name = "raw indexed phone-prefix SELECT, LIMIT 50"
    bench(f"customer search among {customers:,} by phone prefix (incl. visit counts)", by_phone, "ms",
          baseline=baseline, baseline_name=raw_name, target="< 10 ms")
    bench(f"customer search among {customers:,} by name (incl. visit counts)", by_name, "ms",
          baseline=baseline, baseline_name=raw_name, target="< 10 ms")
