"""A visit as it really ran: actual times of a completed visit and the stylist's busy time once they are known.

Actual times are facts recorded beside the booked interval, never instead of it. Business rules:
- Finishing early frees the chair: the stylist is busy for her booked busy time up to the actual end, then for
  her cleanup after it; the rest of the booked time is free again at once.
- An overrun is recorded as it happened but holds no extra time: the booked busy time stands, so a visit that
  ran late never becomes a conflict with the next booking (it has already happened).
- An item that had not begun by the visit's actual end holds no time at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..errors import ValidationError
from ..i18n import N_
from .intervals import Interval

# How far ahead of the clock that judges it an actual time may be (two machines' clocks never agree exactly).
MAX_CLOCK_SKEW = timedelta(minutes=5)

MESSAGES = {
    "booking.actual_end_before_start": N_("A visit cannot end before it started."),
    "booking.actual_time_in_future": N_("A visit cannot be recorded as started or finished in the future."),
}


def check_actual_time(actual: datetime, now: datetime, *, not_before: datetime | None = None) -> None:
    """An actual start or end: a tz-aware instant, not in the future (beyond MAX_CLOCK_SKEW) and, for an end,
    not before the visit's start."""
    if actual.tzinfo is None:
        raise ValidationError("booking.actual_time_in_future")
    if actual > now + MAX_CLOCK_SKEW:
        raise ValidationError("booking.actual_time_in_future")
    if not_before is not None and actual < not_before:
        raise ValidationError("booking.actual_end_before_start")


def item_actual_end(start_at: datetime, end_at: datetime, visit_booked_end: datetime,
                    visit_end: datetime) -> datetime:
    """The actual end of one booked item when its whole visit ended at `visit_end`.

    An item still running at the visit's end ends then (early); an item that had not begun holds nothing (it ends
    where it starts); the visit's last items carry an overrun; earlier items ran as booked.
    """
    if visit_end <= start_at:
        return start_at
    if visit_end < end_at or end_at == visit_booked_end:
        return visit_end
    return end_at


def busy_as_it_ran(booked: Sequence[Interval], start_at: datetime, end_at: datetime, busy_until: datetime,
                   actual_end: datetime | None) -> tuple[Interval, ...]:
    """The stylist's busy time of one item given its booked busy segments and its actual end (None: not
    finished yet, the booked segments stand)."""
    if actual_end is None or actual_end >= end_at:
        return tuple(booked)
    if actual_end <= start_at:
        return ()
    kept = [Interval(s.start, min(s.end, actual_end)) for s in booked if s.start < actual_end]
    cleanup = busy_until - end_at
    if cleanup > timedelta(0):
        if kept and kept[-1].end == actual_end:
            kept[-1] = Interval(kept[-1].start, actual_end + cleanup)
        else:
            kept.append(Interval(actual_end, actual_end + cleanup))
    return tuple(s for s in kept if s.start < s.end)
