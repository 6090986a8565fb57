"""Writing to the notification outbox, always inside the transaction of the change that causes it.

    enqueue(changes, booking_id, Event.BOOKING_CONFIRMED, now)   # in a booking command's ChangeSet

The ChangeSet's first write takes the salon's sync counter lock, so every writer of one salon (pushes, the
reminder scheduler, the worker's status updates) is serialised and the check-then-insert below cannot race;
the unique (booking, recipient, event, channel, occurrence) constraint is the last line of defence. A
repeatable event (a reschedule) takes the next occurrence number, and an earlier one still waiting unsent is
skipped as superseded: the customer hears about the latest time, once per change.
Each job is mirrored as the replicated `notification` entity (same id), which desks pull.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select

from salon_desk.domain.booking import BookingStatus
from salon_desk.domain.ids import new_id
from salon_desk.domain.phone import mask_phone

from ..sync.changes import ChangeSet
from .events import CLAIMABLE, REMINDERS, REPEATABLE, Event, JobStatus
from .rows import NotificationJobRow
from .settings import NotifySettings


def recipient_hash(salon_id: str, phone: str) -> str:
    """A stable key for (salon, number): deduplicates without storing the number a second time."""
    return hashlib.sha256(f"{salon_id}:{phone}".encode()).hexdigest()


@cache
def configured_channel() -> str:
    return NotifySettings().channel


def enqueue(
    changes: ChangeSet,
    booking_id: str,
    event: Event,
    now: datetime,
    *,
    due: datetime | None = None,
    channel: str | None = None,
    params: dict[str, Any] | None = None,
) -> str | None:
    """Adds the job (and its desk-visible notification) unless the customer cannot or need not get it.

    Returns the job id, or None when nothing was queued (no customer phone, no reminder consent, or this
    message was already queued for this booking, recipient and channel; repeatable events are queued again).
    """
    changes.seq  # noqa: B018 - the salon's writer lock, before the check below
    booking = changes.get("booking", booking_id)
    customer = changes.get("customer", booking["customer_id"]) if booking and booking["customer_id"] else None
    if customer is None or not customer["phone"] or customer["deleted_at"] is not None:
        return None
    if event in REMINDERS and not customer["consent_reminders"]:
        return None
    channel = channel or configured_channel()
    key = recipient_hash(changes.salon_id, customer["phone"])
    if event in REPEATABLE:
        occurrence = _next_occurrence(changes, booking_id, key, event, channel, now)
    elif _already_queued(changes, booking_id, key, event, channel):
        return None
    else:
        occurrence = 1
    job = NotificationJobRow(
        id=new_id(int(now.timestamp() * 1000)),
        salon_id=changes.salon_id,
        booking_id=booking_id,
        customer_id=customer["id"],
        recipient_hash=key,
        recipient_masked=mask_phone(customer["phone"]),
        event=event.value,
        channel=channel,
        occurrence=occurrence,
        language=customer["language"] if customer["language"] in ("ar", "en") else "ar",
        params=params or {},
        body=None,
        status=JobStatus.PENDING.value,
        attempts=0,
        next_attempt_at=due or now,
        created_at=now,
        updated_at=now,
    )
    changes.session.add(job)
    changes.session.flush()
    publish(changes, job)
    return job.id


def _already_queued(changes: ChangeSet, booking_id: str, key: str, event: Event, channel: str) -> bool:
    found = changes.session.scalar(
        select(NotificationJobRow.id).where(
            NotificationJobRow.salon_id == changes.salon_id,
            NotificationJobRow.booking_id == booking_id,
            NotificationJobRow.recipient_hash == key,
            NotificationJobRow.event == event.value,
            NotificationJobRow.channel == channel,
        )
    )
    return found is not None


def _next_occurrence(
    changes: ChangeSet, booking_id: str, key: str, event: Event, channel: str, now: datetime
) -> int:
    """The number after the last one queued; earlier ones still waiting to go out (never sent, or failed and
    due for a retry that would tell the old time) are skipped as superseded."""
    same = (
        NotificationJobRow.salon_id == changes.salon_id,
        NotificationJobRow.booking_id == booking_id,
        NotificationJobRow.recipient_hash == key,
        NotificationJobRow.event == event.value,
        NotificationJobRow.channel == channel,
    )
    last = changes.session.scalar(select(func.max(NotificationJobRow.occurrence)).where(*same))
    waiting = changes.session.scalars(
        select(NotificationJobRow).where(*same, NotificationJobRow.status.in_(CLAIMABLE))
    ).all()
    for job in waiting:
        job.status, job.error, job.updated_at = JobStatus.SKIPPED.value, "superseded", now
        changes.session.flush()
        publish(changes, job)
    return (last or 0) + 1


def publish(changes: ChangeSet, job: NotificationJobRow) -> None:
    """Mirrors the job into the replicated `notification` row (apply_change: new seq, desks pull it)."""
    changes.upsert(
        "notification",
        {
            "id": job.id,
            "booking_id": job.booking_id,
            "recipient": job.recipient_masked,
            "event": job.event,
            "channel": job.sent_channel or job.channel,
            "language": job.language,
            "body": job.body or "",
            "status": job.status,
            "attempts": job.attempts,
            "provider_id": job.provider_id,
            "error": job.error,
            "created_at": job.created_at,
            "updated_at": job.updated_at,
            "deleted_at": None,
        },
    )


def event_for_new_booking(status: str) -> Event | None:
    """A booking request asks the customer to confirm; a booking made confirmed says so; walk-ins are
    already in the salon and get nothing."""
    if status == BookingStatus.REQUESTED:
        return Event.BOOKING_CREATED
    if status == BookingStatus.CONFIRMED:
        return Event.BOOKING_CONFIRMED
    return None
