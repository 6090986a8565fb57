"""Dated salon hours (Ramadan) through the real cloud: made on one desk, a second desk's slot search follows
them; a booking kept on a closed day replicates as a kept exception; the cloud refuses bad dated hours with
the domain's codes, and writes nothing for them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from salon_desk.domain.booking import Role
from salon_desk.domain.model import ExceptionKind
from salon_desk.domain.scheduling.consequences import Settlement
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.availability import Settle
from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.staff import PerformedService

from .conftest import SyncWorld
from .test_catalogue_sync import receipt_codes, record, signed_in, staffed

RIYADH = ZoneInfo("Asia/Riyadh")


def ramadan(first: date, last: date, name: str = "Ramadan 1448") -> dict:
    hours = [h for wd in range(7) for h in ({"weekday": wd, "start": "13:00", "end": "17:00"},
                                            {"weekday": wd, "start": "21:00", "end": "02:00"})]
    return {"name": name, "first_day": first.isoformat(), "last_day": last.isoformat(), "hours": hours}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=RIYADH)


def test_ramadan_hours_made_on_one_desk_change_another_desks_slot_search(sync_world: SyncWorld) -> None:
    d1, d2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    desk1, desk2 = staffed(d1), staffed(d2)
    signed_in(desk1, Role.MANAGER)
    today = desk1.calendar.today()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 + 7)
    service = desk1.catalogue.services()[0]
    razan = desk1.staff.add({"name_ar": "رزان", "name_en": "Razan", "title_ar": "مصففة", "title_en": "Stylist",
                             "phone": "0551234567", "color": "#336699"}).id
    desk1.staff.set_services(razan, [PerformedService(service.id)])
    desk1.availability.save_week(razan, [WeeklySpan(w, time(9), time(3)) for w in range(7)])
    assert d1.sync.sync_once().refused == 0, receipt_codes(sync_world, d1)
    assert d2.sync.sync_once().ok
    search = FindSlots(((service.id, razan),), at(sunday, 0), days_ahead=1)
    assert desk2.calendar.find_slots(search)[0].start == at(sunday, 10)  # the demo's weekly hours

    change = {"dated_hours": [ramadan(sunday, sunday + timedelta(days=6))]}
    affected = desk1.salon_profile.preview(change)
    desk1.salon_profile.update(change, {a.item_id: Settle(Settlement.KEEP) for a in affected})
    assert d1.sync.sync_once().refused == 0, receipt_codes(sync_world, d1)
    assert d2.sync.sync_once().ok
    assert [d.name for d in desk2.salon_profile.get().dated_hours] == ["Ramadan 1448"]
    assert desk2.calendar.find_slots(search)[0].start == at(sunday, 13)
    if affected:  # kept bookings replicate as kept exceptions
        a = affected[0]
        kept = desk2.availability.exceptions(a.staff_id, a.start_at - timedelta(hours=1), a.end_at)
        assert any(e.kind is ExceptionKind.KEPT for e in kept)


def test_cloud_refuses_bad_dated_hours_with_a_code(sync_world: SyncWorld) -> None:
    d1 = sync_world.desk("Desk 1")
    desk1 = staffed(d1)
    manager = signed_in(desk1, Role.MANAGER)
    first = date(2027, 2, 8)
    bad = [
        [ramadan(first, first - timedelta(days=1))],
        [ramadan(first, first + timedelta(days=10)), ramadan(first + timedelta(days=5), first + timedelta(days=20),
                                                              name="Eid")],
        [ramadan(first, first, name="")],
        [{**ramadan(first, first), "hours": [{"weekday": 0, "start": "13:00", "end": "17:00"},
                                             {"weekday": 0, "start": "16:00", "end": "18:00"}]}],
    ]
    for ranges in bad:
        record(d1, MutationName.SALON_PATCH, "salon", sync_world.salon_id, {"fields": {"dated_hours": ranges}},
               manager)
    report = d1.sync.sync_once()
    assert receipt_codes(sync_world, d1)[-4:] == [
        "salon.dated_hours_reversed", "salon.dated_hours_overlap", "salon.dated_hours_no_name", "salon.hours_overlap"]
    assert report.refused == 4
    d2 = sync_world.desk("Desk 2")
    assert d2.sync.sync_once().ok
    assert staffed(d2).salon_profile.get().dated_hours == ()
