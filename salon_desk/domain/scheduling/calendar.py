"""Salon hours, business days and the local-time <-> UTC arithmetic behind them.

Saudi facts (ARABIC.md): the week starts on Sunday, the weekend is Friday and Saturday, hours can run past
midnight (Ramadan 21:00-03:00), and closures (Eid, National Day) are whole business days.

A business day D owns the instants from the end of D-1's past-midnight hours ("carry-in") up to the end
of D's own. Which instants belong to which business day follows the weekly hours only, not closures,
so the day view and daily close never re-file a booking because a day was later declared closed.

Dated hours (Ramadan, `dated_hours`) replace the weekly hours on the business days inside their range, for
opening time and business days alike: a Ramadan booking at 01:30 belongs to the evening before. Closures
still win over them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..model import DatedHours, OpeningHours, Salon
from .intervals import DAY_US, Interval, Span, from_us, merge_spans, to_us

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class SalonSchedule:
    tz: ZoneInfo
    opening_hours: tuple[OpeningHours, ...]  # weekday 0=Mon..6=Sun; end <= start => runs past midnight
    closures: tuple[date, ...] = ()  # business days closed (Eid, National Day)
    dated_hours: tuple[DatedHours, ...] = ()  # Ramadan hours: replace opening_hours inside their ranges

    @classmethod
    def of_salon(cls, salon: Salon) -> SalonSchedule:
        return cls(ZoneInfo(salon.timezone), tuple(salon.opening_hours), tuple(salon.closures),
                   tuple(salon.dated_hours))


def weekday_of(ordinal: int) -> int:
    """Python's weekday (0 = Monday) of a proleptic Gregorian ordinal."""
    return (ordinal + 6) % 7


def time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def week_start(day: date) -> date:
    """The Sunday that starts the Saudi week containing `day`."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


class LocalClock:
    """Wall time in the salon's zone <-> UTC microseconds, with a per-day offset cache.

    A day whose two midnights are 24 hours apart has one UTC offset throughout (every zone changes its
    offset at most once a day), so its wall times convert with one subtraction; DST days go through
    zoneinfo for each time.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._midnights: dict[int, int] = {}
        self._regular: dict[int, int | None] = {}  # ordinal -> its midnight when the day has one offset

    def midnight(self, ordinal: int) -> int:
        found = self._midnights.get(ordinal)
        if found is None:
            found = to_us(datetime.combine(date.fromordinal(ordinal), time(), tzinfo=self.tz))
            self._midnights[ordinal] = found
        return found

    def regular_midnight(self, ordinal: int) -> int | None:
        """The day's midnight when its wall times convert with one offset (not a DST day), else None."""
        if ordinal in self._regular:
            return self._regular[ordinal]
        midnight = self.midnight(ordinal)
        found = midnight if self.midnight(ordinal + 1) - midnight == DAY_US else None
        self._regular[ordinal] = found
        return found

    def wall(self, ordinal: int, of_day_us: int) -> int:
        """The UTC instant of a wall time (microseconds after midnight) on a local date."""
        midnight = self._regular.get(ordinal)
        if midnight is None:
            midnight = self.regular_midnight(ordinal)
        if midnight is not None:
            return midnight + of_day_us
        seconds, micro = divmod(of_day_us, 1_000_000)
        minutes, second = divmod(seconds, 60)
        wall_time = time(minutes // 60, minutes % 60, second, micro)
        return to_us(datetime.combine(date.fromordinal(ordinal), wall_time, tzinfo=self.tz))

    def weekly_span(self, ordinal: int, start_us: int, end_us: int) -> Span:
        """A weekly span starting on a local date; end <= start runs into the next calendar day."""
        if end_us <= start_us:
            return self.wall(ordinal, start_us), self.wall(ordinal + 1, end_us)
        return self.wall(ordinal, start_us), self.wall(ordinal, end_us)

    def local_ordinal(self, us: int) -> int:
        return from_us(us).astimezone(self.tz).toordinal()

    def grid(self, ordinal: int, step_us: int) -> range | list[int]:
        """Grid instants of a local day: local midnight + k * step, as UTC microseconds."""
        if self.regular_midnight(ordinal) is not None:
            return range(self.midnight(ordinal), self.midnight(ordinal + 1), step_us)
        points = set()
        for of_day in range(0, DAY_US, step_us):
            instant = self.wall(ordinal, of_day)
            local = from_us(instant).astimezone(self.tz)
            if (
                time_us(local.time()) == of_day and local.toordinal() == ordinal
            ):  # skip times a DST gap removed
                points.add(instant)
        return sorted(points)


class SalonCalendar:
    """A SalonSchedule prepared for fast questions about spans (built once per public call)."""

    def __init__(self, salon: SalonSchedule) -> None:
        self.clock = LocalClock(salon.tz)
        self.closed = frozenset(d.toordinal() for d in salon.closures)
        self.hours = _by_weekday(salon.opening_hours)
        # (first ordinal, last ordinal, hours by weekday) of each dated range
        self.dated = [(d.first_day.toordinal(), d.last_day.toordinal(), _by_weekday(d.hours))
                      for d in salon.dated_hours]

    def hours_of(self, ordinal: int) -> list[tuple[int, int]]:
        """The (start, end) wall times of a business day: its dated hours inside a range, else the weekly ones."""
        weekday = weekday_of(ordinal)
        for first, last, hours in self.dated:
            if first <= ordinal <= last:
                return hours[weekday]
        return self.hours[weekday]

    def nominal_spans(self, ordinal: int) -> list[Span]:
        """The opening spans of a business day (weekly or dated hours), ignoring closures."""
        return [self.clock.weekly_span(ordinal, s, e) for s, e in self.hours_of(ordinal)]

    def open_spans(self, first: int, last: int) -> list[Span]:
        """Merged opening spans of the open business days first..last (ordinals, inclusive)."""
        spans: list[Span] = []
        for ordinal in range(first, last + 1):
            if ordinal not in self.closed:
                spans.extend(self.nominal_spans(ordinal))
        return merge_spans(spans)

    def carry_in(self, ordinal: int) -> int:
        """Where business day `ordinal` begins: the end of the previous day's past-midnight hours."""
        begin = self.clock.midnight(ordinal)
        for s, e in self.hours_of(ordinal - 1):
            if e <= s:
                begin = max(begin, self.clock.wall(ordinal, e))
        return begin

    def extent(self, ordinal: int) -> Span:
        return self.carry_in(ordinal), self.carry_in(ordinal + 1)

    def business_ordinal(self, us: int) -> int:
        local = self.clock.local_ordinal(us)
        return local - 1 if us < self.carry_in(local) else local

    def closed_extents(self, first: int, last: int) -> list[Span]:
        return [self.extent(o) for o in sorted(self.closed) if first <= o <= last]

    def days(self, lo: int, hi: int) -> Iterator[int]:
        """Local calendar dates (ordinals) whose days meet [lo, hi)."""
        yield from range(self.clock.local_ordinal(lo), self.clock.local_ordinal(hi - 1) + 1)


def _by_weekday(hours: tuple[OpeningHours, ...]) -> list[list[tuple[int, int]]]:
    out: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for h in hours:
        out[h.weekday].append((time_us(h.start), time_us(h.end)))
    return out


def business_day(instant: datetime, salon: SalonSchedule) -> date:
    """The business day an instant belongs to: 01:30 after a Thursday 21:00-03:00 span is Thursday's.

    Outside any past-midnight span it is the local calendar date.
    """
    return date.fromordinal(SalonCalendar(salon).business_ordinal(to_us(instant)))


def business_day_extent(day: date, salon: SalonSchedule) -> Interval:
    """Every instant that belongs to the business day (for day views, reports and daily close)."""
    return Interval.of_span(SalonCalendar(salon).extent(day.toordinal()))


def business_day_window(day: date, salon: SalonSchedule) -> Interval | None:
    """From the first opening to the last closing of the business day; None when it is closed."""
    calendar = SalonCalendar(salon)
    ordinal = day.toordinal()
    if ordinal in calendar.closed:
        return None
    spans = calendar.nominal_spans(ordinal)
    if not spans:
        return None
    return Interval(from_us(min(s for s, _ in spans)), from_us(max(e for _, e in spans)))
