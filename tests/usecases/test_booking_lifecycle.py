from datetime import timedelta

import pytest
import sqlalchemy as sa

from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.usecases.commands import (
    AddWaitlistEntry,
    CancelBooking,
    CreateBooking,
    ItemMove,
    ItemRequest,
    RescheduleBooking,
    TransitionBooking,
)
from tests.helpers import first_free_slot, service_named, snapshot


@pytest.fixture
def booking(desk_service, clock):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=3))
    a = slot.assignments[0]
    customer = desk_service.customers.search("", limit=1)[0].id
    return desk_service.bookings.get(desk_service.bookings.create(
        CreateBooking((ItemRequest(a.service_id, a.staff_id, a.start),), customer)).id)


def test_status_actions_follow_the_state_machine_and_are_audited(desk_service, booking, uow_factory):
    assert set(desk_service.bookings.allowed_transitions(booking.id)) >= {"confirmed", "checked_in", "cancelled"}
    for target in ("confirmed", "checked_in", "in_service", "completed"):
        desk_service.bookings.transition(TransitionBooking(booking.id, target))
        assert desk_service.bookings.get(booking.id).status.value == target
    with pytest.raises(Conflict):
        desk_service.bookings.transition(TransitionBooking(booking.id, "confirmed"))
    with uow_factory() as uow:
        actions = [e.action for e in uow.audit.events_for("booking", booking.id)]
        assert actions == ["booking.create"] + ["booking.transition"] * 4
        assert uow.audit.verify_chain() is None


def test_no_show_only_after_the_start(desk_service, booking, clock):
    with pytest.raises(Conflict):
        desk_service.bookings.transition(TransitionBooking(booking.id, "no_show"))
    clock.now = booking.start_at + timedelta(minutes=20)
    desk_service.bookings.transition(TransitionBooking(booking.id, "no_show"))
    assert desk_service.bookings.get(booking.id).status.value == "no_show"


def test_cancel_needs_a_reason_and_frees_the_slot_for_the_waitlist(desk_service, booking, clock, demo_db):
    item = booking.items[0]
    before = snapshot(demo_db)
    with pytest.raises(ValidationError):
        desk_service.bookings.cancel(CancelBooking(booking.id, "  "))
    assert snapshot(demo_db) == before
    customer = desk_service.customers.search("", limit=2)[1].id
    entry = desk_service.waitlist.add(AddWaitlistEntry(item.service_id, item.start_at, item.end_at,
                                                              customer_id=customer, staff_id=item.staff_id)).id
    board = desk_service.walkins.board()
    assert next(e for e in board.waitlist if e.id == entry).state == "waiting"
    desk_service.bookings.cancel(CancelBooking(booking.id, "ظرف طارئ"))
    offered = next(e for e in desk_service.walkins.board().waitlist if e.id == entry)
    assert offered.state == "offered"
    assert offered.offered_start == item.start_at and offered.offered_staff.id == item.staff_id


def test_move_to_an_occupied_time_is_refused_and_changes_nothing(desk_service, booking, clock, demo_db):
    item = booking.items[0]
    other = next(b for b in desk_service.calendar.day_view(desk_service.calendar.business_day(item.start_at)).blocks
                 if b.staff_id == item.staff_id and b.booking_id != booking.id and b.start_at > clock.now
                 and b.status in ("confirmed", "requested"))
    move = RescheduleBooking(booking.id, (ItemMove(item.id, item.staff_id, other.start_at),))
    before = snapshot(demo_db)
    with pytest.raises(Conflict):
        desk_service.bookings.check_move(move)
    with pytest.raises(Conflict):
        desk_service.bookings.reschedule(move)
    assert snapshot(demo_db) == before


def test_move_to_free_time_moves_and_queues_one_mutation(desk_service, booking, clock, engine):
    item = booking.items[0]
    slot = first_free_slot(desk_service, item.service_id, item.busy_until + timedelta(hours=1), item.staff_id)
    desk_service.bookings.reschedule(RescheduleBooking(booking.id, (ItemMove(item.id, item.staff_id, slot.start),)))
    moved = desk_service.bookings.get(booking.id).items[0]
    assert moved.start_at == slot.start and moved.end_at - moved.start_at == item.end_at - item.start_at
    with engine.connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM outbox ORDER BY device_seq")).scalars().all()
    assert names == ["booking.create", "booking.reschedule"]


def test_tampering_with_the_audit_log_is_detected(desk_service, booking, uow_factory, engine):
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_event SET action = 'booking.cancel'"))
    with uow_factory() as uow:
        assert uow.audit.verify_chain() == 1


def test_audit_keeps_personal_data_by_reference(desk_service, booking, engine):
    from salon_desk.usecases.commands import UpdateCustomer

    desk_service.customers.update(UpdateCustomer(booking.customer_id, {"notes": "تحب القهوة", "name": "نوف"}))
    with engine.connect() as conn:
        payloads = conn.execute(sa.text("SELECT coalesce(before,'') || coalesce(after,'') FROM audit_event")).scalars()
        assert not any("نوف" in p or "القهوة" in p for p in payloads)


