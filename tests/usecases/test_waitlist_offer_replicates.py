"""A waitlist offer made on one desk is a replicated change, not a local note (found by the convergence test:
an entry offered on the desk that freed the time stayed "waiting" in the cloud and on every other desk)."""

import json
import sqlite3
from datetime import timedelta

from salon_desk.store.types import instant_text
from salon_desk.usecases.commands import AddWaitlistEntry, CancelBooking, CreateBooking, ItemRequest
from tests.helpers import first_free_slot, service_named


def test_the_offer_made_when_a_booking_is_cancelled_goes_to_the_outbox(desk_service, clock, demo_db):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=3))
    a = slot.assignments[0]
    first, second = desk_service.customers.search("", limit=2)
    booking = desk_service.bookings.create(CreateBooking((ItemRequest(a.service_id, a.staff_id, a.start),), first.id))
    entry = desk_service.waitlist.add(AddWaitlistEntry(a.service_id, a.start, a.start + timedelta(hours=1),
                                                       customer_id=second.id, staff_id=a.staff_id)).id

    desk_service.bookings.cancel(CancelBooking(booking.id, "ظرف طارئ"))

    with sqlite3.connect(demo_db) as db:
        rows = db.execute("SELECT name, args FROM outbox WHERE entity_id = ? ORDER BY device_seq", (entry,)).fetchall()
    assert [name for name, _ in rows] == ["waitlist_entry.create", "waitlist_entry.patch"]
    fields = json.loads(rows[-1][1])["fields"]
    assert fields["state"] == "offered"
    assert fields["offered_staff_id"] == a.staff_id
    assert fields["offered_start"] == instant_text(a.start)
