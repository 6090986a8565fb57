"""Finishing early frees the chair; an overrun is recorded as it happened, without a conflict (issue 9)."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.sync.protocol import parse_instant
from salon_desk.usecases.commands import (
    AddWaitlistEntry,
    AddWalkIn,
    CreateBooking,
    FindSlots,
    ItemRequest,
    TransitionBooking,
)
from tests.helpers import first_free_slot, service_named, snapshot


def _book(desk, service, staff_id, start, customer_index=0):
    customer = desk.customers.search("", limit=3)[customer_index].id
    result = desk.bookings.create(CreateBooking((ItemRequest(service.id, staff_id, start),), customer, confirmed=True))
    return desk.bookings.get(result.id)


def _start_service(desk, clock, booking):
    clock.now = booking.start_at
    desk.bookings.transition(TransitionBooking(booking.id, "checked_in"))
    desk.bookings.transition(TransitionBooking(booking.id, "in_service"))


@pytest.fixture
def haircut_visit(desk_service, clock):
    """A confirmed 45-minute haircut (+10 minutes cleanup) at least three hours from now, under way."""
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=3))
    booking = _book(desk_service, haircut, slot.assignments[0].staff_id, slot.start)
    _start_service(desk_service, clock, booking)
    return desk_service.bookings.get(booking.id)


def _first_slot(desk, service, staff_id, earliest):
    slots = desk.calendar.find_slots(FindSlots(((service.id, staff_id),), earliest, days_ahead=1, limit=1))
    return slots[0].start


def test_completing_early_frees_the_rest_of_the_booked_time_and_offers_it_to_the_waitlist(
        desk_service, haircut_visit, clock):
    item = haircut_visit.items[0]
    assert item.actual_start_at == item.start_at  # starting the service records the actual start
    blow_dry = service_named(desk_service, "Blow-dry")
    clock.now = item.start_at + timedelta(minutes=5)
    assert _first_slot(desk_service, blow_dry, item.staff_id, clock.now) >= item.busy_until
    customer = desk_service.customers.search("", limit=2)[1].id
    entry = desk_service.waitlist.add(AddWaitlistEntry(
        blow_dry.id, item.start_at + timedelta(minutes=15), item.busy_until, customer_id=customer,
        staff_id=item.staff_id)).id
    assert next(e for e in desk_service.walkins.board().waitlist if e.id == entry).state == "waiting"

    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed"))

    done = desk_service.bookings.get(haircut_visit.id).items[0]
    assert done.actual_end_at == clock.now
    assert (done.start_at, done.end_at, done.busy_until) == (item.start_at, item.end_at, item.busy_until)
    # 10 minutes of cleanup after the actual end: free again from start + 15, though booked until start + 55.
    assert _first_slot(desk_service, blow_dry, item.staff_id, clock.now) == item.start_at + timedelta(minutes=15)
    offered = next(e for e in desk_service.walkins.board().waitlist if e.id == entry)
    assert offered.state == "offered"
    assert offered.offered_start == item.start_at + timedelta(minutes=15)
    block = next(b for b in desk_service.calendar.day_view(desk_service.calendar.business_day(item.start_at)).blocks
                 if b.item_id == item.id)
    assert block.actual_end_at == clock.now and block.shown_end == clock.now and block.end_at == item.end_at


def test_a_walk_in_waiting_for_the_stylist_is_estimated_from_the_actual_end(desk_service, haircut_visit, clock):
    item = haircut_visit.items[0]
    blow_dry = service_named(desk_service, "Blow-dry")
    clock.now = item.start_at + timedelta(minutes=5)
    walkin = desk_service.walkins.add(AddWalkIn(blow_dry.id, name="Walk-in", preferred_staff_id=item.staff_id)).id

    def estimate():
        return next(w for w in desk_service.walkins.board().walkins if w.id == walkin).estimated_start

    assert estimate() >= item.busy_until
    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed"))
    assert estimate() == item.start_at + timedelta(minutes=15)


def test_the_freed_time_can_be_booked(desk_service, haircut_visit, clock):
    item = haircut_visit.items[0]
    clock.now = item.start_at + timedelta(minutes=5)
    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed"))
    blow_dry = service_named(desk_service, "Blow-dry")
    start = item.start_at + timedelta(minutes=15)  # 35 minutes with cleanup: inside the haircut's booked time
    follow_on = _book(desk_service, blow_dry, item.staff_id, start, customer_index=2)
    assert follow_on.items[0].start_at == start < item.end_at


def test_an_overrun_into_the_next_booking_is_recorded_without_a_conflict(desk_service, haircut_visit, clock):
    item = haircut_visit.items[0]
    blow_dry = service_named(desk_service, "Blow-dry")
    clock.now = item.start_at + timedelta(minutes=1)
    next_start = _first_slot(desk_service, blow_dry, item.staff_id, item.busy_until)
    following = _book(desk_service, blow_dry, item.staff_id, next_start, customer_index=2)
    clock.now = next_start + timedelta(minutes=10)

    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed"))

    done = desk_service.bookings.get(haircut_visit.id)
    assert done.status.value == "completed"
    assert done.items[0].actual_end_at == next_start + timedelta(minutes=10)
    assert done.items[0].busy_until == item.busy_until  # an overrun holds no extra time
    _start_service(desk_service, clock, following)  # the next customer is served as usual
    clock.now = next_start + timedelta(minutes=10)
    assert desk_service.bookings.get(following.id).status.value == "in_service"
    blocks = {b.item_id: b for b in desk_service.calendar.day_view(desk_service.calendar.business_day(item.start_at)).blocks}
    assert blocks[item.id].shown_end == next_start + timedelta(minutes=10)


def test_a_given_end_is_checked_and_a_refused_one_changes_nothing(desk_service, haircut_visit, clock, demo_db):
    item = haircut_visit.items[0]
    clock.now = item.start_at + timedelta(minutes=30)
    before = snapshot(demo_db)
    for at, code in ((clock.now + timedelta(hours=1), "booking.actual_time_in_future"),
                     (item.start_at - timedelta(minutes=5), "booking.actual_end_before_start")):
        with pytest.raises(ValidationError) as refused:
            desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed", happened_at=at))
        assert refused.value.code == code
        assert snapshot(demo_db) == before
    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed",
                                                      happened_at=item.start_at + timedelta(minutes=25)))
    assert desk_service.bookings.get(haircut_visit.id).items[0].actual_end_at == item.start_at + timedelta(minutes=25)


def test_the_transition_carries_the_actual_end_to_the_cloud(desk_service, haircut_visit, clock, demo_db):
    clock.now = haircut_visit.start_at + timedelta(minutes=40)
    desk_service.bookings.transition(TransitionBooking(haircut_visit.id, "completed"))
    with sqlite3.connect(demo_db) as db:
        rows = db.execute("SELECT args FROM outbox WHERE name = 'booking.transition' AND entity_id = ? "
                          "ORDER BY device_seq", (haircut_visit.id,)).fetchall()
    args = [json.loads(r[0]) for r in rows]
    assert [a["to"] for a in args] == ["checked_in", "in_service", "completed"]
    assert parse_instant(args[1]["actual_start_at"]) == haircut_visit.start_at
    assert parse_instant(args[2]["actual_end_at"]) == clock.now
