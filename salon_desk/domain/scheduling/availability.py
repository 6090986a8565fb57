"""A staff member's working time and free time, and whether a booking fits in it.

Working time = (((weekly rules ∩ salon opening hours) ∪ EXTRA_HOURS) minus closures) ∪ KEPT, minus TIME_OFF
and BREAK. Salon opening hours are the weekly ones or, inside their range, the dated ones (Ramadan).
Business rules chosen:
- EXTRA_HOURS is an explicit manager decision, so it wins over the salon's weekly hours (a stylist may
  come in early for a bride) but not over a closure: on Eid nobody is bookable.
- KEPT is the time of a booking a manager kept when hours changed ("keep it as an exception"): it wins over
  salon hours and closures too (a booking kept on Eid stays on Eid, and only it: the kept time is exactly
  the booking's), but not over TIME_OFF or BREAK, so later leave over it is still listed as a consequence.
- TIME_OFF and BREAK win over everything, EXTRA_HOURS and KEPT included.
- A weekly rule belongs to the business day it starts on: valid_from/valid_to (inclusive) are compared
  with that day, so Thursday 21:00-03:00 valid to Thursday still covers Friday 01:30.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..errors import Conflict
from ..i18n import N_
from ..model import AvailabilityException, AvailabilityRule, ExceptionKind
from .calendar import SalonCalendar, SalonSchedule, time_us, weekday_of
from .intervals import (
    Interval,
    Span,
    clip_spans,
    from_us,
    intersect_spans,
    merge_spans,
    overlapping,
    spans_to_intervals,
    subtract_spans,
    to_us,
)

MESSAGES = {
    "schedule.overlap": N_("Scheduling conflict: the staff member is booked from {start} to {end}."),
    "schedule.outside_availability": N_(
        "The time from {start} to {end} is outside the staff member's working hours."
    ),
}

_NO_LIMIT = 10**8  # beyond any date ordinal


@dataclass(frozen=True, slots=True)
class StaffSchedule:
    staff_id: str
    rules: tuple[AvailabilityRule, ...]  # weekly; end <= start => past midnight
    exceptions: tuple[AvailabilityException, ...]  # TIME_OFF and BREAK remove time, EXTRA_HOURS adds time
    busy: tuple[Interval, ...] = ()  # busy segments of this staff member's active booking items


@dataclass(frozen=True, slots=True)
class Window:
    """One stretch of time prepared once and shared by every staff member asked about it."""

    lo: int
    hi: int
    first_day: int  # business days whose weekly spans can meet [lo, hi)
    last_day: int
    open: list[Span]  # salon opening spans of open days
    closed: list[Span]  # extents of closed business days
    lo_at: datetime
    hi_at: datetime

    @classmethod
    def build(cls, calendar: SalonCalendar, lo: int, hi: int) -> Window:
        first = calendar.clock.local_ordinal(lo) - 1  # yesterday's hours may run past midnight
        last = calendar.clock.local_ordinal(max(lo, hi - 1))
        open_spans, closed = calendar.open_spans(first, last), calendar.closed_extents(first, last + 1)
        return cls(lo, hi, first, last, open_spans, closed, from_us(lo), from_us(hi))


class StaffTimeline:
    """One staff member's working and free time, window by window.

    Built for a range [lo, hi); `free` must then be asked for windows in increasing order of start
    (find_slots walks forward), which lets it step through the sorted busy list once.
    """

    def __init__(self, staff: StaffSchedule, calendar: SalonCalendar, lo: int, hi: int) -> None:
        self.calendar = calendar
        self.rules: list[list[tuple[int, int, int, int]]] = [[] for _ in range(7)]
        for rule in staff.rules:
            valid_from = rule.valid_from.toordinal() if rule.valid_from else -_NO_LIMIT
            valid_to = rule.valid_to.toordinal() if rule.valid_to else _NO_LIMIT
            self.rules[rule.weekday].append((time_us(rule.start), time_us(rule.end), valid_from, valid_to))
        lo_at, hi_at = from_us(lo), from_us(hi)
        extra: list[Span] = []
        kept: list[Span] = []
        away: list[Span] = []
        for exc in staff.exceptions:
            if exc.end_at > lo_at and exc.start_at < hi_at:
                adds = {ExceptionKind.EXTRA_HOURS: extra, ExceptionKind.KEPT: kept}.get(exc.kind, away)
                adds.append((to_us(exc.start_at), to_us(exc.end_at)))
        self.extra, self.kept, self.away = merge_spans(extra), merge_spans(kept), merge_spans(away)
        # Kept as datetimes (cheap to compare); only those in a window asked about get converted.
        self.busy = sorted([b for b in staff.busy if b.end > lo_at and b.start < hi_at], key=_start)
        self._busy_from = 0

    def working(self, window: Window) -> list[Span]:
        weekly: list[Span] = []
        span_of = self.calendar.clock.weekly_span
        for ordinal in range(window.first_day, window.last_day + 1):
            for start, end, valid_from, valid_to in self.rules[weekday_of(ordinal)]:
                if valid_from <= ordinal <= valid_to:
                    weekly.append(span_of(ordinal, start, end))
        spans = intersect_spans(merge_spans(weekly) if len(weekly) > 1 else weekly, window.open)
        if self.extra:
            spans = merge_spans(spans + clip_spans(self.extra, window.lo, window.hi))
        if window.closed:
            spans = subtract_spans(spans, merge_spans(window.closed))
        if self.kept:
            spans = merge_spans(spans + clip_spans(self.kept, window.lo, window.hi))
        if self.away:
            spans = subtract_spans(spans, clip_spans(self.away, window.lo, window.hi))
        return clip_spans(spans, window.lo, window.hi)

    def free(self, window: Window) -> list[Span]:
        busy, index, lo_at, hi_at = self.busy, self._busy_from, window.lo_at, window.hi_at
        while index < len(busy) and busy[index].end <= lo_at:
            index += 1
        self._busy_from = index
        taken = []
        while index < len(busy) and busy[index].start < hi_at:
            taken.append((to_us(busy[index].start), to_us(busy[index].end)))
            index += 1
        return subtract_spans(self.working(window), merge_spans(taken))


def _start(interval: Interval) -> datetime:
    return interval.start


def _timeline(staff: StaffSchedule, salon: SalonSchedule, window: Interval) -> tuple[StaffTimeline, Window]:
    calendar = SalonCalendar(salon)
    lo, hi = window.span
    return StaffTimeline(staff, calendar, lo, hi), Window.build(calendar, lo, hi)


def working_intervals(staff: StaffSchedule, salon: SalonSchedule, window: Interval) -> list[Interval]:
    """When the staff member works inside `window`: sorted, merged, clipped (rules in the module doc)."""
    if window.is_empty:
        return []
    timeline, prepared = _timeline(staff, salon, window)
    return spans_to_intervals(timeline.working(prepared))


def free_intervals(staff: StaffSchedule, salon: SalonSchedule, window: Interval) -> list[Interval]:
    """Working time minus the staff member's busy segments, inside `window`."""
    if window.is_empty:
        return []
    timeline, prepared = _timeline(staff, salon, window)
    return spans_to_intervals(timeline.free(prepared))


def check_fits(staff: StaffSchedule, salon: SalonSchedule, segments: Sequence[Interval]) -> None:
    """Raise Conflict unless every segment is free of bookings and inside the staff member's working time.

    schedule.overlap (start, end: the booked interval hit) takes precedence over
    schedule.outside_availability (start, end: the first segment not inside working time).
    """
    wanted = sorted(s for s in segments if not s.is_empty)
    if not wanted:
        return
    hit = overlapping(wanted, staff.busy)
    if hit is not None:
        raise Conflict("schedule.overlap", start=hit.start, end=hit.end)
    hull = Interval(wanted[0].start, max(s.end for s in wanted))
    timeline, prepared = _timeline(staff, salon, hull)
    working = timeline.working(prepared)
    starts = [s for s, _ in working]
    for segment in wanted:
        lo, hi = segment.span
        index = bisect_right(starts, lo) - 1
        if index < 0 or working[index][1] < hi:
            raise Conflict("schedule.outside_availability", start=segment.start, end=segment.end)
