"""Recovery paths against the real uvicorn cloud (specs/sync.md §3.15, §3.6 item 6): a restored server, a
restored desk, a purged cursor, a too-old desk and a revoked desk. None of them may lose an outbox row."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text

import salon_desk.cloud.sync.api as cloud_sync_api
import salon_desk.cloud.sync.limits as cloud_sync_limits
from salon_desk.sync.protocol import parse_cursor

from .conftest import Desk, SyncWorld, free_booking

OUTBOX = "SELECT device_seq, mutation_id, name, args, status FROM outbox ORDER BY device_seq"


def outbox(desk: Desk) -> list[Any]:
    return desk.rows(OUTBOX)


def settle(desk: Desk) -> None:
    for _ in range(6):
        report = desk.sync.sync_once()
        if report.ok and desk.sync.status().pending == 0:
            return
    raise AssertionError(f"{desk.name} does not settle: {report}")


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), like a backup tool would take."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def cloud_file(world: SyncWorld) -> Path:
    url = make_url(world.cloud.settings.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the restore is simulated by copying the SQLite file")
    return Path(url.database or "")


def bookings(
    desk_or_world: Any, sql: str = "SELECT id, status FROM booking WHERE created_at > '2026-11-01'"
) -> Any:
    if isinstance(desk_or_world, Desk):
        return sorted(map(tuple, desk_or_world.rows(sql)))
    with desk_or_world.cloud.db.reader() as session:
        return sorted(map(tuple, session.execute(text(sql)).all()))


def test_a_server_restored_from_backup_gets_the_lost_mutations_again(
    sync_world: SyncWorld, tmp_path: Path
) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    settle(desk1), settle(desk2)
    live, backup = cloud_file(sync_world), tmp_path / "cloud-backup.db"
    sqlite_copy(live, backup)
    with sync_world.cloud.db.reader() as session:
        restored_seq = session.execute(text("SELECT last_seq FROM salon_sync")).scalar_one()

    lost1 = desk1.service.bookings.create(free_booking(desk1)).id  # acknowledged, then lost by the restore
    settle(desk1)
    lost2 = desk2.service.bookings.create(free_booking(desk2, day_offset=2)).id
    settle(desk2)
    sqlite_copy(backup, live)  # the operator restores last night's backup under a new epoch
    with sync_world.cloud.db.session() as session:
        session.execute(text("UPDATE salon_sync SET epoch = 'restored1'"))
        session.commit()
    with sync_world.cloud.db.reader() as session:
        assert (
            session.execute(
                text("SELECT count(*) FROM booking WHERE id IN (:a, :b)"), {"a": lost1, "b": lost2}
            ).scalar()
            == 0
        )
    after = desk1.service.bookings.create(free_booking(desk1, day_offset=3)).id  # made after the restore
    before = outbox(desk1)

    first = desk1.sync.sync_once()

    assert first.error == "epoch_changed" and first.blocked_code is None
    assert [r[:4] for r in outbox(desk1)] == [r[:4] for r in before]  # nothing dropped or rewritten
    settle(desk1), settle(desk2), settle(desk1)
    with sync_world.cloud.db.reader() as session:
        found = session.execute(
            text("SELECT id FROM booking WHERE id IN (:a, :b, :c)"), {"a": lost1, "b": lost2, "c": after}
        ).scalars()
        assert set(found) == {lost1, lost2, after}
        head = session.execute(text("SELECT last_seq FROM salon_sync")).scalar_one()
        reapplied = session.execute(
            text("SELECT count(*) FROM mutation_receipt WHERE device_id = :d"),
            {"d": desk1.device_id},
        ).scalar_one()
    assert head > restored_seq and reapplied == 2  # lost1 again, then the new one
    for desk in (desk1, desk2):
        cursor = desk.scalar("SELECT value FROM sync_state WHERE key = 'cursor'")
        assert parse_cursor(cursor) == ("restored1", head)
        assert bookings(desk) == bookings(sync_world)
        assert desk.sync.status().pending == 0


def test_a_desk_restored_from_backup_is_blocked_as_rewound_and_keeps_its_outbox(
    sync_world: SyncWorld, tmp_path: Path
) -> None:
    desk = sync_world.desk("Desk 1")
    settle(desk)
    backup = tmp_path / "desk-backup.db"
    sqlite_copy(desk.path, backup)
    desk.service.bookings.create(free_booking(desk))
    settle(desk)  # the server has now seen device_seq N
    desk.engine.dispose(), desk.sync_engine.dispose()
    sqlite_copy(backup, desk.path)  # the desk goes back in time
    desk.service.bookings.create(free_booking(desk, day_offset=2))  # reuses device_seq N for another change
    before = outbox(desk)

    report = desk.sync.sync_once()

    assert (report.error, report.blocked_code) == ("device_rewound", "device_rewound")
    assert outbox(desk) == before
    assert desk.sync.status().pending == 1


def test_a_purged_cursor_answers_410_and_the_desk_keeps_its_outbox(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    settle(desk1), settle(desk2)
    desk2.service.bookings.create(free_booking(desk2))
    settle(desk2)
    with sync_world.cloud.db.session() as session:
        session.execute(text("UPDATE salon_sync SET min_retained_seq = last_seq"))  # tombstones purged
        session.commit()
    desk1.service.bookings.create(free_booking(desk1, day_offset=2))
    desk1.sync.push_batch = lambda report: False  # type: ignore[method-assign] # pull first, as after a restart
    before = outbox(desk1)

    report = desk1.sync.sync_once()

    # Not blocked (issue #14): the desk re-bootstraps on its next run, keeping its outbox meanwhile.
    assert (report.error, report.blocked_code) == ("resync_required", None)
    assert outbox(desk1) == before and desk1.sync.status().pending == 1
    del desk1.sync.push_batch
    report = desk1.sync.sync_once()
    assert report.ok and report.applied == 1 and desk1.sync.status().pending == 0  # pushed, then re-pulled


def test_a_cloud_that_needs_a_newer_desk_answers_426_and_the_outbox_stays(
    sync_world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.bookings.create(free_booking(desk))
    before = outbox(desk)
    monkeypatch.setattr(cloud_sync_api, "MIN_SCHEMA_VERSION", 99)  # the cloud was upgraded past this desk

    report = desk.sync.sync_once()

    assert (report.error, report.blocked_code) == ("update_required", "update_required")
    assert outbox(desk) == before
    monkeypatch.setattr(cloud_sync_api, "MIN_SCHEMA_VERSION", 0)  # the desk was updated
    settle(desk)


def test_a_revoked_desk_answers_401_and_keeps_every_outbox_row(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    desk.service.bookings.create(free_booking(desk))
    desk.service.bookings.create(free_booking(desk, day_offset=2))
    before = outbox(desk)
    sync_world.cloud.services.devices.revoke(sync_world.salon_id, desk.device_id)

    report = desk.sync.sync_once()

    assert (report.error, report.blocked_code) == ("auth", "device_revoked")
    assert outbox(desk) == before and len(before) == 2


def test_a_batch_over_the_size_limit_is_halved_until_it_fits(
    sync_world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = sync_world.desk("Desk 1")
    for day in range(1, 5):
        desk.service.bookings.create(free_booking(desk, day_offset=day))
    monkeypatch.setattr(cloud_sync_limits, "MAX_BODY_BYTES", 2_500)  # about two bookings per request

    report = desk.sync.sync_once()

    assert report.ok and report.pushed == 4 and desk.sync.status().pending == 0
    assert desk.sync._batch_size <= 2  # noqa: SLF001 - the engine kept the size that fits
