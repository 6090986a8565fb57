"""410 full resync (issue #14): a desk whose cursor is older than the server's tombstone purge horizon
re-bootstraps from the server while keeping its outbox: what it wrote offline reaches the server, what
changed meanwhile reaches it, and a row whose tombstone the server purged is tombstoned on the desk too.
Real uvicorn; SQLite, and PostgreSQL when SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from salon_desk.cloud.salons.rows import SalonSyncRow
from salon_desk.cloud.sync.tables import REPLICATED_TABLES, ChangeIndexRow
from salon_desk.usecases.commands import AddCustomer, UpdateCustomer
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    CloudServer,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    first_customer,
    free_booking,
    start_cloud_server,
    sync_world,
)


def delete_and_purge(cloud: CloudServer, salon_id: str, entity: str, entity_id: str) -> None:
    """What a tombstone purge leaves: the row and its change gone, the horizon at the head."""
    table = REPLICATED_TABLES[entity]
    with cloud.db.session() as session:
        session.execute(delete(table).where(table.c.salon_id == salon_id, table.c.id == entity_id))
        session.execute(
            delete(ChangeIndexRow).where(
                ChangeIndexRow.salon_id == salon_id,
                ChangeIndexRow.entity == entity,
                ChangeIndexRow.entity_id == entity_id,
            )
        )
        session.execute(
            update(SalonSyncRow)
            .where(SalonSyncRow.salon_id == salon_id)
            .values(min_retained_seq=SalonSyncRow.last_seq)
        )
        session.commit()


def test_a_desk_behind_the_purge_horizon_resyncs_and_keeps_its_outbox(sync_world: SyncWorld) -> None:  # noqa: F811
    world = sync_world
    desk1, desk2 = world.desk("Desk 1"), world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    gone = desk1.service.customers.add(AddCustomer("Purged Customer", "0551234568")).id
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    assert desk2.scalar("SELECT deleted_at FROM customer WHERE id = :c", c=gone) is None

    # Desk 2 is away; desk 1 goes on; the server deletes a customer and purges its tombstone.
    offline = desk2.service.bookings.create(free_booking(desk2, day_offset=2)).id
    customer = first_customer(desk1)
    desk1.service.customers.update(UpdateCustomer(customer, {"notes": "while desk 2 was away"}))
    assert desk1.sync.sync_once().ok
    delete_and_purge(world.cloud, world.salon_id, "customer", str(gone))

    report = desk2.sync.sync_once()
    assert report.error == "resync_required" and report.blocked_code is None  # not blocked: it recovers
    assert report.applied == 1  # its outbox went first, as always
    later = desk2.service.bookings.create(free_booking(desk2, day_offset=3)).id  # written meanwhile
    assert desk2.sync.status().pending == 1 and desk2.sync.status().calendar_usable

    report = desk2.sync.sync_once()
    assert report.ok and report.applied == 1, report
    assert desk2.scalar("SELECT notes FROM customer WHERE id = :c", c=customer) == "while desk 2 was away"
    assert desk2.scalar("SELECT deleted_at FROM customer WHERE id = :c", c=gone) is not None
    for booking_id in (offline, later):
        assert desk2.scalar("SELECT sync_status FROM booking WHERE id = :b", b=booking_id) == "synced"
        assert desk2.scalar("SELECT server_seq FROM booking WHERE id = :b", b=booking_id) is not None
    assert desk2.scalar("SELECT count(*) FROM booking WHERE server_seq IS NULL") == 0
    assert desk2.scalar("SELECT value FROM sync_state WHERE key = 'resync'") == ""
    # The desk holds exactly the server's live rows again, and the next run is incremental.
    for entity in ("customer", "booking", "booking_item"):
        table = REPLICATED_TABLES[entity]
        with world.cloud.db.reader() as session:
            server = session.scalars(
                select(table.c.id).where(table.c.salon_id == world.salon_id, table.c.deleted_at.is_(None))
            ).all()
        desk = desk2.rows(f"SELECT id FROM {entity} WHERE deleted_at IS NULL")  # noqa: S608
        assert sorted(row[0] for row in desk) == sorted(server), entity
    again = desk2.sync.sync_once()
    assert again.ok and again.pulled == 0
