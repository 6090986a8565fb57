"""Finishing early frees the chair on the cloud too; an overrun syncs without a conflict; the server checks the
actual end against its own clock (issue 9). Real uvicorn on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from salon_desk.cloud.sync.tables import BOOKING_ITEM_BUSY, REPLICATED_TABLES
from salon_desk.usecases.commands import CreateBooking, ItemRequest, TransitionBooking
from tests.conftest import DEMO_NOW

from .conftest import Desk, SyncWorld

ITEMS, BOOKINGS, CONFLICTS = (REPLICATED_TABLES[n] for n in ("booking_item", "booking", "sync_conflict"))


def _service_id(desk: Desk, name_en: str) -> str:
    return next(s.id for s in desk.service.reference.services() if s.name_en == name_en)


def _customers(desk: Desk) -> list[str]:
    return [r[0] for r in desk.rows("SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 2")]


def _fits(desk: Desk, cmd: CreateBooking) -> bool:
    try:
        desk.service.bookings.check(cmd)
    except Exception:  # noqa: BLE001 - not free here; try the next start
        return False
    return True


def haircut_then_free_hour(desk: Desk) -> CreateBooking:
    """A 45-minute haircut (+10 cleanup) whose stylist is free for the hour after it, a few days ahead."""
    haircut, blow_dry = _service_id(desk, "Haircut"), _service_id(desk, "Blow-dry")
    customer = _customers(desk)[0]
    for offset in range(2, 16):
        day = (DEMO_NOW + timedelta(days=offset)).replace(hour=7, minute=0)  # 10:00 Riyadh
        for staff_id in desk.service.reference.qualified_staff(haircut):
            for step in range(16):
                start = day + timedelta(minutes=30 * step)
                cmd = CreateBooking((ItemRequest(haircut, staff_id, start),), customer_id=customer)
                later = CreateBooking((ItemRequest(blow_dry, staff_id, start + timedelta(minutes=60)),),
                                      customer_id=customer)
                if _fits(desk, cmd) and _fits(desk, later):
                    return cmd
    raise AssertionError("no stylist free for a haircut in the demo salon")


def _set_now(world: SyncWorld, now: datetime, *desks: Desk) -> None:
    world.cloud.clock.advance((now - world.cloud.clock.now()).total_seconds())
    for desk in desks:
        desk.clock.now = now


def _serve(world: SyncWorld, desk: Desk, booking_id: str, start: datetime) -> None:
    _set_now(world, start, *world.desks)
    for target in ("confirmed", "checked_in", "in_service"):
        desk.service.bookings.transition(TransitionBooking(booking_id, target))


def _server_item(world: SyncWorld, booking_id: str) -> dict:
    with world.cloud.db.reader() as session:
        item = session.execute(select(ITEMS).where(ITEMS.c.booking_id == booking_id)).mappings().one()
        busy = session.execute(select(BOOKING_ITEM_BUSY.c.start_at, BOOKING_ITEM_BUSY.c.end_at)
                               .where(BOOKING_ITEM_BUSY.c.booking_item_id == item["id"])).all()
    return {**item, "busy": sorted((s, e) for s, e in busy)}


def _server_status(world: SyncWorld, booking_id: str) -> str:
    with world.cloud.db.reader() as session:
        return session.execute(select(BOOKINGS.c.status).where(BOOKINGS.c.id == booking_id)).scalar_one()


def _conflicts(world: SyncWorld) -> list[tuple[str, dict]]:
    with world.cloud.db.reader() as session:
        return [(r.kind, r.params) for r in session.execute(select(CONFLICTS.c.kind, CONFLICTS.c.params))]


def test_an_early_finish_frees_the_time_for_another_desk_after_sync(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    cmd = haircut_then_free_hour(desk1)
    start, staff_id = cmd.items[0].start_at, cmd.items[0].staff_id
    visit = desk1.service.bookings.create(cmd).id
    assert desk1.sync.sync_once().applied == 1
    _serve(sync_world, desk1, visit, start)
    _set_now(sync_world, start + timedelta(minutes=5), desk1, desk2)
    desk1.service.bookings.transition(TransitionBooking(visit, "completed"))

    report = desk1.sync.sync_once()

    assert (report.applied, report.conflicts, report.refused) == (4, 0, 0), report
    item = _server_item(sync_world, visit)
    assert (item["actual_start_at"], item["actual_end_at"]) == (start, start + timedelta(minutes=5))
    assert (item["start_at"], item["end_at"]) == (start, start + timedelta(minutes=45))  # as booked
    assert item["busy"] == [(start, start + timedelta(minutes=15))]  # 10 minutes of cleanup, then free

    assert desk2.sync.sync_once().ok
    assert desk2.service.bookings.get(visit).items[0].actual_end_at == start + timedelta(minutes=5)
    blow_dry = _service_id(desk2, "Blow-dry")
    inside = CreateBooking((ItemRequest(blow_dry, staff_id, start + timedelta(minutes=15)),),
                           customer_id=_customers(desk2)[1])
    freed = desk2.service.bookings.create(inside).id  # desk 2's own check sees the stylist free
    report = desk2.sync.sync_once()

    assert (report.applied, report.conflicts, report.refused) == (1, 0, 0), report
    assert _server_status(sync_world, freed) == "requested"
    assert _conflicts(sync_world) == []


def test_an_overrun_into_the_next_booking_syncs_without_a_conflict(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    cmd = haircut_then_free_hour(desk1)
    start, staff_id = cmd.items[0].start_at, cmd.items[0].staff_id
    visit = desk1.service.bookings.create(cmd).id
    assert desk1.sync.sync_once().applied == 1
    assert desk2.sync.sync_once().ok
    next_start = start + timedelta(minutes=60)
    following = desk2.service.bookings.create(CreateBooking(
        (ItemRequest(_service_id(desk2, "Blow-dry"), staff_id, next_start),), customer_id=_customers(desk2)[1])).id
    assert desk2.sync.sync_once().applied == 1
    _serve(sync_world, desk1, visit, start)
    _set_now(sync_world, next_start + timedelta(minutes=10), desk1, desk2)  # ran 25 minutes into the next one
    desk1.service.bookings.transition(TransitionBooking(visit, "completed"))

    report = desk1.sync.sync_once()

    assert (report.applied, report.conflicts, report.refused) == (4, 0, 0), report
    item = _server_item(sync_world, visit)
    assert item["actual_end_at"] == next_start + timedelta(minutes=10)
    assert item["busy"] == [(start, start + timedelta(minutes=55))]  # the booked busy time, no more
    assert (_server_status(sync_world, visit), _server_status(sync_world, following)) == ("completed", "requested")
    assert _conflicts(sync_world) == []


def test_the_server_refuses_an_actual_end_ahead_of_its_clock(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    cmd = haircut_then_free_hour(desk)
    start = cmd.items[0].start_at
    visit = desk.service.bookings.create(cmd).id
    _serve(sync_world, desk, visit, start)
    assert desk.sync.sync_once().applied == 4
    desk.clock.now = start + timedelta(minutes=30)  # this PC's clock runs 30 minutes ahead of the server's
    desk.service.bookings.transition(TransitionBooking(visit, "completed"))

    report = desk.sync.sync_once()

    assert (report.applied, report.refused) == (0, 1), report
    assert _server_status(sync_world, visit) == "in_service"
    assert _server_item(sync_world, visit)["actual_end_at"] is None
    [(kind, params)] = _conflicts(sync_world)
    assert (kind, params["code"]) == ("invalid", "booking.actual_time_in_future")
    undone = desk.service.bookings.get(visit)  # the desk's optimistic completion is undone
    assert (undone.status.value, undone.items[0].actual_end_at) == ("in_service", None)
