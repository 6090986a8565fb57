"""The stylist's busy time for one booked service: active phases plus the cleanup buffer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..errors import ValidationError
from ..i18n import N_
from ..model import Phase
from .intervals import MINUTE_US, Interval, Span, from_us, to_us

MESSAGES = {
    "schedule.invalid_duration": N_("A duration must be a positive number of minutes, not {minutes}."),
    "schedule.invalid_buffer": N_("The time after a service cannot be negative ({minutes} minutes)."),
    "schedule.phases_mismatch": N_(
        "The phases of the service add up to {phases} minutes, but the service takes {duration} minutes."
    ),
}


def validate_service_time(duration_minutes: int, buffer_minutes: int, phases: Sequence[Phase]) -> None:
    if duration_minutes <= 0:
        raise ValidationError("schedule.invalid_duration", minutes=duration_minutes)
    if buffer_minutes < 0:
        raise ValidationError("schedule.invalid_buffer", minutes=buffer_minutes)
    for phase in phases:
        if phase.minutes <= 0:
            raise ValidationError("schedule.invalid_duration", minutes=phase.minutes)
    if phases and sum(p.minutes for p in phases) != duration_minutes:
        total = sum(p.minutes for p in phases)
        raise ValidationError("schedule.phases_mismatch", phases=total, duration=duration_minutes)


def phases_for_duration(phases: Sequence[Phase], duration_minutes: int) -> tuple[Phase, ...]:
    """The phases to book when a staff member has her own duration for the service (StaffService).

    Business rule: phases describe the service's standard duration. When the staff member's own
    duration differs, we cannot know which phase is shorter or longer, so she counts as busy for the
    whole of it (no processing gap). This never double-books; it only hides a gap.
    """
    if phases and sum(p.minutes for p in phases) == duration_minutes:
        return tuple(phases)
    return ()


def relative_busy_spans(
    duration_minutes: int, buffer_minutes: int, phases: Sequence[Phase] = ()
) -> list[Span]:
    """Busy spans in microseconds relative to the service start (validated)."""
    validate_service_time(duration_minutes, buffer_minutes, phases)
    if not phases:
        return [(0, (duration_minutes + buffer_minutes) * MINUTE_US)]
    spans: list[Span] = []
    offset = 0
    for phase in phases:
        end = offset + phase.minutes * MINUTE_US
        if phase.staff_busy:
            if spans and spans[-1][1] == offset:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((offset, end))
        offset = end
    buffer = buffer_minutes * MINUTE_US
    if buffer:
        # Cleanup follows the end of the service, so it extends the last busy stretch, or stands
        # alone after a final processing phase.
        if spans and spans[-1][1] == offset:
            spans[-1] = (spans[-1][0], offset + buffer)
        else:
            spans.append((offset, offset + buffer))
    return spans


def busy_segments(
    start: datetime, duration_minutes: int, buffer_minutes: int, phases: Sequence[Phase] = ()
) -> tuple[Interval, ...]:
    """The stylist's busy time for one service starting at `start`.

    No phases: one segment [start, start + duration + buffer). With phases (they must add up to the
    duration): only staff_busy phases are busy, adjacent busy phases merge, and the buffer (cleanup
    after the service ends) extends the last segment. Processing phases leave the stylist free.
    """
    base = to_us(start)
    return tuple(
        Interval(from_us(base + s), from_us(base + e))
        for s, e in relative_busy_spans(duration_minutes, buffer_minutes, phases)
    )
