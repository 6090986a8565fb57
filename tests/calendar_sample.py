"""Deterministic hand-built calendar data for the rendering tests and the day-switch benchmark (test-only:
it left the product package).

No database: DayView/WeekView dataclasses filled with plausible Saudi salon data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from salon_desk.domain.model import Staff, SyncStatus
from salon_desk.domain.scheduling import busy_segments
from salon_desk.usecases.views import BookingBlock, DayView, Span, StaffColumn, WeekView

ZONE = ZoneInfo("Asia/Riyadh")
STAFF_NAMES = [
    ("نورة", "Noura"),
    ("سارة", "Sara"),
    ("هيفاء", "Haifa"),
    ("لمى", "Lama"),
    ("ريم", "Reem"),
    ("جواهر", "Jawaher"),
    ("منيرة", "Munira"),
    ("أمل", "Amal"),
    ("دانة", "Dana"),
    ("عبير", "Abeer"),
]
CUSTOMERS = [
    "مها العتيبي",
    "Sarah Johnson",
    "أروى القحطاني",
    "لطيفة الدوسري",
    "Fatima Khan",
    "غادة الشمري",
    "بشرى الحربي",
    "Maria Santos",
    "هند الزهراني",
    "نوف المطيري",
    "Aisha Rahman",
    "وعد السبيعي",
]
SERVICES = [
    ("svc-cut", "قص شعر", "Haircut", 45),
    ("svc-colour", "صبغة كاملة", "Full colour", 90),
    ("svc-blow", "استشوار", "Blow-dry", 30),
    ("svc-nails", "مناكير وباديكير", "Manicure & pedicure", 60),
    ("svc-henna", "نقش حناء", "Henna", 60),
    ("svc-brows", "تشقير حواجب", "Brow tint", 15),
]
STATUSES = ["confirmed"] * 6 + ["requested"] * 2 + ["checked_in", "in_service", "completed", "no_show"]


def riyadh(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def staff_member(index: int) -> Staff:
    ar, en = STAFF_NAMES[index % len(STAFF_NAMES)]
    suffix = "" if index < len(STAFF_NAMES) else f" {index // len(STAFF_NAMES) + 1}"
    return Staff(f"staff-{index:02d}", ar + suffix, en + suffix, "Stylist", "#2B6CB0", index)


def sample_day_view(
    day: date,
    staff_count: int = 5,
    booking_count: int = 24,
    *,
    open_hour: int = 10,
    close_hour: int = 22,
    seed: int = 7,
) -> DayView:
    """A business day with `staff_count` columns and about `booking_count` non-overlapping bookings."""
    rng = random.Random(seed + day.toordinal())
    start, end = riyadh(day, open_hour), riyadh(day, 0) + timedelta(hours=close_hour)
    columns = []
    for index in range(staff_count):
        staff = staff_member(index)
        working = (Span(start, end),) if index % 7 != 6 else (Span(start + timedelta(hours=4), end),)
        break_start = riyadh(day, 14 + index % 3)
        columns.append(StaffColumn(staff, working, (Span(break_start, break_start + timedelta(minutes=30)),)))
    blocks = _blocks(rng, columns, booking_count, start)
    return DayView(day, "Asia/Riyadh", Span(start, end), tuple(columns), tuple(blocks))


def _blocks(
    rng: random.Random, columns: list[StaffColumn], count: int, opening: datetime
) -> list[BookingBlock]:
    """Up to `count` bookings, round-robin over the columns, each after the previous one of its column."""
    blocks: list[BookingBlock] = []
    cursors = {c.staff.id: c.working[0].start for c in columns}
    for attempt in range(count * 4):
        if len(blocks) >= count:
            break
        column = columns[attempt % len(columns)]
        service_id, name_ar, name_en, minutes = SERVICES[rng.randrange(len(SERVICES))]
        start = cursors[column.staff.id] + timedelta(minutes=15 * rng.randrange(0, 2))
        end = start + timedelta(minutes=minutes)
        if end > column.working[-1].end:
            continue
        cursors[column.staff.id] = end
        n = len(blocks)
        status = STATUSES[rng.randrange(len(STATUSES))]
        sync = SyncStatus.PENDING if n % 9 == 4 else SyncStatus.SYNCED
        blocks.append(
            BookingBlock(
                f"booking-{n:04d}",
                f"item-{n:04d}",
                column.staff.id,
                start,
                end,
                end,
                busy_segments(start, minutes, 0),
                status,
                f"cust-{n % 12}",
                CUSTOMERS[n % len(CUSTOMERS)],
                "+966551234567",
                service_id,
                name_ar,
                name_en,
                15000,
                "",
                sync,
                "desk",
            )
        )
    return blocks


def block_minutes(block: BookingBlock) -> int:
    return int((block.end_at - block.start_at).total_seconds() // 60)


def with_attention_and_overlap(view: DayView) -> DayView:
    """Adds a quarantined booking overlapping the first staff member's first booking (inconsistent data)."""
    first = next(b for b in view.blocks if b.staff_id == view.columns[0].staff.id)
    clash = BookingBlock(
        "booking-clash",
        "item-clash",
        first.staff_id,
        first.start_at + timedelta(minutes=15),
        first.end_at + timedelta(minutes=30),
        first.end_at + timedelta(minutes=30),
        busy_segments(first.start_at + timedelta(minutes=15), block_minutes(first) + 15, 0),
        "needs_attention",
        "cust-x",
        "جميلة الغامدي",
        None,
        "svc-cut",
        "قص شعر",
        "Haircut",
        9000,
        "",
        SyncStatus.CONFLICT,
        "desk",
    )
    return DayView(view.day, view.timezone, view.window, view.columns, (*view.blocks, clash))


def sample_week_view(sunday: date, staff_index: int = 0) -> WeekView:
    days = []
    for offset in range(7):
        day = sunday + timedelta(days=offset)
        if offset == 5:  # Friday: closed
            days.append(DayView(day, "Asia/Riyadh", None, (), ()))
            continue
        full = sample_day_view(
            day,
            staff_count=staff_index + 1,
            booking_count=6 * (staff_index + 1),
            open_hour=16 if offset == 6 else 10,
            close_hour=26 if offset == 4 else 22,
        )
        column = full.columns[staff_index]
        mine = tuple(b for b in full.blocks if b.staff_id == column.staff.id)
        days.append(DayView(day, full.timezone, full.window, (column,), mine))
    return WeekView(staff_member(staff_index), tuple(days))


class SampleDesk:
    """The sample data served through the grouped desk facade's parts the calendar page reads
    (`desk.calendar`, `desk.reference`, `desk.conflicts`); no database."""

    def __init__(self, today: date, staff_count: int = 5, booking_count: int = 24) -> None:
        self._today, self.staff_count, self.booking_count = today, staff_count, booking_count
        self.calendar = _SampleCalendar(self)
        self.reference = _SampleReference(self)
        self.conflicts = _NoConflicts()


class _SampleCalendar:
    def __init__(self, desk: SampleDesk) -> None:
        self._desk = desk

    def today(self) -> date:
        return self._desk._today

    def day_view(self, day: date) -> DayView:
        return with_attention_and_overlap(sample_day_view(day, self._desk.staff_count, self._desk.booking_count))

    def week_view(self, staff_id: str, day: date) -> WeekView:
        sunday = day - timedelta(days=(day.weekday() + 1) % 7)
        return sample_week_view(sunday, int(staff_id.rsplit("-", 1)[1]))


class _SampleReference:
    def __init__(self, desk: SampleDesk) -> None:
        self._desk = desk

    def staff(self, active_only: bool = True) -> tuple[Staff, ...]:
        return tuple(staff_member(i) for i in range(self._desk.staff_count))


class _NoConflicts:
    def open(self) -> list[object]:
        return []
