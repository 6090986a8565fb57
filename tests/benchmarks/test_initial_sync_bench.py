"""Initial sync of the year-scale salon (≈239k rows) into a new, empty desk over loopback, against the real
uvicorn cloud: time to a usable calendar (reference data + today's bookings; the engine also says so when
priority phase 2 is in), total time, the cloud's time per page (read + JSON + gzip, in process), and the
desk's apply rate against a raw sqlite3 executemany of the same rows (same run, same machine). Figures are
printed; nothing asserts on timing (targets: usable < 5 s, total < 30 s, apply ratio >= 0.5)."""

from __future__ import annotations

import gzip
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from salon_desk.app import open_desk
from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.cloud.sync.pull import read_page
from salon_desk.demo.seed import seed_demo
from salon_desk.desk_sync import SyncProgress, SyncSession, enrol_this_desk
from salon_desk.secrets import SERVICE, MemorySecretStore
from salon_desk.store.engine import make_engine
from salon_desk.sync.api import SyncApi
from salon_desk.sync.apply import install_rows
from salon_desk.sync.protocol import ENTITY_FIELDS
from salon_desk.sync.state import SyncState
from tests.cloud.conftest import CLOUD_T0, CloudServer
from tests.conftest import DEMO_NOW
from tests.sync.conftest import (  # noqa: F401 - fixtures
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
)

TODAY_FROM, TODAY_TO = "2026-11-24T21:00:00", "2026-11-25T21:00:00"  # 25 Nov 2026 in Riyadh, as UTC text
REFERENCE = ("salon", "staff", "service", "staff_service", "availability_rule")
PAGE = 1000


def _usable(db: sqlite3.Connection, today_bookings: int) -> bool:
    """The calendar can show today: reference data and all of today's bookings (with their items) are in."""
    if any(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0 for t in REFERENCE):  # noqa: S608
        return False
    query = "SELECT count(*) FROM booking WHERE starts_at >= ? AND starts_at < ?"
    return db.execute(query, (TODAY_FROM, TODAY_TO)).fetchone()[0] >= today_bookings


def _fresh_desk(folder: Path) -> Path:
    folder.mkdir(parents=True)
    runtime = open_desk(folder)
    runtime.close()
    return runtime.paths.database


def _raw_copy(source: Path, target: Path, page: int = PAGE) -> tuple[int, float]:
    """sqlite3 executemany of every replicated table's rows, one transaction per page, as the baseline."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    tables = {e: src.execute(f"SELECT * FROM {e}").fetchall() for e in ENTITY_FIELDS}  # noqa: S608
    columns = {e: [c[1] for c in src.execute(f"PRAGMA table_info({e})")] for e in ENTITY_FIELDS}
    total, started = 0, time.perf_counter()
    for entity, rows in tables.items():
        sql = f"INSERT INTO {entity} ({', '.join(columns[entity])}) VALUES ({', '.join('?' * len(columns[entity]))})"  # noqa: S608
        for start in range(0, len(rows), page):
            dst.execute("BEGIN")
            dst.executemany(sql, rows[start : start + page])
            dst.execute("COMMIT")
            total += len(rows[start : start + page])
    elapsed = time.perf_counter() - started
    src.close()
    dst.close()
    return total, elapsed


def _cloud_page_ms(cloud: CloudServer, salon_id: str) -> tuple[int, float]:
    """The cloud's own work per page, in process: read_page + JSON + gzip, every incremental page."""
    pages, cursor, started = 0, None, time.perf_counter()
    while True:
        with cloud.db.reader() as session:
            page = read_page(session, salon_id, cursor, PAGE)
        gzip.compress(page.model_dump_json().encode(), 6)
        pages, cursor = pages + 1, page.next_cursor
        if not page.has_more:
            return pages, (time.perf_counter() - started) * 1000 / pages


def _apply_only(cloud: CloudServer, token: str, target: Path) -> tuple[int, float, float]:
    """The desk's apply path alone (install_rows + cursor, one transaction per page) on pages fetched first;
    also returns the HTTP fetch time per page (request, cloud, gzip, parse)."""
    api = SyncApi(cloud.base_url, token)
    pages, cursor, started = [], "", time.perf_counter()
    while True:
        page = api.pull(cursor, PAGE)
        pages.append(page)
        cursor = page.next_cursor
        if not page.has_more:
            break
    fetch_ms = (time.perf_counter() - started) * 1000 / len(pages)
    api.close()
    from salon_desk.sync.engine import make_sync_engine

    engine = make_sync_engine(target)
    total, started = 0, time.perf_counter()
    for page in pages:
        with Session(engine) as session:
            install_rows(session, [(c.entity, c.seq, c.row) for c in page.changes])
            SyncState(session).set("cursor", page.next_cursor)
            session.commit()
        total += len(page.changes)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return total, elapsed, fetch_ms


@pytest.mark.benchmark
def test_initial_sync_of_the_year_scale_salon(cloud_server: CloudServer, tmp_path: Path) -> None:  # noqa: F811
    cloud_server.clock.advance((DEMO_NOW - CLOUD_T0).total_seconds())
    started = time.perf_counter()
    seeded = seed_demo(tmp_path / "source", scale="year", now=DEMO_NOW)
    seed_s = time.perf_counter() - started
    source = tmp_path / "source" / "salon-desk.db"
    with sqlite3.connect(source) as db:
        salon_id = db.execute("SELECT id FROM salon").fetchone()[0]
        today_bookings = db.execute(
            "SELECT count(*) FROM booking WHERE starts_at >= ? AND starts_at < ?", (TODAY_FROM, TODAY_TO)
        ).fetchone()[0]
    started = time.perf_counter()
    imported = sum(import_desk(cloud_server.db, source, salon_id, cloud_server.clock).values())
    import_s = time.perf_counter() - started

    desk_db = _fresh_desk(tmp_path / "new-desk")
    engine = make_engine(desk_db)
    secrets = MemorySecretStore()
    code = cloud_server.issue_code(salon_id, "receptionist")
    link = enrol_this_desk(engine, secrets, cloud_server.base_url, code, "Bench desk")
    engine.dispose()
    token = secrets.get(SERVICE, link.device_id) or ""

    session = SyncSession(desk_db, link.cloud_url, link.device_id, token)
    watcher = sqlite3.connect(f"file:{desk_db}?mode=ro", uri=True)
    marks: dict[str, float] = {}
    pages = [0]

    def on_progress(progress: SyncProgress) -> None:
        pages[0] += 1
        if "usable" not in marks and _usable(watcher, today_bookings):
            marks["usable"] = time.perf_counter() - t0

    def on_calendar_usable() -> None:
        marks["phase 2"] = time.perf_counter() - t0

    http_s = [0.0]
    api = session._api  # noqa: SLF001 - timing the requests (cloud + loopback + parse) inside the sync
    pull = api.pull

    def timed_pull(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return pull(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            http_s[0] += time.perf_counter() - started

    api.pull = timed_pull  # type: ignore[method-assign]
    session.on_progress = on_progress
    session.engine.on_calendar_usable = on_calendar_usable
    t0 = time.perf_counter()
    report = session.sync_once(0)
    total_s = time.perf_counter() - t0
    session.close()
    watcher.close()
    assert report.ok, report.error
    with sqlite3.connect(desk_db) as db:
        received = sum(db.execute(f"SELECT count(*) FROM {e}").fetchone()[0] for e in ENTITY_FIELDS)  # noqa: S608
    assert received == imported

    raw_rows, raw_s = _raw_copy(desk_db, _fresh_desk(tmp_path / "raw"))
    cloud_pages, cloud_ms = _cloud_page_ms(cloud_server, salon_id)
    applied_rows, apply_s, fetch_ms = _apply_only(cloud_server, token, _fresh_desk(tmp_path / "apply"))
    assert raw_rows == applied_rows == received
    raw_rate, apply_rate = raw_rows / raw_s, applied_rows / apply_s
    usable = marks.get("usable", total_s)
    print(  # noqa: T201
        f"\nyear-scale salon: {seeded} rows seeded in {seed_s:.1f} s; {imported} rows imported into the cloud "
        f"in {import_s:.1f} s; {today_bookings} bookings today"
        f"\ninitial sync over loopback: {received} rows in {pages[0]} pages; first usable calendar after "
        f"{usable:.2f} s (target < 5 s; engine's phase-2 signal at {marks.get('phase 2', -1):.2f} s); "
        f"total {total_s:.2f} s (target < 30 s), of which {http_s[0]:.2f} s waiting on pulls (cloud in this "
        f"process + loopback + parse) and {total_s - http_s[0]:.2f} s on the desk; end to end "
        f"{received / total_s:,.0f} rows/s"
        f"\ncloud per {PAGE}-row page: {cloud_ms:.0f} ms in process (read + JSON + gzip, {cloud_pages} pages); "
        f"{fetch_ms:.0f} ms over HTTP incl. the desk's parse"
        f"\napply only (install_rows, 1 txn per {PAGE}-row page): {apply_rate:,.0f} rows/s; raw sqlite3 "
        f"executemany of the same rows: {raw_rate:,.0f} rows/s; ratio {apply_rate / raw_rate:.2f} (target >= 0.5); "
        f"end-to-end vs raw: {received / total_s / raw_rate:.2f}"
    )
