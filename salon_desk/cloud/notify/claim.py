"""Claiming due jobs: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers, each gets
different rows); on SQLite the writer session's BEGIN IMMEDIATE makes every claim exclusive.

A claimed job is checked against the present state first (the booking may have been cancelled or moved,
the customer may have withdrawn consent or changed number, a reminder may fall in quiet hours); then its
text is rendered once (retries resend the same text) and it is leased to this worker as `sending`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..messaging.base import Channel
from .events import (
    CLAIMABLE,
    LIVE_STATUSES,
    NEEDS_LIVE_BOOKING,
    REMINDERS,
    WITH_BOOKING_LINK,
    Event,
    JobStatus,
)
from .facts import JobContext, load_context
from .outbox import recipient_hash
from .quiet import quiet_until
from .rows import NotificationJobRow
from .settings import NotifySettings, parse_quiet_hours
from .templates import MessageFacts, render

LinkIssuer = Callable[[Session, str, str, datetime], str]


@dataclass(frozen=True)
class Claimed:
    job_id: str
    salon_id: str
    channel: Channel
    phone: str
    body: str
    sender_name: str | None


def due_jobs(session: Session, now: datetime, limit: int) -> list[NotificationJobRow]:
    query = (
        select(NotificationJobRow)
        .where(NotificationJobRow.status.in_(CLAIMABLE), NotificationJobRow.next_attempt_at <= now)
        .order_by(NotificationJobRow.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def expired_leases(session: Session, now: datetime, limit: int) -> list[NotificationJobRow]:
    query = (
        select(NotificationJobRow)
        .where(NotificationJobRow.status == JobStatus.SENDING, NotificationJobRow.lease_until < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


class Preparer:
    def __init__(self, settings: NotifySettings, issue_link: LinkIssuer) -> None:
        self._settings = settings
        self._issue_link = issue_link

    def prepare(self, session: Session, job: NotificationJobRow, now: datetime) -> Claimed | None:
        """Leases the job and returns what to send, or None after skipping or deferring it."""
        ctx = load_context(session, job.salon_id, job.booking_id, job.customer_id)
        reason = _skip_reason(job, ctx, now)
        if reason is not None:
            _set(job, now, status=JobStatus.SKIPPED, error=reason)
            return None
        if (later := self._later(job, ctx, now)) is not None:
            if ctx.booking is not None and later >= ctx.booking["starts_at"]:
                _set(job, now, status=JobStatus.SKIPPED, error="quiet_hours")
            else:
                _set(job, now, status=JobStatus.PENDING, next_attempt_at=later)
            return None
        if job.body is None:
            try:
                job.body = render(job.event, job.language, self._facts(session, job, ctx, now))
            except LookupError:  # the links service found no items to link to
                _set(job, now, status=JobStatus.SKIPPED, error="booking_not_live")
                return None
        _set(
            job,
            now,
            status=JobStatus.SENDING,
            lease_until=now + timedelta(seconds=self._settings.lease_seconds),
        )
        job.attempts += 1
        assert ctx.customer is not None
        return Claimed(
            job.id, job.salon_id, Channel(job.channel), ctx.customer["phone"], job.body, ctx.salon.sms_sender
        )

    def _later(self, job: NotificationJobRow, ctx: JobContext, now: datetime) -> datetime | None:
        """When a reminder should go instead of now: its due time if the booking moved later, or the end
        of the salon's quiet hours."""
        event = Event(job.event)
        if event not in REMINDERS or ctx.booking is None:
            return None
        due = ctx.booking["starts_at"] - REMINDERS[event]
        if due > now:
            return due
        salon_quiet = (ctx.salon.public_settings or {}).get("quiet_hours")
        quiet = parse_quiet_hours(salon_quiet) if salon_quiet is not None else self._settings.quiet
        return quiet_until(now, quiet, ctx.salon.timezone)

    def _facts(
        self, session: Session, job: NotificationJobRow, ctx: JobContext, now: datetime
    ) -> MessageFacts:
        link = str(job.params.get("link") or "")
        if Event(job.event) in WITH_BOOKING_LINK:
            link = self._issue_link(session, job.salon_id, job.booking_id, now)
        return MessageFacts(
            salon_name_ar=ctx.salon.name_ar,
            salon_name_en=ctx.salon.name_en,
            timezone=ctx.salon.timezone,
            starts_at=ctx.booking["starts_at"] if ctx.booking else None,
            link=link,
            amount_halalas=job.params.get("amount_halalas"),
            digit_style=ctx.digit_style,
            hijri=bool((ctx.salon.public_settings or {}).get("sms_hijri")),
        )


def _skip_reason(job: NotificationJobRow, ctx: JobContext, now: datetime) -> str | None:
    booking, customer, event = ctx.booking, ctx.customer, Event(job.event)
    if event in NEEDS_LIVE_BOOKING and not _is_live(booking):
        return "booking_not_live"
    if customer is None or not customer["phone"] or customer["deleted_at"] is not None:
        return "no_recipient"
    if recipient_hash(job.salon_id, customer["phone"]) != job.recipient_hash:
        return "recipient_changed"
    if event in REMINDERS:
        if not customer["consent_reminders"]:
            return "no_consent"
        if booking is None or now >= booking["starts_at"]:
            return "too_late"
    return None


def _is_live(booking: dict[str, object] | None) -> bool:
    return booking is not None and booking["deleted_at"] is None and booking["status"] in LIVE_STATUSES


def _set(job: NotificationJobRow, now: datetime, **values: object) -> None:
    for name, value in values.items():
        setattr(job, name, value.value if isinstance(value, JobStatus) else value)
    job.updated_at = now
