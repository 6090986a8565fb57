"""Salon hours, business days and local time: the Saudi week, late nights, closures, UTC+3."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.model import OpeningHours, Salon
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    business_day,
    business_day_extent,
    business_day_window,
    week_start,
)

RIYADH = ZoneInfo("Asia/Riyadh")
SUN, MON, TUE, WED, THU, FRI, SAT = 6, 0, 1, 2, 3, 4, 5
SUNDAY = date(2025, 3, 2)
THURSDAY, FRIDAY, SATURDAY = date(2025, 3, 6), date(2025, 3, 7), date(2025, 3, 8)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIYADH)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def week_salon(**kwargs) -> SalonSchedule:
    """Open Sunday to Thursday 10:00-22:00; closed on the Friday/Saturday weekend."""
    hours = tuple(OpeningHours(wd, time(10), time(22)) for wd in (SUN, MON, TUE, WED, THU))
    return SalonSchedule(RIYADH, hours, **kwargs)


def ramadan_salon(**kwargs) -> SalonSchedule:
    """Every day 21:00-03:00 (runs past midnight)."""
    return SalonSchedule(RIYADH, tuple(OpeningHours(wd, time(21), time(3)) for wd in range(7)), **kwargs)


def test_the_saudi_week_starts_on_sunday():
    assert week_start(date(2025, 3, 2)) == date(2025, 3, 2)  # Sunday itself
    assert week_start(date(2025, 3, 6)) == date(2025, 3, 2)  # Thursday
    assert week_start(date(2025, 3, 8)) == date(2025, 3, 2)  # Saturday ends the week
    assert week_start(date(2025, 3, 9)) == date(2025, 3, 9)


def test_weekday_numbers_follow_python_so_sunday_is_6_and_the_weekend_is_closed():
    salon = week_salon()
    assert business_day_window(SUNDAY, salon) == Interval(local(SUNDAY, 10), local(SUNDAY, 22))
    assert business_day_window(THURSDAY, salon) == Interval(local(THURSDAY, 10), local(THURSDAY, 22))
    assert business_day_window(FRIDAY, salon) is None
    assert business_day_window(SATURDAY, salon) is None


def test_riyadh_is_utc_plus_3_and_windows_are_returned_in_utc():
    window = business_day_window(SUNDAY, week_salon())
    assert window.start == utc(SUNDAY, 7) and window.end == utc(SUNDAY, 19)
    assert window.start.tzinfo is UTC


def test_a_late_night_span_ends_on_the_next_calendar_day():
    window = business_day_window(THURSDAY, ramadan_salon())
    assert window == Interval(local(THURSDAY, 21), local(FRIDAY, 3))
    assert window.end == utc(FRIDAY, 0)


def test_half_past_one_after_a_late_night_belongs_to_the_evening_before():
    salon = ramadan_salon()
    assert business_day(local(FRIDAY, 1, 30), salon) == THURSDAY
    assert business_day(local(FRIDAY, 1, 30).astimezone(UTC), salon) == THURSDAY  # Thursday 22:30 UTC
    assert business_day(local(FRIDAY, 2, 59), salon) == THURSDAY
    assert business_day(local(FRIDAY, 3, 0), salon) == FRIDAY  # the span is half-open
    assert business_day(local(FRIDAY, 21, 0), salon) == FRIDAY
    assert business_day(local(THURSDAY, 23, 59), salon) == THURSDAY


def test_business_day_is_the_local_date_not_the_utc_date():
    salon = week_salon()
    late_evening = local(SUNDAY, 23, 30)  # 20:30 UTC the same day
    just_after_midnight = local(date(2025, 3, 3), 0, 30)  # still Sunday 21:30 in UTC
    assert business_day(late_evening, salon) == SUNDAY
    assert business_day(just_after_midnight, salon) == date(2025, 3, 3)
    assert just_after_midnight.astimezone(UTC).date() == SUNDAY


def test_outside_any_late_span_the_calendar_date_is_used():
    salon = SalonSchedule(RIYADH, (OpeningHours(THU, time(16), time(2)),))  # only Thursday
    assert business_day(local(FRIDAY, 1), salon) == THURSDAY
    assert business_day(local(FRIDAY, 2, 30), salon) == FRIDAY
    assert business_day(local(date(2025, 3, 12), 1), salon) == date(2025, 3, 12)  # Wednesday: no span before


def test_extent_partitions_time_between_business_days():
    salon = ramadan_salon()
    thursday, friday = business_day_extent(THURSDAY, salon), business_day_extent(FRIDAY, salon)
    assert thursday == Interval(local(THURSDAY, 3), local(FRIDAY, 3))
    assert thursday.end == friday.start


def test_span_ending_exactly_at_midnight_does_not_carry_into_the_next_day():
    salon = SalonSchedule(RIYADH, (OpeningHours(THU, time(16), time(0)),))
    assert business_day_window(THURSDAY, salon) == Interval(local(THURSDAY, 16), local(FRIDAY, 0))
    assert business_day(local(FRIDAY, 0), salon) == FRIDAY
    assert business_day(local(THURSDAY, 23, 59), salon) == THURSDAY


def test_equal_start_and_end_means_open_around_the_clock():
    salon = SalonSchedule(RIYADH, (OpeningHours(MON, time(0), time(0)),))
    monday = date(2025, 3, 3)
    assert business_day_window(monday, salon) == Interval(local(monday, 0), local(date(2025, 3, 4), 0))


def test_split_hours_give_the_bounding_window():
    salon = SalonSchedule(
        RIYADH, (OpeningHours(SUN, time(9), time(13)), OpeningHours(SUN, time(16), time(23)))
    )
    assert business_day_window(SUNDAY, salon) == Interval(local(SUNDAY, 9), local(SUNDAY, 23))


def test_a_closure_closes_the_whole_business_day():
    national_day = date(2025, 9, 23)  # a Tuesday
    salon = week_salon(closures=(national_day,))
    assert business_day_window(national_day, salon) is None
    assert business_day_window(national_day + timedelta(days=1), salon) is not None


def test_closures_do_not_move_instants_between_business_days():
    # Eid closes Friday; 01:30 Friday is still Thursday night's business.
    salon = ramadan_salon(closures=(FRIDAY,))
    assert business_day(local(FRIDAY, 1, 30), salon) == THURSDAY
    assert business_day_window(THURSDAY, salon) == Interval(local(THURSDAY, 21), local(FRIDAY, 3))
    assert business_day_window(FRIDAY, salon) is None


def test_schedule_from_the_salon_entity():
    salon = Salon(
        id="s", name_ar="صالون", name_en="Salon", timezone="Asia/Riyadh", vat_number="", commercial_registration="",
        address="", opening_hours=(OpeningHours(SUN, time(10), time(22)),), closures=(FRIDAY,),
        cancel_cutoff_minutes=60, deposit_halalas=0, sms_sender="", digit_style="latn",
    )  # fmt: skip
    schedule = SalonSchedule.of_salon(salon)
    assert schedule.tz == RIYADH and schedule.closures == (FRIDAY,)
    assert business_day_window(SUNDAY, schedule) == Interval(local(SUNDAY, 10), local(SUNDAY, 22))


def test_dst_zone_converts_each_wall_time_with_its_own_offset():
    berlin = ZoneInfo("Europe/Berlin")  # 2025-03-30: 02:00 -> 03:00
    salon = SalonSchedule(berlin, (OpeningHours(SAT, time(20), time(6)),))
    window = business_day_window(date(2025, 3, 29), salon)
    assert window.start == datetime(2025, 3, 29, 19, tzinfo=UTC)  # +01:00
    assert window.end == datetime(2025, 3, 30, 4, tzinfo=UTC)  # +02:00
    assert window.duration == timedelta(hours=9)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        business_day(datetime(2025, 3, 6, 1, 30), ramadan_salon())
