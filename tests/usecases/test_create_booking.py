from datetime import timedelta

import pytest
import sqlalchemy as sa

from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.store.audit import AuditLog
from salon_desk.usecases.commands import CreateBooking, ItemRequest, NewCustomer
from tests.helpers import first_free_slot, service_named, snapshot


def _one_item(slot):
    a = slot.assignments[0]
    return (ItemRequest(a.service_id, a.staff_id, a.start),)


def test_booking_writes_rows_audit_and_outbox_together(desk_service, clock, engine):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=2))
    result = desk_service.bookings.create(CreateBooking(
        _one_item(slot), new_customer=NewCustomer("هند الشمري", "٠٥٥ ١٢٣ ٤٥٦٧")))
    booking = desk_service.bookings.get(result.id)
    assert booking.status.value == "requested"
    assert booking.items[0].start_at == slot.start
    assert booking.items[0].price_halalas == haircut.price_halalas
    assert booking.items[0].busy_until - booking.items[0].end_at == timedelta(minutes=haircut.buffer_minutes)
    assert result.changes.touches("booking") and result.changes.touches("customer")
    with engine.connect() as conn:
        phone = conn.execute(sa.text("SELECT phone FROM customer WHERE id = :id"), {"id": booking.customer_id}).scalar()
        outbox = conn.execute(sa.text("SELECT name, args FROM outbox ORDER BY device_seq")).all()
        audit = conn.execute(sa.text("SELECT action FROM audit_event")).scalars().all()
    assert phone == "+966551234567"
    assert [o.name for o in outbox] == ["booking.create"]  # one user action, one mutation (customer inside)
    assert '"customer":' in outbox[0].args
    assert audit == ["booking.create"]


def test_existing_phone_reuses_the_customer(desk_service, clock):
    first = desk_service.customers.search("", limit=1)[0]
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=2))
    result = desk_service.bookings.create(CreateBooking(_one_item(slot), new_customer=NewCustomer("x", first.phone)))
    assert desk_service.bookings.get(result.id).customer_id == first.id


def _bad_commands(desk, clock):
    haircut = service_named(desk, "Haircut")
    manicure = service_named(desk, "Manicure")
    slot = first_free_slot(desk, haircut.id, clock.now + timedelta(hours=2))
    a = slot.assignments[0]
    customer = desk.customers.search("", limit=1)[0].id
    busy = next(b for b in desk.calendar.day_view(desk.calendar.today()).blocks
                if b.status in ("confirmed", "requested") and b.start_at > clock.now)
    return {
        "unknown service": (CreateBooking((ItemRequest("nope", a.staff_id, a.start),), customer), NotFound),
        "not qualified": (CreateBooking((ItemRequest(manicure.id, a.staff_id, a.start),), customer), ValidationError),
        "outside hours": (CreateBooking((ItemRequest(haircut.id, a.staff_id, a.start.replace(hour=0)
                                                     + timedelta(days=1)),), customer), Conflict),
        "overlap": (CreateBooking((ItemRequest(busy.service_id, busy.staff_id, busy.start_at),), customer), Conflict),
        "invalid phone": (CreateBooking(_one_item(slot), new_customer=NewCustomer("Noura", "0521234567")),
                          ValidationError),
        "in the past": (CreateBooking((ItemRequest(haircut.id, a.staff_id, clock.now - timedelta(days=1)),),
                                      customer), ValidationError),
        "no customer": (CreateBooking(_one_item(slot)), ValidationError),
        "no services": (CreateBooking((), customer), ValidationError),
        "two items on one stylist at once": (CreateBooking(
            (ItemRequest(haircut.id, a.staff_id, a.start), ItemRequest(haircut.id, a.staff_id, a.start)), customer),
            Conflict),
    }


@pytest.mark.parametrize("case", ["unknown service", "not qualified", "outside hours", "overlap", "invalid phone",
                                  "in the past", "no customer", "no services", "two items on one stylist at once"])
def test_bad_input_is_refused_with_a_code_and_changes_nothing(desk_service, clock, demo_db, case):
    command, error = _bad_commands(desk_service, clock)[case]
    before = snapshot(demo_db)
    with pytest.raises(error) as raised:
        desk_service.bookings.create(command)
    with pytest.raises(error):
        desk_service.bookings.check(command)
    assert raised.value.code  # a stable code the edges translate
    assert snapshot(demo_db) == before


def test_failure_in_the_middle_of_the_write_leaves_nothing_behind(desk_service, clock, demo_db, monkeypatch):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=2))
    before = snapshot(demo_db)

    def explode(*args, **kwargs):  # after the customer, booking and items were flushed
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditLog, "record", explode)
    with pytest.raises(RuntimeError):
        desk_service.bookings.create(CreateBooking(_one_item(slot), new_customer=NewCustomer("ريم", "0501112233")))
    assert snapshot(demo_db) == before


def test_error_messages_exist_in_both_languages(desk_service, clock):
    from salon_desk.l10n import get_localizer

    for command, _ in _bad_commands(desk_service, clock).values():
        with pytest.raises(DomainError) as raised:
            desk_service.bookings.check(command)
        ar, en = get_localizer("ar").error(raised.value), get_localizer("en").error(raised.value)
        assert ar != en and "error code" not in en, raised.value.code
        assert any("\u0600" <= ch <= "\u06ff" for ch in ar), raised.value.code


def test_phased_service_with_a_staff_own_duration_books_as_fully_busy(desk_service, clock, engine):
    from salon_desk.usecases.commands import FindSlots

    colour = service_named(desk_service, "Hair colour")
    with engine.begin() as conn:  # every colourist takes 120 minutes for a colour instead of the standard 90
        conn.execute(sa.text("UPDATE staff_service SET duration_minutes = 120 WHERE service_id = :v"),
                     {"v": colour.id})
    (slot,) = desk_service.calendar.find_slots(FindSlots(((colour.id, None),), clock.now + timedelta(hours=2), 30, limit=1))
    customer = desk_service.customers.search("", limit=1)[0].id
    booking = desk_service.bookings.get(desk_service.bookings.create(
        CreateBooking(_one_item(slot), customer)).id)
    item = booking.items[0]
    assert item.end_at - item.start_at == timedelta(minutes=120)
    assert item.phases == ()  # the processing gap is unknown for her own duration: busy throughout


def test_a_stylist_carrying_on_with_the_next_service_has_no_cleanup_in_between(desk_service, clock, engine):
    from salon_desk.usecases.commands import FindSlots

    cut, blow = service_named(desk_service, "Haircut"), service_named(desk_service, "Blow-dry")
    stylist = desk_service.reference.qualified_staff(cut.id)[0]
    (option,) = desk_service.calendar.find_slots(FindSlots(((cut.id, stylist), (blow.id, stylist)), clock.now, limit=1))
    customer = desk_service.customers.search("", limit=1)[0].id
    booking = desk_service.bookings.get(desk_service.bookings.create(CreateBooking(
        tuple(ItemRequest(a.service_id, a.staff_id, a.start) for a in option.assignments), customer)).id)
    first, second = booking.items
    assert second.start_at == first.end_at == first.busy_until  # straight on, cleanup after the last one
    assert second.busy_until == second.end_at + timedelta(minutes=blow.buffer_minutes)
