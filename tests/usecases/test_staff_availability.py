"""Issue #10 at the desk: staff, services, weekly hours, dated exceptions and their consequences, with the
role matrix enforced in the use cases and bad input refused with nothing written."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.errors import Conflict, DomainError, Forbidden, ValidationError
from salon_desk.domain.model import Actor, ExceptionKind
from salon_desk.domain.scheduling.consequences import Settlement
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.l10n import get_localizer
from salon_desk.store.uow import make_uow_factory
from salon_desk.usecases.availability import NewException, Settle
from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.staff import PerformedService

PEPPER = b"p" * 32
RIYADH = ZoneInfo("Asia/Riyadh")
THURSDAY = date(2026, 11, 26)  # the demo's "now" is Wednesday 25 November 2026


@pytest.fixture
def desk(engine, clock):
    factory = make_uow_factory(engine, clock, device_id="desk-test", pin_pepper=lambda _salon: PEPPER)
    return DeskService(factory, Actor("nobody", Role.RECEPTIONIST, "desk-test"))


def sign_in(desk: DeskService, role: Role) -> Actor:
    found = next(u for u in desk.users.list() if u.role is role)
    return desk.users.sign_in(found.id, DEMO_PIN)


def writes(engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (c.execute(text("SELECT count(*) FROM outbox")).scalar_one(),
                c.execute(text("SELECT count(*) FROM audit_event")).scalar_one())


def week_of(desk: DeskService, staff_id: str) -> list[WeeklySpan]:
    return [WeeklySpan(r.weekday, r.start, r.end, r.valid_from, r.valid_to) for r in desk.availability.week(staff_id)]


def busy_staff(desk: DeskService, day: date) -> str:
    """A staff member with bookings on `day`."""
    counts = Counter(b.staff_id for b in desk.calendar.day_view(day).blocks)
    return counts.most_common(1)[0][0]


NEW_STYLIST = {"name_ar": "رزان", "name_en": "Razan", "title_ar": "مصففة", "title_en": "Stylist",
               "color": "#336699", "phone": "0551234567", "sort_order": 9}


def test_receptionist_is_refused_everything_protected_and_nothing_is_written(desk, engine):
    sign_in(desk, Role.RECEPTIONIST)
    staff_id = desk.staff.list()[0].id
    service_id = desk.catalogue.services()[0].id
    before = writes(engine)
    attempts = [
        lambda: desk.staff.add(NEW_STYLIST),
        lambda: desk.staff.update(staff_id, {"active": False}),
        lambda: desk.staff.set_services(staff_id, [PerformedService(service_id)]),
        lambda: desk.catalogue.add({"name_en": "Fringe", "duration_minutes": 15, "price_halalas": 2000}),
        lambda: desk.catalogue.update(service_id, {"price_halalas": 1}),
        lambda: desk.availability.save_week(staff_id, []),
        lambda: desk.availability.add_exception(NewException(staff_id, ExceptionKind.TIME_OFF, THURSDAY, THURSDAY)),
        lambda: desk.salon_profile.update({"closures": ["2026-12-02"]}),
        lambda: desk.salon_profile.update({"idle_lock_minutes": 9}),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.code == "permission.denied"
    assert writes(engine) == before
    en = get_localizer("en").error(refused.value)
    ar = get_localizer("ar").error(refused.value)
    assert en != ar


def test_manager_pin_elevates_one_receptionist_action(desk):
    sign_in(desk, Role.RECEPTIONIST)
    result = desk.staff.add(NEW_STYLIST, manager_pin=DEMO_PIN)
    assert desk.staff.details(result.id).staff.name_en == "Razan"
    with pytest.raises(Forbidden):
        desk.staff.update(result.id, {"sort_order": 3})


def test_manager_adds_a_stylist_with_titles_in_both_languages(desk, engine):
    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.add(NEW_STYLIST).id
    staff = desk.staff.details(staff_id).staff
    assert (staff.title_in("ar"), staff.title_in("en")) == ("مصففة", "Stylist")
    assert staff.phone == "+966551234567"
    before = writes(engine)
    with pytest.raises(Conflict) as taken:
        desk.staff.add({**NEW_STYLIST, "name_en": "Other", "phone": "+966551234567"})
    assert taken.value.code == "staff.phone_taken"
    assert writes(engine) == before
    service = desk.catalogue.services()[0]
    desk.staff.set_services(staff_id, [PerformedService(service.id, 50, 9000)])
    assert [(s.service_id, s.duration_minutes, s.price_halalas) for s in desk.staff.details(staff_id).services] == [
        (service.id, 50, 9000)]
    desk.staff.set_services(staff_id, [])
    assert desk.staff.details(staff_id).services == ()


def test_demo_titles_follow_the_ui_language(desk):
    staff = desk.staff.list()[0]
    assert staff.title_in("en") == "Senior stylist" and staff.title_in("ar") == "مصففة أولى"


def test_services_catalogue_refuses_bad_prices_and_keeps_history(desk, engine):
    sign_in(desk, Role.MANAGER)
    before = writes(engine)
    with pytest.raises(ValidationError) as negative:
        desk.catalogue.add({"name_en": "Fringe", "category": "hair", "duration_minutes": 15, "price_halalas": -1})
    assert negative.value.code == "money.negative"
    with pytest.raises(ValidationError):
        desk.catalogue.add({"name_en": "Fringe", "duration_minutes": 0, "price_halalas": 100})
    assert writes(engine) == before
    service_id = desk.catalogue.add({"name_ar": "قص غرة", "name_en": "Fringe", "category": "hair",
                                     "duration_minutes": 15, "buffer_minutes": 5, "price_halalas": 2500}).id
    assert any(s.id == service_id for c in desk.catalogue.by_category() for s in c.services if c.name == "hair")
    desk.catalogue.deactivate(service_id)
    assert all(s.id != service_id for s in desk.reference.services())
    assert any(s.id == service_id and not s.active for s in desk.catalogue.services())


def test_weekly_hours_refuse_overlaps_and_ends_before_starts(desk, engine):
    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.list()[0].id
    before = writes(engine)
    bad = [
        ([WeeklySpan(0, time(9), time(13)), WeeklySpan(0, time(12), time(18))], "availability.overlap"),
        ([WeeklySpan(1, time(17), time(9))], "availability.end_before_start"),
        ([WeeklySpan(2, time(10), time(10))], "availability.empty"),
        ([WeeklySpan(3, time(21), time(3)), WeeklySpan(4, time(2), time(8))], "availability.overlap"),
    ]
    for spans, code in bad:
        with pytest.raises(ValidationError) as refused:
            desk.availability.save_week(staff_id, spans)
        assert refused.value.code == code
        assert get_localizer("ar").error(refused.value) != get_localizer("en").error(refused.value)
    assert writes(engine) == before


def test_a_break_outside_working_hours_is_refused(desk):
    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.add(NEW_STYLIST).id
    desk.availability.save_week(staff_id, [WeeklySpan(3, time(10), time(18))])  # Thursdays
    with pytest.raises(ValidationError) as refused:
        desk.availability.add_exception(NewException(staff_id, ExceptionKind.BREAK, THURSDAY, THURSDAY,
                                                     time(19), time(19, 30)))
    assert refused.value.code == "availability.break_outside_hours"
    desk.availability.add_exception(NewException(staff_id, ExceptionKind.BREAK, THURSDAY, THURSDAY,
                                                 time(13), time(13, 30)))


def test_new_week_is_reflected_in_slot_search(desk):
    sign_in(desk, Role.MANAGER)
    staff_id = desk.staff.add(NEW_STYLIST).id
    service = desk.catalogue.services()[0]
    desk.staff.set_services(staff_id, [PerformedService(service.id)])
    earliest = datetime.combine(THURSDAY, time(0), tzinfo=RIYADH)
    search = FindSlots(((service.id, staff_id),), earliest, days_ahead=1)
    assert desk.calendar.find_slots(search) == []
    desk.availability.save_week(staff_id, [WeeklySpan(3, time(14), time(18))])
    slots = desk.calendar.find_slots(search)
    assert slots and slots[0].start == datetime.combine(THURSDAY, time(14), tzinfo=RIYADH)


def test_thursday_off_shows_its_bookings_and_each_must_be_settled(desk, engine):
    sign_in(desk, Role.MANAGER)
    staff_id = busy_staff(desk, THURSDAY)
    day_off = NewException(staff_id, ExceptionKind.TIME_OFF, THURSDAY, THURSDAY, note="Thursday off")
    affected = desk.availability.preview_exception(day_off)
    assert affected and all(a.staff_id == staff_id for a in affected)
    assert all(a.start_at.astimezone(RIYADH).date() in (THURSDAY, THURSDAY + timedelta(1)) for a in affected)
    before = writes(engine)
    with pytest.raises(Conflict) as unsettled:
        desk.availability.add_exception(day_off)
    assert unsettled.value.code == "availability.unsettled"
    assert writes(engine) == before  # nothing moved or cancelled behind anyone's back

    choices: dict[str, Settle] = {}
    for index, a in enumerate(affected):
        free = desk.availability.free_staff(a.item_id, a.booking_id)
        if index == 0 and free:
            choices[a.item_id] = Settle(Settlement.MOVE, free[0])
        elif index == 1:
            choices[a.item_id] = Settle(Settlement.KEEP)
        else:
            choices[a.item_id] = Settle(Settlement.CANCEL, reason="Stylist away")
    desk.availability.add_exception(day_off, choices)
    for a in affected:
        booking = desk.bookings.get(a.booking_id)
        item = next(i for i in booking.items if i.id == a.item_id)
        choice = choices[a.item_id].choice
        if choice is Settlement.MOVE:
            assert item.staff_id == choices[a.item_id].staff_id
        elif choice is Settlement.CANCEL:
            assert booking.status.value == "cancelled"
        else:
            assert item.staff_id == staff_id and booking.status.value != "cancelled"
    # The time off was cut around the kept booking: under the week and exceptions now held, nothing is outside.
    assert desk.availability.preview_week(staff_id, week_of(desk, staff_id)) == []
    kept = [a for a in affected if choices[a.item_id].choice is Settlement.KEEP]
    assert kept
    offs = desk.availability.exceptions(staff_id, datetime.combine(THURSDAY, time(), tzinfo=RIYADH),
                                        datetime.combine(THURSDAY + timedelta(1), time(), tzinfo=RIYADH))
    assert all(not (e.start_at < kept[0].end_at and kept[0].start_at < e.end_at) for e in offs
               if e.kind is ExceptionKind.TIME_OFF and e.note == "Thursday off")


def test_a_shorter_week_lists_bookings_on_both_sides_of_the_change(desk):
    sign_in(desk, Role.MANAGER)
    staff_id = busy_staff(desk, THURSDAY)
    week = week_of(desk, staff_id)
    without_thursday = [s for s in week if s.weekday != 3]
    affected = desk.availability.preview_week(staff_id, without_thursday)
    days = {a.start_at.astimezone(RIYADH).weekday() for a in affected}
    assert days == {3}  # only Thursday's bookings; the rest of the week still fits
    assert desk.availability.preview_week(staff_id, week) == []
    desk.availability.save_week(staff_id, without_thursday,
                                {a.item_id: Settle(Settlement.KEEP) for a in affected})
    assert all(r.weekday != 3 for r in desk.availability.week(staff_id))
    assert desk.availability.preview_week(staff_id, without_thursday) == []  # each kept as an exception


def test_owner_edits_the_salon_profile_and_a_manager_may_not(desk, engine):
    sign_in(desk, Role.MANAGER)
    with pytest.raises(Forbidden):
        desk.salon_profile.update({"vat_number": "310122393500003"})
    sign_in(desk, Role.OWNER)
    desk.salon_profile.update({"vat_number": "310122393500003", "idle_lock_minutes": 10, "zatca_phase": 2,
                               "sms_sender": "SalonDesk", "discount_limit_percent": 15})
    salon = desk.salon_profile.get()
    assert (salon.vat_number, salon.idle_lock_minutes, salon.zatca_phase) == ("310122393500003", 10, 2)
    assert desk.users.idle_lock() == timedelta(minutes=10)
    before = writes(engine)
    for bad in ({"vat_number": "123"}, {"discount_limit_percent": 120}, {"sms_sender": "صالون"},
                {"opening_hours": [{"weekday": 0, "start": "09:00", "end": "13:00"},
                                   {"weekday": 0, "start": "12:00", "end": "20:00"}]}):
        with pytest.raises(DomainError):
            desk.salon_profile.update(bad)
    assert writes(engine) == before


def test_a_closure_lists_every_booking_of_that_day(desk):
    sign_in(desk, Role.OWNER)
    affected = desk.salon_profile.preview({"closures": [THURSDAY.isoformat()]})
    staff = {a.staff_id for a in affected}
    assert len(staff) > 1
    with pytest.raises(Conflict):
        desk.salon_profile.update({"closures": [THURSDAY.isoformat()]})
