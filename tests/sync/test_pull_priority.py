"""A new desk's initial sync in priority phases (specs/sync.md §3.7), against the real cloud (uvicorn on
127.0.0.1 holding the demo salon): phase 1 reference data, phase 2 the calendar window, phase 3 the rest,
then the incremental cursor; writes made by another desk while the phases run are never lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, text

from salon_desk.app import open_desk
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.sync.api import SyncApi, SyncHttpError
from salon_desk.sync.engine import SyncEngine, make_sync_engine
from salon_desk.sync.protocol import (
    ENTITY_FIELDS,
    REFERENCE_ENTITIES,
    PullResponse,
    format_phase_cursor,
    parse_cursor,
    parse_phase_cursor,
)
from salon_desk.usecases.commands import ItemMove, RescheduleBooking, UpdateCustomer
from tests.conftest import DEMO_NOW
from tests.sync.conftest import Desk, SyncWorld, first_customer, free_booking

# The calendar window of 25 Nov 2026 in Riyadh (UTC+3): 18 Nov 00:00 to 25 Jan 2027 00:00, local time.
WINDOW = (datetime(2026, 11, 17, 21, tzinfo=UTC), datetime(2027, 1, 24, 21, tzinfo=UTC))
TODAY = (datetime(2026, 11, 24, 21, tzinfo=UTC), datetime(2026, 11, 25, 21, tzinfo=UTC))
Hook = Callable[[int | None, int], None]  # (priority, pages already pulled in it) before each pull


class RecordingApi(SyncApi):
    """Records every page with its priority (None = incremental) and runs `hook` before each pull."""

    def __init__(self, *args: Any, hook: Hook | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hook = hook
        self.pages: list[tuple[int | None, PullResponse]] = []
        self._current: int | None = None

    def pull_phase(self, cursor: str, limit: int, priority: int) -> PullResponse:
        self._current = priority
        try:
            return super().pull_phase(cursor, limit, priority)
        finally:
            self._current = None

    def pull(self, cursor: str, limit: int = 1000, wait: float = 0) -> PullResponse:
        if self.hook is not None:
            self.hook(self._current, sum(1 for p, _ in self.pages if p == self._current))
        page = super().pull(cursor, limit, wait)
        self.pages.append((self._current, page))
        return page

    def priorities(self) -> list[int | None]:
        return [p for p, _ in self.pages]

    def rows(self, priority: int | None) -> list[tuple[str, dict[str, Any]]]:
        return [(c.entity, c.row) for p, page in self.pages if p == priority for c in page.changes]


def new_desk(
    world: SyncWorld, name: str, page_limit: int, hook: Hook | None = None
) -> tuple[SyncEngine, Engine]:
    """An empty, enrolled desk (nothing local yet) syncing through a RecordingApi."""
    answer = world.cloud.enrol(world.cloud.issue_code(world.salon_id, "receptionist"), device_name=name)
    assert answer.status_code == 201, answer.text
    runtime = open_desk(world.folder / name)
    runtime.close()
    engine = make_sync_engine(runtime.paths.database)
    http = httpx.Client(base_url=world.cloud.base_url, timeout=httpx.Timeout(15, connect=5))
    api = RecordingApi(world.cloud.base_url, answer.json()["token"], client=http, hook=hook)
    sync = SyncEngine(engine, api, device_id=answer.json()["device_id"], page_limit=page_limit)
    return sync, engine


def desk_versions(engine: Engine) -> dict[str, dict[str, int | None]]:
    with engine.connect() as conn:
        return {
            e: dict(conn.execute(text(f"SELECT id, server_seq FROM {e}")).all())  # noqa: S608
            for e in ENTITY_FIELDS
        }


def cloud_versions(world: SyncWorld) -> dict[str, dict[str, int | None]]:
    with world.cloud.db.reader() as session:
        return {
            e: {
                str(i): s
                for i, s in session.execute(
                    select(t.c.id, t.c.server_seq).where(t.c.salon_id == world.salon_id)
                ).all()
            }
            for e, t in REPLICATED_TABLES.items()
        }


def in_window(instant: str, window: tuple[datetime, datetime] = WINDOW) -> bool:
    return window[0] <= datetime.fromisoformat(instant) < window[1]


def count_today(engine: Engine) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM booking WHERE starts_at >= :a AND starts_at < :b"
        return conn.execute(text(query), {"a": _text(TODAY[0]), "b": _text(TODAY[1])}).scalar_one()


def count_outside(engine: Engine, window: tuple[datetime, datetime]) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM booking WHERE starts_at < :a OR starts_at >= :b"
        return conn.execute(text(query), {"a": _text(window[0]), "b": _text(window[1])}).scalar_one()


def cloud_bookings(world: SyncWorld, window: tuple[datetime, datetime]) -> set[str]:
    booking = REPLICATED_TABLES["booking"]
    with world.cloud.db.reader() as session:
        query = select(booking.c.id).where(
            booking.c.salon_id == world.salon_id,
            booking.c.starts_at >= window[0],
            booking.c.starts_at < window[1],
        )
        return {str(i) for i in session.scalars(query)}


def _text(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_phases_bring_reference_data_then_the_calendar_then_the_rest(sync_world: SyncWorld) -> None:
    sync, engine = new_desk(sync_world, "new-desk", page_limit=150)
    api: RecordingApi = sync._api  # type: ignore[assignment]  # noqa: SLF001
    usable_at: list[tuple[int, int]] = []
    sync.on_calendar_usable = lambda: usable_at.append((count_today(engine), count_outside(engine, WINDOW)))
    assert not sync.status().calendar_usable

    report = sync.sync_once()

    assert report.ok, report.error
    order = api.priorities()
    assert order == sorted(order, key=lambda p: 4 if p is None else p) and set(order) == {1, 2, 3, None}
    assert order.count(2) > 1 and order.count(3) > 1  # several pages: each phase has its own cursor
    phase1, phase2, phase3 = api.rows(1), api.rows(2), api.rows(3)
    assert {e for e, _ in phase1} <= REFERENCE_ENTITIES
    cloud = cloud_versions(sync_world)
    assert len(phase1) == sum(len(cloud[e]) for e in REFERENCE_ENTITIES)
    assert {e for e, _ in phase2} <= {"booking", "booking_item", "customer"}
    assert all(in_window(r["starts_at"]) for e, r in phase2 if e == "booking")
    assert all(in_window(r["start_at"]) for e, r in phase2 if e == "booking_item")
    booked = {r["customer_id"] for e, r in phase2 if e == "booking"}
    assert {r["id"] for e, r in phase2 if e == "customer"} == booked - {None}
    assert not [e for e, _ in phase3 if e in REFERENCE_ENTITIES]
    assert not [r for e, r in phase3 if e == "booking" and in_window(r["starts_at"])]
    assert {r["id"] for e, r in phase2 if e == "booking"} == cloud_bookings(sync_world, WINDOW)
    assert {r["id"] for e, r in phase2 + phase3 if e == "booking"} == set(cloud["booking"])
    # The calendar became usable once, after the last phase-2 page was applied and before any phase-3 page
    # was (the first one may already be on its way: pages are read one ahead), with every booking of today in.
    today_bookings = sum(1 for e, r in phase2 if e == "booking" and in_window(r["starts_at"], TODAY))
    assert usable_at == [(today_bookings, 0)] and today_bookings > 0
    assert len(cloud_bookings(sync_world, TODAY)) == today_bookings
    # The desk now holds exactly the cloud's rows, and later runs are incremental.
    assert desk_versions(engine) == cloud
    assert report.calendar_usable and sync.status().calendar_usable and sync.status().initial_phase is None
    again = sync.sync_once()
    assert again.ok and again.pulled == 0 and api.priorities()[len(order) :] == [None]
    engine.dispose()


def test_the_next_page_is_requested_while_this_one_is_applied(sync_world: SyncWorld) -> None:
    """Pages are read one ahead: the first phase-3 request leaves before the last phase-2 page is applied
    (on_calendar_usable runs right after that apply, and waits here for the request to start; read in turn,
    it would wait in vain), and the desk still ends with exactly the cloud's rows."""
    requested = threading.Event()
    overlapped: list[bool] = []

    def hook(priority: int | None, pages: int) -> None:
        if priority == 3 and pages == 0:
            requested.set()

    sync, engine = new_desk(sync_world, "new-desk", page_limit=150, hook=hook)
    sync.on_calendar_usable = lambda: overlapped.append(requested.wait(5))

    report = sync.sync_once()

    assert report.ok, report.error
    assert overlapped == [True]
    assert desk_versions(engine) == cloud_versions(sync_world)
    engine.dispose()


def free_move(desk: Desk, booking_id: str, first_day: int) -> RescheduleBooking:
    """The booking's single item moved to the first free start from that day on, same staff."""
    item_id, staff_id = desk.rows(
        "SELECT id, staff_id FROM booking_item WHERE booking_id = :b", b=booking_id
    )[0]
    for day_offset in range(first_day, first_day + 14):
        day = (DEMO_NOW + timedelta(days=day_offset)).replace(hour=6, minute=0)  # 09:00 Riyadh
        for step in range(24):
            start = day + timedelta(minutes=30 * step)
            cmd = RescheduleBooking(booking_id, (ItemMove(item_id, staff_id, start),))
            try:
                desk.service.bookings.check_move(cmd)
            except Exception:  # noqa: BLE001 - try the next start
                continue
            return cmd
    raise AssertionError("no free start to move the booking to")


def test_writes_during_the_phases_reach_the_new_desk(sync_world: SyncWorld) -> None:
    """Each write lands at a moment a careless switch to the incremental cursor would lose it; the nastiest:
    a booking outside the window (so not in phase 2) moved into it once phase 2 is over (so phase 3 skips
    it too) reaches the desk only because the incremental cursor starts at the head seen before phase 1."""
    other = sync_world.desk("Desk 2")
    far = other.service.bookings.create(free_booking(other, day_offset=90)).id
    assert other.sync.sync_once().applied == 1
    customer = first_customer(other)
    move = free_move(other, far, first_day=2)
    moved_to = move.moves[0].start_at
    done: list[str] = []

    def hook(priority: int | None, pages: int) -> None:
        if priority == 2 and pages == 0 and "edit" not in done:  # phase 1 took the head, then this
            done.append("edit")
            other.service.customers.update(UpdateCustomer(customer, {"notes": "edited after phase 1"}))
            other.sync.sync_once()
        if priority == 2 and pages == 1 and "new" not in done:  # in the middle of phase 2
            done.append("new")
            other.service.bookings.create(free_booking(other, day_offset=1))
            other.sync.sync_once()
        if priority == 3 and pages == 0 and "move" not in done:  # phase 2 is over
            done.append("move")
            other.service.bookings.reschedule(move)
            assert other.sync.sync_once().applied == 1

    sync, engine = new_desk(sync_world, "new-desk", page_limit=150, hook=hook)
    report = sync.sync_once()

    assert report.ok, report.error
    assert done == ["edit", "new", "move"]
    api: RecordingApi = sync._api  # type: ignore[assignment]  # noqa: SLF001
    assert far not in {r["id"] for p in (2, 3) for e, r in api.rows(p) if e == "booking"}
    assert far in {r["id"] for e, r in api.rows(None) if e == "booking"}
    assert desk_versions(engine) == cloud_versions(sync_world)
    with engine.connect() as conn:
        starts = conn.execute(text("SELECT starts_at FROM booking WHERE id = :b"), {"b": far}).scalar_one()
        notes = conn.execute(text("SELECT notes FROM customer WHERE id = :c"), {"c": customer}).scalar_one()
    assert starts == _text(moved_to) and notes == "edited after phase 1"
    engine.dispose()


def test_another_desk_writing_in_a_thread_loses_nothing(sync_world: SyncWorld) -> None:
    other = sync_world.desk("Desk 2")
    requests = [free_booking(other, day_offset=d) for d in (1, 3, 75, 100)]
    sync, engine = new_desk(sync_world, "new-desk", page_limit=60)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for i, cmd in enumerate(requests):
                other.service.bookings.create(cmd)
                other.service.customers.update(UpdateCustomer(first_customer(other), {"notes": f"note {i}"}))
                other.sync.sync_once()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    report = sync.sync_once()
    writer.join(30)
    assert not failures and report.ok, (failures, report.error)
    assert sync.sync_once().ok  # what the writer did after the last pull
    assert desk_versions(engine) == cloud_versions(sync_world)
    engine.dispose()


def test_an_interrupted_initial_sync_resumes_in_its_phase(sync_world: SyncWorld) -> None:
    def hook(priority: int | None, pages: int) -> None:
        if priority == 3 and pages == 2 and not failed:
            failed.append(True)
            raise SyncHttpError("offline", code="ConnectError")

    failed: list[bool] = []
    sync, engine = new_desk(sync_world, "new-desk", page_limit=100, hook=hook)
    first = sync.sync_once()
    assert first.error == "offline" and first.calendar_usable and sync.status().initial_phase == 3
    api: RecordingApi = sync._api  # type: ignore[assignment]  # noqa: SLF001
    before = len(api.pages)
    assert sync.sync_once().ok
    assert api.priorities()[before] == 3  # resumed phase 3 where it stopped, not from phase 1
    assert desk_versions(engine) == cloud_versions(sync_world)
    engine.dispose()


def test_phase_cursors_carry_the_anchor_and_are_refused_as_incremental_cursors(sync_world: SyncWorld) -> None:
    cursor = format_phase_cursor("e1a2b3", 42, DEMO_NOW.date())
    assert parse_phase_cursor(cursor) == ("e1a2b3", 42, DEMO_NOW.date())
    assert parse_phase_cursor("e1a2b3.42") == ("e1a2b3", 42, None)
    with pytest.raises(ValueError):
        parse_cursor(cursor)
    _, token = sync_world.cloud.enrolled_desk("receptionist", salon_id=sync_world.salon_id)
    with sync_world.cloud.client() as http:
        auth = {"Authorization": f"Bearer {token}"}
        epoch = http.get("/v1/sync/pull", params={"limit": 1}, headers=auth).json()["epoch"]
        phase = {"cursor": format_phase_cursor(epoch, 0, DEMO_NOW.date()), "limit": 1}
        assert http.get("/v1/sync/pull", params=phase, headers=auth).status_code == 400
        assert http.get("/v1/sync/pull", params={**phase, "priority": 3}, headers=auth).status_code == 200
        assert http.get("/v1/sync/pull", params={**phase, "priority": 4}, headers=auth).status_code == 422


def test_a_desk_that_already_pulled_never_runs_the_phases(sync_world: SyncWorld) -> None:
    sync, engine = new_desk(sync_world, "new-desk", page_limit=1000)
    sync.sync_once()
    api: RecordingApi = sync._api  # type: ignore[assignment]  # noqa: SLF001
    other = sync_world.desk("Desk 2")
    other.service.bookings.create(free_booking(other, day_offset=1))
    other.sync.sync_once()
    before = len(api.pages)
    report = sync.sync_once()
    assert report.pulled >= 2 and set(api.priorities()[before:]) == {None}
    assert desk_versions(engine) == cloud_versions(sync_world)
    assert parse_cursor(_cursor(engine))[1] > 0
    engine.dispose()


def _cursor(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM sync_state WHERE key = 'cursor'")).scalar_one()
