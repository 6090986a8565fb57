"""A refusal names everything in the way: each booking (with its customer), break, leave, off hour and
closed hour inside the requested time, per stylist, in salon time (domain.scheduling.obstacles)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from salon_desk.domain.errors import Conflict
from salon_desk.domain.model import BookingItem
from salon_desk.domain.scheduling import (
    Interval,
    InTheWay,
    Obstacle,
    SalonSchedule,
    StaffSchedule,
    blocked,
    obstacles,
)
from salon_desk.domain.scheduling.obstacles import BOOKED, WALK_IN
from salon_desk.store.uow import UnitOfWork

from .schedule_inputs import item_segments


def in_the_way(uow: UnitOfWork, items: Sequence[BookingItem], schedules: Mapping[str, StaffSchedule],
               salon: SalonSchedule, exclude_booking: str | None) -> Conflict | None:
    """The Conflict naming every obstacle of the visit's items, or None when the stored calendar shows
    none (the visit then clashes only with itself, and the caller's own error stands)."""
    by_staff: dict[str, list[BookingItem]] = {}
    for item in items:
        by_staff.setdefault(item.staff_id, []).append(item)
    groups: list[list[InTheWay]] = []
    for staff_id, own in by_staff.items():
        segments = [s for item in own for s in item_segments(item)]
        found = obstacles(schedules[staff_id], salon, segments)
        if not found:
            continue
        staff = uow.reference.staff_member(staff_id)
        name_en, name_ar = (staff.name_en, staff.name_ar) if staff else ("", "")
        lo = min(o.interval.start for o in found)
        hi = max(o.interval.end for o in found)
        stored = uow.bookings.busy_items(lo, hi, [staff_id], exclude_booking=exclude_booking).get(staff_id, [])
        group: list[InTheWay] = []
        seen: set[str] = set()
        for obstacle in found:
            if obstacle.kind != BOOKED:
                group.append(InTheWay(obstacle, name_en, name_ar))
                continue
            held = next((i for i in stored if obstacle.interval in item_segments(i)), None)
            if held is None:
                return None
            if held.id in seen:
                continue
            seen.add(held.id)
            customer = _customer_name(uow, held.booking_id)
            booked = Obstacle(BOOKED if customer else WALK_IN, Interval(held.start_at, held.end_at))
            group.append(InTheWay(booked, name_en, name_ar, customer))
        groups.append(group)
    return blocked(groups) if groups else None


def _customer_name(uow: UnitOfWork, booking_id: str) -> str:
    booking = uow.bookings.get(booking_id)
    customer = uow.customers.get(booking.customer_id) if booking and booking.customer_id else None
    return customer.name if customer else ""
