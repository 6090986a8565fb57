"""What the cloud tells customers, and the life of one message.

Events are keyed per booking: the outbox's unique (booking, recipient, event, channel, occurrence) means each
event reaches a customer at most once per booking, ever, except the REPEATABLE ones: each reschedule is news,
so it takes the next occurrence number (and supersedes an earlier one not yet sent). Booking events answer something that just happened and
go out at any hour (service messages, DESIGN §7); reminders are service messages too, but we hold them
back during the salon's quiet hours (see `quiet.py`) as a courtesy, and only with the customer's consent.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from salon_desk.domain.booking import NOTIFY_ON, BookingStatus


class Event(StrEnum):
    BOOKING_CREATED = "booking_created"
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    BOOKING_CANCELLED = "booking_cancelled"
    REMINDER_24H = "reminder_24h"
    REMINDER_2H = "reminder_2h"
    PAYMENT_LINK = "payment_link"
    RECEIPT = "receipt"


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting for its time (next_attempt_at)
    SENDING = "sending"  # claimed by a worker; lease_until bounds the claim
    SENT = "sent"  # the provider took it
    FAILED = "failed"  # the last attempt failed; retried at next_attempt_at
    DEAD = "dead"  # given up: too many attempts, refused by the provider, or outcome unknown
    SKIPPED = "skipped"  # not sent on purpose: booking gone/cancelled, no consent, too late, number changed


# Events that may happen again to the same booking, each time worth a message (occurrence 1, 2, ...).
REPEATABLE = frozenset({Event.BOOKING_RESCHEDULED, Event.PAYMENT_LINK})  # each pay link is its own message

CLAIMABLE = (JobStatus.PENDING.value, JobStatus.FAILED.value)
FINAL = frozenset({JobStatus.SENT, JobStatus.DEAD, JobStatus.SKIPPED})

REMINDERS: dict[Event, timedelta] = {
    Event.REMINDER_24H: timedelta(hours=24),
    Event.REMINDER_2H: timedelta(hours=2),
}
REMINDER_BY_HOURS = {24: Event.REMINDER_24H, 2: Event.REMINDER_2H}

# Events that carry the booking page link (issue_link), so the customer can confirm, see or cancel.
WITH_BOOKING_LINK = frozenset(
    {
        Event.BOOKING_CREATED,
        Event.BOOKING_CONFIRMED,
        Event.BOOKING_RESCHEDULED,
        Event.REMINDER_24H,
        Event.REMINDER_2H,
    }
)
# A message about a booking that is no longer live is pointless (or misleading): skipped at send time.
NEEDS_LIVE_BOOKING = WITH_BOOKING_LINK
LIVE_STATUSES = frozenset({BookingStatus.REQUESTED.value, BookingStatus.CONFIRMED.value})


def event_for_status(status: str) -> Event | None:
    """The message a booking's new status sends (the domain decides which transitions notify)."""
    name = NOTIFY_ON.get(BookingStatus(status))
    return Event(name) if name else None
