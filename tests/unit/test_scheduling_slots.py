"""find_slots: the local grid, the edges of the day, buffers, phases, multi-service visits, staff choice."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import AvailabilityRule, OpeningHours, Phase
from salon_desk.domain.scheduling import (
    Interval,
    SalonSchedule,
    SlotAssignment,
    StaffSchedule,
    VisitPart,
    busy_segments,
    find_slots,
)

RIYADH = ZoneInfo("Asia/Riyadh")
SUN, MON, TUE, WED, THU, FRI, SAT = 6, 0, 1, 2, 3, 4, 5
SUNDAY, MONDAY, THURSDAY, FRIDAY = date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 6), date(2025, 3, 7)
COLOUR = (Phase(30), Phase(40, staff_busy=False), Phase(20))
WEEK = SalonSchedule(RIYADH, tuple(OpeningHours(wd, time(10), time(22)) for wd in (SUN, MON, TUE, WED, THU)))
RAMADAN = SalonSchedule(RIYADH, tuple(OpeningHours(wd, time(21), time(3)) for wd in range(7)))


def local(day: date, hour: int, minute: int = 0, tz: ZoneInfo = RIYADH) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


def person(staff_id: str, *busy: Interval, start: time = time(10), end: time = time(22)) -> StaffSchedule:
    rules = tuple(AvailabilityRule(f"{staff_id}{wd}", staff_id, wd, start, end) for wd in range(7))
    return StaffSchedule(staff_id, rules, (), tuple(busy))


def team(*people: StaffSchedule) -> dict[str, StaffSchedule]:
    return {p.staff_id: p for p in people}


def part(
    minutes: int, *candidates: str, buffer: int = 0, phases=(), service: str = "cut", **overrides
) -> VisitPart:
    return VisitPart(service, minutes, buffer, tuple(phases), tuple(candidates), overrides)


def starts(options) -> list[datetime]:
    return [o.start for o in options]


def day_of(day: date, limit: int = 1000, **kwargs):
    return dict(earliest=local(day, 0), latest=local(day + timedelta(days=1), 0), limit=limit, **kwargs)


def test_slots_are_on_the_local_quarter_hour_grid_from_earliest():
    options = find_slots(
        WEEK, [part(60, "sara")], team(person("sara")), local(SUNDAY, 10, 7), local(SUNDAY, 11, 1)
    )
    assert starts(options) == [
        local(SUNDAY, 10, 15),
        local(SUNDAY, 10, 30),
        local(SUNDAY, 10, 45),
        local(SUNDAY, 11),
    ]
    assert options[0].start == datetime(2025, 3, 2, 7, 15, tzinfo=UTC)
    assert options[0].assignments == (
        SlotAssignment("cut", "sara", local(SUNDAY, 10, 15), local(SUNDAY, 11, 15), local(SUNDAY, 11, 15)),
    )


def test_the_grid_follows_local_time_not_utc():
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local hours are half past in UTC
    salon = SalonSchedule(kolkata, (OpeningHours(SUN, time(10), time(13)),))
    options = find_slots(salon, [part(60, "sara")], team(person("sara")), **day_of(SUNDAY), step_minutes=60)
    assert starts(options) == [local(SUNDAY, h, tz=kolkata) for h in (10, 11, 12)]
    assert options[0].start.minute == 30


def test_the_last_slot_ends_exactly_at_closing():
    options = find_slots(WEEK, [part(60, "sara")], team(person("sara")), **day_of(SUNDAY))
    assert starts(options)[0] == local(SUNDAY, 10)
    assert starts(options)[-1] == local(SUNDAY, 21)  # 21:00-22:00; 21:15 would end one quarter late


def test_a_slot_one_minute_too_long_for_the_day_is_not_offered():
    options = find_slots(WEEK, [part(61, "sara")], team(person("sara")), **day_of(SUNDAY))
    assert starts(options)[-1] == local(SUNDAY, 20, 45)


def test_earliest_is_inclusive_and_latest_exclusive():
    options = find_slots(WEEK, [part(30, "sara")], team(person("sara")), local(SUNDAY, 11), local(SUNDAY, 12))
    assert starts(options) == [
        local(SUNDAY, 11),
        local(SUNDAY, 11, 15),
        local(SUNDAY, 11, 30),
        local(SUNDAY, 11, 45),
    ]


def test_a_slot_may_start_exactly_when_a_booking_ends():
    sara = person("sara", Interval(local(SUNDAY, 10), local(SUNDAY, 11)))
    options = find_slots(WEEK, [part(60, "sara")], team(sara), **day_of(SUNDAY, limit=1))
    assert starts(options) == [local(SUNDAY, 11)]


def test_the_buffer_keeps_the_stylist_busy_after_the_service():
    sara = person(
        "sara", *busy_segments(local(SUNDAY, 10), 60, 15), Interval(local(SUNDAY, 13), local(SUNDAY, 14))
    )
    options = find_slots(
        WEEK, [part(45, "sara", buffer=15)], team(sara), local(SUNDAY, 10), local(SUNDAY, 13)
    )
    # free 11:15-13:00; the new 45 minutes + 15 cleanup must end by 13:00
    assert starts(options) == [
        local(SUNDAY, 11, 15),
        local(SUNDAY, 11, 30),
        local(SUNDAY, 11, 45),
        local(SUNDAY, 12),
    ]
    assert options[0].assignments[0].end == local(SUNDAY, 12)
    assert options[0].assignments[0].busy_until == local(SUNDAY, 12, 15)


def test_another_booking_fits_while_a_colour_processes():
    sara = person("sara", *busy_segments(local(SUNDAY, 10), 90, 0, COLOUR))  # busy 10:00-10:30, 11:10-11:30
    options = find_slots(WEEK, [part(40, "sara")], team(sara), local(SUNDAY, 10), local(SUNDAY, 11, 30))
    assert starts(options) == [local(SUNDAY, 10, 30)]


def test_a_colour_can_be_booked_around_another_booking_in_its_processing_time():
    sara = person("sara", Interval(local(SUNDAY, 10, 30), local(SUNDAY, 11, 10)))
    colour = part(90, "sara", phases=COLOUR, service="colour")
    options = find_slots(WEEK, [colour], team(sara), local(SUNDAY, 10), local(SUNDAY, 10, 15))
    assert starts(options) == [local(SUNDAY, 10)]


def test_anyone_takes_the_first_free_staff_member_in_preference_order():
    sara = person("sara", Interval(local(SUNDAY, 10), local(SUNDAY, 11)))
    noura, lama = person("noura"), person("lama")
    options = find_slots(WEEK, [part(60, "sara", "noura", "lama")], team(sara, noura, lama), **day_of(SUNDAY))
    chosen = {o.start: o.assignments[0].staff_id for o in options}
    assert chosen[local(SUNDAY, 10)] == "noura"
    assert chosen[local(SUNDAY, 10, 45)] == "noura"
    assert chosen[local(SUNDAY, 11)] == "sara"


def test_a_visit_runs_its_services_in_sequence():
    parts = [part(60, "sara", "noura"), part(30, "noura", "sara", service="blow")]
    options = find_slots(
        WEEK, parts, team(person("sara"), person("noura")), local(SUNDAY, 10), local(SUNDAY, 10, 1)
    )
    (option,) = options
    cut, blow = option.assignments
    assert (cut.staff_id, cut.start, cut.end) == ("sara", local(SUNDAY, 10), local(SUNDAY, 11))
    assert (blow.staff_id, blow.start, blow.end) == ("noura", local(SUNDAY, 11), local(SUNDAY, 11, 30))


def test_the_next_service_starts_at_the_end_not_after_the_buffer():
    parts = [part(60, "sara", buffer=15), part(30, "noura", service="blow")]
    (option,) = find_slots(
        WEEK, parts, team(person("sara"), person("noura")), local(SUNDAY, 10), local(SUNDAY, 10, 1)
    )
    assert option.assignments[1].start == local(SUNDAY, 11)


def test_a_chosen_stylist_may_do_both_services_back_to_back():
    parts = [part(60, "sara"), part(30, "sara", service="blow")]
    options = find_slots(WEEK, parts, team(person("sara")), **day_of(SUNDAY))
    assert starts(options)[-1] == local(SUNDAY, 20, 30)
    assert all(a.staff_id == "sara" for o in options for a in o.assignments)


def test_the_same_stylist_carries_straight_on_without_cleaning_up_in_between():
    parts = [part(60, "sara", buffer=10), part(30, "sara", service="blow", buffer=5)]
    (option,) = find_slots(WEEK, parts, team(person("sara")), local(SUNDAY, 10), local(SUNDAY, 10, 1))
    cut, blow = option.assignments
    assert (cut.end, cut.busy_until) == (local(SUNDAY, 11), local(SUNDAY, 11))  # no cleanup between
    assert (blow.start, blow.busy_until) == (local(SUNDAY, 11), local(SUNDAY, 11, 35))


def test_her_cleanup_still_counts_when_someone_else_serves_in_between():
    parts = [part(60, "sara", buffer=10), part(5, "reem", service="brows"), part(30, "sara", service="blow")]
    assert find_slots(WEEK, parts, team(person("sara"), person("reem")), local(SUNDAY, 10),
                      local(SUNDAY, 10, 1)) == []


def test_an_earlier_choice_is_revised_when_a_later_service_cannot_follow_it():
    parts = [part(60, "sara", "noura", buffer=10), part(5, "reem", service="brows"),
             part(30, "sara", service="blow")]
    (option,) = find_slots(
        WEEK, parts, team(person("sara"), person("noura"), person("reem")), local(SUNDAY, 10), local(SUNDAY, 10, 1)
    )
    assert [a.staff_id for a in option.assignments] == ["noura", "reem", "sara"]


def test_a_visit_is_offered_only_when_every_service_fits():
    noura = person("noura", Interval(local(SUNDAY, 11), local(SUNDAY, 12)))
    parts = [part(60, "sara"), part(30, "noura", service="blow")]
    options = find_slots(WEEK, parts, team(person("sara"), noura), local(SUNDAY, 10), local(SUNDAY, 11, 1))
    assert starts(options) == [
        local(SUNDAY, 11)
    ]  # blow-dry at 12:00; at 10:00-10:45 it would hit 11:00-12:00


def test_a_staff_members_own_duration_is_used():
    parts = [part(60, "sara", "noura", noura=45), part(30, "noura", "sara", service="blow")]
    sara = person("sara", Interval(local(SUNDAY, 10), local(SUNDAY, 12)))
    (option,) = find_slots(WEEK, parts, team(sara, person("noura")), local(SUNDAY, 10), local(SUNDAY, 10, 1))
    cut, blow = option.assignments
    assert (cut.staff_id, cut.end) == ("noura", local(SUNDAY, 10, 45))
    assert (blow.staff_id, blow.start) == ("noura", local(SUNDAY, 10, 45))


def test_a_faster_stylist_fits_where_the_standard_duration_does_not():
    options = find_slots(WEEK, [part(60, "sara", "noura", noura=45)], team(person("sara"), person("noura")),
                         **day_of(SUNDAY))  # fmt: skip
    last = options[-1]
    assert last.start == local(SUNDAY, 21, 15) and last.assignments[0].staff_id == "noura"


def test_an_own_duration_that_breaks_the_phases_keeps_her_busy_throughout():
    sara = person("sara", Interval(local(SUNDAY, 10, 45), local(SUNDAY, 11)))  # inside a colour's processing
    colour = part(90, "sara", phases=COLOUR, service="colour")
    assert starts(find_slots(WEEK, [colour], team(sara), local(SUNDAY, 10), local(SUNDAY, 10, 1))) == [
        local(SUNDAY, 10)
    ]
    slower = part(90, "sara", phases=COLOUR, service="colour", sara=100)
    assert find_slots(WEEK, [slower], team(sara), local(SUNDAY, 10), local(SUNDAY, 10, 1)) == []


def test_the_weekend_is_skipped_and_days_come_in_order():
    options = find_slots(
        WEEK, [part(60, "sara")], team(person("sara")), local(THURSDAY, 20, 30), local(date(2025, 3, 10), 0)
    )
    assert starts(options)[:3] == [local(THURSDAY, 20, 30), local(THURSDAY, 20, 45), local(THURSDAY, 21)]
    assert starts(options)[3] == local(date(2025, 3, 9), 10)  # Sunday


def test_late_night_slots_run_past_midnight():
    night = person("sara", start=time(21), end=time(3))
    options = find_slots(
        RAMADAN, [part(60, "sara")], team(night), local(THURSDAY, 12), local(FRIDAY, 12), limit=100
    )
    assert starts(options)[0] == local(THURSDAY, 21)
    assert local(THURSDAY, 23, 30) in starts(options)  # crosses midnight
    assert local(FRIDAY, 0) in starts(options)
    assert starts(options)[-1] == local(FRIDAY, 2)  # ends 03:00 exactly


def test_a_step_that_does_not_divide_the_hour_counts_from_local_midnight():
    options = find_slots(WEEK, [part(30, "sara")], team(person("sara")), local(SUNDAY, 10), local(SUNDAY, 12),
                         step_minutes=45)  # fmt: skip
    assert starts(options) == [local(SUNDAY, 10, 30), local(SUNDAY, 11, 15)]


def test_dst_day_grid_skips_wall_times_that_do_not_exist():
    berlin = ZoneInfo("Europe/Berlin")  # 2025-03-30 02:00 -> 03:00
    salon = SalonSchedule(berlin, (OpeningHours(SAT, time(22), time(6)),))
    options = find_slots(salon, [part(15, "sara")], team(person("sara", start=time(22), end=time(6))),
                         local(date(2025, 3, 30), 1, 30, tz=berlin), local(date(2025, 3, 30), 3, 31, tz=berlin))  # fmt: skip
    assert [o.start.astimezone(berlin).strftime("%H:%M") for o in options] == [
        "01:30",
        "01:45",
        "03:00",
        "03:15",
        "03:30",
    ]


def test_limit_and_prefix():
    options = find_slots(
        WEEK, [part(30, "sara")], team(person("sara")), local(SUNDAY, 10), local(MONDAY, 22), limit=5
    )
    longer = find_slots(
        WEEK, [part(30, "sara")], team(person("sara")), local(SUNDAY, 10), local(MONDAY, 22), limit=60
    )
    assert len(options) == 5 and longer[:5] == options and len(longer) == 60
    assert (
        find_slots(
            WEEK, [part(30, "sara")], team(person("sara")), local(SUNDAY, 10), local(SUNDAY, 11), limit=0
        )
        == []
    )


def test_unknown_staff_and_empty_visits_give_no_slots():
    assert find_slots(WEEK, [part(30, "ghost")], team(person("sara")), **day_of(SUNDAY)) == []
    assert find_slots(WEEK, [], team(person("sara")), **day_of(SUNDAY)) == []
    only_sara = find_slots(WEEK, [part(30, "ghost", "sara")], team(person("sara")), **day_of(SUNDAY))
    assert only_sara and {o.assignments[0].staff_id for o in only_sara} == {"sara"}


def test_invalid_parts_and_steps_are_refused():
    with pytest.raises(ValidationError):
        find_slots(WEEK, [part(60, "sara", phases=(Phase(30),))], team(person("sara")), **day_of(SUNDAY))
    with pytest.raises(ValueError):
        find_slots(WEEK, [part(60, "sara")], team(person("sara")), **day_of(SUNDAY), step_minutes=0)
