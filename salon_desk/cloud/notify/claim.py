"""Claiming due jobs: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers, each gets
different rows); on SQLite the writer session's BEGIN IMMEDIATE makes every claim exclusive.

Claiming is fair across salons: a round visits the salons with due jobs round-robin (`due_salons`, starting
after the salon the previous round ended with) and takes at most `per_salon` jobs of each (`plan_round`), so
one salon's backlog or failing jobs never keep another salon's messages waiting for more than one round.

A claimed job is checked against the present state first (the booking may have been cancelled or moved,
the customer may have withdrawn consent or changed number, a reminder may fall in quiet hours); then its
text is rendered once (retries resend the same text; a text with a booking link is stored with the link
redacted, `links.tokens.redact_links`, and rendered with a fresh link when retried) and it is leased to
this worker as `sending`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..links.tokens import REDACTED, redact_links
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
REDACTED_LINK = "/b/" + REDACTED


@dataclass(frozen=True)
class Claimed:
    job_id: str
    salon_id: str
    channel: Channel
    phone: str
    body: str
    sender_name: str | None


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (NotificationJobRow.status.in_(CLAIMABLE), NotificationJobRow.next_attempt_at <= now)


def due_salons(session: Session, now: datetime, after: str | None, limit: int) -> list[tuple[str, int]]:
    """Up to `limit` salons with due jobs and how many each has, round-robin: the salons after `after` (by
    id) first, then from the first salon on."""
    query = (
        select(NotificationJobRow.salon_id, func.count())
        .where(*_due(now))
        .group_by(NotificationJobRow.salon_id)
        .order_by(NotificationJobRow.salon_id)
        .limit(limit)
    )
    later: list[tuple[str, int]] = []
    if after:
        later = [(s, n) for s, n in session.execute(query.where(NotificationJobRow.salon_id > after))]
    if len(later) < limit:
        seen = {s for s, _ in later}
        later += [(s, n) for s, n in session.execute(query) if s not in seen][: limit - len(later)]
    return later


def plan_round(
    salons: list[tuple[str, int]], batch_size: int, per_salon: int
) -> tuple[list[tuple[str, int]], str | None]:
    """How many jobs of each salon this round claims, and the last salon served (where the next round goes
    on). The budget goes round-robin in the order `salons` came, at most `per_salon` each; the plan is in
    salon id order, so every worker takes salon locks in one order and two workers never deadlock."""
    plan: dict[str, int] = {}
    remaining, last = batch_size, None
    for salon_id, due in salons:
        if remaining <= 0:
            break
        plan[salon_id] = min(per_salon, due, remaining)
        remaining, last = remaining - plan[salon_id], salon_id
    return sorted(plan.items()), last


def due_jobs(
    session: Session, now: datetime, limit: int, salon_id: str | None = None
) -> list[NotificationJobRow]:
    query = select(NotificationJobRow).where(*_due(now))
    if salon_id is not None:
        query = query.where(NotificationJobRow.salon_id == salon_id)
    query = query.order_by(NotificationJobRow.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
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
        body = job.body
        if body is None or REDACTED_LINK in body:  # a redacted link cannot be resent: render it anew
            try:
                body = render(job.event, job.language, self._facts(session, job, ctx, now))
            except LookupError:  # the links service found no items to link to
                _set(job, now, status=JobStatus.SKIPPED, error="booking_not_live")
                return None
            job.body = redact_links(body)  # stored and replicated without the link's token
        _set(
            job,
            now,
            status=JobStatus.SENDING,
            lease_until=now + timedelta(seconds=self._settings.lease_seconds),
        )
        job.attempts += 1
        assert ctx.customer is not None
        return Claimed(
            job.id, job.salon_id, Channel(job.channel), ctx.customer["phone"], body, ctx.salon.sms_sender
        )

    def _later(self, job: NotificationJobRow, ctx: JobContext, now: datetime) -> datetime | None:
        """When a reminder should go instead of now: its due time if the booking moved later, or the end
        of the salon's quiet hours."""
        event = Event(job.event)
        if event not in REMINDERS or ctx.booking is None:
            return None
        due: datetime = ctx.booking["starts_at"] - REMINDERS[event]
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
