"""The server's overlap invariant follows the stylist's busy segments: a colour's processing phase leaves
her free for another client, as the desk's own check says; a busy phase still cannot be double-booked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salon_desk.cloud.db import make_engine
from salon_desk.cloud.migrate import alembic_config, upgrade_engine
from salon_desk.cloud.sync.context import is_overlap
from salon_desk.cloud.sync.segments import sync_busy_segments
from salon_desk.cloud.sync.tables import BOOKING_ITEM_BUSY, REPLICATED_TABLES
from salon_desk.usecases.commands import CreateBooking, ItemMove, ItemRequest, RescheduleBooking
from tests.conftest import DEMO_NOW

from .conftest import Desk, SyncWorld, first_customer

PROCESSING_STARTS = timedelta(minutes=30)  # the demo colour: apply 30 (busy), process 40 (free), finish 20


def _service_id(desk: Desk, name_en: str) -> str:
    return next(s.id for s in desk.service.reference.services() if s.name_en == name_en)


def _fits(desk: Desk, cmd: CreateBooking) -> bool:
    try:
        desk.service.bookings.check(cmd)
    except Exception:  # noqa: BLE001 - not free here; try the next start
        return False
    return True


def colour_and_gap_booking(desk: Desk, *, day_offset: int = 3) -> tuple[CreateBooking, CreateBooking]:
    """A colour with its phases, and a blow-dry for the same stylist inside its processing gap."""
    colour, blow_dry = _service_id(desk, "Hair colour"), _service_id(desk, "Blow-dry")
    customer = first_customer(desk)
    staff = [s for s in desk.service.reference.qualified_staff(colour) if s in desk.service.reference.qualified_staff(blow_dry)]
    for offset in range(day_offset, day_offset + 14):  # the demo's near days are well booked
        day = (DEMO_NOW + timedelta(days=offset)).replace(hour=7, minute=0)
        for staff_id, step in ((s, n) for s in staff for n in range(24)):
            start = day + timedelta(minutes=30 * step)
            first = CreateBooking((ItemRequest(colour, staff_id, start),), customer_id=customer)
            second = CreateBooking(
                (ItemRequest(blow_dry, staff_id, start + PROCESSING_STARTS),), customer_id=customer
            )
            if _fits(desk, first) and _fits(desk, second):
                return first, second
    raise AssertionError("no stylist free for a colour in the demo salon")


def _server_bookings(world: SyncWorld, *ids: str) -> dict[str, tuple[str, int]]:
    """booking id -> (status, number of active items) on the server."""
    booking, item = REPLICATED_TABLES["booking"], REPLICATED_TABLES["booking_item"]
    with world.cloud.db.reader() as session:
        statuses = dict(
            session.execute(select(booking.c.id, booking.c.status).where(booking.c.id.in_(ids))).all()
        )
        items = session.execute(
            select(item.c.booking_id, item.c.active).where(item.c.booking_id.in_(ids))
        ).all()
    return {
        str(b): (status, sum(1 for i in items if i.booking_id == b and i.active))
        for b, status in statuses.items()
    }


def _server_conflicts(world: SyncWorld) -> list[tuple[str, str, dict[str, Any]]]:
    table = REPLICATED_TABLES["sync_conflict"]
    with world.cloud.db.reader() as session:
        rows = session.execute(select(table.c.kind, table.c.entity_id, table.c.params)).all()
    return [(r.kind, str(r.entity_id), r.params) for r in rows]


def test_a_booking_in_a_colours_processing_gap_syncs_without_a_conflict(sync_world: SyncWorld) -> None:
    desk = sync_world.desk("Desk 1")
    colour_cmd, gap_cmd = colour_and_gap_booking(desk)
    colour = desk.service.bookings.create(colour_cmd).id
    assert desk.scalar("SELECT phases FROM booking_item WHERE booking_id = :b", b=colour) not in (None, "[]")
    gap = desk.service.bookings.create(gap_cmd).id  # the desk's own check allows it

    report = desk.sync.sync_once()

    assert (report.applied, report.conflicts, report.refused) == (2, 0, 0), report
    assert _server_bookings(sync_world, colour, gap) == {
        colour: ("requested", 1),
        gap: ("requested", 1),
    }
    assert _server_conflicts(sync_world) == []
    assert desk.sync.status().open_conflicts == 0


def test_a_booking_over_a_busy_phase_is_still_quarantined(sync_world: SyncWorld) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    colour_cmd, gap_cmd = colour_and_gap_booking(desk1)
    staff_id = colour_cmd.items[0].staff_id
    finish = gap_cmd.items[0].start_at + timedelta(minutes=40)  # the colour's busy finishing phase
    clash = CreateBooking(
        (ItemRequest(gap_cmd.items[0].service_id, staff_id, finish),), customer_id=first_customer(desk2)
    )
    colour = desk1.service.bookings.create(colour_cmd).id
    late = desk2.service.bookings.create(clash).id  # offline: desk 2 does not know the colour yet

    assert desk1.sync.sync_once().applied == 1
    report = desk2.sync.sync_once()

    assert (report.applied, report.conflicts) == (0, 1), report
    assert _server_bookings(sync_world, colour, late) == {
        colour: ("requested", 1),
        late: ("needs_attention", 0),
    }
    [(kind, entity_id, params)] = _server_conflicts(sync_world)
    assert (kind, entity_id) == ("overlap", late)
    assert params["existing_booking_id"] == colour
    assert params["staff_id"] == staff_id


def test_moving_a_booking_onto_a_busy_phase_is_refused_but_into_the_gap_is_applied(
    sync_world: SyncWorld,
) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    colour_cmd, gap_cmd = colour_and_gap_booking(desk1)
    colour = desk1.service.bookings.create(colour_cmd).id
    assert desk1.sync.sync_once().applied == 1
    gap_start = gap_cmd.items[0].start_at
    # Desk 2 books the blow-dry at another free time, then moves it into the processing gap.
    assert desk2.sync.sync_once().ok
    service_id, staff_id = gap_cmd.items[0].service_id, gap_cmd.items[0].staff_id
    candidates = (
        CreateBooking((ItemRequest(service_id, staff_id, gap_start + timedelta(minutes=m)),), customer_id=c)
        for m in (75, 90, 120, -60, -90, -120, 150, 180)
        for c in (first_customer(desk2),)
    )
    later = next(cmd for cmd in candidates if _fits(desk2, cmd))
    moved = desk2.service.bookings.create(later).id
    item_id = desk2.scalar("SELECT id FROM booking_item WHERE booking_id = :b", b=moved)
    desk2.service.bookings.reschedule(_move(moved, item_id, gap_cmd.items[0].staff_id, gap_start))
    report = desk2.sync.sync_once()
    assert (report.applied, report.conflicts, report.refused) == (2, 0, 0), report
    assert _server_bookings(sync_world, colour, moved) == {colour: ("requested", 1), moved: ("requested", 1)}


def _move(booking_id: str, item_id: str, staff_id: str, start: datetime) -> RescheduleBooking:
    return RescheduleBooking(booking_id, (ItemMove(item_id, staff_id, start),))


# ---------------------------------------------------------------- migration c0005 on existing data

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
SALON = "01a04084-3001-738b-a652-e44da7f29e26"
COLOUR_PHASES = [
    {"minutes": 30, "staff_busy": True},
    {"minutes": 40, "staff_busy": False},
    {"minutes": 20, "staff_busy": True},
]


def _item(
    n: int, staff: str, start: datetime, minutes: int, buffer: int, phases: list[Any]
) -> dict[str, Any]:
    end = start + timedelta(minutes=minutes)
    return {
        "id": f"01a04084-0000-7000-8000-{n:012d}",
        "salon_id": SALON,
        "booking_id": f"01a04084-0000-7000-9000-{n:012d}",
        "service_id": "s",
        "staff_id": staff,
        "start_at": start,
        "end_at": end,
        "busy_until": end + timedelta(minutes=buffer),
        "price_halalas": 0,
        "phases": phases,
        "active": True,
        "created_at": T0,
        "updated_at": T0,
        "deleted_at": None,
        "server_seq": 1,
        "field_meta": {},
    }


def _segments_of(session: Any, item_id: str) -> list[tuple[datetime, datetime, bool]]:
    busy = BOOKING_ITEM_BUSY
    rows = session.execute(
        select(busy.c.start_at, busy.c.end_at, busy.c.active)
        .where(busy.c.booking_item_id == item_id)
        .order_by(busy.c.start_at)
    ).all()
    return [tuple(r) for r in rows]


def test_the_migration_backfills_segments_and_moves_the_invariant(cloud_database_url: str) -> None:
    engine = make_engine(cloud_database_url)
    items = REPLICATED_TABLES["booking_item"]
    colour = _item(1, "reem", T0, 90, 10, COLOUR_PHASES)
    cut = {**_item(2, "sara", T0, 45, 10, []), "active": False}
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "c0004")
            connection.execute(insert(items), [colour, cut])
        upgrade_engine(engine)
        minute = timedelta(minutes=1)
        with Session(engine) as session:
            assert _segments_of(session, colour["id"]) == [
                (T0, T0 + 30 * minute, True),
                (T0 + 70 * minute, T0 + 100 * minute, True),
            ]
            assert _segments_of(session, cut["id"]) == [(T0, T0 + 55 * minute, False)]
            # The stylist is free during the processing phase, not during the finish.
            gap = _item(3, "reem", T0 + 30 * minute, 30, 5, [])
            session.execute(insert(items), [gap])
            sync_busy_segments(session, gap)
            session.commit()
            late = _item(4, "reem", T0 + 65 * minute, 30, 5, [])
            session.execute(insert(items), [late])
            with pytest.raises(IntegrityError) as refused:
                sync_busy_segments(session, late)
            assert is_overlap(refused.value)
            session.rollback()
    finally:
        engine.dispose()
