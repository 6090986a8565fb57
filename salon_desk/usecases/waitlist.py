"""The waitlist: people who want a service within a time window, offered a slot the moment one frees."""

from __future__ import annotations

from datetime import datetime

from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, WaitlistEntry, WaitlistState
from salon_desk.domain.rules import clean_notes, found
from salon_desk.domain.scheduling import SlotOption, VisitPart, find_slots
from salon_desk.store.uow import UnitOfWork

from .commands import AddWaitlistEntry, RemoveWaitlistEntry
from .customers import resolve_customer
from .result import Result
from .schedule_inputs import salon_of, salon_schedule, staff_schedules


def first_slot(uow: UnitOfWork, service_id: str, staff_id: str | None, start: datetime, end: datetime,
               step_minutes: int = 15) -> SlotOption | None:
    service = uow.reference.service(service_id)
    if service is None:
        return None
    qualified = uow.reference.staff_services(service_id)
    candidates = tuple(q.staff_id for q in qualified if staff_id in (None, q.staff_id))
    if not candidates:
        return None
    overrides = {q.staff_id: q.duration_minutes for q in qualified if q.duration_minutes}
    part = VisitPart(service.id, service.duration_minutes, service.buffer_minutes, service.phases, candidates,
                     overrides)
    schedules = staff_schedules(uow, candidates, start, end)
    slots = find_slots(salon_schedule(salon_of(uow)), [part], schedules, start, end, limit=1,
                       step_minutes=step_minutes)
    return slots[0] if slots else None


def offer_freed_slots(uow: UnitOfWork, now: datetime) -> None:
    """Runs inside the transaction that freed time: every waiting entry that now fits is offered a slot."""
    for entry in uow.waitlist.open_entries(now):
        if entry.state is not WaitlistState.WAITING:
            continue
        slot = first_slot(uow, entry.service_id, entry.staff_id, max(entry.window_start, now), entry.window_end)
        if slot is not None:
            uow.waitlist.update(entry.id, {"state": WaitlistState.OFFERED, "offered_start": slot.start,
                                           "offered_staff_id": slot.assignments[0].staff_id}, now)
            uow.touched("waitlist_entry", entry.id)


def add_waitlist_entry(uow: UnitOfWork, cmd: AddWaitlistEntry, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        salon = salon_of(uow)
        if cmd.window_end <= cmd.window_start:
            raise ValidationError("waitlist.window_invalid")
        if cmd.window_end <= now:
            raise ValidationError("booking.in_past")
        found(uow.reference.service(cmd.service_id), "service.not_found")
        if cmd.staff_id is not None:
            found(uow.reference.staff_member(cmd.staff_id), "staff.not_found")
        customer, created = resolve_customer(uow, cmd.customer_id, cmd.new_customer)
        assert customer is not None
        if created:
            uow.customers.add(customer, salon.id, now)
            uow.touched("customer", customer.id)
        entry = WaitlistEntry(new_id(), customer.id, customer.name, customer.phone, cmd.service_id, cmd.staff_id,
                              cmd.window_start, cmd.window_end, WaitlistState.WAITING, notes=clean_notes(cmd.notes))
        uow.waitlist.add(entry, salon.id, now)
        uow.audit.record(actor, salon.id, "waitlist.create", "waitlist_entry", entry.id)
        uow.outbox.append("waitlist_entry.create", "waitlist_entry", entry.id,
                          {"customer_id": customer.id, "service_id": cmd.service_id, "staff_id": cmd.staff_id,
                           "window_start": cmd.window_start.isoformat(), "window_end": cmd.window_end.isoformat()},
                          actor)
        uow.touched("waitlist_entry", entry.id)
        offer_freed_slots(uow, now)
        return Result(entry.id, uow.commit())


def remove_waitlist_entry(uow: UnitOfWork, cmd: RemoveWaitlistEntry, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        salon = salon_of(uow)
        entry = found(uow.waitlist.get(cmd.entry_id), "waitlist.not_found")
        if entry.state not in (WaitlistState.WAITING, WaitlistState.OFFERED):
            raise Conflict("waitlist.not_open")
        uow.waitlist.update(entry.id, {"state": WaitlistState.REMOVED}, now)
        uow.audit.record(actor, salon.id, "waitlist.remove", "waitlist_entry", entry.id)
        uow.outbox.append("waitlist_entry.patch", "waitlist_entry", entry.id, {"fields": {"state": "removed"}}, actor)
        uow.touched("waitlist_entry", entry.id)
        return Result(entry.id, uow.commit())
