"""Calendar reads: the day view, one stylist's week, and the next free slots for a visit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from salon_desk.domain.booking import ACTIVE as ACTIVE_STATUSES
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import ExceptionKind
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    SlotOption,
    StaffSchedule,
    business_day,
    business_day_extent,
    business_day_window,
    find_slots,
    working_intervals,
)
from salon_desk.domain.scheduling.calendar import week_start
from salon_desk.store.repo_bookings import CalendarItem
from salon_desk.store.uow import UnitOfWork

from .commands import FindSlots
from .schedule_inputs import item_segments, salon_of, salon_schedule, staff_schedules, visit_part
from .views import BookingBlock, DayView, Span, StaffColumn, WeekView

OFF_TIME = (ExceptionKind.BREAK, ExceptionKind.TIME_OFF)
SEARCH_WINDOWS_DAYS = (1, 3, 7, 14, 31, 92, 366)


def _block(c: CalendarItem, message: tuple[str, str] | None = None) -> BookingBlock:
    i = c.item
    return BookingBlock(i.booking_id, i.id, i.staff_id, i.start_at, i.end_at, i.busy_until, item_segments(i),
                        c.status.value,
                        c.customer_id, c.customer_name, c.customer_phone, i.service_id, c.service_name_ar,
                        c.service_name_en, i.price_halalas, c.notes, c.sync_status, c.source, message,
                        actual_start_at=i.actual_start_at, actual_end_at=i.actual_end_at)


def _spans(intervals: list[Interval]) -> tuple[Span, ...]:
    return tuple(Span(i.start, i.end) for i in intervals)


def _off_time(schedule: StaffSchedule, window: Interval) -> tuple[Span, ...]:
    return tuple(Span(max(e.start_at, window.start), min(e.end_at, window.end))
                 for e in schedule.exceptions
                 if e.kind in OFF_TIME and e.start_at < window.end and e.end_at > window.start)


def _kept_on_closed_day(uow: UnitOfWork, day: date, salon: SalonSchedule) -> Interval | None:
    """A closed day still shows the bookings a manager kept on it ("keep it as an exception", issue #10):
    its window is theirs, and only their staff have working time then. None when nothing active is left."""
    extent = business_day_extent(day, salon)
    kept = [c.item for c in uow.bookings.calendar(extent.start, extent.end, None) if c.status in ACTIVE_STATUSES]
    if not kept:
        return None
    return Interval(min(i.start_at for i in kept), max(i.busy_until for i in kept))


def _day(uow: UnitOfWork, day: date, salon: SalonSchedule, tz: str, staff_filter: str | None) -> DayView:
    window = business_day_window(day, salon) or _kept_on_closed_day(uow, day, salon)
    if window is None:
        return DayView(day, tz, None, (), ())
    staff = [s for s in uow.reference.staff() if staff_filter in (None, s.id)]
    schedules = staff_schedules(uow, [s.id for s in staff], window.start, window.end)
    items = uow.bookings.calendar(window.start, window.end, [s.id for s in staff] if staff_filter else None)
    booked_staff = {c.item.staff_id for c in items}
    columns = []
    for s in staff:
        working = working_intervals(schedules[s.id], salon, window)
        if working or s.id in booked_staff or staff_filter:
            columns.append(StaffColumn(s, _spans(working), _off_time(schedules[s.id], window)))
    messages = uow.bookings.latest_messages(sorted({c.item.booking_id for c in items}))
    blocks = tuple(_block(c, messages.get(c.item.booking_id)) for c in items)
    return DayView(day, tz, Span(window.start, window.end), tuple(columns), blocks)


def day_view(uow: UnitOfWork, day: date) -> DayView:
    with uow:
        salon = salon_of(uow)
        return _day(uow, day, salon_schedule(salon), salon.timezone, None)


def week_view(uow: UnitOfWork, staff_id: str, day: date) -> WeekView:
    with uow:
        salon = salon_of(uow)
        staff = found(uow.reference.staff_member(staff_id), "staff.not_found")
        sunday = week_start(day)
        schedule = salon_schedule(salon)
        days = tuple(_day(uow, sunday + timedelta(days=n), schedule, salon.timezone, staff.id) for n in range(7))
        return WeekView(staff, days)


def slots_for(uow: UnitOfWork, cmd: FindSlots) -> list[SlotOption]:
    if cmd.earliest.tzinfo is None or cmd.earliest.utcoffset() is None:
        raise ValidationError("booking.naive_time")
    with uow:
        salon = salon_of(uow)
        parts = [visit_part(uow, service_id, None if staff_id is None else (staff_id,))
                 for service_id, staff_id in cmd.parts]
        staff_ids = {c for p in parts for c in p.candidates}
        schedule = salon_schedule(salon)
        # Most searches fill up within a day or two: read the calendar in growing windows, not 14 days at once.
        found_slots: list[SlotOption] = []
        start, horizon = cmd.earliest, cmd.earliest + timedelta(days=cmd.days_ahead)
        for days in SEARCH_WINDOWS_DAYS:
            end = min(cmd.earliest + timedelta(days=days), horizon)
            schedules = staff_schedules(uow, staff_ids, start, end)
            found_slots += find_slots(schedule, parts, schedules, start, end, limit=cmd.limit - len(found_slots))
            if len(found_slots) >= cmd.limit or end >= horizon:
                return found_slots
            start = end
        return found_slots


def business_day_of(uow: UnitOfWork, instant: datetime) -> date:
    with uow:
        return business_day(instant, salon_schedule(salon_of(uow)))
