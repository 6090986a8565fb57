"""The rules of editing availability (issue #10): a staff member's weekly hours, dated exceptions, and the
salon's business hours and closures. Checked on the desk before anything is written and again in the cloud.

Weekly spans use the same convention as the slot finder (`availability`, `calendar`): a wall-clock span whose
end is at or before its start runs past midnight. Past midnight is allowed up to `LATEST_PAST_MIDNIGHT`
(a Ramadan evening 21:00-03:00); anything later is taken as an end typed before its start and refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..errors import ValidationError
from ..i18n import N_
from ..model import AvailabilityException, AvailabilityRule, ExceptionKind, OpeningHours
from .availability import StaffSchedule, working_intervals
from .calendar import SalonSchedule, time_us
from .intervals import DAY_US, Interval

LATEST_PAST_MIDNIGHT = time(6, 0)
MAX_RANGE_DAYS = 366

MESSAGES = {
    "availability.end_before_start": N_("The time ends ({end}) before it starts ({start})."),
    "availability.empty": N_("The time from {start} to {end} is empty."),
    "availability.overlap": N_("Two working times overlap: {first} and {second}. Join them or shorten one."),
    "availability.break_outside_hours": N_(
        "The break from {start} to {end} is outside the staff member's working hours."
    ),
    "availability.bad_weekday": N_("The day of the week is not valid."),
    "availability.range_too_long": N_("A date range can cover at most {days} days."),
    "availability.range_reversed": N_("The range ends on {end}, before it starts on {start}."),
    "availability.bad_kind": N_("Choose time off, a break or an extra shift."),
    "availability.unsettled": N_(
        "{count} bookings no longer fit. Choose for each: keep it, move it to someone free, or cancel it."
    ),
    "availability.move_to_whom": N_("Choose who takes the booking."),
    "availability.not_found": N_("This time off or extra shift could not be found."),
    "salon.bad_value": N_("This value of the salon's settings is not allowed ({field})."),
    "salon.bad_sms_sender": N_("The SMS sender name has at most 11 English letters, digits, spaces or . & -"),
    "salon.hours_overlap": N_("Two business hours overlap: {first} and {second}."),
}



@dataclass(frozen=True, slots=True)
class WeeklySpan:
    """One painted stretch of a week: a weekday and a wall-clock start and end (end <= start: past midnight)."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None


def span_minutes(start: time, end: time) -> tuple[int, int]:
    """Minutes from the weekday's midnight: (start, end), end past 24h when the span runs past midnight."""
    lo = start.hour * 60 + start.minute
    hi = end.hour * 60 + end.minute
    return (lo, hi + 24 * 60) if hi <= lo else (lo, hi)


def check_span(start: time, end: time) -> None:
    """A weekly span that ends before it starts is refused, unless it runs past midnight into the small hours."""
    if start == end:
        raise ValidationError("availability.empty", start=_hm(start), end=_hm(end))
    if end < start and time_us(end) > time_us(LATEST_PAST_MIDNIGHT):
        raise ValidationError("availability.end_before_start", start=_hm(start), end=_hm(end))


def _periods_meet(a: WeeklySpan | AvailabilityRule, b: WeeklySpan | AvailabilityRule) -> bool:
    a_from, a_to = a.valid_from or date.min, a.valid_to or date.max
    b_from, b_to = b.valid_from or date.min, b.valid_to or date.max
    return a_from <= b_to and b_from <= a_to


def check_week(spans: Sequence[WeeklySpan | AvailabilityRule]) -> None:
    """Every span valid on its own, and no two spans of one person overlapping (on the same weekday, or a
    past-midnight span reaching into the next day's first span) while their validity periods meet."""
    week = 7 * 24 * 60
    placed: list[tuple[int, int, WeeklySpan | AvailabilityRule]] = []
    for span in spans:
        if not 0 <= span.weekday <= 6:
            raise ValidationError("availability.bad_weekday")
        check_span(span.start, span.end)
        if span.valid_from and span.valid_to and span.valid_to < span.valid_from:
            raise ValidationError("availability.range_reversed", start=span.valid_from.isoformat(),
                                  end=span.valid_to.isoformat())
        lo, hi = span_minutes(span.start, span.end)
        placed.append((span.weekday * 24 * 60 + lo, span.weekday * 24 * 60 + hi, span))
    for i, (lo_a, hi_a, a) in enumerate(placed):
        for lo_b, hi_b, b in placed[i + 1:]:
            if not _periods_meet(a, b):
                continue
            for shift in (-week, 0, week):  # Sunday night running into Monday morning
                if lo_a < hi_b + shift and lo_b + shift < hi_a:
                    first, second = (a, b) if lo_a <= lo_b + shift else (b, a)
                    raise ValidationError(
                        "availability.overlap",
                        first=f"{_hm(first.start)}–{_hm(first.end)}",
                        second=f"{_hm(second.start)}–{_hm(second.end)}",
                    )


def check_salon_hours(hours: Iterable[OpeningHours]) -> None:
    """Business hours: each span valid (past midnight allowed), no two overlapping."""
    spans = [WeeklySpan(h.weekday, h.start, h.end) for h in hours]
    try:
        check_week(spans)
    except ValidationError as error:
        if error.code == "availability.overlap":
            raise ValidationError("salon.hours_overlap", **error.params) from None
        raise


def check_exception(exc: AvailabilityException, rules: Sequence[AvailabilityRule], salon: SalonSchedule,
                    others: Sequence[AvailabilityException] = ()) -> None:
    """A dated exception: ends after it starts; a break lies inside the person's working time that day
    (weekly hours within the salon's, or an extra shift)."""
    if exc.kind not in set(ExceptionKind) or exc.kind is ExceptionKind.KEPT:  # KEPT only comes from settling
        raise ValidationError("availability.bad_kind")
    if exc.end_at <= exc.start_at:
        raise ValidationError("availability.end_before_start", start=exc.start_at.isoformat(),
                              end=exc.end_at.isoformat())
    if exc.kind is not ExceptionKind.BREAK:
        return
    extra = tuple(o for o in others if o.kind is ExceptionKind.EXTRA_HOURS)
    staff = StaffSchedule(exc.staff_id, tuple(rules), extra)
    window = Interval(exc.start_at, exc.end_at)
    working = working_intervals(staff, SalonSchedule(salon.tz, salon.opening_hours,
                                                     dated_hours=salon.dated_hours), window)
    if sum((w.end - w.start for w in working), timedelta()) < window.duration:
        raise ValidationError("availability.break_outside_hours", start=exc.start_at.isoformat(),
                              end=exc.end_at.isoformat())


def range_instants(tz: ZoneInfo, first_day: date, last_day: date, start: time | None = None,
                   end: time | None = None) -> tuple[datetime, datetime]:
    """A dated exception over a range of days (time off from Sunday to Thursday, a sick day): whole days
    from `first_day` 00:00 to the day after `last_day`, or from `start` on the first day to `end` on the last."""
    if last_day < first_day:
        raise ValidationError("availability.range_reversed", start=first_day.isoformat(), end=last_day.isoformat())
    if (last_day - first_day).days >= MAX_RANGE_DAYS:
        raise ValidationError("availability.range_too_long", days=MAX_RANGE_DAYS)
    lo = datetime.combine(first_day, start or time(), tzinfo=tz)
    hi = datetime.combine(last_day, end, tzinfo=tz) if end else datetime.combine(
        last_day + timedelta(days=1), time(), tzinfo=tz)
    if hi <= lo:
        if end is not None and start is not None and first_day == last_day and end < start:
            hi += timedelta(days=1)  # an extra shift past midnight
        else:
            raise ValidationError("availability.end_before_start", start=lo.isoformat(), end=hi.isoformat())
    return lo, hi


def _hm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


__all__ = ["DAY_US", "LATEST_PAST_MIDNIGHT", "MESSAGES", "WeeklySpan", "check_exception", "check_salon_hours",
           "check_span", "check_week", "range_instants", "span_minutes"]
