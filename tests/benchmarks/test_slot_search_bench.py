"""How fast find_slots answers in a busy salon, against baselines measured in the same run.

Synthetic, deterministic data: 30 staff on split weekly shifts (the gap between the two rules is the
daily break) plus a few dated breaks and days off, about 10 bookings per staff per day for 14 days (some
colours with a processing phase). The baseline is independent of the product's code: a plain-Python scan,
written here, of the same working stretches and busy intervals (as bare tuples) for the first free
60-minute starts on a 15-minute grid, the simplest search a reader would write by hand.
Run: .venv/bin/pytest tests/benchmarks/test_slot_search_bench.py -m benchmark -s
"""

from __future__ import annotations

import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    ExceptionKind,
    OpeningHours,
    Phase,
)
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    StaffSchedule,
    VisitPart,
    busy_segments,
    find_slots,
    working_intervals,
)
from tests.benchmarks.report import Recorder, scaled

RIYADH = ZoneInfo("Asia/Riyadh")
FIRST_DAY = date(2025, 3, 2)  # a Sunday
DAYS = 14
STAFF = 30
RUNS = scaled(50, 5)
COLOUR = (Phase(30), Phase(40, staff_busy=False), Phase(20))
SHIFTS = (((10, 0), (14, 0), (15, 0), (19, 0)), ((14, 0), (18, 0), (18, 30), (23, 0)))

pytestmark = pytest.mark.benchmark


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIYADH).astimezone(UTC)


def _salon() -> SalonSchedule:
    hours = [OpeningHours(wd, time(10), time(23)) for wd in (5, 6, 0, 1, 2, 3)]
    return SalonSchedule(RIYADH, (*hours, OpeningHours(4, time(16), time(23))))


def _rules(staff_id: str, index: int) -> tuple[AvailabilityRule, ...]:
    (h1, m1), (h2, m2), (h3, m3), (h4, m4) = SHIFTS[index % 2]
    day_off = index % 7
    return tuple(
        AvailabilityRule(f"{staff_id}-{wd}-{n}", staff_id, wd, time(a, b), time(c, d))
        for wd in range(7)
        if wd != day_off
        for n, (a, b, c, d) in enumerate(((h1, m1, h2, m2), (h3, m3, h4, m4)))
    )


def _exceptions(staff_id: str, rng: random.Random) -> tuple[AvailabilityException, ...]:
    found = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        if rng.random() < 0.15:
            start = _at(day, rng.choice((11, 16, 20)))
            found.append(
                AvailabilityException(
                    f"{staff_id}-b{offset}",
                    staff_id,
                    ExceptionKind.BREAK,
                    start,
                    start + timedelta(minutes=20),
                )
            )
        if rng.random() < 0.03:
            found.append(
                AvailabilityException(
                    f"{staff_id}-o{offset}",
                    staff_id,
                    ExceptionKind.TIME_OFF,
                    _at(day, 0),
                    _at(day + timedelta(days=1), 0),
                )
            )
    return tuple(found)


def _bookings(working: list[Interval], rng: random.Random) -> tuple[list[Interval], int]:
    """Fill each working stretch with bookings separated by small random gaps: (busy segments, bookings)."""
    busy: list[Interval] = []
    count = 0
    for stretch in working:
        cursor = stretch.start + timedelta(minutes=rng.choice((0, 0, 15, 30)))
        while True:
            colour = rng.random() < 0.1
            minutes = 90 if colour else rng.choice((15, 20, 30, 30, 45, 60))
            buffer = rng.choice((0, 0, 5, 10))
            segments = busy_segments(cursor, minutes, buffer, COLOUR if colour else ())
            if segments[-1].end > stretch.end:
                break
            busy.extend(segments)
            count += 1
            cursor = segments[-1].end + timedelta(minutes=rng.choice((0, 0, 0, 5, 10)))
    return busy, count


Plain = tuple[datetime, datetime]


def plain_scan(
    working: dict[str, list[Plain]], busy: dict[str, list[Plain]], earliest: datetime, minutes: int, limit: int
) -> list[tuple[datetime, str]]:
    """The baseline: for each staff member, walk their working stretches on a 15-minute grid and keep the starts
    where `minutes` fit before the stretch ends and before the next busy interval; the first `limit` by time."""
    length, step = timedelta(minutes=minutes), timedelta(minutes=15)
    found: list[tuple[datetime, str]] = []
    for staff_id, stretches in working.items():
        taken = busy[staff_id]  # sorted by start
        mine = 0
        k = 0
        for start, end in stretches:
            t = max(start, earliest)
            while t + length <= end and mine < limit:
                while k < len(taken) and taken[k][1] <= t:
                    k += 1
                clash = next((b for b in taken[k : k + 8] if b[0] < t + length and b[1] > t), None)
                if clash is None:
                    found.append((t, staff_id))
                    mine += 1
                    t += step
                else:
                    t = max(t + step, clash[1])
            if mine >= limit:
                break
    return sorted(found)[:limit]


def _world() -> tuple[SalonSchedule, dict[str, StaffSchedule], Interval, float]:
    rng = random.Random(20250302)
    salon = _salon()
    window = Interval(_at(FIRST_DAY, 0), _at(FIRST_DAY + timedelta(days=DAYS + 1), 0))
    staff, bookings, staff_days = {}, 0, 0
    for index in range(STAFF):
        staff_id = f"s{index:02d}"
        bare = StaffSchedule(staff_id, _rules(staff_id, index), _exceptions(staff_id, rng))
        working = working_intervals(bare, salon, window)
        busy, count = _bookings(working, rng)
        bookings += count
        staff_days += len({w.start.astimezone(RIYADH).date() for w in working})
        staff[staff_id] = StaffSchedule(staff_id, bare.rules, bare.exceptions, tuple(busy))
    return salon, staff, window, bookings / staff_days


def _median_ms(action, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = clock.perf_counter()
        action()
        times.append(clock.perf_counter() - started)
    return statistics.median(times) * 1000


def test_find_slots_in_a_busy_salon(bench: Recorder):
    salon, staff, window, per_day = _world()
    everyone = tuple(staff)
    all_busy = [b for s in staff.values() for b in s.busy]
    earliest = _at(FIRST_DAY, 11, 7)
    latest = earliest + timedelta(days=DAYS)
    haircut = VisitPart("cut", 60, 0, (), everyone)
    chosen = VisitPart("cut", 60, 0, (), ("s07",))
    visit = (VisitPart("colour", 90, 10, COLOUR, everyone), VisitPart("blow", 30, 0, (), everyone))

    cases = {
        "60 min, anyone of 30, first 10": lambda: find_slots(salon, (haircut,), staff, earliest, latest),
        "60 min, chosen staff, first 10": lambda: find_slots(salon, (chosen,), staff, earliest, latest),
        "colour+blow-dry, anyone, first 10": lambda: find_slots(salon, visit, staff, earliest, latest),
        "60 min, anyone, all in 14 days": lambda: find_slots(
            salon, (haircut,), staff, earliest, latest, limit=10**6
        ),
    }
    # the baseline's input: the same stretches and busy intervals as bare tuples, prepared outside the timing
    working = {
        sid: [(w.start, w.end) for w in working_intervals(s, salon, window)] for sid, s in staff.items()
    }
    busy = {sid: sorted((b.start, b.end) for b in s.busy) for sid, s in staff.items()}
    first = plain_scan(working, busy, earliest, 60, 10)
    assert len(first) == 10
    baseline = _median_ms(lambda: plain_scan(working, busy, earliest, 60, 10))
    print(f"\n{STAFF} staff, {per_day:.1f} bookings per staff working day, {len(all_busy)} busy segments, "
          f"searching {DAYS} days from {earliest.astimezone(RIYADH):%a %H:%M}")  # fmt: skip
    for name, action in cases.items():
        found = action()
        reach = (found[-1].start - earliest).days if found else "-"
        bench(f"find_slots (synthetic, domain only), {name}", _median_ms(action), "ms", baseline=baseline,
              baseline_name="plain-Python scan written in the test: first 10 free 60-min starts, anyone of 30",
              target="< 5 ms" if "first 10" in name else "",
              note=f"{len(found)} slots, last {reach} days ahead")
