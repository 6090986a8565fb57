"""One shape for every write (issue #9): `uow.record` writes the audit event (action = the mutation's wire
name), the validated outbox entry and the touched entity together; payloads carry instants in one format
the cloud's schemas read back."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import timedelta

import pytest

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.errors import DomainError, ValidationError
from salon_desk.domain.model import WaitlistEntry, WaitlistState, WalkIn, WalkInState
from salon_desk.store.types import instant_text
from salon_desk.sync import schemas
from salon_desk.sync.protocol import parse_instant
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases import bookings, customers, payloads, waitlist, walkins
from salon_desk.usecases.commands import (
    AddCustomer,
    AddWaitlistEntry,
    AddWalkIn,
    CancelBooking,
    CreateBooking,
    ItemRequest,
    MarkWalkInLeft,
    NewCustomer,
    RemoveWaitlistEntry,
    SeatWalkIn,
    TransitionBooking,
    UpdateBookingNotes,
    UpdateCustomer,
)
from tests.helpers import first_free_slot, service_named, snapshot


def _written(demo_db) -> tuple[Counter[tuple[str, str, str]], Counter[tuple[str, str, str]]]:
    with sqlite3.connect(demo_db) as db:
        audit = Counter(db.execute("SELECT action, entity, entity_id FROM audit_event").fetchall())
        outbox = Counter(db.execute("SELECT name, entity, entity_id FROM outbox").fetchall())
    return audit, outbox


def test_every_desk_write_leaves_one_audit_event_named_as_its_mutation(
    desk_service, uow_factory, actor, clock, demo_db
) -> None:
    audit_before, outbox_before = _written(demo_db)
    haircut = service_named(desk_service, "Haircut")
    blow_dry = service_named(desk_service, "Blow-dry")

    customer_id = customers.add_customer(uow_factory(), AddCustomer("Reem Al-Otaibi", "0551112233"), actor).id
    customers.update_customer(uow_factory(), UpdateCustomer(customer_id, {"notes": "prefers mornings"}), actor)
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=2))
    a = slot.assignments[0]
    booking_id = bookings.create_booking(
        uow_factory(), CreateBooking((ItemRequest(a.service_id, a.staff_id, a.start),), customer_id), actor).id
    bookings.update_booking_notes(uow_factory(), UpdateBookingNotes(booking_id, "fringe only"), actor)
    bookings.transition_booking(uow_factory(), TransitionBooking(booking_id, BookingStatus.CONFIRMED.value), actor)
    bookings.cancel_booking(uow_factory(), CancelBooking(booking_id, "changed plans"), actor)
    left = walkins.add_walkin(uow_factory(), AddWalkIn(blow_dry.id, name="Nouf"), actor).id
    walkins.mark_walkin_left(uow_factory(), MarkWalkInLeft(left), actor)
    seated = walkins.add_walkin(uow_factory(), AddWalkIn(blow_dry.id, name="Hessa"), actor).id
    line = next(w for w in walkins.walkin_board(uow_factory()).walkins if w.id == seated)
    clock.now = line.estimated_start
    walkins.seat_walkin(uow_factory(), SeatWalkIn(seated), actor)
    entry_id = waitlist.add_waitlist_entry(uow_factory(), AddWaitlistEntry(
        haircut.id, clock.now + timedelta(days=3), clock.now + timedelta(days=3, hours=2),
        new_customer=NewCustomer("Lama", "0553334455"), notes="any stylist"), actor).id
    waitlist.remove_waitlist_entry(uow_factory(), RemoveWaitlistEntry(entry_id), actor)

    audit_after, outbox_after = _written(demo_db)
    audit, outbox = audit_after - audit_before, outbox_after - outbox_before
    assert audit == outbox  # one event per mutation, same name, entity and id
    assert {name for name, _, _ in outbox} == {
        MutationName.CUSTOMER_CREATE, MutationName.CUSTOMER_PATCH, MutationName.BOOKING_CREATE,
        MutationName.BOOKING_PATCH_NOTES, MutationName.BOOKING_TRANSITION, MutationName.BOOKING_CANCEL,
        MutationName.WALK_IN_CREATE, MutationName.WALK_IN_PATCH, MutationName.WALK_IN_SEAT,
        MutationName.WAITLIST_CREATE, MutationName.WAITLIST_PATCH,
    }
    with uow_factory() as uow:
        assert uow.audit.verify_chain() is None


def test_a_payload_the_schema_refuses_writes_neither_audit_nor_outbox(uow_factory, actor, demo_db) -> None:
    with sqlite3.connect(demo_db) as db:
        customer_id = db.execute("SELECT id FROM customer ORDER BY id LIMIT 1").fetchone()[0]
    before = snapshot(demo_db)
    with pytest.raises(ValidationError) as refused, uow_factory() as uow:
        uow.record(MutationName.CUSTOMER_PATCH, "customer", customer_id, {"fields": {"notes": "a\x00b"}}, actor,
                   audit_after={"fields": ["notes"]})
        uow.commit()
    assert refused.value.code == "sync.invalid_args"
    with pytest.raises(ValidationError), uow_factory() as uow:  # the wrong entity for the mutation
        uow.record(MutationName.CUSTOMER_PATCH, "booking", customer_id, {"fields": {"notes": "x"}}, actor)
        uow.commit()
    assert snapshot(demo_db) == before


def test_record_marks_the_entity_touched_and_a_failed_savepoint_forgets_its_marks(uow_factory, actor,
                                                                                 demo_db) -> None:
    with sqlite3.connect(demo_db) as db:
        customer_id = db.execute("SELECT id FROM customer ORDER BY id LIMIT 1").fetchone()[0]
    with uow_factory() as uow:
        with pytest.raises(DomainError), uow.savepoint():
            uow.touched("booking", "never-written")
            raise DomainError("booking.in_past")
        uow.record(MutationName.CUSTOMER_PATCH, "customer", customer_id, payloads.customer_patch({"notes": "x"}),
                   actor, audit_after={"fields": ["notes"]})
        changes = uow.commit()
    assert changes.entities == {"customer": frozenset({customer_id})}


def test_every_instant_in_a_payload_has_the_one_wire_format(desk_service, clock) -> None:
    """instant_text, read back unchanged by the cloud's schemas and parser (waitlist and walk-ins used
    isoformat() before, with a +00:00 offset and no fraction)."""
    haircut = service_named(desk_service, "Haircut")
    start = clock.now + timedelta(days=2, minutes=7)
    entry = WaitlistEntry("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", None, "Lama", None, haircut.id, None,
                                   start, start + timedelta(hours=2), WaitlistState.WAITING, notes="late")
    walk_in = WalkIn("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c", "Nouf", None, haircut.id, None, clock.now,
                             WalkInState.WAITING)
    cases = {
        MutationName.WAITLIST_CREATE: (payloads.waitlist_create(entry), ["window_start", "window_end"]),
        MutationName.WALK_IN_CREATE: (payloads.walk_in_create(walk_in), ["arrived_at"]),
    }
    for name, (args, keys) in cases.items():
        assert schemas.validate_args(name, schemas.CURRENT_VERSION, args) is not None
        for key in keys:
            assert args[key].endswith("Z") and parse_instant(args[key]) == parse_instant(instant_text(
                {"window_start": entry.window_start, "window_end": entry.window_end,
                 "arrived_at": walk_in.arrived_at}[key]))
    left = payloads.walk_in_left(clock.now)["fields"]["left_at"]
    assert left == instant_text(clock.now)
    assert payloads.waitlist_create(entry)["notes"] == "late"  # the cloud keeps the entry's notes too
