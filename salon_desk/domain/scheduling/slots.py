"""Finding visit start times: one or more services in sequence, each by a staff member who fits.

How it stays fast: the search walks forward through local calendar days, in chunks of 1, 2, 3... days.
For each chunk it computes every candidate's free time once, turns it into the set of start times at
which that candidate's busy segments fit (closed intervals, so a fit test is one bisect), and only
visits grid points inside the union of the first part's sets. Nothing is scanned minute by minute.

Choosing staff: for each part, the first candidate in preference order whose busy segments fit
(check_fits semantics; the same staff member doing two parts must not overlap her own earlier part).
Business rule: when the same staff member carries straight on with the next service of the same visit,
the earlier service's cleanup buffer does not apply (she cleans up after the customer's last service with
her); its SlotAssignment.busy_until is then its end.
When a later part cannot be placed after that choice, the next candidate of the earlier part is tried,
so a start time is offered whenever any assignment exists, and the one offered is the first in
preference order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..model import Phase
from .availability import StaffSchedule, StaffTimeline, Window
from .calendar import SalonCalendar, SalonSchedule
from .intervals import DAY_US, FOREVER_US, MINUTE_US, Span, from_us, to_us
from .segments import phases_for_duration, relative_busy_spans, validate_service_time


@dataclass(frozen=True, slots=True)
class VisitPart:
    """One service of a visit."""

    service_id: str
    duration_minutes: int
    buffer_minutes: int
    phases: tuple[Phase, ...]
    candidates: tuple[str, ...]  # staff ids who may do it, in preference order
    duration_overrides: Mapping[str, int] = field(default_factory=dict)  # staff_id -> own duration


@dataclass(frozen=True, slots=True)
class SlotAssignment:
    service_id: str
    staff_id: str
    start: datetime
    end: datetime
    busy_until: datetime  # end + buffer


@dataclass(frozen=True, slots=True)
class SlotOption:
    start: datetime
    assignments: tuple[SlotAssignment, ...]


@dataclass(frozen=True, slots=True)
class _Way:
    """How one candidate would do one part."""

    service_id: str
    staff_id: str
    duration: int  # microseconds
    buffer: int
    offsets: tuple[Span, ...]  # busy spans relative to the part's start


def _ways(part: VisitPart, staff: Mapping[str, StaffSchedule]) -> list[_Way]:
    validate_service_time(part.duration_minutes, part.buffer_minutes, part.phases)
    ways: list[_Way] = []
    for staff_id in dict.fromkeys(part.candidates):
        if staff_id not in staff:
            continue  # no schedule known: never bookable
        minutes = part.duration_overrides.get(staff_id, part.duration_minutes)
        phases = phases_for_duration(part.phases, minutes)
        offsets = tuple(relative_busy_spans(minutes, part.buffer_minutes, phases))
        buffer = part.buffer_minutes * MINUTE_US
        ways.append(_Way(part.service_id, staff_id, minutes * MINUTE_US, buffer, offsets))
    return ways


def _fitting_starts(free: list[Span], offsets: Sequence[Span]) -> list[Span]:
    """Closed intervals [first, last] of start times at which every offset span lies inside `free`."""
    result: list[Span] | None = None
    for begin, end in offsets:
        need = end - begin
        starts = [(a - begin, b - end) for a, b in free if b - a >= need]
        result = starts if result is None else _intersect_closed(result, starts)
        if not result:
            return []
    return [(-FOREVER_US, FOREVER_US)] if result is None else result


def _intersect_closed(a: list[Span], b: list[Span]) -> list[Span]:
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        first, last = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if first <= last:
            out.append((first, last))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _union_closed(sets: Sequence[list[Span]]) -> list[Span]:
    out: list[Span] = []
    for first, last in sorted(s for spans in sets for s in spans):
        if out and first <= out[-1][1]:
            if last > out[-1][1]:
                out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


Taken = tuple[tuple[str, int, int, bool], ...]  # (staff id, busy start, busy end, is her cleanup) chosen earlier
Placement = list[tuple[_Way, int]]


class _DaySearch:
    """Placement of a visit at start times inside one window of one or more days."""

    def __init__(self, ways: list[list[_Way]], timelines: _Timelines, window: Window) -> None:
        self.ways = ways
        self.timelines = timelines
        self.window = window
        self._free: dict[str, list[Span]] = {}
        self._starts: dict[tuple[int, str], tuple[list[int], list[Span]]] = {}
        self._fitting: dict[tuple[int, int], list[tuple[_Way, list[Span]]]] = {}
        self._failed: set[tuple[int, int, Taken]] = set()

    def starts(self, k: int, way: _Way) -> tuple[list[int], list[Span]]:
        key = (k, way.staff_id)
        found = self._starts.get(key)
        if found is None:
            free = self._free.get(way.staff_id)
            if free is None:
                free = self._free[way.staff_id] = self.timelines.get(way.staff_id).free(self.window)
            spans = _fitting_starts(free, way.offsets)
            found = self._starts[key] = ([s for s, _ in spans], spans)
        return found

    def fitting(self, k: int, start: int) -> list[tuple[_Way, list[Span]]]:
        """Part k's ways (preference order) whose own free time fits a start, with their absolute segments."""
        key = (k, start)
        found = self._fitting.get(key)
        if found is None:
            found = []
            for way in self.ways[k]:
                firsts, spans = self.starts(k, way)
                index = bisect_right(firsts, start) - 1
                if index >= 0 and spans[index][1] >= start:
                    found.append((way, [(start + a, start + b) for a, b in way.offsets]))
            self._fitting[key] = found
        return found

    def first_part_starts(self) -> list[Span]:
        return _union_closed([self.starts(0, way)[1] for way in self.ways[0]])

    def place(self, k: int, start: int, taken: Taken = ()) -> Placement | None:
        """The first placement (preference order) of parts k.. with part k starting at `start`."""
        relevant = tuple(t for t in taken if t[2] > start)  # earlier busy time later parts could hit
        key = (k, start, relevant)
        if key in self._failed:
            return None
        for way, segments in self.fitting(k, start):
            if relevant and _hits_own(way.staff_id, segments, relevant, start):
                continue
            if k + 1 == len(self.ways):
                return [(way, start)]
            end = start + way.duration
            body = tuple((way.staff_id, s, min(e, end), False) for s, e in segments if s < end)
            cleanup = ((way.staff_id, end, end + way.buffer, True),) if way.buffer else ()
            mine = body + cleanup
            rest = self.place(k + 1, start + way.duration, relevant + mine)
            if rest is not None:
                return [(way, start), *rest]
        self._failed.add(key)
        return None


def _hits_own(staff_id: str, segments: list[Span], taken: Taken, start: int) -> bool:
    """Whether a part's segments hit the same staff member's earlier parts. Her cleanup after the part that
    ends exactly at `start` does not count: she carries straight on with the same customer."""
    return any(sid == staff_id and s < e2 and s2 < e and not (cleanup and s == start)
               for sid, s, e, cleanup in taken for s2, e2 in segments)


class _Timelines:
    """StaffTimelines built on first use, for the whole search range."""

    def __init__(self, staff: Mapping[str, StaffSchedule], calendar: SalonCalendar, lo: int, hi: int) -> None:
        self._staff, self._calendar, self._lo, self._hi = staff, calendar, lo, hi
        self._built: dict[str, StaffTimeline] = {}

    def get(self, staff_id: str) -> StaffTimeline:
        found = self._built.get(staff_id)
        if found is None:
            found = StaffTimeline(self._staff[staff_id], self._calendar, self._lo, self._hi)
            self._built[staff_id] = found
        return found


def find_slots(
    salon: SalonSchedule,
    parts: Sequence[VisitPart],
    staff: Mapping[str, StaffSchedule],
    earliest: datetime,
    latest: datetime,
    limit: int = 10,
    step_minutes: int = 15,
) -> list[SlotOption]:
    """Up to `limit` visit start times on the salon-local step grid with earliest <= start < latest, in order.

    Parts run in sequence: part k+1 starts when part k ends (its end, not its busy_until).
    """
    if step_minutes <= 0:
        raise ValueError(f"step_minutes must be positive, not {step_minutes}")
    ways = [_ways(part, staff) for part in parts]
    lo, hi = to_us(earliest), to_us(latest)
    if limit <= 0 or not ways or not all(ways) or lo >= hi:
        return []
    reach = sum(max(w.duration + w.buffer for w in part_ways) for part_ways in ways)
    calendar = SalonCalendar(salon)
    timelines = _Timelines(staff, calendar, lo, hi + reach)
    step = step_minutes * MINUTE_US
    options: list[SlotOption] = []
    for first_day, last_day in _day_chunks(calendar, lo, hi):
        chunk_lo = max(lo, calendar.clock.midnight(first_day))
        chunk_hi = min(hi, calendar.clock.midnight(last_day + 1))
        search = _DaySearch(ways, timelines, Window.build(calendar, chunk_lo, chunk_hi + reach))
        grid = _grid(calendar, first_day, last_day, step)
        for first, last in search.first_part_starts():
            index = bisect_left(grid, max(first, chunk_lo))
            while index < len(grid) and grid[index] <= last and grid[index] < chunk_hi:
                placement = search.place(0, grid[index])
                if placement is not None:
                    options.append(_option(grid[index], placement))
                    if len(options) == limit:
                        return options
                index += 1
    return options


def _day_chunks(calendar: SalonCalendar, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Local days to search, in chunks of 1, 2, 3... days: most searches end on the first day or two;
    long ones pay the per-window overhead fewer times without computing far past the last slot."""
    days = list(calendar.days(lo, hi))
    begin, size = 0, 1
    while begin < len(days):
        chunk = days[begin : begin + size]
        yield chunk[0], chunk[-1]
        begin, size = begin + size, size + 1


def _grid(calendar: SalonCalendar, first_day: int, last_day: int, step: int) -> Sequence[int]:
    """The salon-local grid (local midnight + k * step) of the local days first..last, as UTC microseconds."""
    clock = calendar.clock
    days = range(first_day, last_day + 1)
    if DAY_US % step == 0 and all(clock.regular_midnight(d) is not None for d in days):
        return range(clock.midnight(first_day), clock.midnight(last_day + 1), step)
    return [point for day in days for point in clock.grid(day, step)]


def _option(start: int, placement: Placement) -> SlotOption:
    assignments = []
    for index, (way, begin) in enumerate(placement):
        following = placement[index + 1][0] if index + 1 < len(placement) else None
        continues = following is not None and following.staff_id == way.staff_id
        assignments.append(SlotAssignment(
            service_id=way.service_id,
            staff_id=way.staff_id,
            start=from_us(begin),
            end=from_us(begin + way.duration),
            busy_until=from_us(begin + way.duration + (0 if continues else way.buffer)),
        ))
    return SlotOption(from_us(start), tuple(assignments))
