"""Staff, services, weekly hours, time off and the salon profile through the real cloud (issue #10): a change
made on one desk appears on another (its calendar and slot search), a forged manager and bad input are
refused by the cloud with the domain's own codes."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, ExceptionKind
from salon_desk.domain.scheduling.consequences import Settlement
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.availability import NewException, Settle
from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.staff import PerformedService

from .conftest import Desk, SyncWorld

PEPPER = b"s" * 32
RIYADH = ZoneInfo("Asia/Riyadh")


def staffed(desk: Desk) -> DeskService:
    factory = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id, pin_pepper=lambda _salon: PEPPER)
    return DeskService(factory, desk.service.actor)


def signed_in(desk: DeskService, role: Role) -> Actor:
    return desk.users.sign_in(next(u.id for u in desk.users.list() if u.role is role), DEMO_PIN)


def receipt_codes(world: SyncWorld, desk: Desk) -> list[str | None]:
    with world.cloud.db.reader() as session:
        return list(session.execute(
            text("SELECT code FROM mutation_receipt WHERE salon_id = :s AND device_id = :d ORDER BY device_seq"),
            {"s": world.salon_id, "d": desk.device_id},
        ).scalars())


def test_a_new_stylists_week_made_on_one_desk_reaches_another(sync_world: SyncWorld) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    signed_in(desk1, Role.MANAGER)
    day = desk1.calendar.today()
    thursday = date.fromordinal(day.toordinal() + (3 - day.weekday()) % 7 + 7)
    service = desk1.catalogue.services()[0]
    razan = desk1.staff.add({"name_ar": "رزان", "name_en": "Razan", "title_ar": "مصففة", "title_en": "Stylist",
                             "phone": "0551234567", "color": "#336699"}).id
    desk1.staff.set_services(razan, [PerformedService(service.id, None, 12000)])
    desk1.availability.save_week(razan, [WeeklySpan(w, time(10), time(18)) for w in (6, 0, 1, 2, 3)])
    report = d1.sync.sync_once()
    assert report.ok and report.refused == 0, receipt_codes(sync_world, d1)

    assert d2.sync.sync_once().ok
    staff = next(s for s in desk2.staff.list() if s.id == razan)
    assert (staff.title_in("ar"), staff.title_in("en"), staff.phone) == ("مصففة", "Stylist", "+966551234567")
    assert [s.price_halalas for s in desk2.staff.details(razan).services] == [12000]
    assert len(desk2.availability.week(razan)) == 5
    search = FindSlots(((service.id, razan),), datetime.combine(thursday, time(0), tzinfo=RIYADH), days_ahead=1)
    assert desk2.calendar.find_slots(search)[0].start == datetime.combine(thursday, time(10), tzinfo=RIYADH)

    # Thursday off, made on desk 1: desk 2's slot search no longer offers her that day.
    desk1.availability.add_exception(NewException(razan, ExceptionKind.TIME_OFF, thursday, thursday))
    assert d1.sync.sync_once().refused == 0
    assert d2.sync.sync_once().ok
    assert desk2.calendar.find_slots(search) == []


def test_settled_consequences_reach_the_other_desk(sync_world: SyncWorld) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    signed_in(desk1, Role.MANAGER)
    day = desk1.calendar.today()
    tomorrow = date.fromordinal(day.toordinal() + 1)
    busiest = Counter(b.staff_id for b in desk1.calendar.day_view(tomorrow).blocks).most_common(1)[0][0]
    off = NewException(busiest, ExceptionKind.TIME_OFF, tomorrow, tomorrow)
    affected = desk1.availability.preview_exception(off)
    assert affected
    desk1.availability.add_exception(off, {a.item_id: Settle(Settlement.CANCEL, reason="Away") for a in affected})
    assert d1.sync.sync_once().refused == 0, receipt_codes(sync_world, d1)
    assert d2.sync.sync_once().ok
    assert all(desk2.bookings.get(a.booking_id).status.value == "cancelled" for a in affected)
    assert all(b.staff_id != busiest for b in desk2.calendar.day_view(tomorrow).blocks
               if b.booking_id in {a.booking_id for a in affected})


def test_owner_profile_reaches_every_desk(sync_world: SyncWorld) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    signed_in(desk1, Role.OWNER)
    desk1.salon_profile.update({"vat_number": "310122393500003", "idle_lock_minutes": 7, "sms_sender": "Lamsa"})
    assert d1.sync.sync_once().refused == 0, receipt_codes(sync_world, d1)
    assert d2.sync.sync_once().ok
    salon = desk2.salon_profile.get()
    assert (salon.vat_number, salon.idle_lock_minutes, salon.sms_sender) == ("310122393500003", 7, "Lamsa")


def record(desk: Desk, name: MutationName, entity: str, entity_id: str, args: dict, actor: Actor) -> None:
    """Straight into the outbox, as a tampered desk could, bypassing the use cases' checks."""
    uow = make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id)()
    with uow:
        uow.record(name, entity, entity_id, args, actor)
        uow.commit()


def test_cloud_refuses_forged_managers_and_bad_input(sync_world: SyncWorld) -> None:
    d1 = sync_world.desk("Desk 1")
    desk1 = staffed(d1)
    receptionist = next(u.id for u in desk1.users.list() if u.role is Role.RECEPTIONIST)
    manager = next(u.id for u in desk1.users.list() if u.role is Role.MANAGER)
    staff_id = desk1.staff.list()[0].id
    forged = Actor(receptionist, Role.MANAGER, d1.device_id)
    real = Actor(manager, Role.MANAGER, d1.device_id)
    record(d1, MutationName.STAFF_CREATE, "staff", new_id(), {"name_ar": "مزيفة", "name_en": "Forged"}, forged)
    overlap = {"rules": [{"id": new_id(), "weekday": 0, "start_time": "09:00", "end_time": "13:00"},
                         {"id": new_id(), "weekday": 0, "start_time": "12:00", "end_time": "18:00"}]}
    record(d1, MutationName.AVAILABILITY_SET_WEEK, "staff", staff_id, overlap, real)
    backwards = {"rules": [{"id": new_id(), "weekday": 1, "start_time": "17:00", "end_time": "09:00"}]}
    record(d1, MutationName.AVAILABILITY_SET_WEEK, "staff", staff_id, backwards, real)
    record(d1, MutationName.SALON_PATCH, "salon", sync_world.salon_id, {"fields": {"zatca_phase": 2}}, real)
    phone = desk1.staff.list()[1]
    taken = {"fields": {"phone": "+966551234567"}}
    record(d1, MutationName.STAFF_PATCH, "staff", phone.id, taken, real)
    record(d1, MutationName.STAFF_CREATE, "staff", new_id(),
           {"name_ar": "ب", "name_en": "B", "phone": "+966551234567"}, real)
    late_break = {"staff_id": staff_id, "kind": "break", "start_at": "2026-12-03T21:00:00.000000Z",
                  "end_at": "2026-12-03T21:30:00.000000Z", "note": ""}  # 00:00 in Riyadh: nobody works then
    record(d1, MutationName.EXCEPTION_CREATE, "availability_exception", new_id(), late_break, real)
    report = d1.sync.sync_once()
    assert receipt_codes(sync_world, d1)[-7:] == [
        "permission.denied", "availability.overlap", "availability.end_before_start", "permission.denied",
        None, "staff.phone_taken", "availability.break_outside_hours"]
    assert report.refused == 6
