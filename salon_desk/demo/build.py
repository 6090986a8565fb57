"""Assembles the demo salon's rows: salon, users, staff, services, customers, bookings, walk-ins, waitlist."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from salon_desk.domain.booking import ACTIVE, BookingStatus
from salon_desk.domain.model import AvailabilityException, ExceptionKind
from salon_desk.domain.scheduling import SalonSchedule, StaffSchedule, business_day_window, working_intervals
from salon_desk.domain.text import fold_for_search

from . import catalogue as cat
from .generate import (
    OPENING,
    RIYADH,
    SCALES,
    DemoData,
    Ids,
    Scale,
    booking_status,
    closures,
    instant,
    phone_numbers,
    staff_rules,
)

DEMO_PIN = "2684"  # passes domain.pin.check_new_pin (4–6 digits, not 1234/0000-like); README says it

Row = dict[str, Any]
Base = Callable[[str], Row]  # the columns every row shares, for a new row id
StaffEntry = tuple[str, StaffSchedule, list[Row]]  # staff id, schedule, the services they do


def pin_hash(pin: str, salt: bytes) -> str:
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**12, r=8, p=1)
    return f"scrypt$4096$8$1${salt.hex()}${digest.hex()}"


def build_demo(today: date, now: datetime, scale_name: str = "demo", seed: int = 7) -> DemoData:
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    ids = Ids(rng, datetime.combine(today - timedelta(days=scale.days_past + 30), time(), UTC))
    data = DemoData()
    created = now - timedelta(days=scale.days_past + 30)

    def base(row_id: str) -> dict:
        return {"id": row_id, "salon_id": salon_id, "created_at": created, "updated_at": created,
                "deleted_at": None, "server_seq": None, "sync_status": "synced"}

    salon_id = ids()
    data.add("salon", {**base(salon_id), "name_ar": "صالون لمسة الجمال", "name_en": "Lamsat Al-Jamal Salon",
                       "timezone": "Asia/Riyadh", "vat_number": "310122393500003", "commercial_registration": "1010654321",
                       "address": "طريق الملك فهد، حي العليا، الرياض 12214", "cancel_cutoff_minutes": 120,
                       "deposit_halalas": 0, "sms_sender": "LamsatSalon", "digit_style": "latn",
                       "opening_hours": [{"weekday": h.weekday, "start": h.start.strftime("%H:%M"),
                                          "end": h.end.strftime("%H:%M")} for h in OPENING],
                       "closures": [d.isoformat() for d in closures(today)]})
    for name, role in (("مالكة الصالون", "owner"), ("مديرة الصالون", "manager"), ("موظفة الاستقبال", "receptionist")):
        data.add("desk_user", {**base(ids()), "name": name, "role": role,
                               "pin_hash": pin_hash(DEMO_PIN, rng.randbytes(16)), "active": True})

    services: list[Row] = []
    for name_ar, name_en, category, minutes, buffer, price, phases in cat.SERVICES:
        row = {**base(ids()), "name_ar": name_ar, "name_en": name_en, "category": category,
               "duration_minutes": minutes, "buffer_minutes": buffer, "price_halalas": price * 100,
               "phases": [{"minutes": m, "staff_busy": b} for m, b in phases], "color": "", "active": True,
               "can_run_alongside": name_en in cat.ALONGSIDE}
        data.add("service", row)
        services.append(row)

    salon = SalonSchedule(tz=RIYADH, opening_hours=OPENING, closures=tuple(closures(today)))
    staff = _add_staff(data, base, ids, rng, scale.staff, services, today)
    customers = _add_customers(data, base, ids, rng, scale.customers)
    _add_bookings(data, base, ids, rng, salon, staff, customers, today, now, scale, scale_name)
    _add_queue(data, base, ids, rng, services, customers, now)
    return data


def _add_staff(
    data: DemoData, base: Base, ids: Ids, rng: random.Random, count: int, services: list[Row], today: date
) -> list[StaffEntry]:
    staff: list[StaffEntry] = []
    for index in range(count):
        name_ar, name_en, title, skills, colour = cat.STAFF[index % len(cat.STAFF)]
        if index >= len(cat.STAFF):
            first_ar, first_en = cat.FIRST_NAMES[index % len(cat.FIRST_NAMES)]
            name_ar, name_en = first_ar, f"{first_en} {index // len(cat.FIRST_NAMES) + 1}"
        sid = ids()
        data.add("staff", {**base(sid), "name_ar": name_ar, "name_en": name_en, "title": title,
                           "title_ar": cat.TITLES_AR.get(title, ""), "title_en": title, "color": colour,
                           "sort_order": index, "active": True})
        rules = staff_rules(index, sid, ids)
        for rule in rules:
            data.add("availability_rule", {**base(rule.id), "staff_id": sid, "weekday": rule.weekday,
                                           "start_time": rule.start, "end_time": rule.end,
                                           "valid_from": None, "valid_to": None})
        exceptions = []
        leave = today + timedelta(days=rng.randrange(-50, 25))
        exceptions.append(AvailabilityException(ids(), sid, ExceptionKind.TIME_OFF, instant(leave, time(0)),
                                                 instant(leave + timedelta(days=3), time(0)), "إجازة"))
        if index % 3 == 1:  # an extra break today, so the day view shows one
            exceptions.append(AvailabilityException(ids(), sid, ExceptionKind.BREAK, instant(today, time(16)),
                                                     instant(today, time(16, 30)), "استراحة"))
        for exc in exceptions:
            data.add("availability_exception", {**base(exc.id), "staff_id": sid, "kind": exc.kind.value,
                                                "start_at": exc.start_at, "end_at": exc.end_at, "note": exc.note})
        skilled = [s for s in services if s["category"] in skills]
        for service in skilled:
            data.add("staff_service", {**base(ids()), "staff_id": sid, "service_id": service["id"],
                                       "duration_minutes": None, "price_halalas": None})
        staff.append((sid, StaffSchedule(sid, tuple(rules), tuple(exceptions)), skilled))
    return staff


def _add_customers(data: DemoData, base: Base, ids: Ids, rng: random.Random, count: int) -> list[str]:
    customers: list[str] = []
    # Family names come from a generator of their own so the main stream (and so every booking) is unchanged.
    family_rng = random.Random(f"family-names-{count}")
    for phone in phone_numbers(rng, count):
        if rng.random() < 0.1:
            given = rng.choice(cat.EXPAT_NAMES).split()[0]
            name, language = f"{given} {family_rng.choice(cat.EXPAT_FAMILY_NAMES)}", "en"
        else:
            (first, _), (family, _) = rng.choice(cat.FIRST_NAMES), rng.choice(cat.FAMILY_NAMES)
            name, language = f"{first} {family}", "ar"
        cid = ids()
        data.add("customer", {**base(cid), "name": name, "search_name": fold_for_search(name), "phone": phone,
                              "language": language, "notes": "", "consent_reminders": rng.random() < 0.9,
                              "consent_marketing": rng.random() < 0.3})
        customers.append(cid)
    return customers


def _add_bookings(
    data: DemoData, base: Base, ids: Ids, rng: random.Random, salon: SalonSchedule, staff: list[StaffEntry],
    customers: list[str], today: date, now: datetime, scale: Scale, scale_name: str,
) -> None:
    step = timedelta(minutes=15)
    for offset in range(-scale.days_past, scale.days_future + 1):
        day = today + timedelta(days=offset)
        window = business_day_window(day, salon)
        if window is None:
            continue
        fill = scale.fill * (0.6 if offset > 14 and scale_name == "demo" else 1.0)
        for sid, schedule, skilled in staff:
            for span in working_intervals(schedule, salon, window):
                t = span.start
                while t < span.end:
                    if rng.random() >= fill:
                        t += step
                        continue
                    # Short services (blow-dry, eyebrows) are booked far more often than long ones.
                    service = rng.choices(skilled, weights=[1 / s["duration_minutes"] ** 2 for s in skilled])[0]
                    end = t + timedelta(minutes=service["duration_minutes"])
                    busy_until = end + timedelta(minutes=service["buffer_minutes"])
                    if busy_until > span.end:
                        t += step
                        continue
                    _add_booking(data, base, ids, rng, sid, service, rng.choice(customers), t, end, busy_until, now)
                    t = busy_until + (-(busy_until - span.start) % step)


def _add_booking(
    data: DemoData, base: Base, ids: Ids, rng: random.Random, sid: str, service: Row, customer_id: str,
    start: datetime, end: datetime, busy_until: datetime, now: datetime,
) -> None:
    status = booking_status(start, end, now, rng)
    booking_id = ids()
    stamp = min(now, start - timedelta(days=rng.randrange(0, 14)))
    row = {**base(booking_id), "created_at": stamp, "updated_at": stamp}
    data.add("booking", {**row, "customer_id": customer_id, "status": status.value,
                         "source": "walk_in" if rng.random() < 0.08 else "desk", "notes": "",
                         "cancel_reason": rng.choice(cat.CANCEL_REASONS) if status is BookingStatus.CANCELLED else "",
                         "starts_at": start})
    data.add("booking_item", {**base(ids()), "created_at": stamp, "updated_at": stamp, "booking_id": booking_id,
                              "service_id": service["id"], "staff_id": sid, "start_at": start, "end_at": end,
                              "busy_until": busy_until, "price_halalas": service["price_halalas"],
                              "phases": service["phases"], "active": status in ACTIVE})


def _add_queue(
    data: DemoData, base: Base, ids: Ids, rng: random.Random, services: list[Row], customers: list[str],
    now: datetime,
) -> None:
    quick = [s for s in services if s["duration_minutes"] <= 60]
    for minutes_ago, name, state in ((35, "أم فهد", "seated"), (20, "Maria Santos", "left"),
                                     (12, "نوف", "waiting"), (4, "", "waiting")):
        data.add("walk_in", {**base(ids()), "name": name, "phone": None, "customer_id": None,
                             "service_id": rng.choice(quick)["id"], "preferred_staff_id": None,
                             "arrived_at": now - timedelta(minutes=minutes_ago), "state": state, "booking_id": None,
                             "left_at": now - timedelta(minutes=5) if state == "left" else None})
    service = rng.choice(quick)
    data.add("waitlist_entry", {**base(ids()), "customer_id": customers[0], "name": "", "phone": None,
                                "service_id": service["id"], "staff_id": None, "window_start": now + timedelta(days=1),
                                "window_end": now + timedelta(days=1, hours=4), "state": "waiting",
                                "offered_start": None, "offered_staff_id": None, "notes": ""})


__all__ = ["DEMO_PIN", "build_demo"]
