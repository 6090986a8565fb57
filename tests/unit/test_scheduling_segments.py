"""Intervals and the stylist's busy segments: half-open semantics, buffer, processing phases."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Phase
from salon_desk.domain.scheduling import Interval, busy_segments, overlapping, phases_for_duration

RIYADH = ZoneInfo("Asia/Riyadh")
T0 = datetime(2025, 3, 2, 7, 0, tzinfo=UTC)  # 10:00 in Riyadh
COLOUR = (Phase(30), Phase(40, staff_busy=False), Phase(20))


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def iv(a: int, b: int) -> Interval:
    return Interval(at(a), at(b))


def test_intervals_are_half_open():
    assert not iv(0, 60).overlaps(iv(60, 90))
    assert iv(0, 61).overlaps(iv(60, 90))
    assert iv(0, 60).contains(at(0)) and not iv(0, 60).contains(at(60))
    assert iv(0, 60).contains(iv(0, 60)) and not iv(0, 60).contains(iv(0, 61))


def test_an_empty_interval_overlaps_nothing():
    assert not iv(30, 30).overlaps(iv(0, 60))
    assert iv(30, 30).is_empty


def test_intervals_are_normalised_to_utc_and_compare_by_instant():
    riyadh = Interval(T0.astimezone(RIYADH), at(60).astimezone(RIYADH))
    assert riyadh == iv(0, 60)
    assert riyadh.start.tzinfo is UTC and riyadh.start.hour == 7
    assert riyadh.duration == timedelta(hours=1)


def test_intervals_order_by_start_then_end():
    assert sorted([iv(30, 40), iv(0, 90), iv(0, 60)]) == [iv(0, 60), iv(0, 90), iv(30, 40)]


def test_bad_intervals_are_refused():
    with pytest.raises(ValueError):
        Interval(at(10), at(0))
    with pytest.raises(ValueError):
        Interval(datetime(2025, 3, 2, 10), datetime(2025, 3, 2, 11))


def test_intersection():
    assert iv(0, 60).intersection(iv(30, 90)) == iv(30, 60)
    assert iv(0, 60).intersection(iv(60, 90)) is None


def test_overlapping_returns_the_earliest_busy_interval_hit():
    busy = [iv(120, 150), iv(60, 90), iv(0, 30)]
    assert overlapping([iv(70, 130)], busy) == iv(60, 90)
    assert overlapping([iv(30, 60), iv(90, 120)], busy) is None


def test_without_phases_one_segment_covers_duration_and_buffer():
    assert busy_segments(T0, 60, 15) == (iv(0, 75),)
    assert busy_segments(T0, 45, 0) == (iv(0, 45),)


def test_processing_phase_leaves_the_stylist_free_and_buffer_extends_the_last_segment():
    assert busy_segments(T0, 90, 10, COLOUR) == (iv(0, 30), iv(70, 100))


def test_adjacent_busy_phases_merge():
    phases = (Phase(10), Phase(20), Phase(30, staff_busy=False), Phase(15), Phase(15))
    assert busy_segments(T0, 90, 0, phases) == (iv(0, 30), iv(60, 90))


def test_buffer_after_a_final_processing_phase_is_its_own_segment():
    phases = (Phase(20), Phase(40, staff_busy=False))
    assert busy_segments(T0, 60, 10, phases) == (iv(0, 20), iv(60, 70))


def test_a_service_with_no_busy_phase_and_no_buffer_keeps_nobody_busy():
    assert busy_segments(T0, 30, 0, (Phase(30, staff_busy=False),)) == ()


def test_segments_start_at_the_given_instant_in_utc():
    segments = busy_segments(T0.astimezone(RIYADH), 30, 0)
    assert segments[0].start == T0 and segments[0].start.tzinfo is UTC


@pytest.mark.parametrize(
    ("duration", "buffer", "phases", "code"),
    [
        (0, 0, (), "schedule.invalid_duration"),
        (-15, 0, (), "schedule.invalid_duration"),
        (30, -5, (), "schedule.invalid_buffer"),
        (90, 0, (Phase(30), Phase(30)), "schedule.phases_mismatch"),
        (30, 0, (Phase(30), Phase(0)), "schedule.invalid_duration"),
    ],
)
def test_invalid_service_times_are_refused(duration, buffer, phases, code):
    with pytest.raises(ValidationError) as raised:
        busy_segments(T0, duration, buffer, phases)
    assert raised.value.code == code


def test_phases_apply_only_when_they_match_the_staff_members_own_duration():
    assert phases_for_duration(COLOUR, 90) == COLOUR
    assert phases_for_duration(COLOUR, 75) == ()  # busy for all of her own 75 minutes
    assert phases_for_duration((), 60) == ()
