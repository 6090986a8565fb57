"""The reminder scheduler: queues `reminder_24h` / `reminder_2h` jobs when they fall due.

A reminder is due at `starts_at - lead`. It is queued when that moment has come, the appointment has not
started, the booking already existed at that moment (a booking made 3 hours ahead gets no "tomorrow"
reminder) and no shorter reminder is due too (a worker that was down sends one reminder, not two).
Only live bookings (requested, confirmed) of customers who consented are reminded (`enqueue` checks it).
Runs per salon inside the salon's writer lock, so two schedulers never queue the same reminder.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..sync.changes import ChangeSet
from ..sync.tables import REPLICATED_TABLES
from .events import LIVE_STATUSES, REMINDERS, Event
from .outbox import enqueue
from .rows import NotificationJobRow
from .settings import NotifySettings

BOOKINGS = REPLICATED_TABLES["booking"]
log = logging.getLogger(__name__)


def due_reminder(
    starts_at: datetime, created_at: datetime, now: datetime, leads: dict[Event, timedelta]
) -> Event | None:
    """The one reminder to queue now for a booking, if any (the shortest lead that is due)."""
    due = [
        (lead, event)
        for event, lead in leads.items()
        if starts_at - lead <= now < starts_at and created_at < starts_at - lead
    ]
    return min(due)[1] if due else None


def schedule_reminders(db: Database, now: datetime, settings: NotifySettings) -> dict[str, int]:
    """Queues every reminder due at `now`; returns salon id -> reminders queued."""
    leads = settings.reminder_events
    if not leads:
        return {}
    horizon = now + max(leads.values())
    with db.reader() as session:
        candidates = session.execute(
            select(BOOKINGS.c.salon_id, BOOKINGS.c.id, BOOKINGS.c.starts_at, BOOKINGS.c.created_at).where(
                BOOKINGS.c.starts_at > now,
                BOOKINGS.c.starts_at <= horizon,
                BOOKINGS.c.status.in_(LIVE_STATUSES),
                BOOKINGS.c.deleted_at.is_(None),
            )
        ).all()
        by_salon: dict[str, list[tuple[str, Event]]] = defaultdict(list)
        for salon_id, booking_id, starts_at, created_at in candidates:
            event = due_reminder(starts_at, created_at, now, leads)
            if event is not None:
                by_salon[salon_id].append((booking_id, event))
        queued = _already_queued(session, [b for due in by_salon.values() for b, _ in due])
    by_salon = {s: [d for d in due if d not in queued] for s, due in by_salon.items()}
    created: dict[str, int] = {}
    for salon_id, due in sorted(by_salon.items()):
        try:
            count = _queue_for_salon(db, salon_id, due, now)
        except Exception:  # noqa: BLE001 - one salon's bad rows never keep another salon's reminders back
            log.exception("reminders not queued", extra={"fields": {"salon_id": salon_id}})
            continue
        if count:
            created[salon_id] = count
    return created


def _already_queued(session: Session, booking_ids: list[str]) -> set[tuple[str, Event]]:
    found: set[tuple[str, Event]] = set()
    for start in range(0, len(booking_ids), 500):
        rows = session.execute(
            select(NotificationJobRow.booking_id, NotificationJobRow.event).where(
                NotificationJobRow.booking_id.in_(booking_ids[start : start + 500]),
                NotificationJobRow.event.in_([e.value for e in REMINDERS]),
            )
        )
        found |= {(booking_id, Event(event)) for booking_id, event in rows}
    return found


def _queue_for_salon(db: Database, salon_id: str, due: list[tuple[str, Event]], now: datetime) -> int:
    with db.session() as session:
        changes = ChangeSet(session, salon_id)
        count = sum(1 for booking_id, event in due if enqueue(changes, booking_id, event, now) is not None)
        if count:
            session.commit()
    return count
