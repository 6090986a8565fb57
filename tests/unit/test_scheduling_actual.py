"""The busy time of a visit as it really ran (domain/scheduling/actual.py): one rule for desk and cloud."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Phase
from salon_desk.domain.scheduling import (
    Interval,
    busy_as_it_ran,
    busy_segments,
    check_actual_time,
    item_actual_end,
)

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(a: int, b: int) -> Interval:
    return Interval(at(a), at(b))


def test_an_early_end_keeps_the_cleanup_after_it_and_frees_the_rest():
    booked = busy_segments(T0, 45, 10)
    assert busy_as_it_ran(booked, at(0), at(45), at(55), at(20)) == (span(0, 30),)


def test_not_finished_or_overrun_keeps_the_booked_time():
    booked = busy_segments(T0, 45, 10)
    assert busy_as_it_ran(booked, at(0), at(45), at(55), None) == booked
    assert busy_as_it_ran(booked, at(0), at(45), at(55), at(45)) == booked
    assert busy_as_it_ran(booked, at(0), at(45), at(55), at(90)) == booked


def test_an_early_end_inside_a_processing_phase_frees_the_finish_phase():
    colour = (Phase(30, True), Phase(40, False), Phase(20, True))
    booked = busy_segments(T0, 90, 10, colour)
    assert booked == (span(0, 30), span(70, 100))
    assert busy_as_it_ran(booked, at(0), at(90), at(100), at(50)) == (span(0, 30), span(50, 60))
    assert busy_as_it_ran(booked, at(0), at(90), at(100), at(20)) == (span(0, 30),)


def test_an_item_that_had_not_begun_holds_nothing():
    booked = busy_segments(T0, 30, 5)
    assert busy_as_it_ran(booked, at(0), at(30), at(35), at(0)) == ()


@pytest.mark.parametrize(
    ("start", "end", "visit_end", "expected"),
    [
        (0, 45, 20, 20),  # still running: ends early
        (45, 75, 20, 45),  # not begun: holds nothing
        (0, 45, 90, 45),  # an earlier item of the visit ran as booked
        (45, 75, 90, 90),  # the visit's last item carries the overrun
    ],
)
def test_each_item_of_a_visit_gets_its_actual_end(start, end, visit_end, expected):
    assert item_actual_end(at(start), at(end), at(75), at(visit_end)) == at(expected)


def test_an_actual_time_is_not_in_the_future_nor_before_the_start():
    check_actual_time(at(64), at(60))  # within the clock skew
    with pytest.raises(ValidationError, match="booking.actual_time_in_future"):
        check_actual_time(at(70), at(60))
    with pytest.raises(ValidationError, match="booking.actual_end_before_start"):
        check_actual_time(at(-5), at(60), not_before=at(0))
