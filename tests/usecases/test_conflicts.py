"""Conflict cards on one desk: what a card says, the fixes the scheduling engine offers from current data,
and resolving (one transaction; bad input changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.store.rows import BookingItemRow, BookingRow, OutboxRow, SyncConflictRow, WaitlistEntryRow
from salon_desk.store.types import instant_text
from salon_desk.usecases.commands import CreateBooking, FindSlots, ItemRequest
from salon_desk.usecases.conflicts import ResolveConflict
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.views import ConflictFix
from tests.conftest import DEMO_NOW, FixedClock
from tests.helpers import first_free_slot, service_named, snapshot

OTHER_DESK = "00000000-0000-7000-8000-0000000000d2"


@dataclass(frozen=True)
class Quarantined:
    conflict_id: str
    booking_id: str  # kept by the server as needs_attention
    existing_id: str  # the booking that holds the time
    staff_id: str
    start: datetime


def quarantine(
    engine: Engine,
    desk: DeskService,
    *,
    after: datetime = DEMO_NOW + timedelta(days=1),
    kind: str = "overlap",
) -> Quarantined:
    """What a pull leaves on a desk after another desk's offline booking.create hit an overlap: the booking
    as needs_attention with inactive items at the attempted time, and the salon-wide card."""
    haircut = service_named(desk, "Haircut")
    people = desk.customers.search("", limit=50)
    other = next(c for c in people if c.name != people[0].name)  # two different names
    customers = [people[0].id, other.id]
    staff_id, start = _time_two_stylists_have(desk, haircut.id, after, customers[0])
    existing = desk.bookings.create(
        CreateBooking((ItemRequest(haircut.id, staff_id, start),), customers[0])
    ).id
    later = first_free_slot(desk, haircut.id, start + timedelta(hours=3), staff_id)
    booking = desk.bookings.create(
        CreateBooking((ItemRequest(haircut.id, staff_id, later.start),), customers[1])
    ).id
    conflict_id = new_id()
    with Session(engine) as session:
        item = session.query(BookingItemRow).filter_by(booking_id=booking).one()
        shift = start - item.start_at
        item.start_at, item.end_at, item.busy_until = start, item.end_at + shift, item.busy_until + shift
        item.active = kind != "overlap"
        session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking)
            .values(
                status="needs_attention" if kind == "overlap" else "cancelled",
                starts_at=start,
                sync_status="synced",
            )
        )
        session.execute(update(OutboxRow).values(status="acked", result_status="applied"))
        held = session.query(BookingItemRow).filter_by(booking_id=existing).one()
        attempted = {
            "name": "booking.create" if kind == "overlap" else "booking.transition",
            "args": {
                "items": [
                    {
                        "id": item.id,
                        "staff_id": staff_id,
                        "start_at": instant_text(start),
                        "end_at": instant_text(item.end_at),
                    }
                ]
            }
            if kind == "overlap"
            else {"to": "checked_in"},
        }
        session.add(
            SyncConflictRow(
                id=conflict_id,
                salon_id=item.salon_id,
                kind=kind,
                entity="booking",
                entity_id=booking,
                mutation_id=new_id(),
                device_id=OTHER_DESK,
                actor={"desk_user_id": "u", "role": "receptionist", "device_name": "Desk 2"},
                attempted=attempted,
                current={"status": "requested"},
                params={
                    "code": "overlap",
                    "staff_id": staff_id,
                    "existing_booking_id": existing,
                    "existing_start": instant_text(held.start_at),
                    "existing_end": instant_text(held.end_at),
                    "item_id": item.id,
                },
                created_at=DEMO_NOW,
                updated_at=DEMO_NOW,
                server_seq=7,
            )
        )
        session.commit()
    return Quarantined(conflict_id, booking, existing, staff_id, start)


def _time_two_stylists_have(desk: DeskService, service_id: str, after: datetime, customer: str):
    """A start where the booked stylist and at least one other are free (so "another stylist" is a fix)."""
    for slot in desk.calendar.find_slots(FindSlots(((service_id, None),), after, days_ahead=7, limit=60)):
        staff_id = slot.assignments[0].staff_id
        for other in desk.reference.qualified_staff(service_id):
            try:
                if other != staff_id:
                    desk.bookings.check(CreateBooking((ItemRequest(service_id, other, slot.start),), customer))
                    return staff_id, slot.start
            except DomainError:
                continue
    raise AssertionError("no time with two free stylists in the demo salon")


@pytest.fixture
def quarantined(engine: Engine, desk_service: DeskService) -> Quarantined:
    return quarantine(engine, desk_service)


def test_the_card_shows_both_sides(desk_service: DeskService, quarantined: Quarantined) -> None:
    [card] = desk_service.conflicts.open()
    assert (card.id, card.kind, card.booking_id) == (
        quarantined.conflict_id,
        "overlap",
        quarantined.booking_id,
    )
    assert card.attempted_start == quarantined.start and card.attempted_by_device == "Desk 2"
    assert not card.attempted_here and card.booking_status == "needs_attention"
    assert [s.name_en for s in card.services] == ["Haircut"] and card.staff[0].id == quarantined.staff_id
    assert card.existing is not None and card.existing.booking_id == quarantined.existing_id
    assert card.existing.customer_name and card.existing.start_at == quarantined.start
    assert card.minutes_to_start == int((quarantined.start - DEMO_NOW).total_seconds() // 60)
    assert not card.urgent  # tomorrow


def test_a_card_starting_within_two_hours_is_urgent(
    desk_service: DeskService, quarantined: Quarantined, clock: FixedClock
) -> None:
    clock.now = quarantined.start - timedelta(minutes=119)
    [card] = desk_service.conflicts.open()
    assert card.urgent and card.minutes_to_start == 119
    clock.now = quarantined.start - timedelta(minutes=121)
    assert not desk_service.conflicts.open()[0].urgent


def test_fixes_come_from_current_data(desk_service: DeskService, quarantined: Quarantined) -> None:
    fixes = desk_service.conflicts.fixes(quarantined.conflict_id)
    kinds = [f.kind for f in fixes]
    assert kinds.count("same_staff_slot") == 3 and kinds[-2:] == ["waitlist", "cancel"]
    slots = [f for f in fixes if f.kind == "same_staff_slot"]
    for fix in slots:  # never the time the existing booking holds
        assert fix.start_at >= quarantined.start + timedelta(minutes=55)
        assert fix.moves[0][1] == quarantined.staff_id
    others = [f for f in fixes if f.kind == "other_staff"]
    assert others and all(
        f.staff.id != quarantined.staff_id and f.start_at == quarantined.start for f in others
    )


def test_resolving_with_another_stylist_writes_booking_outbox_and_audit_at_once(
    engine: Engine, desk_service: DeskService, quarantined: Quarantined
) -> None:
    fix = next(f for f in desk_service.conflicts.fixes(quarantined.conflict_id) if f.kind == "other_staff")
    result = desk_service.conflicts.resolve(ResolveConflict(quarantined.conflict_id, fix))

    assert result.changes.touches("sync_conflict") and result.changes.touches("booking")
    booking = desk_service.bookings.get(quarantined.booking_id)
    assert booking.status.value == "requested" and booking.items[0].staff_id == fix.staff.id
    assert desk_service.conflicts.open() == []
    with Session(engine) as session:
        pending = [
            (r.name, r.args)
            for r in session.query(OutboxRow).filter_by(status="pending").order_by(OutboxRow.device_seq)
        ]
        card = session.get(SyncConflictRow, quarantined.conflict_id)
        assert (card.resolution, card.sync_status) == ("rescheduled_other_staff", "pending")
        active = session.query(BookingItemRow).filter_by(booking_id=quarantined.booking_id).one().active
    assert [name for name, _ in pending] == ["booking.reschedule", "conflict.resolve"]
    assert pending[1][1] == {"conflict_id": quarantined.conflict_id, "resolution": "rescheduled_other_staff"}
    assert active


def test_waitlist_cancels_the_quarantined_booking_and_adds_the_customer(
    engine: Engine, desk_service: DeskService, quarantined: Quarantined
) -> None:
    desk_service.conflicts.resolve(ResolveConflict(quarantined.conflict_id, ConflictFix("waitlist")))
    booking = desk_service.bookings.get(quarantined.booking_id)
    assert booking.status.value == "cancelled"
    with Session(engine) as session:
        pending = session.query(OutboxRow).filter_by(status="pending").order_by(OutboxRow.device_seq).all()
        entry = session.get(WaitlistEntryRow, pending[0].entity_id)
        names = [r.name for r in pending]
    assert (entry.customer_id, entry.staff_id) == (booking.customer_id, quarantined.staff_id)
    assert entry.state in {"waiting", "offered"}  # offered at once when the stylist has free time that day
    assert entry.window_start <= quarantined.start < entry.window_end
    # An offer is a replicated change of its own, written the moment the entry is offered.
    offer = ["waitlist_entry.patch"] if entry.state == "offered" else []
    assert names in (["waitlist_entry.create", *offer, "booking.cancel", "conflict.resolve"],
                     ["waitlist_entry.create", "booking.cancel", *offer, "conflict.resolve"])
    assert desk_service.conflicts.open() == []


@pytest.mark.parametrize("case", ["unknown", "already_resolved", "not_offered", "taken", "past"])
def test_bad_input_is_refused_and_changes_nothing(
    case: str, demo_db: Path, engine: Engine, desk_service: DeskService, quarantined: Quarantined
) -> None:
    slot = next(
        f for f in desk_service.conflicts.fixes(quarantined.conflict_id) if f.kind == "same_staff_slot"
    )
    conflict_id, fix, error, code = quarantined.conflict_id, slot, Conflict, "conflict.fix_unavailable"
    if case == "unknown":
        conflict_id, error, code = new_id(), NotFound, "conflict.not_found"
    elif case == "already_resolved":
        desk_service.conflicts.resolve(ResolveConflict(conflict_id, ConflictFix("cancel")))
        code = "conflict.already_resolved"
    elif case == "not_offered":
        fix, error, code = ConflictFix("keep"), ValidationError, "conflict.fix_not_offered"
    elif case == "taken":  # another receptionist booked that very slot meanwhile
        customer = desk_service.customers.search("", limit=3)[2].id
        booking = desk_service.bookings.get(quarantined.booking_id)
        desk_service.bookings.create(
            CreateBooking(
                (ItemRequest(booking.items[0].service_id, quarantined.staff_id, slot.start_at),), customer
            )
        )
    else:
        moves = ((slot.moves[0][0], slot.moves[0][1], DEMO_NOW - timedelta(hours=1)),)
        fix = replace(slot, moves=moves)
    before = snapshot(demo_db)
    with pytest.raises(error) as raised:
        desk_service.conflicts.resolve(ResolveConflict(conflict_id, fix))
    assert raised.value.code == code
    assert snapshot(demo_db) == before


def test_a_refused_transition_offers_keep_or_walk_in(engine: Engine, desk_service: DeskService) -> None:
    refused = quarantine(engine, desk_service, kind="transition_refused")
    [card] = desk_service.conflicts.open()
    assert (card.attempted_status, card.booking_status) == ("checked_in", "cancelled")
    assert [f.kind for f in desk_service.conflicts.fixes(refused.conflict_id)] == ["keep", "walk_in"]
    desk_service.conflicts.resolve(ResolveConflict(refused.conflict_id, ConflictFix("walk_in")))
    walkins = desk_service.walkins.board().walkins
    assert [w.service.name_en for w in walkins if w.state == "waiting"][-1:] == ["Haircut"]
    assert (
        desk_service.bookings.get(refused.booking_id).status.value == "cancelled"
    )  # kept as the server has it
