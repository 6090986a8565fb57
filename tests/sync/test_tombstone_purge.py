"""The tombstone purge (issue #14, cloud/sync/tombstones.py) through the real cloud: `salon-cloud purge` deletes
the salon's old tombstones nothing points at and raises its purge horizon; a desk that was current keeps
pulling normally; a desk whose cursor is older gets 410, re-bootstraps keeping its outbox and ends equal to the
cloud; a merged duplicate customer (its alias still names it) and another salon are untouched.
Real uvicorn; SQLite, and PostgreSQL when SALON_TEST_DATABASE_URL is set."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import event, func, select

from salon_desk.cloud.errors import Gone
from salon_desk.cloud.maintenance import purge
from salon_desk.cloud.salons.rows import SalonSyncRow
from salon_desk.cloud.sync.pull import read_page
from salon_desk.cloud.sync.tables import REPLICATED_TABLES, ChangeIndexRow
from salon_desk.cloud.sync.tombstones import PURGEABLE
from salon_desk.domain.booking import Role
from salon_desk.domain.model import ExceptionKind
from salon_desk.sync.engine import RESYNC_SWEPT
from salon_desk.sync.protocol import parse_cursor
from salon_desk.usecases.availability import NewException
from salon_desk.usecases.commands import AddCustomer
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)
from tests.sync.test_catalogue_sync import signed_in, staffed
from tests.sync.test_push_hardening import ACTOR, push


def horizon(world: SyncWorld, salon_id: str) -> int:
    with world.cloud.db.reader() as session:
        return session.scalar(select(SalonSyncRow.min_retained_seq).where(SalonSyncRow.salon_id == salon_id)) or 0


def cloud_row(world: SyncWorld, entity: str, row_id: str) -> tuple[int | None, int | None]:
    """(server_seq of the row, seq of its change-index entry); None where gone."""
    table = REPLICATED_TABLES[entity]
    with world.cloud.db.reader() as session:
        seq = session.scalar(select(table.c.server_seq).where(table.c.salon_id == world.salon_id, table.c.id == row_id))
        indexed = session.scalar(
            select(ChangeIndexRow.seq).where(
                ChangeIndexRow.salon_id == world.salon_id,
                ChangeIndexRow.entity == entity,
                ChangeIndexRow.entity_id == row_id,
            )
        )
    return seq, indexed


def live_ids(world: SyncWorld, entity: str) -> list[str]:
    table = REPLICATED_TABLES[entity]
    with world.cloud.db.reader() as session:
        return sorted(
            session.scalars(
                select(table.c.id).where(table.c.salon_id == world.salon_id, table.c.deleted_at.is_(None))
            ).all()
        )


def test_purgeable_entities_are_the_ones_a_resyncing_desk_may_sweep() -> None:
    assert set(PURGEABLE) <= set(RESYNC_SWEPT)


def test_purge_raises_the_horizon_a_late_desk_resyncs_a_current_one_goes_on(sync_world: SyncWorld) -> None:  # noqa: F811
    world = sync_world
    d1, d2, d3 = world.desk("Desk 1"), world.desk("Desk 2"), world.desk("Desk 3")
    manager = staffed(d1)
    signed_in(manager, Role.MANAGER)
    staff_id = manager.staff.list()[0].id
    day = manager.calendar.today() + timedelta(days=300)  # past the demo bookings
    removed = manager.availability.add_exception(NewException(staff_id, ExceptionKind.TIME_OFF, day, day)).id
    kept = manager.availability.add_exception(
        NewException(staff_id, ExceptionKind.TIME_OFF, day + timedelta(days=1), day + timedelta(days=1))
    ).id
    # The same new customer on two desks: the cloud keeps desk 1's and tombstones desk 2's (an alias names it).
    d1.service.customers.add(AddCustomer("Duplicate One", "0551119999"))
    duplicate = d2.service.customers.add(AddCustomer("Duplicate Two", "0551119999")).id
    for desk in (d1, d2, d3, d1, d2, d3):
        assert desk.sync.sync_once().ok
    assert d3.scalar("SELECT deleted_at FROM availability_exception WHERE id = :e", e=removed) is None

    # Desk 3 goes away and books offline; the time off is removed; desk 2 stays current.
    offline = d3.service.bookings.create(free_booking(d3, day_offset=2)).id
    assert removed is not None and manager.availability.remove_exception(removed).id == removed
    assert d1.sync.sync_once().ok and d2.sync.sync_once().ok
    tombstone_seq, _ = cloud_row(world, "availability_exception", removed)
    assert tombstone_seq is not None and d2.scalar(
        "SELECT deleted_at FROM availability_exception WHERE id = :e", e=removed
    ) is not None

    # Another salon with a row of its own, written after ours (its horizon must not move).
    other = world.cloud.create_salon("صالون آخر", "Other Salon")
    answer = world.cloud.enrol(world.cloud.issue_code(other, "receptionist"), device_name="Other Desk")
    other_device, other_token = answer.json()["device_id"], answer.json()["token"]

    settings = world.cloud.settings
    assert purge(world.cloud.db, world.cloud.clock, settings).tombstones == 0  # nothing is old enough yet
    world.cloud.clock.advance(timedelta(days=settings.tombstone_retention_days + 1).total_seconds())
    created = push(world.cloud.client(), other_token, other_device, [{
        "mutation_id": str(uuid.uuid4()), "device_seq": 1, "name": "customer.create", "v": 1,
        "entity": "customer", "entity_id": str(uuid.uuid4()), "hlc": "1740812400000:0", "actor": ACTOR,
        "args": {"name": "Other", "phone": "+966551112222"},
    }])  # fmt: skip
    assert created.status_code == 200 and created.json()["results"][0]["status"] == "applied", created.text
    other_before = horizon(world, other)

    report = purge(world.cloud.db, world.cloud.clock, settings, batch_size=1)
    assert report.tombstones == 1, report
    assert cloud_row(world, "availability_exception", removed) == (None, None)  # row and change both gone
    assert horizon(world, world.salon_id) == tombstone_seq
    assert cloud_row(world, "customer", duplicate)[0] is not None  # the alias still names it: kept
    assert cloud_row(world, "availability_exception", str(kept))[0] is not None
    assert horizon(world, other) == other_before == 0
    with world.cloud.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(ChangeIndexRow).where(
            ChangeIndexRow.salon_id == other)) == 1  # fmt: skip
    assert purge(world.cloud.db, world.cloud.clock, settings).tombstones == 0  # nothing more to purge

    # Desk 2 was current: it pulls normally.
    report2 = d2.sync.sync_once()
    assert report2.ok and report2.error is None

    # Desk 3's cursor is older than the horizon: 410, its outbox goes first, then it re-bootstraps.
    report3 = d3.sync.sync_once()
    assert report3.error == "resync_required" and report3.blocked_code is None and report3.applied == 1
    later = d3.service.bookings.create(free_booking(d3, day_offset=3)).id  # written meanwhile
    report3 = d3.sync.sync_once()
    assert report3.ok and report3.applied == 1, report3
    assert d3.scalar("SELECT deleted_at FROM availability_exception WHERE id = :e", e=removed) is not None
    for booking_id in (offline, later):
        assert d3.scalar("SELECT sync_status FROM booking WHERE id = :b", b=booking_id) == "synced"
    assert d3.scalar("SELECT value FROM sync_state WHERE key = 'resync'") == ""
    assert d2.sync.sync_once().ok
    for entity in ("customer", "booking", "booking_item", "availability_exception", "staff", "service"):
        cloud = live_ids(world, entity)
        for desk in (d2, d3):
            local = sorted(r[0] for r in desk.rows(f"SELECT id FROM {entity} WHERE deleted_at IS NULL"))  # noqa: S608
            assert local == cloud, (desk.name, entity)
    assert d3.sync.sync_once().pulled == 0  # incremental again


def test_a_purge_committing_in_the_middle_of_a_pull_never_hides_a_tombstone(sync_world: SyncWorld) -> None:  # noqa: F811
    """The purge commits between the pull's cursor check and its change-index read (forced here, on the
    engine, at the index read). PostgreSQL gives each statement its own snapshot, so without the second look
    at the horizon the page would lack the tombstone and the desk would never hear of the deletion. Either the
    page carries the tombstone (SQLite: one snapshot for the whole read) or the pull answers 410."""
    world = sync_world
    d1, d2 = world.desk("Desk 1"), world.desk("Desk 2")
    manager = staffed(d1)
    signed_in(manager, Role.MANAGER)
    staff_id = manager.staff.list()[0].id
    day = manager.calendar.today() + timedelta(days=300)
    removed = manager.availability.add_exception(NewException(staff_id, ExceptionKind.TIME_OFF, day, day)).id
    assert d1.sync.sync_once().ok and d2.sync.sync_once().ok
    cursor = str(d2.scalar("SELECT value FROM sync_state WHERE key = 'cursor'"))
    assert removed is not None and manager.availability.remove_exception(removed).id == removed
    assert d1.sync.sync_once().ok
    settings = world.cloud.settings
    world.cloud.clock.advance(timedelta(days=settings.tombstone_retention_days + 1).total_seconds())

    purged: list[int] = []
    started: list[bool] = []

    def purge_now(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not started and "change_index" in statement and statement.lstrip().upper().startswith("SELECT"):
            started.append(True)  # the purge's own statements pass through here too
            purged.append(purge(world.cloud.db, world.cloud.clock, settings).tombstones)

    engine = world.cloud.db.engine
    event.listen(engine, "before_cursor_execute", purge_now)
    try:
        with world.cloud.db.reader() as session:
            try:
                page = read_page(session, world.salon_id, cursor, 1000)
            except Gone:
                page = None
    finally:
        event.remove(engine, "before_cursor_execute", purge_now)
    assert purged == [1]  # the purge did run in the middle, and removed the tombstone
    if page is not None:
        tombstones = [c for c in page.changes if c.entity == "availability_exception" and c.id == removed]
        assert tombstones and tombstones[0].row.get("deleted_at") is not None, "a deletion went missing"
    else:
        assert world.cloud.db.backend == "postgresql"  # SQLite's one snapshot has the tombstone instead
    assert horizon(world, world.salon_id) > parse_cursor(cursor)[1]
