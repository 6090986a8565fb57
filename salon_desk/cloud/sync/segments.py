"""The stylist's busy segments of each booking item, kept in `booking_item_busy` (server-only).

The overlap invariant (PostgreSQL EXCLUDE constraint / SQLite trigger, migration c0005) is on these
segments, not on the whole item: a colour's processing phase leaves the stylist free for another client,
exactly as the desk's own check (domain `busy_segments`) says. `ChangeSet.upsert` calls
`sync_busy_segments` for every booking_item it writes, in the same transaction, so a violation surfaces as
an IntegrityError at the same place as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Phase
from salon_desk.domain.scheduling import Interval, busy_as_it_ran, busy_segments, phases_for_duration

from .tables import BOOKING_ITEM_BUSY, REPLICATED_TABLES

MINUTE = timedelta(minutes=1)
ITEMS = REPLICATED_TABLES["booking_item"]


def _phases(raw: Any) -> tuple[Phase, ...]:
    if not isinstance(raw, list):
        return ()
    try:
        return tuple(Phase(int(p["minutes"]), bool(p.get("staff_busy", True))) for p in raw)
    except (TypeError, KeyError, ValueError, AttributeError):
        return ()


def item_busy_segments(item: dict[str, Any]) -> tuple[Interval, ...]:
    """The item's busy segments, as the desk computes them (usecases/schedule_inputs.item_segments), as it ran.

    Times that are not whole minutes, or phases the domain rejects, count as busy for the whole
    [start_at, busy_until): that never lets a double booking through, it only hides a gap.
    """
    start, end, busy_until = item["start_at"], item["end_at"], item["busy_until"]
    booked: tuple[Interval, ...] = (Interval(start, busy_until),)
    if not ((busy_until - start) % MINUTE or (end - start) % MINUTE):
        duration, buffer = (end - start) // MINUTE, (busy_until - end) // MINUTE
        with suppress(ValidationError):
            booked = busy_segments(start, duration, buffer, phases_for_duration(_phases(item["phases"]), duration))
    # A visit that finished early frees the rest of its booked time; an overrun holds no extra time.
    return busy_as_it_ran(booked, start, end, busy_until, item.get("actual_end_at"))


def sync_busy_segments(session: Session, item: dict[str, Any]) -> None:
    """Replaces the item's segments with ones computed from its present row (full row: every column)."""
    session.execute(
        delete(BOOKING_ITEM_BUSY).where(
            BOOKING_ITEM_BUSY.c.salon_id == item["salon_id"], BOOKING_ITEM_BUSY.c.booking_item_id == item["id"]
        )
    )
    insert_busy_segments(session, [item])


def insert_busy_segments(session: Session, items: Sequence[dict[str, Any]]) -> None:
    """Adds the segments of items that have none yet (one statement), e.g. a desk import's new items."""
    rows = [row for item in items for row in _busy_rows(item)]
    if rows:
        session.execute(insert(BOOKING_ITEM_BUSY), rows)


def _busy_rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "salon_id": item["salon_id"],
            "booking_item_id": item["id"],
            "staff_id": item["staff_id"],
            "start_at": segment.start,
            "end_at": segment.end,
            "active": bool(item.get("active")),
            "deleted_at": item.get("deleted_at"),
        }
        for segment in item_busy_segments(item)
        if segment.start < segment.end
    ]


def overlapping_item_id(
    session: Session, salon_id: str, staff_id: str, segments: Sequence[Interval], booking_id: str
) -> str | None:
    """An active item of another booking whose busy segments meet one of `segments`."""
    if not segments:
        return None
    busy = BOOKING_ITEM_BUSY
    return session.scalars(
        select(busy.c.booking_item_id)
        .join(ITEMS, and_(ITEMS.c.salon_id == busy.c.salon_id, ITEMS.c.id == busy.c.booking_item_id))
        .where(
            busy.c.salon_id == salon_id,
            busy.c.staff_id == staff_id,
            busy.c.active.is_(True),
            busy.c.deleted_at.is_(None),
            ITEMS.c.booking_id != booking_id,
            or_(*(and_(busy.c.start_at < s.end, busy.c.end_at > s.start) for s in segments)),
        )
        .order_by(busy.c.start_at)
        .limit(1)
    ).first()
