"""A merged duplicate customer's fields are not lost (issue #14, domain/customer_merge.py): two offline desks
add the same phone with different details; after both sync, every desk holds one customer with the merged
fields (the survivor's filled fields kept, empty ones filled, notes joined) and every booking pointing at it.
Real uvicorn; SQLite, and PostgreSQL when SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from sqlalchemy import select

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.model import Language
from salon_desk.usecases.commands import AddCustomer, CreateBooking
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)


def test_two_offline_desks_end_with_one_customer_with_the_merged_fields(sync_world: SyncWorld) -> None:  # noqa: F811
    world = sync_world
    desk1, desk2, desk3 = world.desk("Desk 1"), world.desk("Desk 2"), world.desk("Desk 3")
    for desk in (desk1, desk2, desk3):
        assert desk.sync.sync_once().ok

    # Offline: the same two customers on desk 1 and desk 2, each desk with its own details and a visit.
    add1, add2 = desk1.service.customers.add, desk2.service.customers.add
    noura = str(add1(AddCustomer("Noura Al-Harbi", "0551239876")).id)
    noura_dup = str(add2(AddCustomer("Noura Alharbi", "0551239876", Language.EN, notes="allergic to henna")).id)
    sara = str(add1(AddCustomer("Sara", "0551239877", notes="likes tea")).id)
    sara_dup = str(add2(AddCustomer("Sarah", "0551239877", notes="prefers Reem")).id)
    bookings = []
    for desk, customer, day in ((desk1, noura, 2), (desk2, noura_dup, 4), (desk2, sara_dup, 5)):
        slot = free_booking(desk, day_offset=day)
        bookings.append((desk.service.bookings.create(CreateBooking(slot.items, customer_id=customer)).id, day))

    assert desk1.sync.sync_once().ok  # first to arrive: its customers survive
    report = desk2.sync.sync_once()
    assert report.conflicts == 2 and report.refused == 0, report
    for desk in (desk1, desk2, desk3, desk1):
        assert desk.sync.sync_once().ok

    expected = {
        noura: ("Noura Al-Harbi", "ar", "allergic to henna"),  # the survivor's name and language kept
        sara: ("Sara", "ar", "likes tea\nprefers Reem"),  # notes joined
    }
    table = REPLICATED_TABLES["customer"]
    with world.cloud.db.reader() as session:
        for customer, fields in expected.items():
            row = session.execute(
                select(table.c.name, table.c.language, table.c.notes).where(
                    table.c.salon_id == world.salon_id, table.c.id == customer
                )
            ).one()
            assert tuple(row) == fields
    booking_customer = REPLICATED_TABLES["booking"].c.customer_id
    for desk in (desk1, desk2, desk3):
        for customer, fields in expected.items():
            assert desk.rows(
                "SELECT name, language, notes FROM customer WHERE id = :c AND deleted_at IS NULL", c=customer
            ) == [fields], desk.name
        for duplicate in (noura_dup, sara_dup):
            assert desk.scalar("SELECT deleted_at FROM customer WHERE id = :c", c=duplicate) is not None
        for phone in ("%551239876", "%551239877"):
            assert desk.scalar(
                "SELECT count(*) FROM customer WHERE phone LIKE :p AND deleted_at IS NULL", p=phone
            ) == 1
        for (booking_id, _day), customer in zip(bookings, (noura, noura, sara), strict=True):
            assert desk.scalar("SELECT customer_id FROM booking WHERE id = :b", b=str(booking_id)) == customer
        assert desk.sync.status().pending == 0
    with world.cloud.db.reader() as session:
        for (booking_id, _day), customer in zip(bookings, (noura, noura, sara), strict=True):
            assert session.scalar(
                select(booking_customer).where(
                    REPLICATED_TABLES["booking"].c.salon_id == world.salon_id,
                    REPLICATED_TABLES["booking"].c.id == str(booking_id),
                )
            ) == customer
