"""Property-based tests: random salons, staff, exceptions, bookings and visits, checked against
slow first-principles readings of the rules (cell by cell, grid point by grid point with check_fits)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salon_desk.domain.errors import Conflict
from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    DatedHours,
    ExceptionKind,
    OpeningHours,
    Phase,
)
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    StaffSchedule,
    VisitPart,
    business_day,
    business_day_extent,
    busy_segments,
    check_fits,
    find_slots,
    free_intervals,
    phases_for_duration,
    working_intervals,
)

FIRST = date(2025, 3, 5)  # a Wednesday; the world spans FIRST-1 .. FIRST+3
DAYS = [FIRST + timedelta(days=n) for n in range(-1, 4)]
CELL = timedelta(minutes=5)  # every generated boundary is a multiple of 5 minutes
ZONES = [ZoneInfo("Asia/Riyadh"), ZoneInfo("Asia/Kolkata")]  # +03:00 and +05:30
STAFF_IDS = ["sara", "noura", "lama"]
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_PROPERTY = settings(PROPERTY, max_examples=60)

quarter_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
spans_a_day = st.sampled_from([1, 1, 2, 1, 0])  # the first value is the one hypothesis favours
# Mostly a day's worth of hours (some running past midnight), sometimes anything at all.
day_spans = st.one_of(
    st.tuples(
        st.builds(time, st.integers(6, 13), st.sampled_from([0, 30])),
        st.builds(time, st.sampled_from([17, 19, 21, 22, 23, 0, 1, 3]), st.sampled_from([0, 30])),
    ),
    st.tuples(quarter_times, quarter_times),
)


@st.composite
def salons(draw) -> SalonSchedule:
    hours = [
        OpeningHours(weekday, *draw(day_spans)) for weekday in range(7) for _ in range(draw(spans_a_day))
    ]
    closures = draw(st.lists(st.sampled_from(DAYS), max_size=1))
    dated: tuple[DatedHours, ...] = ()
    if draw(st.booleans()):  # Ramadan hours over some of the days, replacing the weekly ones there
        first, last = sorted(draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2)))
        ramadan = [OpeningHours(weekday, *draw(day_spans)) for weekday in range(7) for _ in range(draw(spans_a_day))]
        dated = (DatedHours("Ramadan", first, last, tuple(ramadan)),)
    return SalonSchedule(draw(st.sampled_from(ZONES)), tuple(hours), tuple(closures), dated)


def hours_of_day(salon: SalonSchedule, day: date) -> tuple[OpeningHours, ...]:
    for dated in salon.dated_hours:
        if dated.first_day <= day <= dated.last_day:
            return dated.hours
    return salon.opening_hours


@st.composite
def instants(draw, tz: ZoneInfo) -> datetime:
    day = draw(st.sampled_from(DAYS))
    minutes = draw(st.integers(0, 24 * 12 - 1)) * 5
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).astimezone(UTC)


@st.composite
def intervals(draw, tz: ZoneInfo, max_minutes: int = 300) -> Interval:
    start = draw(instants(tz))
    return Interval(start, start + draw(st.integers(1, max_minutes // 5)) * CELL)


@st.composite
def staff_schedules(draw, staff_id: str, tz: ZoneInfo) -> StaffSchedule:
    rules = []
    weekdays = [weekday for weekday in range(7) for _ in range(draw(spans_a_day))]
    for n, weekday in enumerate(weekdays):
        valid_from = draw(st.none() | st.none() | st.sampled_from(DAYS))
        valid_to = draw(st.none() | st.none() | st.sampled_from(DAYS))
        start, end = draw(day_spans)
        rules.append(AvailabilityRule(f"{staff_id}r{n}", staff_id, weekday, start, end, valid_from, valid_to))
    exceptions = [
        AvailabilityException(f"{staff_id}x{n}", staff_id, kind, span.start, span.end)
        for n, (kind, span) in enumerate(
            draw(st.lists(st.tuples(st.sampled_from(ExceptionKind), intervals(tz, 600)), max_size=3))
        )
    ]
    busy = draw(st.lists(intervals(tz, 120), max_size=8))  # may even overlap each other
    return StaffSchedule(staff_id, tuple(rules), tuple(exceptions), tuple(busy))


@st.composite
def worlds(draw) -> tuple[SalonSchedule, dict[str, StaffSchedule]]:
    salon = draw(salons())
    return salon, {sid: draw(staff_schedules(sid, salon.tz)) for sid in STAFF_IDS}


@st.composite
def visit_parts(draw, n: int) -> VisitPart:
    duration = draw(st.integers(1, 18)) * 5
    phases: tuple[Phase, ...] = ()
    if duration >= 15 and draw(st.booleans()):
        first = draw(st.integers(1, duration // 5 - 2)) * 5
        second = draw(st.integers(1, (duration - first) // 5 - 1)) * 5
        phases = (Phase(first), Phase(second, staff_busy=False), Phase(duration - first - second))
    candidates = draw(
        st.permutations(STAFF_IDS).flatmap(lambda p: st.integers(1, 3).map(lambda k: tuple(p[:k])))
    )
    overrides = draw(
        st.dictionaries(st.sampled_from(candidates), st.integers(1, 18).map(lambda m: m * 5), max_size=2)
    )
    buffer = draw(st.sampled_from([0, 0, 5, 10, 15]))
    return VisitPart(f"service{n}", duration, buffer, phases, candidates, overrides)


@st.composite
def searches(draw):
    salon, staff = draw(worlds())
    parts = [draw(visit_parts(n)) for n in range(draw(st.integers(1, 3)))]
    earliest = draw(instants(salon.tz))
    latest = earliest + draw(st.integers(1, 36 * 12)) * CELL
    return salon, staff, parts, earliest, latest, draw(st.sampled_from([15, 30, 45]))


# first-principles readings -------------------------------------------------------------------------


def weekly_span(day: date, start: time, end: time, tz: ZoneInfo) -> Interval:
    end_day = day + timedelta(days=1) if end <= start else day
    return Interval(datetime.combine(day, start, tzinfo=tz), datetime.combine(end_day, end, tzinfo=tz))


def cell_is_working(cell: datetime, staff: StaffSchedule, salon: SalonSchedule) -> bool:
    tz = salon.tz
    today = cell.astimezone(tz).date()
    days = (today - timedelta(days=1), today)
    in_rule = any(
        weekly_span(d, r.start, r.end, tz).contains(cell)
        for d in days
        for r in staff.rules
        if r.weekday == d.weekday() and (r.valid_from or d) <= d <= (r.valid_to or d)
    )
    in_open = any(
        weekly_span(d, h.start, h.end, tz).contains(cell)
        for d in days
        if d not in salon.closures
        for h in hours_of_day(salon, d)
        if h.weekday == d.weekday()
    )

    def holds(kinds):
        return any(e.start_at <= cell < e.end_at for e in staff.exceptions if e.kind in kinds)

    if holds({ExceptionKind.TIME_OFF, ExceptionKind.BREAK}):
        return False
    if holds({ExceptionKind.KEPT}):  # a kept booking's time wins over salon hours and closures
        return True
    if not ((in_rule and in_open) or holds({ExceptionKind.EXTRA_HOURS})):
        return False
    return business_day(cell, salon) not in salon.closures


def cells(window: Interval) -> list[datetime]:
    count = int(window.duration / CELL)
    return [window.start + n * CELL for n in range(count)]


def covered(cell: datetime, spans: list[Interval]) -> bool:
    return any(s.contains(cell) for s in spans)


def grid(salon: SalonSchedule, earliest: datetime, latest: datetime, step: int) -> list[datetime]:
    tz, points = salon.tz, []
    day = earliest.astimezone(tz).date()
    while datetime.combine(day, time(), tzinfo=tz) < latest:
        for minutes in range(0, 24 * 60, step):
            point = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).astimezone(UTC)
            if earliest <= point < latest:
                points.append(point)
        day += timedelta(days=1)
    return points


def split_cleanup(segments, end):
    """A part's busy segments without its cleanup buffer, and the cleanup as its own interval."""
    body = tuple(Interval(x.start, min(x.end, end)) for x in segments if x.start < end)
    cleanup = tuple(Interval(end, x.end) for x in segments if x.end > end)
    return body, cleanup


def place_slowly(salon, parts, staff, k, start, mine, cleanup=None):
    """The first placement in preference order, trying every choice with check_fits. `cleanup` is the
    previous part's (staff id, cleanup intervals): ignored when the same person carries straight on."""
    part = parts[k]
    for sid in dict.fromkeys(part.candidates):
        minutes = part.duration_overrides.get(sid, part.duration_minutes)
        segments = busy_segments(
            start, minutes, part.buffer_minutes, phases_for_duration(part.phases, minutes)
        )
        # The pending cleanup is the previous part's person's: it never blocks this part (another person,
        # or the same person carrying straight on).
        schedule = dataclasses.replace(staff[sid], busy=staff[sid].busy + mine.get(sid, ()))
        try:
            check_fits(schedule, salon, segments)
        except Conflict:
            continue
        end = start + timedelta(minutes=minutes)
        body, my_cleanup = split_cleanup(segments, end)
        if k + 1 == len(parts):
            return [(sid, start, end, end + timedelta(minutes=part.buffer_minutes))]
        carried = dict(mine)
        if cleanup is not None and cleanup[0] != sid:  # the previous person's cleanup now stands for good
            carried[cleanup[0]] = carried.get(cleanup[0], ()) + cleanup[1]
        carried[sid] = carried.get(sid, ()) + body
        rest = place_slowly(salon, parts, staff, k + 1, end, carried, (sid, my_cleanup))
        if rest is not None:
            continues = rest[0][0] == sid
            busy_until = end if continues else end + timedelta(minutes=part.buffer_minutes)
            return [(sid, start, end, busy_until), *rest]
    return None


# properties ----------------------------------------------------------------------------------------


@SLOW_PROPERTY
@given(worlds())
def test_working_time_matches_a_cell_by_cell_reading_of_the_rules(world):
    salon, staff = world
    window = Interval(
        datetime.combine(FIRST, time(), tzinfo=salon.tz), datetime.combine(DAYS[-1], time(), tzinfo=salon.tz)
    )
    for schedule in staff.values():
        working = working_intervals(schedule, salon, window)
        assert [c for c in cells(window) if covered(c, working)] == [
            c for c in cells(window) if cell_is_working(c, schedule, salon)
        ]


@PROPERTY
@given(worlds(), st.data())
def test_results_are_sorted_merged_and_clipped(world, data):
    salon, staff = world
    window = data.draw(intervals(salon.tz, 48 * 60))
    for schedule in staff.values():
        for result in (working_intervals(schedule, salon, window), free_intervals(schedule, salon, window)):
            assert all(window.contains(r) and not r.is_empty for r in result)
            assert all(a.end < b.start for a, b in zip(result, result[1:], strict=False))


@SLOW_PROPERTY
@given(worlds(), st.data())
def test_free_time_and_busy_time_partition_working_time(world, data):
    salon, staff = world
    window = data.draw(intervals(salon.tz, 48 * 60))
    for schedule in staff.values():
        working = working_intervals(schedule, salon, window)
        free = free_intervals(schedule, salon, window)
        for cell in cells(window):
            is_busy = covered(cell, list(schedule.busy))
            assert covered(cell, free) == (covered(cell, working) and not is_busy)


@SLOW_PROPERTY
@given(searches())
def test_find_slots_offers_exactly_the_start_times_a_slow_search_finds(search):
    salon, staff, parts, earliest, latest, step = search
    options = find_slots(salon, parts, staff, earliest, latest, limit=10_000, step_minutes=step)
    expected = []
    for point in grid(salon, earliest, latest, step):
        placement = place_slowly(salon, parts, staff, 0, point, {})
        if placement is not None:
            expected.append((point, placement))
    got = [(o.start, [(a.staff_id, a.start, a.end, a.busy_until) for a in o.assignments]) for o in options]
    assert got == expected


@PROPERTY
@given(searches())
def test_no_offered_slot_overlaps_a_booking_or_leaves_working_time(search):
    salon, staff, parts, earliest, latest, step = search
    for option in find_slots(salon, parts, staff, earliest, latest, limit=50, step_minutes=step):
        assert earliest <= option.start < latest
        assert option.assignments[0].start == option.start
        mine: dict[str, tuple[Interval, ...]] = {}
        previous = None
        for part, assignment in zip(parts, option.assignments, strict=True):
            assert assignment.staff_id in part.candidates
            minutes = int((assignment.end - assignment.start) / timedelta(minutes=1))
            phases = phases_for_duration(part.phases, minutes)
            segments = busy_segments(assignment.start, minutes, part.buffer_minutes, phases)
            # Her cleanup before this part counts unless she carried straight on with this customer.
            if previous is not None and previous[0] != assignment.staff_id:
                mine[previous[0]] = mine.get(previous[0], ()) + previous[1]
            own = dataclasses.replace(staff[assignment.staff_id])
            own = dataclasses.replace(own, busy=own.busy + mine.get(assignment.staff_id, ()))
            check_fits(own, salon, segments)
            body, cleanup = split_cleanup(segments, assignment.end)
            mine[assignment.staff_id] = mine.get(assignment.staff_id, ()) + body
            previous = (assignment.staff_id, cleanup)
        pairs = zip(option.assignments, option.assignments[1:], strict=False)
        assert all(a.end == b.start for a, b in pairs)


@PROPERTY
@given(searches(), st.integers(1, 8), st.integers(9, 40))
def test_results_are_sorted_unique_and_a_smaller_limit_gives_a_prefix(search, small, large):
    salon, staff, parts, earliest, latest, step = search
    few = find_slots(salon, parts, staff, earliest, latest, limit=small, step_minutes=step)
    many = find_slots(salon, parts, staff, earliest, latest, limit=large, step_minutes=step)
    assert few == many[: len(few)] and len(few) == min(small, len(many))
    starts = [o.start for o in many]
    assert starts == sorted(set(starts))
    for start in starts:
        local = start.astimezone(salon.tz)
        assert (local.hour * 60 + local.minute) % step == 0 and local.second == 0


@PROPERTY
@given(st.data())
def test_every_instant_lies_in_the_extent_of_its_business_day(data):
    salon = data.draw(salons())
    instant = data.draw(instants(salon.tz))
    day = business_day(instant, salon)
    assert business_day_extent(day, salon).contains(instant)
    assert not business_day_extent(day + timedelta(days=1), salon).contains(instant)
    assert not business_day_extent(day - timedelta(days=1), salon).contains(instant)


@PROPERTY
@given(
    st.integers(1, 36).map(lambda n: n * 5),
    st.integers(0, 4).map(lambda n: n * 5),
    st.lists(st.tuples(st.integers(1, 12).map(lambda n: n * 5), st.booleans()), max_size=5),
)
def test_busy_segments_are_ordered_separate_and_add_up(duration, buffer, raw_phases):
    phases = tuple(Phase(m, busy) for m, busy in raw_phases)
    if phases:
        duration = sum(p.minutes for p in phases)
    start = datetime(2025, 3, 5, 7, tzinfo=UTC)
    segments = busy_segments(start, duration, buffer, phases)
    assert all(a.end < b.start for a, b in zip(segments, segments[1:], strict=False))
    assert all(start <= s.start and s.end <= start + timedelta(minutes=duration + buffer) for s in segments)
    busy_minutes = sum(p.minutes for p in phases if p.staff_busy) if phases else duration
    assert sum((s.duration for s in segments), timedelta()) == timedelta(minutes=busy_minutes + buffer)
