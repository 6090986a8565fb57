"""The waitlist: people who want a service within a time window, offered a slot the moment one frees."""

from __future__ import annotations

from datetime import datetime

from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, WaitlistEntry, WaitlistState
from salon_desk.domain.rules import clean_notes, found
from salon_desk.domain.scheduling import SlotOption, find_slots
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .commands import AddWaitlistEntry, RemoveWaitlistEntry
from .customers import resolve_customer
from .result import Result
from .schedule_inputs import salon_of, salon_schedule, staff_schedules, visit_part


def first_slot(uow: UnitOfWork, service_id: str, staff_id: str | None, start: datetime, end: datetime,
               step_minutes: int = 15) -> SlotOption | None:
    if uow.reference.service(service_id) is None:
        return None
    part = visit_part(uow, service_id, None if staff_id is None else (staff_id,))
    if not part.candidates:
        return None
    schedules = staff_schedules(uow, part.candidates, start, end)
    slots = find_slots(salon_schedule(salon_of(uow)), [part], schedules, start, end, limit=1,
                       step_minutes=step_minutes)
    return slots[0] if slots else None


def offer_freed_slots(uow: UnitOfWork, now: datetime, actor: Actor) -> None:
    """Runs inside the transaction that freed time: every waiting entry that now fits is offered a slot.
    The offer is a change like any other (a replicated patch), so every desk and the cloud see the same state."""
    for entry in uow.waitlist.open_entries(now):
        if entry.state is not WaitlistState.WAITING:
            continue
        slot = first_slot(uow, entry.service_id, entry.staff_id, max(entry.window_start, now), entry.window_end)
        if slot is not None:
            staff_id = slot.assignments[0].staff_id
            uow.waitlist.update(entry.id, {"state": WaitlistState.OFFERED, "offered_start": slot.start,
                                           "offered_staff_id": staff_id}, now)
            uow.record(MutationName.WAITLIST_PATCH, "waitlist_entry", entry.id,
                       payloads.waitlist_offered(slot.start, staff_id), actor,
                       audit_after={"fields": ["state", "offered_start", "offered_staff_id"]})


def check_open_entry(uow: UnitOfWork, entry_id: str) -> WaitlistEntry:
    """The waitlist entry a booking or removal names: it must exist and still be open."""
    entry = found(uow.waitlist.get(entry_id), "waitlist.not_found")
    if entry.state not in (WaitlistState.WAITING, WaitlistState.OFFERED):
        raise Conflict("waitlist.not_open")
    return entry


def add_waitlist_entry(uow: UnitOfWork, cmd: AddWaitlistEntry, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        salon_id = uow.salon_id()
        if any(t.tzinfo is None or t.utcoffset() is None for t in (cmd.window_start, cmd.window_end)):
            raise ValidationError("booking.naive_time")
        if cmd.window_end <= cmd.window_start:
            raise ValidationError("waitlist.window_invalid")
        if cmd.window_end <= now:
            raise ValidationError("booking.in_past")
        found(uow.reference.service(cmd.service_id), "service.not_found")
        if cmd.staff_id is not None:
            found(uow.reference.staff_member(cmd.staff_id), "staff.not_found")
        customer, created = resolve_customer(uow, cmd.customer_id, cmd.new_customer)
        if customer is None:  # resolve_customer requires one; never an AssertionError for bad input
            raise ValidationError("customer.required")
        if created:
            uow.customers.add(customer, salon_id, now)
            uow.touched("customer", customer.id)
        entry = WaitlistEntry(new_id(), customer.id, customer.name, customer.phone, cmd.service_id, cmd.staff_id,
                              cmd.window_start, cmd.window_end, WaitlistState.WAITING, notes=clean_notes(cmd.notes))
        write_waitlist_entry(uow, entry, actor, now)
        return Result(entry.id, uow.commit())


def write_waitlist_entry(uow: UnitOfWork, entry: WaitlistEntry, actor: Actor, now: datetime) -> None:
    """Adds a checked entry inside an open unit of work (the caller commits), and offers it any free slot."""
    uow.waitlist.add(entry, uow.salon_id(), now)
    uow.record(MutationName.WAITLIST_CREATE, "waitlist_entry", entry.id, payloads.waitlist_create(entry), actor)
    offer_freed_slots(uow, now, actor)


def remove_waitlist_entry(uow: UnitOfWork, cmd: RemoveWaitlistEntry, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        entry = check_open_entry(uow, cmd.entry_id)
        uow.waitlist.update(entry.id, {"state": WaitlistState.REMOVED}, now)
        uow.record(MutationName.WAITLIST_PATCH, "waitlist_entry", entry.id, payloads.waitlist_removed(), actor,
                   audit_after={"fields": ["state"]})
        return Result(entry.id, uow.commit())
