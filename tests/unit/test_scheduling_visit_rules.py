"""The customer's own time (one chair at a time, save services that run alongside) and what stands in the way
of a requested time: pure domain rules, checked here without a database."""

from datetime import UTC, date, datetime, time

import pytest

from salon_desk.domain.errors import Conflict
from salon_desk.domain.model import AvailabilityException, AvailabilityRule, ExceptionKind
from salon_desk.domain.scheduling import (
    CustomerItem,
    Interval,
    InTheWay,
    SalonSchedule,
    StaffSchedule,
    blocked,
    check_customer_items,
    customer_clash,
    obstacles,
)
from tests.unit.test_scheduling_availability import RIYADH, SUNDAY, WEEK, local

SUN = 6


def item(service: str, h1: int, m1: int, h2: int, m2: int, alongside: bool = False) -> CustomerItem:
    return CustomerItem(service, local(SUNDAY, h1, m1), local(SUNDAY, h2, m2), alongside, service.title())


def test_touching_items_are_one_after_the_other() -> None:
    assert customer_clash([item("haircut", 10, 0, 10, 45), item("blowdry", 10, 45, 11, 15)]) is None


def test_overlapping_items_are_two_chairs_at_once() -> None:
    haircut, blowdry = item("haircut", 10, 0, 11, 0), item("blowdry", 10, 45, 11, 15)
    assert customer_clash([blowdry, haircut]) == (haircut, blowdry)
    with pytest.raises(Conflict) as raised:
        check_customer_items([blowdry, haircut])
    assert raised.value.code == "booking.customer_overlap"
    assert raised.value.params["service"] == "Haircut" and raised.value.params["other"] == "Blowdry"
    assert (raised.value.params["start_time"], raised.value.params["end_time"]) == (
        datetime(2025, 3, 2, 7, 45, tzinfo=UTC), datetime(2025, 3, 2, 8, 0, tzinfo=UTC))


@pytest.mark.parametrize(("first", "second", "allowed"), [(True, True, True), (True, False, False),
                                                          (False, True, False)])
def test_only_two_services_that_run_alongside_may_share_time(first: bool, second: bool, allowed: bool) -> None:
    visit = [item("manicure", 10, 0, 10, 45, first), item("pedicure", 10, 0, 11, 0, second)]
    assert (customer_clash(visit) is None) is allowed


def test_a_third_item_is_checked_against_every_earlier_one() -> None:
    visit = [item("manicure", 10, 0, 10, 45, True), item("pedicure", 10, 0, 11, 0, True),
             item("haircut", 10, 50, 11, 30)]
    assert customer_clash(visit) == (visit[1], visit[2])


def test_every_obstacle_is_named_in_time_order() -> None:
    """Sara works 10:00-18:00 (salon 10:00-22:00); booked 11:00-12:00; a break 12:30-13:00. A span
    09:30-13:30 meets: the salon closed 09:30-10:00, the booking, the break."""
    sara = StaffSchedule(
        "sara",
        (AvailabilityRule("r", "sara", SUN, time(10), time(18)),),
        (AvailabilityException("b", "sara", ExceptionKind.BREAK, local(SUNDAY, 12, 30), local(SUNDAY, 13)),),
        (Interval(local(SUNDAY, 11), local(SUNDAY, 12)),),
    )
    found = obstacles(sara, WEEK, [Interval(local(SUNDAY, 9, 30), local(SUNDAY, 13, 30))])
    assert [(o.kind, o.interval) for o in found] == [
        ("closed", Interval(local(SUNDAY, 9, 30), local(SUNDAY, 10))),
        ("booked", Interval(local(SUNDAY, 11), local(SUNDAY, 12))),
        ("break", Interval(local(SUNDAY, 12, 30), local(SUNDAY, 13))),
    ]
    evening = obstacles(sara, WEEK, [Interval(local(SUNDAY, 17, 30), local(SUNDAY, 18, 30))])
    assert [(o.kind, o.interval) for o in evening] == [
        ("not_working", Interval(local(SUNDAY, 18), local(SUNDAY, 18, 30)))]
    assert obstacles(sara, WEEK, [Interval(local(SUNDAY, 14), local(SUNDAY, 15))]) == []


def test_leave_is_cut_to_the_time_asked_for_and_clauses_continue_per_stylist() -> None:
    leave = AvailabilityException("l", "sara", ExceptionKind.TIME_OFF, local(SUNDAY, 0), local(date(2025, 3, 5), 0))
    sara = StaffSchedule("sara", (AvailabilityRule("r", "sara", SUN, time(10), time(18)),), (leave,))
    found = obstacles(sara, WEEK, [Interval(local(SUNDAY, 11), local(SUNDAY, 12))])
    assert [(o.kind, o.interval) for o in found] == [("time_off", Interval(local(SUNDAY, 11), local(SUNDAY, 12)))]
    error = blocked([[InTheWay(o, "Sara", "سارة") for o in found * 2]])
    assert [c["code"] for c in error.params["obstacles"]] == [
        "schedule.in_way.time_off", "schedule.in_way.time_off.then"]
    assert error.code == "schedule.blocked"


def test_a_closure_day_reads_as_the_salon_closed() -> None:
    closed = SalonSchedule(RIYADH, WEEK.opening_hours, (SUNDAY,))
    sara = StaffSchedule("sara", (AvailabilityRule("r", "sara", SUN, time(10), time(18)),), ())
    found = obstacles(sara, closed, [Interval(local(SUNDAY, 11), local(SUNDAY, 12))])
    assert [o.kind for o in found] == ["closed"]
