"""Working time, free time and check_fits: rules ∩ salon hours, exceptions, closures, edges of the day."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.errors import Conflict
from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    ExceptionKind,
    OpeningHours,
    Phase,
)
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    StaffSchedule,
    busy_segments,
    check_fits,
    free_intervals,
    working_intervals,
)

RIYADH = ZoneInfo("Asia/Riyadh")
SUN, MON, TUE, WED, THU, FRI, SAT = 6, 0, 1, 2, 3, 4, 5
SUNDAY, THURSDAY, FRIDAY = date(2025, 3, 2), date(2025, 3, 6), date(2025, 3, 7)
COLOUR = (Phase(30), Phase(40, staff_busy=False), Phase(20))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIYADH).astimezone(UTC)


def span(day: date, h1: int, m1: int, h2: int, m2: int, day2: date | None = None) -> Interval:
    return Interval(local(day, h1, m1), local(day2 or day, h2, m2))


def whole(day: date, days: int = 1) -> Interval:
    return Interval(local(day, 0), local(day + timedelta(days=days), 0))


def rule(weekday: int, start: time, end: time, **validity) -> AvailabilityRule:
    return AvailabilityRule(f"r{weekday}{start}{end}", "sara", weekday, start, end, **validity)


def exception(kind: ExceptionKind, start: datetime, end: datetime) -> AvailabilityException:
    return AvailabilityException(f"x{kind}{start}", "sara", kind, start, end)


def staff(*rules: AvailabilityRule, exceptions=(), busy=()) -> StaffSchedule:
    return StaffSchedule("sara", tuple(rules), tuple(exceptions), tuple(busy))


WEEK = SalonSchedule(RIYADH, tuple(OpeningHours(wd, time(10), time(22)) for wd in (SUN, MON, TUE, WED, THU)))
RAMADAN = SalonSchedule(RIYADH, tuple(OpeningHours(wd, time(21), time(3)) for wd in range(7)))
EVERY_DAY = tuple(rule(wd, time(9), time(23)) for wd in range(7))


def test_working_time_is_the_rule_within_salon_hours():
    sara = staff(rule(SUN, time(9), time(23)))
    assert working_intervals(sara, WEEK, whole(SUNDAY)) == [span(SUNDAY, 10, 0, 22, 0)]


def test_weekend_days_have_no_working_time_even_with_a_rule():
    sara = staff(*EVERY_DAY)
    assert working_intervals(sara, WEEK, whole(FRIDAY, days=2)) == []
    assert working_intervals(sara, WEEK, whole(THURSDAY)) == [span(THURSDAY, 10, 0, 22, 0)]


def test_result_is_clipped_to_the_window_sorted_and_merged():
    sara = staff(rule(SUN, time(10), time(14)), rule(SUN, time(14), time(18)), rule(MON, time(10), time(12)))
    window = Interval(local(SUNDAY, 12), local(SUNDAY + timedelta(days=1), 11))
    assert working_intervals(sara, WEEK, window) == [
        span(SUNDAY, 12, 0, 18, 0),
        span(SUNDAY + timedelta(days=1), 10, 0, 11, 0),
    ]


def test_validity_dates_are_inclusive_business_days():
    sara = staff(rule(SUN, time(12), time(18), valid_from=date(2025, 3, 9), valid_to=date(2025, 3, 16)))
    sundays = [date(2025, 3, 2), date(2025, 3, 9), date(2025, 3, 16), date(2025, 3, 23)]
    worked = [bool(working_intervals(sara, WEEK, whole(day))) for day in sundays]
    assert worked == [False, True, True, False]


def test_a_late_night_rule_belongs_to_the_day_it_starts():
    sara = staff(rule(THU, time(21), time(3), valid_to=THURSDAY))
    night = Interval(local(THURSDAY, 12), local(FRIDAY, 12))
    assert working_intervals(sara, RAMADAN, night) == [span(THURSDAY, 21, 0, 3, 0, day2=FRIDAY)]
    next_night = Interval(local(THURSDAY + timedelta(days=7), 12), local(FRIDAY + timedelta(days=7), 12))
    assert working_intervals(sara, RAMADAN, next_night) == []


def test_the_late_night_hours_before_the_window_still_count():
    sara = staff(rule(THU, time(21), time(3)))
    after_midnight = Interval(local(FRIDAY, 0), local(FRIDAY, 12))
    assert working_intervals(sara, RAMADAN, after_midnight) == [span(FRIDAY, 0, 0, 3, 0)]


def test_breaks_and_time_off_remove_time():
    sara = staff(
        *EVERY_DAY,
        exceptions=[
            exception(ExceptionKind.BREAK, local(SUNDAY, 13), local(SUNDAY, 13, 30)),
            exception(
                ExceptionKind.TIME_OFF,
                local(SUNDAY + timedelta(days=1), 0),
                local(SUNDAY + timedelta(days=2), 0),
            ),
        ],
    )
    assert working_intervals(sara, WEEK, whole(SUNDAY, days=3)) == [
        span(SUNDAY, 10, 0, 13, 0),
        span(SUNDAY, 13, 30, 22, 0),
        span(SUNDAY + timedelta(days=2), 10, 0, 22, 0),
    ]


def test_extra_hours_win_over_salon_hours():
    sara = staff(exceptions=[exception(ExceptionKind.EXTRA_HOURS, local(FRIDAY, 10), local(FRIDAY, 14))])
    assert working_intervals(sara, WEEK, whole(FRIDAY)) == [span(FRIDAY, 10, 0, 14, 0)]


def test_extra_hours_extend_a_shift_and_merge_with_it():
    sara = staff(
        rule(SUN, time(10), time(18)),
        exceptions=[exception(ExceptionKind.EXTRA_HOURS, local(SUNDAY, 18), local(SUNDAY, 23))],
    )
    assert working_intervals(sara, WEEK, whole(SUNDAY)) == [span(SUNDAY, 10, 0, 23, 0)]


def test_extra_hours_do_not_override_a_closure():
    eid = SUNDAY
    salon = SalonSchedule(WEEK.tz, WEEK.opening_hours, closures=(eid,))
    sara = staff(*EVERY_DAY, exceptions=[exception(ExceptionKind.EXTRA_HOURS, local(eid, 8), local(eid, 12))])
    assert working_intervals(sara, salon, whole(eid)) == []
    assert working_intervals(sara, salon, whole(eid + timedelta(days=1))) == [
        span(eid + timedelta(days=1), 10, 0, 22, 0)
    ]


def test_time_off_wins_over_extra_hours():
    sara = staff(
        exceptions=[
            exception(ExceptionKind.EXTRA_HOURS, local(FRIDAY, 10), local(FRIDAY, 14)),
            exception(ExceptionKind.TIME_OFF, local(FRIDAY, 12), local(FRIDAY, 18)),
        ]
    )
    assert working_intervals(sara, WEEK, whole(FRIDAY)) == [span(FRIDAY, 10, 0, 12, 0)]


def test_a_closure_keeps_the_previous_nights_late_hours():
    eid = FRIDAY
    salon = SalonSchedule(RIYADH, RAMADAN.opening_hours, closures=(eid,))
    sara = staff(*(rule(wd, time(21), time(3)) for wd in range(7)))
    window = Interval(local(THURSDAY, 12), local(FRIDAY + timedelta(days=1), 12))
    assert working_intervals(sara, salon, window) == [span(THURSDAY, 21, 0, 3, 0, day2=FRIDAY)]


def test_free_time_is_working_time_minus_bookings():
    busy = [span(SUNDAY, 11, 0, 12, 0), span(SUNDAY, 12, 0, 12, 45), span(SUNDAY, 21, 0, 22, 30)]
    sara = staff(rule(SUN, time(10), time(22)), busy=busy)
    assert free_intervals(sara, WEEK, whole(SUNDAY)) == [
        span(SUNDAY, 10, 0, 11, 0),
        span(SUNDAY, 12, 45, 21, 0),
    ]


def test_free_time_around_a_colour_keeps_the_processing_gap():
    sara = staff(rule(SUN, time(10), time(22)), busy=busy_segments(local(SUNDAY, 10), 90, 0, COLOUR))
    assert free_intervals(sara, WEEK, span(SUNDAY, 10, 0, 12, 0)) == [
        span(SUNDAY, 10, 30, 11, 10),
        span(SUNDAY, 11, 30, 12, 0),
    ]


# check_fits ----------------------------------------------------------------------------------------

SARA = staff(rule(SUN, time(10), time(22)), busy=[span(SUNDAY, 12, 0, 13, 0)])


def test_a_booking_that_ends_exactly_at_closing_fits():
    check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 21), 60, 0))


def test_a_booking_one_minute_past_closing_is_refused():
    with pytest.raises(Conflict) as raised:
        check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 21, 1), 60, 0))
    assert raised.value.code == "schedule.outside_availability"
    assert raised.value.params == {"start": local(SUNDAY, 21, 1), "end": local(SUNDAY, 22, 1)}


def test_the_buffer_must_fit_too():
    with pytest.raises(Conflict) as raised:
        check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 21), 60, 10))
    assert raised.value.code == "schedule.outside_availability"


def test_a_booking_may_start_exactly_when_another_ends_and_end_when_another_starts():
    check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 13), 60, 0))
    check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 11), 60, 0))


def test_overlap_is_reported_with_the_booked_time_and_wins_over_availability():
    with pytest.raises(Conflict) as raised:
        check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 12, 59), 600, 0))  # also runs past closing
    assert raised.value.code == "schedule.overlap"
    assert raised.value.params == {"start": local(SUNDAY, 12), "end": local(SUNDAY, 13)}


def test_buffer_of_the_new_booking_may_not_run_into_the_next_one():
    with pytest.raises(Conflict) as raised:
        check_fits(SARA, WEEK, busy_segments(local(SUNDAY, 11), 60, 5))
    assert raised.value.code == "schedule.overlap"


def test_another_booking_fits_in_the_processing_gap_of_a_colour():
    colour = busy_segments(local(SUNDAY, 10), 90, 0, COLOUR)  # busy 10:00-10:30 and 11:10-11:30
    sara = staff(rule(SUN, time(10), time(22)), busy=colour)
    check_fits(sara, WEEK, busy_segments(local(SUNDAY, 10, 30), 40, 0))
    with pytest.raises(Conflict):
        check_fits(sara, WEEK, busy_segments(local(SUNDAY, 10, 30), 45, 0))


def test_processing_may_cover_the_stylists_break():
    sara = staff(rule(SUN, time(10), time(14)), rule(SUN, time(14, 40), time(22)))  # break 14:00-14:40
    colour = busy_segments(local(SUNDAY, 13, 30), 90, 0, COLOUR)
    assert colour == (span(SUNDAY, 13, 30, 14, 0), span(SUNDAY, 14, 40, 15, 0))
    check_fits(sara, WEEK, colour)


def test_a_colour_whose_finish_falls_in_the_break_is_refused():
    sara = staff(rule(SUN, time(10), time(14)), rule(SUN, time(15), time(22)))  # break 14:00-15:00
    with pytest.raises(Conflict) as raised:
        check_fits(sara, WEEK, busy_segments(local(SUNDAY, 13, 30), 90, 0, COLOUR))  # finish 14:40-15:00
    assert raised.value.code == "schedule.outside_availability"
    assert raised.value.params == {"start": local(SUNDAY, 14, 40), "end": local(SUNDAY, 15)}


def test_late_night_bookings_fit_until_the_end_of_the_span():
    sara = staff(rule(THU, time(21), time(3)))
    check_fits(sara, RAMADAN, busy_segments(local(FRIDAY, 2), 60, 0))
    check_fits(sara, RAMADAN, busy_segments(local(THURSDAY, 23, 30), 60, 0))  # across midnight
    with pytest.raises(Conflict):
        check_fits(sara, RAMADAN, busy_segments(local(FRIDAY, 2, 30), 60, 0))


def test_nothing_to_fit_always_fits():
    check_fits(staff(), WEEK, ())
