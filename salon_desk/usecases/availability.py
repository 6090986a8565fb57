"""The availability editor (issue #10): one staff member's weekly hours, dated exceptions over date ranges
(time off, sick day, break, extra shift), and the consequences of a change.

Consequences are never silent: `preview_*` lists the future bookings a change would leave outside working
time; `save_week` / `add_exception` refuse (`availability.unsettled`) unless the manager settled each one:
keep it as an exception (its time is kept open for that person, even on a closed day), move it to another staff member free at that
time, or cancel it (the customer is notified by the cancellation). Everything is one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from salon_desk.domain.errors import Conflict, DomainError, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import (
    Actor,
    AvailabilityException,
    AvailabilityRule,
    BookingItem,
    ExceptionKind,
)
from salon_desk.domain.permissions import Permission
from salon_desk.domain.rules import clean_notes, found
from salon_desk.domain.scheduling import SalonSchedule, StaffSchedule, check_fits
from salon_desk.domain.scheduling.consequences import Settlement, outside_items
from salon_desk.domain.scheduling.editing import WeeklySpan, check_exception, check_week, range_instants
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import bookings, payloads
from .area import DeskArea
from .authority import authorise
from .commands import ItemMove
from .result import Result
from .schedule_inputs import item_segments, salon_of, salon_schedule, staff_schedules

HORIZON = timedelta(days=400)  # how far ahead bookings are checked (bookings open about a year ahead)
KEPT_NOTE = "kept for booking"


@dataclass(frozen=True)
class AffectedBooking:
    """A future booking a change leaves outside working time."""

    item_id: str
    booking_id: str
    staff_id: str
    service_id: str
    service_name_ar: str
    service_name_en: str
    customer_name: str
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class Settle:
    """The manager's choice for one affected booking."""

    choice: Settlement
    staff_id: str | None = None  # MOVE: to whom
    reason: str = ""  # CANCEL: told to the customer


@dataclass(frozen=True)
class NewException:
    staff_id: str
    kind: ExceptionKind
    first_day: date
    last_day: date
    start: time | None = None  # None: whole days
    end: time | None = None
    note: str = ""


# ------------------------------------------------------------------------------------------------ reads
def week(uow: UnitOfWork, staff_id: str) -> list[AvailabilityRule]:
    with uow:
        found(uow.reference.staff_member(staff_id), "staff.not_found")
        return sorted(uow.reference.rules([staff_id]).get(staff_id, []), key=lambda r: (r.weekday, r.start))


def exceptions(uow: UnitOfWork, staff_id: str, start: datetime, end: datetime) -> list[AvailabilityException]:
    with uow:
        return sorted(uow.reference.exceptions(start, end, [staff_id]).get(staff_id, []), key=lambda e: e.start_at)


def _outside(uow: UnitOfWork, staff_id: str, rules: Sequence[AvailabilityRule],
             extra: Sequence[AvailabilityException] = (), salon: SalonSchedule | None = None) -> list[BookingItem]:
    now = uow.clock()
    hi = now + HORIZON
    items = [i for i in uow.bookings.busy_items(now, hi, [staff_id]).get(staff_id, []) if i.start_at >= now]
    if not items:
        return []
    held = uow.reference.exceptions(now - timedelta(days=1), hi + timedelta(days=1), [staff_id]).get(staff_id, [])
    schedule = StaffSchedule(staff_id, tuple(rules), tuple(held) + tuple(extra))
    return outside_items(schedule, salon or salon_schedule(salon_of(uow)), items)


def outside_for_salon(uow: UnitOfWork, salon: SalonSchedule) -> list[AffectedBooking]:
    """Every staff member's future bookings that new salon hours or closures leave outside working time."""
    staff = [s.id for s in uow.reference.staff(active_only=False)]
    rules = uow.reference.rules(staff)
    items = [i for sid in staff for i in _outside(uow, sid, rules.get(sid, []), salon=salon)]
    return _affected(uow, items)


def _affected(uow: UnitOfWork, items: list[BookingItem]) -> list[AffectedBooking]:
    if not items:
        return []
    wanted = {i.id for i in items}
    staff_ids = sorted({i.staff_id for i in items})
    found_items = uow.bookings.calendar(min(i.start_at for i in items), max(i.end_at for i in items), staff_ids)
    out = [AffectedBooking(c.item.id, c.item.booking_id, c.item.staff_id, c.item.service_id, c.service_name_ar,
                           c.service_name_en, c.customer_name, c.item.start_at, c.item.end_at)
           for c in found_items if c.item.id in wanted]
    return sorted(out, key=lambda a: a.start_at)


def _rules_of(staff_id: str, spans: Sequence[WeeklySpan], existing: Sequence[AvailabilityRule]) -> list[AvailabilityRule]:
    """The new week as rules, reusing the ids of unchanged spans."""
    free = {(r.weekday, r.start, r.end, r.valid_from, r.valid_to): r.id for r in existing}
    out = []
    for s in spans:
        key = (s.weekday, s.start, s.end, s.valid_from, s.valid_to)
        out.append(AvailabilityRule(free.pop(key, "") or new_id(), staff_id, s.weekday, s.start, s.end,
                                    s.valid_from, s.valid_to))
    return out


def preview_week(uow: UnitOfWork, staff_id: str, spans: Sequence[WeeklySpan]) -> list[AffectedBooking]:
    """The future bookings of `staff_id` that the new week leaves outside working time (nothing written)."""
    with uow:
        found(uow.reference.staff_member(staff_id), "staff.not_found")
        check_week(spans)
        rules = _rules_of(staff_id, spans, [])
        return _affected(uow, _outside(uow, staff_id, rules))


def _exception_of(uow: UnitOfWork, new: NewException) -> AvailabilityException:
    found(uow.reference.staff_member(new.staff_id), "staff.not_found")
    kind = ExceptionKind(new.kind) if new.kind in set(ExceptionKind) else None
    if kind is None:
        raise ValidationError("availability.bad_kind")
    tz = salon_schedule(salon_of(uow)).tz
    start, end = range_instants(tz, new.first_day, new.last_day, new.start, new.end)
    exc = AvailabilityException(new_id(), new.staff_id, kind, start, end, clean_notes(new.note))
    rules = uow.reference.rules([new.staff_id]).get(new.staff_id, [])
    others = uow.reference.exceptions(start - timedelta(days=1), end + timedelta(days=1),
                                      [new.staff_id]).get(new.staff_id, [])
    check_exception(exc, rules, salon_schedule(salon_of(uow)), others)
    return exc


def preview_exception(uow: UnitOfWork, new: NewException) -> list[AffectedBooking]:
    with uow:
        exc = _exception_of(uow, new)
        if exc.kind is ExceptionKind.EXTRA_HOURS:
            return []
        rules = uow.reference.rules([new.staff_id]).get(new.staff_id, [])
        return _affected(uow, _outside(uow, new.staff_id, rules, [exc]))


def free_staff(uow: UnitOfWork, item_id: str, booking_id: str) -> list[str]:
    """Other staff members who perform the item's service and are free for all of it (to move it to)."""
    with uow:
        booking = found(uow.bookings.get(booking_id), "booking.not_found")
        item = next((i for i in booking.items if i.id == item_id), None)
        if item is None:
            raise ValidationError("booking.item_unknown")
        return _free_for(uow, item)


def _free_for(uow: UnitOfWork, item: BookingItem) -> list[str]:
    candidates = [q.staff_id for q in uow.reference.staff_services(item.service_id) if q.staff_id != item.staff_id]
    if not candidates:
        return []
    salon = salon_schedule(salon_of(uow))
    schedules = staff_schedules(uow, candidates, item.start_at, item.busy_until)
    out = []
    for sid in candidates:
        try:
            check_fits(schedules[sid], salon, item_segments(item))
        except DomainError:
            continue
        out.append(sid)
    return out


# ------------------------------------------------------------------------------------------------ writes
def settle(uow: UnitOfWork, affected: list[AffectedBooking], settlements: Mapping[str, Settle],
            acting: Actor, now: datetime, *, keep_with_extra_hours: bool = True) -> None:
    missing = [a for a in affected if a.item_id not in settlements]
    if missing:
        raise Conflict("availability.unsettled", count=len(missing))
    cancelled: set[str] = set()
    for a in affected:
        settle = settlements[a.item_id]
        choice = Settlement(settle.choice)
        if choice is Settlement.KEEP:
            if not keep_with_extra_hours:
                continue  # the time off was cut around it (add_exception)
            booking = found(uow.bookings.get(a.booking_id), "booking.not_found")
            item = next(i for i in booking.items if i.id == a.item_id)
            # KEPT wins over salon hours and closures too: a booking kept on a closed day stays there.
            _write_exception(uow, AvailabilityException(new_id(), a.staff_id, ExceptionKind.KEPT,
                                                        item.start_at, item.busy_until, KEPT_NOTE), acting)
        elif choice is Settlement.MOVE:
            if not settle.staff_id:
                raise ValidationError("availability.move_to_whom")
            booking = found(uow.bookings.get(a.booking_id), "booking.not_found")
            items = bookings.checked_move(uow, booking, [ItemMove(a.item_id, settle.staff_id, a.start_at)], now)
            bookings.write_move(uow, booking, items, {a.item_id}, acting, now)
        else:
            if a.booking_id in cancelled:
                continue
            reason = clean_notes(settle.reason) or "availability changed"
            booking = found(uow.bookings.get(a.booking_id), "booking.not_found")
            bookings.write_cancel(uow, booking, reason, acting, now, by_salon=True)  # the salon's hours changed
            cancelled.add(a.booking_id)


def save_week(uow: UnitOfWork, staff_id: str, spans: Sequence[WeeklySpan], actor: Actor,
              settlements: Mapping[str, Settle] | None = None, manager_pin: str | None = None) -> Result:
    """Replaces `staff_id`'s weekly hours, settling each booking left outside them as the manager chose."""
    with uow:
        acting = authorise(uow, actor, Permission.AVAILABILITY, manager_pin)
        found(uow.reference.staff_member(staff_id), "staff.not_found")
        check_week(spans)
        existing = uow.reference.rules([staff_id]).get(staff_id, [])
        rules = _rules_of(staff_id, spans, existing)
        affected = _affected(uow, _outside(uow, staff_id, rules))
        now, salon_id = uow.clock(), uow.salon_id()
        kept = {r.id for r in rules}
        for old in existing:
            if old.id not in kept:
                uow.catalogue.remove("availability_rule", old.id, now)
                uow.touched("availability_rule", old.id)
        old_ids = {r.id for r in existing}
        for rule in rules:
            if rule.id not in old_ids:
                uow.catalogue.add("availability_rule", rule.id, salon_id,
                                  {"staff_id": staff_id, "weekday": rule.weekday, "start_time": rule.start,
                                   "end_time": rule.end, "valid_from": rule.valid_from, "valid_to": rule.valid_to},
                                  now)
                uow.touched("availability_rule", rule.id)
        args = payloads.week(rules)
        uow.record(MutationName.AVAILABILITY_SET_WEEK, "staff", staff_id, args, acting,
                   audit_before={"rules": [_rule_text(r) for r in existing]},
                   audit_after={"rules": [_rule_text(r) for r in rules]})
        settle(uow, affected, settlements or {}, acting, now)
        return Result(staff_id, uow.commit())


def add_exception(uow: UnitOfWork, new: NewException, actor: Actor,
                  settlements: Mapping[str, Settle] | None = None, manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.AVAILABILITY, manager_pin)
        exc = _exception_of(uow, new)
        affected: list[AffectedBooking] = []
        if exc.kind is not ExceptionKind.EXTRA_HOURS:
            rules = uow.reference.rules([new.staff_id]).get(new.staff_id, [])
            affected = _affected(uow, _outside(uow, new.staff_id, rules, [exc]))
        kept = _kept_spans(uow, affected, settlements or {})
        pieces = _cut(exc, kept)
        for piece in pieces:
            _write_exception(uow, piece, acting)
        settle(uow, affected, settlements or {}, acting, uow.clock(), keep_with_extra_hours=False)
        return Result(pieces[0].id if pieces else None, uow.commit())


def _kept_spans(uow: UnitOfWork, affected: list[AffectedBooking],
                settlements: Mapping[str, Settle]) -> list[tuple[datetime, datetime]]:
    """The booked time (buffer included) of each booking the manager keeps."""
    out = []
    for a in affected:
        chosen = settlements.get(a.item_id)
        if chosen is not None and Settlement(chosen.choice) is Settlement.KEEP:
            booking = found(uow.bookings.get(a.booking_id), "booking.not_found")
            item = next(i for i in booking.items if i.id == a.item_id)
            out.append((item.start_at, item.busy_until))
    return sorted(out)


def _cut(exc: AvailabilityException, kept: list[tuple[datetime, datetime]]) -> list[AvailabilityException]:
    """Time off or a break with the kept bookings' time cut out of it: the person comes in for those."""
    pieces, cursor = [], exc.start_at
    for start, end in kept:
        if start > cursor:
            pieces.append((cursor, min(start, exc.end_at)))
        cursor = max(cursor, end)
    if cursor < exc.end_at:
        pieces.append((cursor, exc.end_at))
    return [replace(exc, id=exc.id if index == 0 else new_id(), start_at=lo, end_at=hi)
            for index, (lo, hi) in enumerate(p for p in pieces if p[0] < p[1])]


def remove_exception(uow: UnitOfWork, exception_id: str, actor: Actor, manager_pin: str | None = None) -> Result:
    with uow:
        acting = authorise(uow, actor, Permission.AVAILABILITY, manager_pin)
        current = found(uow.catalogue.values("availability_exception", exception_id), "availability.not_found")
        uow.catalogue.remove("availability_exception", exception_id, uow.clock())
        uow.record(MutationName.EXCEPTION_DELETE, "availability_exception", exception_id, payloads.exception_removed(current["staff_id"]),
                   acting,
                   base_seq=current.get("server_seq"), audit_before={"kind": current["kind"]})
        return Result(exception_id, uow.commit())


def _write_exception(uow: UnitOfWork, exc: AvailabilityException, acting: Actor) -> None:
    values = {"staff_id": exc.staff_id, "kind": exc.kind.value, "start_at": exc.start_at, "end_at": exc.end_at,
              "note": exc.note}
    uow.catalogue.add("availability_exception", exc.id, uow.salon_id(), values, uow.clock())
    args = payloads.availability_exception(exc)
    uow.record(MutationName.EXCEPTION_CREATE, "availability_exception", exc.id, args, acting,
               audit_after={"staff_id": exc.staff_id, "kind": exc.kind.value,
                            "start_at": args["start_at"], "end_at": args["end_at"]})


def _rule_text(rule: AvailabilityRule) -> str:
    return f"{rule.weekday} {rule.start:%H:%M}-{rule.end:%H:%M}"


class AvailabilityArea(DeskArea):
    """`desk.availability`: weekly hours, exceptions and their consequences (managers and owners)."""

    def week(self, staff_id: str) -> list[AvailabilityRule]:
        return week(self.uow(), staff_id)

    def exceptions(self, staff_id: str, start: datetime, end: datetime) -> list[AvailabilityException]:
        return exceptions(self.uow(), staff_id, start, end)

    def preview_week(self, staff_id: str, spans: Sequence[WeeklySpan]) -> list[AffectedBooking]:
        return preview_week(self.uow(), staff_id, spans)

    def preview_exception(self, new: NewException) -> list[AffectedBooking]:
        return preview_exception(self.uow(), new)

    def free_staff(self, item_id: str, booking_id: str) -> list[str]:
        return free_staff(self.uow(), item_id, booking_id)

    def save_week(self, staff_id: str, spans: Sequence[WeeklySpan], settlements: Mapping[str, Settle] | None = None,
                  manager_pin: str | None = None) -> Result:
        return save_week(self.uow(), staff_id, spans, self.actor, settlements, manager_pin)

    def add_exception(self, new: NewException, settlements: Mapping[str, Settle] | None = None,
                      manager_pin: str | None = None) -> Result:
        return add_exception(self.uow(), new, self.actor, settlements, manager_pin)

    def remove_exception(self, exception_id: str, manager_pin: str | None = None) -> Result:
        return remove_exception(self.uow(), exception_id, self.actor, manager_pin)
