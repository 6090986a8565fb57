"""The maintenance purge (issue #14): expired OTP requests, throttle rows, booking-page sessions and old push
receipts go, in small batches, once they can no longer matter; fresh ones stay and the cloud keeps working.
Rows made through the real uvicorn (a desk's push, a booking page's code, failed enrolments); SQLite, and
PostgreSQL when SALON_TEST_DATABASE_URL is set, where every statement of the purge on a salon-owned table is
also checked to name its salon."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from salon_desk.cloud.cli import main as cloud_main
from salon_desk.cloud.links.rows import CustomerLinkSessionRow
from salon_desk.cloud.maintenance import PurgeReport, purge
from salon_desk.cloud.otp.rows import OtpRequestRow
from salon_desk.cloud.sync.tables import MutationReceiptRow
from salon_desk.cloud.throttle import ThrottleEventRow
from tests.cloud.test_links import Customer, booked_link
from tests.cloud.test_sql_scoping import Recorder
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)

ROWS = {
    "otp_requests": OtpRequestRow,
    "throttle_events": ThrottleEventRow,
    "link_sessions": CustomerLinkSessionRow,
    "receipts": MutationReceiptRow,
}


def counts(world: SyncWorld) -> dict[str, int]:
    with world.cloud.db.reader() as session:
        return {name: session.scalar(select(func.count()).select_from(row)) or 0 for name, row in ROWS.items()}


def test_purge_removes_only_what_served_its_purpose_in_small_batches(sync_world: SyncWorld) -> None:  # noqa: F811
    world, cloud = sync_world, sync_world.cloud
    case = booked_link(world)  # a desk push: receipts
    Customer(case).post("code")  # a booking page's session and its code
    for _ in range(3):
        assert cloud.enrol("00000000").status_code in (400, 403, 404)  # failed enrolments: throttle rows
    made = counts(world)
    assert all(made.values()), made

    settings = cloud.settings
    assert purge(cloud.db, cloud.clock, settings) == PurgeReport()  # everything still counts

    cloud.clock.advance(timedelta(days=2).total_seconds())
    report = purge(cloud.db, cloud.clock, settings, batch_size=1)  # one row per transaction
    assert report == PurgeReport(made["otp_requests"], made["throttle_events"], made["link_sessions"], 0)
    assert counts(world) == {**dict.fromkeys(ROWS, 0), "receipts": made["receipts"]}

    # The cloud still works: a new push, a new page session; then the receipts' retention passes.
    desk = case.desk
    desk.service.bookings.create(free_booking(desk, day_offset=2))
    assert desk.sync.sync_once().applied == 1
    cloud.clock.advance(timedelta(days=settings.receipt_retention_days - 1).total_seconds())
    assert purge(cloud.db, cloud.clock, settings).receipts == made["receipts"]  # the new one is 178 days old
    assert counts(world)["receipts"] == 1


def test_purge_statements_name_their_salon(sync_world: SyncWorld) -> None:  # noqa: F811
    """On PostgreSQL, the SQL of a purge: salon-owned tables are purged salon by salon."""
    world, cloud = sync_world, sync_world.cloud
    booked_link(world)
    cloud.clock.advance(timedelta(days=400).total_seconds())
    found = Recorder()
    event.listen(cloud.db.engine, "before_cursor_execute", found)
    try:
        assert purge(cloud.db, cloud.clock, cloud.settings, batch_size=2).receipts > 0
    finally:
        event.remove(cloud.db.engine, "before_cursor_execute", found)
    assert found.seen and found.bad == []


def test_purge_command(sync_world: SyncWorld, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", sync_world.cloud.settings.database_url)
    assert cloud_main(["purge"]) == 0
    assert "salon-cloud: purged 0 otp requests, 0 throttle events, 0 link sessions, 0 receipts, 0 tombstones" in (
        capsys.readouterr().err
    )
