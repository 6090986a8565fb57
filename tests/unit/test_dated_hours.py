"""Dated salon hours (Ramadan): they replace the weekly hours inside their range, may run past midnight and
have several spans a day; closures win over them; a kept booking wins over a closure; bad input is refused."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    DatedHours,
    ExceptionKind,
    OpeningHours,
)
from salon_desk.domain.salon_profile import check_profile
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    StaffSchedule,
    business_day,
    check_fits,
    working_intervals,
)
from salon_desk.domain.scheduling.dated_hours import check_dated_hours, hours_in_force

RIYADH = ZoneInfo("Asia/Riyadh")
# Ramadan 1448 as a manager would type it (Gregorian, as announced; 1 Shawwal is 2027-03-09 in Umm al-Qura).
FIRST, LAST = date(2027, 2, 8), date(2027, 3, 8)
INSIDE, OUTSIDE = date(2027, 2, 16), date(2027, 3, 16)  # both Tuesdays
WEEKLY = tuple(OpeningHours(wd, time(10), time(22)) for wd in range(7))
RAMADAN_HOURS = tuple(h for wd in range(7) for h in (OpeningHours(wd, time(13), time(17)),
                                                     OpeningHours(wd, time(21), time(2))))
RAMADAN = DatedHours("Ramadan 1448", FIRST, LAST, RAMADAN_HOURS)
SALON = SalonSchedule(RIYADH, WEEKLY, dated_hours=(RAMADAN,))
ALL_DAY = StaffSchedule("sara", tuple(AvailabilityRule(f"r{wd}", "sara", wd, time(0), time(0)) for wd in range(7)), ())


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIYADH).astimezone(UTC)


def whole(day: date) -> Interval:
    return Interval(local(day, 6), local(day + timedelta(days=1), 6))


def test_inside_the_range_the_dated_hours_replace_the_weekly_ones_with_two_spans_and_past_midnight():
    assert working_intervals(ALL_DAY, SALON, whole(INSIDE)) == [
        Interval(local(INSIDE, 13), local(INSIDE, 17)),
        Interval(local(INSIDE, 21), local(INSIDE + timedelta(days=1), 2)),
    ]


def test_outside_the_range_the_weekly_hours_hold():
    assert working_intervals(ALL_DAY, SALON, whole(OUTSIDE)) == [Interval(local(OUTSIDE, 10), local(OUTSIDE, 22))]
    before = FIRST - timedelta(days=1)
    assert working_intervals(ALL_DAY, SALON, whole(before)) == [Interval(local(before, 10), local(before, 22))]


def test_the_last_evening_of_the_range_runs_past_midnight_into_the_next_day():
    after = LAST + timedelta(days=1)
    assert working_intervals(ALL_DAY, SALON, Interval(local(after, 0), local(after, 3))) == [
        Interval(local(after, 0), local(after, 2))
    ]
    assert business_day(local(after, 1, 30), SALON) == LAST  # 01:30 belongs to the evening before


def test_a_slot_fits_in_the_ramadan_evening_and_not_in_the_usual_morning():
    check_fits(ALL_DAY, SALON, [Interval(local(INSIDE, 23, 30), local(INSIDE + timedelta(days=1), 1))])
    with pytest.raises(Exception, match="outside"):
        check_fits(ALL_DAY, SALON, [Interval(local(INSIDE, 10), local(INSIDE, 11))])
    check_fits(ALL_DAY, SALON, [Interval(local(OUTSIDE, 10), local(OUTSIDE, 11))])


def test_a_closure_wins_over_dated_hours():
    eid_eve = date(2027, 3, 8)
    salon = SalonSchedule(RIYADH, WEEKLY, closures=(eid_eve,), dated_hours=(RAMADAN,))
    assert working_intervals(ALL_DAY, salon, whole(eid_eve)) == []


def test_a_weekday_without_dated_hours_is_closed_inside_the_range():
    fridays_off = DatedHours("Ramadan", FIRST, LAST, tuple(h for h in RAMADAN_HOURS if h.weekday != 4))
    friday = date(2027, 2, 19)
    assert working_intervals(ALL_DAY, SalonSchedule(RIYADH, WEEKLY, dated_hours=(fridays_off,)), whole(friday)) == []


def test_a_kept_booking_wins_over_a_closure_but_time_off_still_wins_over_it():
    eid = date(2027, 3, 9)
    booked = Interval(local(eid, 15), local(eid, 16))
    kept = AvailabilityException("k", "sara", ExceptionKind.KEPT, booked.start, booked.end)
    sara = StaffSchedule("sara", ALL_DAY.rules, (kept,))
    salon = SalonSchedule(RIYADH, WEEKLY, closures=(eid,))
    assert working_intervals(sara, salon, whole(eid)) == [booked]  # only the kept booking's own time
    extra = AvailabilityException("x", "sara", ExceptionKind.EXTRA_HOURS, booked.start, booked.end)
    assert working_intervals(StaffSchedule("sara", ALL_DAY.rules, (extra,)), salon, whole(eid)) == []
    off = AvailabilityException("o", "sara", ExceptionKind.TIME_OFF, local(eid, 0), local(eid, 23))
    assert working_intervals(StaffSchedule("sara", ALL_DAY.rules, (kept, off)), salon, whole(eid)) == []


def test_ranges_are_stored_sorted_and_found_by_day():
    later = DatedHours("Summer", date(2027, 7, 1), date(2027, 8, 31), ())
    checked = check_dated_hours([later, RAMADAN])
    assert [d.name for d in checked] == ["Ramadan 1448", "Summer"]
    assert hours_in_force(checked, INSIDE) == checked[0]
    assert hours_in_force(checked, OUTSIDE) is None
    stored = check_profile({"dated_hours": [{"name": " Ramadan 1448 ", "first_day": "2027-02-08",
                                             "last_day": "2027-03-08",
                                             "hours": [{"weekday": 1, "start": "21:00", "end": "02:00"},
                                                       {"weekday": 1, "start": "13:00", "end": "17:00"}]}]})
    assert stored["dated_hours"] == [{"name": "Ramadan 1448", "first_day": "2027-02-08", "last_day": "2027-03-08",
                                      "hours": [{"weekday": 1, "start": "13:00", "end": "17:00"},
                                                {"weekday": 1, "start": "21:00", "end": "02:00"}]}]


def _range(name="Ramadan", first="2027-02-08", last="2027-03-08", hours=None):
    return {"name": name, "first_day": first, "last_day": last,
            "hours": hours if hours is not None else [{"weekday": 0, "start": "21:00", "end": "02:00"}]}


@pytest.mark.parametrize(("ranges", "code"), [
    ([_range(name="  ")], "salon.dated_hours_no_name"),
    ([_range(first="2027-03-09", last="2027-02-08")], "salon.dated_hours_reversed"),
    ([_range(), _range(name="Eid week", first="2027-03-05", last="2027-03-12")], "salon.dated_hours_overlap"),
    ([_range(hours=[{"weekday": 0, "start": "13:00", "end": "17:00"},
                    {"weekday": 0, "start": "16:00", "end": "18:00"}])], "salon.hours_overlap"),
    ([_range(hours=[{"weekday": 0, "start": "21:00", "end": "02:00"},
                    {"weekday": 1, "start": "01:00", "end": "05:00"}])], "salon.hours_overlap"),
    ([_range(hours=[{"weekday": 0, "start": "17:00", "end": "13:00"}])], "availability.end_before_start"),
    ([_range(first="2027-02-30")], "salon.dated_hours_bad_day"),
    ([_range(first="2027-01-01", last="2028-06-01")], "availability.range_too_long"),
])
def test_bad_dated_hours_are_refused_with_a_code(ranges, code):
    with pytest.raises(ValidationError) as refused:
        check_profile({"dated_hours": ranges})
    assert refused.value.code == code


def test_every_refusal_has_an_arabic_and_an_english_message():
    from salon_desk.l10n import get_localizer

    for lang in ("ar", "en"):
        l10n = get_localizer(lang)
        text = l10n.error(ValidationError("salon.dated_hours_overlap", first="Ramadan", second="Eid week"))
        assert "Ramadan" in text and "Eid week" in text
        assert text != "salon.dated_hours_overlap"
        assert any("\u0600" <= c <= "\u06ff" for c in text) == (lang == "ar")


def test_a_break_in_a_ramadan_evening_is_inside_working_hours():
    from salon_desk.domain.scheduling.editing import check_exception

    evening = AvailabilityException("b", "sara", ExceptionKind.BREAK, local(INSIDE, 23), local(INSIDE, 23, 30))
    check_exception(evening, ALL_DAY.rules, SALON)  # the desk and the cloud both pass the dated hours
    with pytest.raises(ValidationError) as refused:
        check_exception(evening, ALL_DAY.rules, SalonSchedule(RIYADH, WEEKLY))
    assert refused.value.code == "availability.break_outside_hours"
