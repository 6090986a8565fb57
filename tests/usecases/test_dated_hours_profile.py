"""Dated salon hours (Ramadan) through the desk's use cases: slot search follows them, bookings they leave
outside are listed and must be settled first, bad input writes nothing; "keep" works on a closed day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.model import Actor, ExceptionKind
from salon_desk.domain.scheduling.consequences import Settlement
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.l10n import get_localizer
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.availability import Settle
from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.staff import PerformedService

PEPPER = b"p" * 32
RIYADH = ZoneInfo("Asia/Riyadh")
THURSDAY = date(2026, 11, 26)  # the demo's "now" is Wednesday 25 November 2026
FIRST_MONDAY = date(2026, 11, 30)


@pytest.fixture
def desk(engine, clock):
    factory = make_uow_factory(engine, clock, device_id="desk-test", pin_pepper=lambda _salon: PEPPER)
    return DeskService(factory, Actor("nobody", Role.RECEPTIONIST, "desk-test"))


def sign_in(desk: DeskService, role: Role) -> None:
    desk.users.sign_in(next(u.id for u in desk.users.list() if u.role is role), DEMO_PIN)


def writes(engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (c.execute(text("SELECT count(*) FROM outbox")).scalar_one(),
                c.execute(text("SELECT count(*) FROM audit_event")).scalar_one())


def ramadan(first: date, last: date, name: str = "Ramadan 1448") -> dict:
    """13:00-17:00 and 21:00-02:00 every day."""
    hours = [h for wd in range(7) for h in ({"weekday": wd, "start": "13:00", "end": "17:00"},
                                            {"weekday": wd, "start": "21:00", "end": "02:00"})]
    return {"name": name, "first_day": first.isoformat(), "last_day": last.isoformat(), "hours": hours}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIYADH)


def test_slot_search_follows_dated_hours_inside_the_range_only(desk):
    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.add({"name_ar": "رزان", "name_en": "Razan", "title_ar": "مصففة", "title_en": "Stylist",
                               "color": "#336699", "phone": "0551234567", "sort_order": 9}).id
    service = desk.catalogue.services()[0]
    desk.staff.set_services(staff_id, [PerformedService(service.id)])
    desk.availability.save_week(staff_id, [WeeklySpan(wd, time(9), time(3)) for wd in range(7)])
    change = {"dated_hours": [ramadan(FIRST_MONDAY, FIRST_MONDAY + timedelta(days=6))]}
    desk.salon_profile.update(change, {a.item_id: Settle(Settlement.KEEP) for a in desk.salon_profile.preview(change)})
    inside = desk.calendar.find_slots(FindSlots(((service.id, staff_id),), at(FIRST_MONDAY, 0), days_ahead=2,
                                                limit=200))
    starts = {s.start.astimezone(RIYADH) for s in inside}
    assert min(starts) == at(FIRST_MONDAY, 13)
    assert at(FIRST_MONDAY, 10) not in starts and at(FIRST_MONDAY, 21) in starts
    assert any(s.date() == FIRST_MONDAY + timedelta(days=1) and s.hour == 0 for s in starts)  # past midnight
    after = FIRST_MONDAY + timedelta(days=7)  # the range's last evening runs to 02:00 on this day
    outside = desk.calendar.find_slots(FindSlots(((service.id, staff_id),), at(after, 6), days_ahead=1))
    assert outside and outside[0].start.astimezone(RIYADH) == at(after, 10)  # the demo's weekly hours


def test_dated_hours_list_the_bookings_they_leave_outside_and_need_them_settled(desk, engine):
    sign_in(desk, Role.MANAGER)
    change = {"dated_hours": [ramadan(THURSDAY, THURSDAY + timedelta(days=29))]}
    affected = desk.salon_profile.preview(change)
    assert affected
    thursday = [a for a in affected if a.start_at.astimezone(RIYADH).date() == THURSDAY]
    assert thursday and all(not (at(THURSDAY, 13) <= a.start_at and a.end_at <= at(THURSDAY, 17))
                            for a in thursday)
    before = writes(engine)
    with pytest.raises(Conflict) as unsettled:
        desk.salon_profile.update(change)
    assert unsettled.value.code == "availability.unsettled"
    assert writes(engine) == before and desk.salon_profile.get().dated_hours == ()
    desk.salon_profile.update(change, {a.item_id: Settle(Settlement.KEEP) for a in affected})
    salon = desk.salon_profile.get()
    assert [d.name for d in salon.dated_hours] == ["Ramadan 1448"]
    assert desk.salon_profile.preview(change) == []  # unchanged: nothing to list
    for a in affected:
        assert desk.bookings.get(a.booking_id).status.value != "cancelled"


def test_bad_dated_hours_are_refused_and_nothing_is_written(desk, engine):
    sign_in(desk, Role.MANAGER)
    before = writes(engine)
    bad = [
        ([ramadan(FIRST_MONDAY, FIRST_MONDAY - timedelta(days=3))], "salon.dated_hours_reversed"),
        ([ramadan(FIRST_MONDAY, FIRST_MONDAY, name=" ")], "salon.dated_hours_no_name"),
        ([ramadan(FIRST_MONDAY, FIRST_MONDAY + timedelta(days=9)),
          ramadan(FIRST_MONDAY + timedelta(days=9), FIRST_MONDAY + timedelta(days=20), name="Eid")],
         "salon.dated_hours_overlap"),
        ([{**ramadan(FIRST_MONDAY, FIRST_MONDAY), "hours": [{"weekday": 0, "start": "13:00", "end": "17:00"},
                                                            {"weekday": 0, "start": "16:30", "end": "18:00"}]}],
         "salon.hours_overlap"),
    ]
    for ranges, code in bad:
        with pytest.raises(ValidationError) as refused:
            desk.salon_profile.update({"dated_hours": ranges})
        assert refused.value.code == code
        assert get_localizer("ar").error(refused.value) != get_localizer("en").error(refused.value)
    assert writes(engine) == before


def test_a_receptionist_may_not_change_dated_hours(desk):
    from salon_desk.domain.errors import Forbidden

    sign_in(desk, Role.RECEPTIONIST)
    with pytest.raises(Forbidden):
        desk.salon_profile.update({"dated_hours": [ramadan(FIRST_MONDAY, FIRST_MONDAY)]})


def test_keep_on_a_closed_day_keeps_the_booking_there_as_an_exception(desk):
    sign_in(desk, Role.OWNER)
    closure = {"closures": [THURSDAY.isoformat()]}
    affected = desk.salon_profile.preview(closure)
    assert len(affected) > 1
    kept, cancelled = affected[0], affected[-1]
    choices = {a.item_id: Settle(Settlement.KEEP) for a in affected}
    choices[cancelled.item_id] = Settle(Settlement.CANCEL, reason="Closed")
    if cancelled.booking_id == kept.booking_id:
        choices = {a.item_id: Settle(Settlement.KEEP) for a in affected}
    desk.salon_profile.update(closure, choices)
    assert THURSDAY in desk.salon_profile.get().closures
    booking = desk.bookings.get(kept.booking_id)
    item = next(i for i in booking.items if i.id == kept.item_id)
    assert booking.status.value != "cancelled" and item.start_at == kept.start_at  # still on the closed day
    # The exception is recorded and marked: the kept booking's own time, for that person, on that day.
    marks = desk.availability.exceptions(kept.staff_id, at(THURSDAY, 0), at(THURSDAY + timedelta(days=1), 6))
    assert any(e.kind is ExceptionKind.KEPT and e.start_at <= kept.start_at and kept.end_at <= e.end_at
               for e in marks)
    # Visible on the closed day: the person's column shows the kept time as working time around the booking.
    view = desk.calendar.day_view(THURSDAY)
    column = next(c for c in view.columns if c.staff.id == kept.staff_id)
    assert any(w.start <= kept.start_at and kept.end_at <= w.end for w in column.working)
    assert any(b.item_id == kept.item_id for b in view.blocks)
    # Now it fits: the same closure lists nothing more, while the rest of the day stays closed to new bookings.
    assert desk.salon_profile.preview({"closures": [THURSDAY.isoformat(), "2026-12-31"]}) == []
    # The rest of the closed day stays closed to new bookings: a slot there lies inside a kept booking's time
    # (a colour's processing time, when the stylist is free within it), nowhere else.
    slots = desk.calendar.find_slots(FindSlots(((kept.service_id, kept.staff_id),), at(THURSDAY, 0), days_ahead=1,
                                               limit=50))
    kept_spans = [(e.start_at, e.end_at) for e in desk.availability.exceptions(
        kept.staff_id, at(THURSDAY, 0), at(THURSDAY + timedelta(days=1), 6)) if e.kind is ExceptionKind.KEPT]
    for slot in slots:
        if slot.start < at(THURSDAY + timedelta(days=1), 3):
            assert any(lo <= slot.start and a.busy_until <= hi for lo, hi in kept_spans for a in slot.assignments)


def test_a_kept_exception_cannot_be_typed_in_by_hand(desk):
    from salon_desk.usecases.availability import NewException

    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.list()[0].id
    with pytest.raises(ValidationError) as refused:
        desk.availability.add_exception(NewException(staff_id, ExceptionKind.KEPT, THURSDAY, THURSDAY))
    assert refused.value.code == "availability.bad_kind"
