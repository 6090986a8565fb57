"""Issue #9 on the desk: each rule lives once and the desk's writes all go through it.

- one customer's items never overlap, except services that run alongside (a manicure beside a pedicure);
- a conflict fix is offered only if the code that applies it accepts it (two-service visit, same stylist);
- a refusal names everything in the way, in salon time, with customers and stylists;
- bad input (unknown waitlist entry, naive time, bad customer patch, unqualified preferred stylist) gets a
  typed, translated error and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.l10n import get_localizer
from salon_desk.store.rows import BookingItemRow, BookingRow, OutboxRow, SyncConflictRow
from salon_desk.usecases.commands import (
    AddWalkIn,
    CreateBooking,
    FindSlots,
    ItemMove,
    ItemRequest,
    RescheduleBooking,
    UpdateCustomer,
)
from salon_desk.usecases.conflicts import ResolveConflict
from salon_desk.usecases.desk import DeskService
from tests.conftest import DEMO_NOW
from tests.helpers import service_named, snapshot

RIYADH = ZoneInfo("Asia/Riyadh")
FSI, PDI = "\u2068", "\u2069"


def _staff(desk: DeskService, name_en: str):
    return next(s for s in desk.reference.staff() if s.name_en == name_en)


def _customer(desk: DeskService) -> str:
    return desk.customers.search("", limit=1)[0].id


def _riyadh(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=RIYADH)


# ------------------------------------------------------------------ one customer, one chair
def test_a_customer_cannot_be_in_two_chairs(desk_service: DeskService, demo_db: Path) -> None:
    """Tomorrow in the demo salon Noura is free from 12:40 and Reem from 13:05. Before: a haircut at 12:40 with
    Noura and a blow-dry at 13:10 with Reem were both accepted, the customer in two chairs 13:10-13:25."""
    haircut, blow_dry = service_named(desk_service, "Haircut"), service_named(desk_service, "Blow-dry")
    noura, reem = _staff(desk_service, "Noura"), _staff(desk_service, "Reem")
    command = CreateBooking((ItemRequest(haircut.id, noura.id, _riyadh(12, 40, day=26)),
                             ItemRequest(blow_dry.id, reem.id, _riyadh(13, 10, day=26))), _customer(desk_service))
    before = snapshot(demo_db)
    for attempt in (desk_service.bookings.check, desk_service.bookings.create):
        with pytest.raises(Conflict) as raised:
            attempt(command)
        assert raised.value.code == "booking.customer_overlap"
    assert snapshot(demo_db) == before
    assert get_localizer("en").error(raised.value) == (
        f"The customer cannot have {FSI}Haircut{PDI} and {FSI}Blow-dry{PDI} at the same time "
        f"({FSI}1:10\u202fPM{PDI}–{FSI}1:25\u202fPM{PDI})."
    )
    assert get_localizer("ar").error(raised.value) == (
        f"لا يمكن أن يحصل العميل على {FSI}قص شعر{PDI} و{FSI}سشوار{PDI} في الوقت نفسه "
        f"(من {FSI}1:10 م{PDI} إلى {FSI}1:25 م{PDI})."
    )
    # Back to back is fine: the blow-dry at 13:25, when the haircut ends.
    ok = CreateBooking((command.items[0], ItemRequest(blow_dry.id, reem.id, _riyadh(13, 25, day=26))),
                       command.customer_id)
    desk_service.bookings.check(ok)


def test_a_move_into_the_customers_own_other_service_is_refused(desk_service: DeskService) -> None:
    haircut, blow_dry = service_named(desk_service, "Haircut"), service_named(desk_service, "Blow-dry")
    noura, reem = _staff(desk_service, "Noura"), _staff(desk_service, "Reem")
    booking_id = desk_service.bookings.create(CreateBooking(
        (ItemRequest(haircut.id, noura.id, _riyadh(12, 40, day=26)),
         ItemRequest(blow_dry.id, reem.id, _riyadh(13, 25, day=26))),
        _customer(desk_service))).id
    blow = next(i for i in desk_service.bookings.get(booking_id).items if i.service_id == blow_dry.id)
    move = RescheduleBooking(booking_id, (ItemMove(blow.id, reem.id, _riyadh(13, 10, day=26)),))
    for attempt in (desk_service.bookings.check_move, desk_service.bookings.reschedule):
        with pytest.raises(Conflict) as raised:
            attempt(move)
        assert raised.value.code == "booking.customer_overlap"


def test_a_manicure_beside_a_pedicure_is_allowed_on_purpose(desk_service: DeskService) -> None:
    manicure, pedicure = service_named(desk_service, "Manicure"), service_named(desk_service, "Pedicure")
    assert manicure.can_run_alongside and pedicure.can_run_alongside
    assert not service_named(desk_service, "Haircut").can_run_alongside
    haifa, dana = _staff(desk_service, "Haifa"), _staff(desk_service, "Dana")
    customer = _customer(desk_service)
    both = None
    for slot in desk_service.calendar.find_slots(FindSlots(((manicure.id, haifa.id),), DEMO_NOW + timedelta(days=1),
                                                  days_ahead=7, limit=40)):
        command = CreateBooking((ItemRequest(manicure.id, haifa.id, slot.start),
                                 ItemRequest(pedicure.id, dana.id, slot.start)), customer)
        try:
            desk_service.bookings.check(command)
        except DomainError as error:
            assert error.code != "booking.customer_overlap"
            continue
        both = command
        break
    assert both is not None, "Haifa and Dana should both be free at some time in the demo week"
    booking = desk_service.bookings.get(desk_service.bookings.create(both).id)
    starts = {i.start_at for i in booking.items}
    assert len(booking.items) == 2 and len(starts) == 1


# ------------------------------------------------------------------ conflict fixes
def _quarantined_visit(engine: Engine, desk: DeskService) -> tuple[str, str]:
    """A haircut then a blow-dry with the same stylist (she carries straight on, no cleanup in between),
    as a pull leaves it after the server quarantined it: needs_attention, items inactive, a card."""
    haircut, blow_dry = service_named(desk, "Haircut"), service_named(desk, "Blow-dry")
    noura = _staff(desk, "Noura")
    [slot] = desk.calendar.find_slots(FindSlots(((haircut.id, noura.id), (blow_dry.id, noura.id)),
                                       DEMO_NOW + timedelta(days=1), limit=1))
    booking_id = desk.bookings.create(CreateBooking(
        tuple(ItemRequest(a.service_id, a.staff_id, a.start) for a in slot.assignments), _customer(desk))).id
    conflict_id = new_id()
    with Session(engine) as session:
        items = session.query(BookingItemRow).filter_by(booking_id=booking_id).all()
        for item in items:
            item.active = False
        session.execute(update(BookingRow).where(BookingRow.id == booking_id)
                        .values(status="needs_attention", sync_status="synced"))
        session.execute(update(OutboxRow).values(status="acked", result_status="applied"))
        session.add(SyncConflictRow(
            id=conflict_id, salon_id=items[0].salon_id, kind="overlap", entity="booking", entity_id=booking_id,
            mutation_id=new_id(), device_id="00000000-0000-7000-8000-0000000000d2",
            actor={"desk_user_id": "u", "role": "receptionist", "device_name": "Desk 2"},
            attempted={"name": "booking.create", "args": {}}, current={"status": "requested"},
            params={"code": "overlap", "staff_id": noura.id, "item_id": items[0].id},
            created_at=DEMO_NOW, updated_at=DEMO_NOW, server_seq=7))
        session.commit()
    return conflict_id, booking_id


def test_every_same_stylist_fix_offered_for_a_two_service_visit_applies(
    engine: Engine, desk_service: DeskService
) -> None:
    """Before: three "same stylist" fixes were offered and the first failed with conflict.fix_unavailable
    (the fix check kept the haircut's cleanup, which the slot finder rightly dropped)."""
    conflict_id, booking_id = _quarantined_visit(engine, desk_service)
    fixes = [f for f in desk_service.conflicts.fixes(conflict_id) if f.kind == "same_staff_slot"]
    assert len(fixes) == 3
    for fix in fixes:  # each would apply: the check that offers it is the one that applies it
        items = {item_id: start for item_id, _, start in fix.moves}
        desk_service.bookings.check_move(RescheduleBooking(booking_id, tuple(ItemMove(*m) for m in fix.moves)))
        assert len(items) == 2
    desk_service.conflicts.resolve(ResolveConflict(conflict_id, fixes[0]))
    booking = desk_service.bookings.get(booking_id)
    assert booking.status.value == "requested" and booking.start_at == fixes[0].start_at
    first, second = sorted(booking.items, key=lambda i: i.start_at)
    assert second.start_at == first.end_at and first.busy_until == first.end_at  # she carries straight on
    assert desk_service.conflicts.open() == []


# ------------------------------------------------------------------ a refusal names everything in the way
def test_a_refusal_names_every_booking_and_break_in_the_way(desk_service: DeskService, demo_db: Path) -> None:
    """The demo day: Sara is with Grace Dubois 14:45-15:15 and on a break 16:00-16:30; styling from 15:00
    (60 minutes and 10 of cleanup) meets both."""
    styling, sara = service_named(desk_service, "Styling"), _staff(desk_service, "Sara")
    command = CreateBooking((ItemRequest(styling.id, sara.id, _riyadh(15)),), _customer(desk_service))
    before = snapshot(demo_db)
    with pytest.raises(Conflict) as raised:
        desk_service.bookings.create(command)
    assert snapshot(demo_db) == before
    assert raised.value.code == "schedule.blocked"
    assert get_localizer("en").error(raised.value) == (
        f"This time is not free: {FSI}Sara{PDI} is with {FSI}Grace Dubois{PDI} "
        f"{FSI}2:45\u202fPM{PDI}–{FSI}3:15\u202fPM{PDI}, then on a break {FSI}4:00\u202fPM{PDI}–{FSI}4:30\u202fPM{PDI}."
    )
    assert get_localizer("ar").error(raised.value) == (
        f"هذا الوقت غير متاح: {FSI}سارة{PDI} مع {FSI}Grace Dubois{PDI} من {FSI}2:45 م{PDI} إلى {FSI}3:15 م{PDI}، "
        f"ثم في استراحة من {FSI}4:00 م{PDI} إلى {FSI}4:30 م{PDI}."
    )


def test_a_refused_move_names_the_closed_hours_too(desk_service: DeskService) -> None:
    """Noura works 14:30-18:00 and the salon closes at 22:00 (demo hours); a haircut at 21:45 meets her
    off hours and the salon's closing."""
    haircut, noura = service_named(desk_service, "Haircut"), _staff(desk_service, "Noura")
    command = CreateBooking((ItemRequest(haircut.id, noura.id, _riyadh(21, 45)),), _customer(desk_service))
    with pytest.raises(Conflict) as raised:
        desk_service.bookings.check(command)
    assert raised.value.code == "schedule.blocked"
    assert get_localizer("en").error(raised.value) == (
        f"This time is not free: {FSI}Noura{PDI} is not working {FSI}9:45\u202fPM{PDI}–{FSI}10:00\u202fPM{PDI}, "
        f"the salon is closed {FSI}10:00\u202fPM{PDI}–{FSI}10:40\u202fPM{PDI}."
    )


# ------------------------------------------------------------------ bad input: typed, translated, nothing changed
def test_an_unknown_waitlist_entry_is_a_typed_not_found(desk_service: DeskService, demo_db: Path) -> None:
    haircut, noura = service_named(desk_service, "Haircut"), _staff(desk_service, "Noura")
    command = CreateBooking((ItemRequest(haircut.id, noura.id, _riyadh(16, 30, day=26)),), _customer(desk_service),
                            waitlist_entry_id=new_id())
    before = snapshot(demo_db)
    with pytest.raises(NotFound) as raised:
        desk_service.bookings.create(command)
    assert raised.value.code == "waitlist.not_found"
    assert snapshot(demo_db) == before


def test_a_naive_start_is_its_own_error_not_in_the_past(desk_service: DeskService) -> None:
    haircut, noura = service_named(desk_service, "Haircut"), _staff(desk_service, "Noura")
    naive = datetime(2026, 11, 26, 13, 0)
    with pytest.raises(ValidationError) as raised:
        desk_service.bookings.check(CreateBooking((ItemRequest(haircut.id, noura.id, naive),), _customer(desk_service)))
    assert raised.value.code == "booking.naive_time"
    assert "time zone" in get_localizer("en").error(raised.value)
    assert "منطقة زمنية" in get_localizer("ar").error(raised.value)


@pytest.mark.parametrize(("fields", "code"), [
    ({"name": None}, "name.required"),
    ({"consent_marketing": "false"}, "customer.consent_invalid"),
    ({"consent_reminders": 0}, "customer.consent_invalid"),
    ({"notes": 12}, "customer.unknown_field"),
])
def test_a_bad_customer_patch_is_refused(desk_service: DeskService, demo_db: Path, fields, code) -> None:
    customer = _customer(desk_service)
    before = snapshot(demo_db)
    with pytest.raises(ValidationError) as raised:
        desk_service.customers.update(UpdateCustomer(customer, fields))
    assert raised.value.code == code
    assert snapshot(demo_db) == before


def test_an_empty_or_unchanged_customer_patch_writes_nothing(desk_service: DeskService, demo_db: Path) -> None:
    customer = desk_service.customers.search("", limit=1)[0]
    before = snapshot(demo_db)
    for fields in ({}, {"name": customer.name}):
        result = desk_service.customers.update(UpdateCustomer(customer.id, fields))
        assert not result.changes
    assert snapshot(demo_db) == before


def test_a_walk_ins_preferred_stylist_must_do_the_service(desk_service: DeskService, demo_db: Path) -> None:
    manicure, noura = service_named(desk_service, "Manicure"), _staff(desk_service, "Noura")
    before = snapshot(demo_db)
    with pytest.raises(ValidationError) as raised:
        desk_service.walkins.add(AddWalkIn(manicure.id, "نوف", preferred_staff_id=noura.id))
    assert raised.value.code == "staff.not_qualified"
    assert snapshot(demo_db) == before
    assert get_localizer("en").error(raised.value) == f"{FSI}Noura{PDI} does not perform {FSI}Manicure{PDI}."
    assert get_localizer("ar").error(raised.value) == f"{FSI}نورة{PDI} لا تقدّم خدمة {FSI}مانيكير{PDI}."
