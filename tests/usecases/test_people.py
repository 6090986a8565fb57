from datetime import timedelta

import pytest

from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.usecases.commands import AddCustomer, AddWalkIn, MarkWalkInLeft, SeatWalkIn, UpdateCustomer
from tests.helpers import service_named, snapshot


def test_customer_search_by_phone_prefix_in_any_form(desk_service):
    someone = desk_service.customers.search("", limit=1)[0]
    national = "0" + someone.phone[4:]  # +9665… -> 05…
    for typed in (national[:6], someone.phone[:9], national[1:7], "".join("٠١٢٣٤٥٦٧٨٩"[int(c)] for c in national[:7])):
        found = desk_service.customers.search(typed, limit=500)
        assert someone.id in [c.id for c in found], typed
        assert all(c.phone.startswith("+966" + national[1:3]) for c in found)


def test_customer_search_by_name_folds_arabic_spelling(desk_service):
    desk_service.customers.add(AddCustomer("إيناس الفَيفي", "0559876543"))
    assert [c.name for c in desk_service.customers.search("ايناس الفيف")] == ["إيناس الفَيفي"]
    assert desk_service.customers.count("ايناس الفيف") == 1


def test_phone_must_stay_unique(desk_service, demo_db):
    a, b = desk_service.customers.search("", limit=2)
    before = snapshot(demo_db)
    with pytest.raises(Conflict) as raised:
        desk_service.customers.update(UpdateCustomer(a.id, {"phone": b.phone}))
    assert raised.value.code == "customer.phone_taken"
    with pytest.raises(ValidationError):
        desk_service.customers.update(UpdateCustomer(a.id, {"phone": "12345"}))
    with pytest.raises(ValidationError):
        desk_service.customers.update(UpdateCustomer(a.id, {"salon_id": "x"}))
    assert snapshot(demo_db) == before


def test_walk_in_is_estimated_then_seated_in_service(desk_service, clock):
    blow_dry = service_named(desk_service, "Blow-dry")
    walkin = desk_service.walkins.add(AddWalkIn(blow_dry.id, name="نوف")).id
    line = next(w for w in desk_service.walkins.board().walkins if w.id == walkin)
    assert line.state == "waiting" and line.estimated_start is not None and line.estimated_start >= clock.now
    clock.now = line.estimated_start
    booking_id = desk_service.walkins.seat(SeatWalkIn(walkin)).id
    booking = desk_service.bookings.get(booking_id)
    assert booking.status.value == "in_service" and booking.source.value == "walk_in"
    assert booking.items[0].staff_id == line.estimated_staff.id
    with pytest.raises(Conflict):
        desk_service.walkins.mark_left(MarkWalkInLeft(walkin))


def test_walk_in_who_left_is_kept(desk_service, clock):
    walkin = desk_service.walkins.add(AddWalkIn(service_named(desk_service, "Manicure").id)).id
    desk_service.walkins.mark_left(MarkWalkInLeft(walkin))
    line = next(w for w in desk_service.walkins.board().walkins if w.id == walkin)
    assert line.state == "left"


def test_seating_when_nobody_is_free_says_who_is_free_soonest(desk_service, clock):
    clock.now = clock.now.replace(hour=6, minute=30)  # 09:30 in Riyadh, before opening
    walkin = desk_service.walkins.add(AddWalkIn(service_named(desk_service, "Haircut").id)).id
    with pytest.raises(Conflict) as raised:
        desk_service.walkins.seat(SeatWalkIn(walkin))
    assert raised.value.code == "walkin.nobody_free"
    assert raised.value.params["time"] > clock.now
    assert raised.value.params["time"] - clock.now < timedelta(hours=3)
