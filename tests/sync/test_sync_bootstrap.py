"""The demo salon reaches the cloud by import, and a desk's first pull installs the same rows."""

from __future__ import annotations

from sqlalchemy import func, select

from salon_desk.cloud.sync.tables import REPLICATED_TABLES

from .conftest import SyncWorld


def test_import_then_first_pull_brings_the_desk_to_the_cloud_head(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    report = desk.sync.sync_once()
    assert report.ok, report
    with sync_world.cloud.db.reader() as session:
        cloud_bookings = session.scalar(select(func.count()).select_from(REPLICATED_TABLES["booking"]))
    assert report.pulled > 0
    assert desk.scalar("SELECT count(*) FROM booking") == cloud_bookings
    assert desk.scalar("SELECT count(*) FROM booking WHERE server_seq IS NULL") == 0
    status = desk.sync.status()
    assert status.pending == 0 and status.open_conflicts == 0 and status.last_sync_at is not None
