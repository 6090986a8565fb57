"""Generates the demo salon as plain row dictionaries, deterministically from a seed and a reference day.

Bookings are laid out per stylist over her real working time (the same scheduling engine the desk uses),
so the demo never contains a double booking or a booking outside working hours.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.ids import uuid7
from salon_desk.domain.model import AvailabilityRule, OpeningHours

RIYADH = ZoneInfo("Asia/Riyadh")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@dataclass(frozen=True)
class Scale:
    staff: int
    customers: int
    days_past: int
    days_future: int
    fill: float  # chance that a free quarter-hour starts a booking


SCALES = {
    "demo": Scale(staff=8, customers=2000, days_past=60, days_future=30, fill=0.45),
    "year": Scale(staff=30, customers=100_000, days_past=300, days_future=65, fill=0.95),
}


@dataclass
class DemoData:
    tables: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> None:
        self.tables.setdefault(table, []).append(row)

    def count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


class Ids:
    """UUIDv7s from a seeded generator: the same seed gives the same ids."""

    def __init__(self, rng: random.Random, base: datetime):
        self._rng, self._ms = rng, int(base.timestamp() * 1000)

    def __call__(self) -> str:
        self._ms += 1
        return str(uuid7(self._ms, lambda n: self._rng.randbytes(n)))


OPENING = (*(OpeningHours(d, time(10), time(22)) for d in (SAT, SUN, MON, TUE, WED)),
           OpeningHours(THU, time(10), time(0)), OpeningHours(FRI, time(16), time(23)))


def closures(today: date) -> list[date]:
    """National Day and Founding Day (fixed), and the first two days of Eid al-Fitr 1448 as the Umm al-Qura
    calendar gives them (1 Shawwal 1448 = 2027-03-09), the calendar Saudi closures follow."""
    from hijridate import Hijri

    eid = Hijri(1448, 10, 1).to_gregorian()
    fixed = (date(2026, 9, 23), date(2027, 2, 22), eid, eid + timedelta(days=1))
    return [d for d in fixed if abs((d - today).days) < 400]


def staff_rules(index: int, staff_id: str, ids: Ids) -> list[AvailabilityRule]:
    """Morning people 10:00–18:00 with a lunch break, evening people 14:00–22:00 (midnight on Thursday,
    16:00–23:00 on Friday); one day off a week, rotating."""
    day_off = (SUN, MON, TUE, WED, SAT)[index % 5]
    morning = index % 2 == 0
    rules = []
    for weekday in (SAT, SUN, MON, TUE, WED, THU, FRI):
        if weekday == day_off or (weekday == FRI and morning):
            continue
        if weekday == FRI:
            spans = [(time(16), time(23))]
        elif morning:
            spans = [(time(10), time(14)), (time(14, 30), time(18))]
        else:
            spans = [(time(14), time(18)), (time(18, 30), time(0) if weekday == THU else time(22))]
        rules += [AvailabilityRule(ids(), staff_id, weekday, a, b) for a, b in spans]
    return rules


def phone_numbers(rng: random.Random, count: int) -> Iterator[str]:
    seen: set[str] = set()
    while len(seen) < count:
        number = f"+9665{rng.choice('0345689')}{rng.randrange(10_000_000):07d}"
        if number not in seen:
            seen.add(number)
            yield number


def booking_status(start: datetime, end: datetime, now: datetime, rng: random.Random) -> BookingStatus:
    roll = rng.random()
    if end <= now:
        return (BookingStatus.COMPLETED if roll < 0.82 else BookingStatus.NO_SHOW if roll < 0.88
                else BookingStatus.CANCELLED)
    if start <= now:
        return BookingStatus.IN_SERVICE
    if start - now < timedelta(minutes=30):
        return BookingStatus.CHECKED_IN if roll < 0.5 else BookingStatus.CONFIRMED
    if roll < 0.005:
        return BookingStatus.NEEDS_ATTENTION
    return BookingStatus.CONFIRMED if roll < 0.6 else BookingStatus.REQUESTED if roll < 0.95 else BookingStatus.CANCELLED


def instant(day: date, at: time) -> datetime:
    return datetime.combine(day, at, RIYADH).astimezone(UTC)
