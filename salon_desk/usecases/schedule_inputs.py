"""Builds the scheduling engine's inputs (salon hours, staff availability, busy time) from the store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import BookingItem, Salon
from salon_desk.domain.rules import found
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    StaffSchedule,
    VisitPart,
    busy_as_it_ran,
    busy_segments,
    phases_for_duration,
)
from salon_desk.store.uow import UnitOfWork


def salon_of(uow: UnitOfWork) -> Salon:
    salon = uow.reference.salon()
    if salon is None:
        raise ValidationError("salon.not_set_up")
    return salon


def salon_schedule(salon: Salon) -> SalonSchedule:
    return SalonSchedule(tz=ZoneInfo(salon.timezone), opening_hours=salon.opening_hours, closures=salon.closures,
                         dated_hours=salon.dated_hours)


def item_segments(item: BookingItem) -> tuple[Interval, ...]:
    duration = int((item.end_at - item.start_at).total_seconds() // 60)
    buffer = int((item.busy_until - item.end_at).total_seconds() // 60)
    booked = busy_segments(item.start_at, duration, buffer, phases_for_duration(item.phases, duration))
    return busy_as_it_ran(booked, item.start_at, item.end_at, item.busy_until, item.actual_end_at)


def staff_schedules(uow: UnitOfWork, staff_ids: Iterable[str], start: datetime, end: datetime,
                    exclude_booking: str | None = None,
                    extra_busy: dict[str, list[Interval]] | None = None) -> dict[str, StaffSchedule]:
    """Availability and busy time of each staff member over [start, end) (padded a day each side so
    late-night spans and long items at the edges are seen whole)."""
    ids = list(dict.fromkeys(staff_ids))
    lo, hi = start - timedelta(days=1), end + timedelta(days=1)
    rules = uow.reference.rules(ids)
    exceptions = uow.reference.exceptions(lo, hi, ids)
    items = uow.bookings.busy_items(lo, hi, ids, exclude_booking=exclude_booking)
    out = {}
    for sid in ids:
        busy = [seg for item in items.get(sid, ()) for seg in item_segments(item)]
        busy += (extra_busy or {}).get(sid, [])
        out[sid] = StaffSchedule(staff_id=sid, rules=tuple(rules.get(sid, ())),
                                 exceptions=tuple(exceptions.get(sid, ())), busy=tuple(sorted(busy)))
    return out


def visit_part(uow: UnitOfWork, service_id: str, staff_ids: Iterable[str] | None = None) -> VisitPart:
    """The slot search's input for one service, built here only (booking dialog, waitlist, walk-ins and
    conflict fixes all search with it): the qualified staff, limited to `staff_ids` when given, in
    preference order, each with her own duration, exactly as `bookings.plan_item` will book it."""
    service = found(uow.reference.service(service_id), "service.not_found")
    wanted = None if staff_ids is None else set(staff_ids)
    qualified = [q for q in uow.reference.staff_services(service.id) if wanted is None or q.staff_id in wanted]
    overrides = {q.staff_id: q.duration_minutes for q in qualified if q.duration_minutes}
    return VisitPart(service.id, service.duration_minutes, service.buffer_minutes, service.phases,
                     tuple(q.staff_id for q in qualified), overrides)
