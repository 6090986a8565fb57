"""Duplicate customers made by two offline desks are merged (issue #14, specs/sync.md §2): the first to reach
the server survives, the duplicate becomes a tombstone whose id stays resolvable through `customer_alias`,
and every booking, walk-in and waitlist entry made for the duplicate — on any desk, even pushed after the
merge — points at the survivor on the server and on every replica. Real uvicorn; SQLite, and PostgreSQL when
SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from salon_desk.cloud.sync.aliases import CustomerAliasRow
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.usecases.commands import AddCustomer, AddWaitlistEntry, AddWalkIn, CreateBooking
from tests.conftest import DEMO_NOW
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    Desk,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)

PHONE = "0551239876"


def made_for(desk: Desk, customer_id: str, day_offset: int) -> dict[str, str]:
    """A booking, a walk-in and a waitlist entry for the customer, written offline on `desk`."""
    slot = free_booking(desk, day_offset=day_offset)
    booking = desk.service.bookings.create(CreateBooking(slot.items, customer_id=customer_id)).id
    service_id = slot.items[0].service_id
    walk_in = desk.service.walkins.add(AddWalkIn(service_id, phone=PHONE)).id
    start = DEMO_NOW + timedelta(days=day_offset)
    waitlist = desk.service.waitlist.add(
        AddWaitlistEntry(service_id, start, start + timedelta(hours=3), customer_id=customer_id)
    ).id
    return {"booking": str(booking), "walk_in": str(walk_in), "waitlist_entry": str(waitlist)}


def test_two_offline_desks_make_one_customer_and_everything_follows_the_survivor(sync_world: SyncWorld) -> None:  # noqa: F811
    world, cloud = sync_world, sync_world.cloud
    desk1, desk2 = world.desk("Desk 1"), world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok

    # Both offline: the same customer (same phone) is added on each, with visits booked for her.
    first = str(desk1.service.customers.add(AddCustomer("Noura Al-Harbi", PHONE)).id)
    second = str(desk2.service.customers.add(AddCustomer("Noura Alharbi", PHONE, notes="prefers Reem")).id)
    mine = made_for(desk1, first, day_offset=2)
    theirs = made_for(desk2, second, day_offset=4)

    assert desk1.sync.sync_once().ok  # first to arrive: survives
    # Desk 2's queue names the duplicate in every mutation after its customer.create: each arrives after
    # the merge and is resolved through the alias.
    report = desk2.sync.sync_once()
    assert report.conflicts == 1 and report.refused == 0 and report.applied == 3, report

    with cloud.db.reader() as session:
        alias = session.scalars(select(CustomerAliasRow).where(CustomerAliasRow.salon_id == world.salon_id)).all()
        assert [(a.duplicate_id, a.canonical_id) for a in alias] == [(second, first)]
        for entity, row_id in [*mine.items(), *theirs.items()]:
            table = REPLICATED_TABLES[entity]
            found = session.execute(
                select(table.c.customer_id).where(table.c.salon_id == world.salon_id, table.c.id == row_id)
            ).scalar_one()
            assert found == first, entity
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    for desk in (desk1, desk2):
        assert desk.rows("SELECT id FROM customer WHERE phone LIKE :p AND deleted_at IS NULL", p="%551239876") == [
            (first,)
        ], desk.name
        assert desk.scalar("SELECT deleted_at FROM customer WHERE id = :c", c=second) is not None
        for entity, row_id in [*mine.items(), *theirs.items()]:
            assert desk.scalar(f"SELECT customer_id FROM {entity} WHERE id = :i", i=row_id) == first, (  # noqa: S608
                desk.name,
                entity,
            )
        assert desk.sync.status().pending == 0
