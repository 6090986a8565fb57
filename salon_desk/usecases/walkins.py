"""Walk-ins: the queue at the door, its live waiting estimates, seating and people who left."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from salon_desk.domain.booking import BookingSource, BookingStatus
from salon_desk.domain.errors import Conflict, DomainError, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, WalkIn, WalkInState
from salon_desk.domain.phone import optional_mobile
from salon_desk.domain.rules import MAX_NAME, found
from salon_desk.domain.scheduling import (
    business_day,
    business_day_extent,
    busy_segments,
    find_slots,
    phases_for_duration,
)
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .bookings import write_booking
from .commands import AddWalkIn, CreateBooking, ItemRequest, MarkWalkInLeft, NewCustomer, SeatWalkIn
from .result import Result
from .schedule_inputs import salon_of, salon_schedule, staff_schedules, visit_part
from .views import WaitlistLine, WalkInBoard, WalkInLine
from .waitlist import first_slot

ESTIMATE_STEP_MINUTES = 5


def add_walkin(uow: UnitOfWork, cmd: AddWalkIn, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        service = found(uow.reference.service(cmd.service_id), "service.not_found")
        if cmd.preferred_staff_id:
            staff = found(uow.reference.staff_member(cmd.preferred_staff_id), "staff.not_found")
            if uow.reference.staff_service(staff.id, service.id) is None:
                raise ValidationError("staff.not_qualified", staff=staff.name_en, staff_ar=staff.name_ar,
                                      service=service.name_en, service_ar=service.name_ar)
        name = " ".join(cmd.name.split())
        if len(name) > MAX_NAME:
            raise ValidationError("text.too_long", max=MAX_NAME)
        phone = optional_mobile(cmd.phone)
        customer = uow.customers.by_phone(phone) if phone else None
        walkin = WalkIn(new_id(), name or (customer.name if customer else ""), phone, cmd.service_id,
                        cmd.preferred_staff_id, now, WalkInState.WAITING, customer_id=customer.id if customer else None)
        write_walkin(uow, walkin, actor, now)
        return Result(walkin.id, uow.commit())


def write_walkin(uow: UnitOfWork, walkin: WalkIn, actor: Actor, now: datetime) -> None:
    """Adds a checked walk-in to the queue inside an open unit of work (the caller commits)."""
    uow.walkins.add(walkin, uow.salon_id(), now)
    uow.record(MutationName.WALK_IN_CREATE, "walk_in", walkin.id, payloads.walk_in_create(walkin), actor)


def _candidates(uow: UnitOfWork, service_id: str, preferred: str | None) -> list[str]:
    qualified = [q.staff_id for q in uow.reference.staff_services(service_id)]
    return [preferred] if preferred in qualified else qualified


def seat_walkin(uow: UnitOfWork, cmd: SeatWalkIn, actor: Actor) -> Result:
    with uow:
        now = uow.clock().replace(second=0, microsecond=0)
        walkin = found(uow.walkins.get(cmd.walkin_id), "walkin.not_found")
        if walkin.state is not WalkInState.WAITING:
            raise Conflict("walkin.not_waiting")
        candidates = [cmd.staff_id] if cmd.staff_id else _candidates(uow, walkin.service_id, walkin.preferred_staff_id)
        new_customer = NewCustomer(walkin.name, walkin.phone) if walkin.phone and not walkin.customer_id else None
        last_error: DomainError | None = None
        for staff_id in candidates:
            cmd_booking = CreateBooking((ItemRequest(walkin.service_id, staff_id, now),),
                                        customer_id=walkin.customer_id, new_customer=new_customer)
            try:
                with uow.savepoint():
                    booking_id = write_booking(uow, cmd_booking, actor, BookingSource.WALK_IN,
                                               BookingStatus.IN_SERVICE)
            except DomainError as error:
                last_error = error
                continue
            uow.walkins.update(walkin.id, {"state": WalkInState.SEATED, "booking_id": booking_id}, now)
            uow.record(MutationName.WALK_IN_SEAT, "walk_in", walkin.id, payloads.walk_in_seat(booking_id, staff_id),
                       actor, audit_after={"booking_id": booking_id})
            return Result(booking_id, uow.commit())
        if cmd.staff_id and last_error is not None:
            raise last_error
        _raise_nobody_free(uow, walkin, now)
        raise AssertionError("unreachable")


def _raise_nobody_free(uow: UnitOfWork, walkin: WalkIn, now: datetime) -> None:
    extent = business_day_extent(business_day(now, salon_schedule(salon_of(uow))), salon_schedule(salon_of(uow)))
    slot = first_slot(uow, walkin.service_id, walkin.preferred_staff_id, now, extent.end, ESTIMATE_STEP_MINUTES)
    if slot is None:
        raise Conflict("walkin.nobody_today")
    staff = uow.reference.staff_member(slot.assignments[0].staff_id)
    raise Conflict("walkin.nobody_free", staff=staff.name_en if staff else "", staff_ar=staff.name_ar if staff else "",
                   time=slot.start)


def mark_walkin_left(uow: UnitOfWork, cmd: MarkWalkInLeft, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        walkin = found(uow.walkins.get(cmd.walkin_id), "walkin.not_found")
        if walkin.state is not WalkInState.WAITING:
            raise Conflict("walkin.not_waiting")
        uow.walkins.update(walkin.id, {"state": WalkInState.LEFT, "left_at": now}, now)
        uow.record(MutationName.WALK_IN_PATCH, "walk_in", walkin.id, payloads.walk_in_left(now), actor,
                   audit_after={"fields": ["left_at", "state"]})
        return Result(walkin.id, uow.commit())


def walkin_board(uow: UnitOfWork, now: datetime | None = None) -> WalkInBoard:
    """Today's walk-ins with live estimates (the queue is served in arrival order, each taking the stylist
    free soonest) and the open waitlist."""
    with uow:
        now = now or uow.clock()
        salon = salon_schedule(salon_of(uow))
        extent = business_day_extent(business_day(now, salon), salon)
        services = {s.id: s for s in uow.reference.services(False)}
        staff = {s.id: s for s in uow.reference.staff(False)}
        walkins = uow.walkins.since(extent.start)
        waiting = [w for w in walkins if w.state is WalkInState.WAITING]
        needed = {sid for w in waiting for sid in _candidates(uow, w.service_id, w.preferred_staff_id)}
        schedules = staff_schedules(uow, needed, now, extent.end)
        estimates: dict[str, tuple[datetime, str]] = {}
        for w in waiting:
            service = services[w.service_id]
            part = visit_part(uow, w.service_id, _candidates(uow, w.service_id, w.preferred_staff_id))
            start = now.replace(second=0, microsecond=0)
            slots = find_slots(salon, [part], schedules, start, extent.end + timedelta(hours=1), limit=1,
                               step_minutes=ESTIMATE_STEP_MINUTES)
            if not slots:
                continue
            chosen = slots[0].assignments[0]
            estimates[w.id] = (slots[0].start, chosen.staff_id)
            held = schedules[chosen.staff_id]
            minutes = _minutes(chosen.end - chosen.start)
            held_segments = busy_segments(chosen.start, minutes, _minutes(chosen.busy_until - chosen.end),
                                          phases_for_duration(service.phases, minutes))
            schedules[chosen.staff_id] = replace(held, busy=tuple(sorted([*held.busy, *held_segments])))
        lines = tuple(
            WalkInLine(w.id, w.name, w.phone, services[w.service_id],
                       staff.get(w.preferred_staff_id) if w.preferred_staff_id else None, w.arrived_at, w.state.value,
                       estimates.get(w.id, (None, None))[0],
                       staff.get(estimates[w.id][1]) if w.id in estimates else None, w.booking_id)
            for w in walkins)
        entries = uow.waitlist.open_entries(now)
        people = {c.id: c for c in (uow.customers.get(e.customer_id) for e in entries if e.customer_id) if c}
        waitlist = tuple(
            WaitlistLine(e.id, e.name or (people[e.customer_id].name if e.customer_id in people else ""),
                         e.phone or (people[e.customer_id].phone if e.customer_id in people else None), services[e.service_id], staff.get(e.staff_id) if e.staff_id else None,
                         e.window_start, e.window_end, e.state.value, e.offered_start,
                         staff.get(e.offered_staff_id) if e.offered_staff_id else None, e.customer_id)
            for e in entries)
        return WalkInBoard(lines, waitlist)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
