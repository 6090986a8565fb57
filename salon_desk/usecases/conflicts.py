"""Conflicts reach a person (specs/sync.md §3.9): open cards, fixes computed from current local data with the
scheduling engine, and resolving a card in one transaction (booking change + `conflict.resolve` + audit).

A card is never dismissed automatically: only a person's resolution (or the server's, pulled) closes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from salon_desk.domain import booking as status_rules
from salon_desk.domain.errors import Conflict, DomainError, NotFound, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import (
    Actor,
    Booking,
    BookingItem,
    WaitlistEntry,
    WaitlistState,
    WalkIn,
    WalkInState,
)
from salon_desk.domain.scheduling import business_day, business_day_window, find_slots
from salon_desk.store.repo_conflicts import ConflictRecord
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .bookings import checked_move, write_cancel, write_move
from .commands import ItemMove
from .result import Result
from .schedule_inputs import salon_of, salon_schedule, staff_schedules, visit_part
from .views import ConflictCard, ConflictFix, ExistingBooking, ResolveConflict
from .waitlist import write_waitlist_entry
from .walkins import write_walkin

__all__ = ["ResolveConflict", "conflict_fixes", "open_conflicts", "resolve_conflict"]


URGENT_BEFORE = timedelta(hours=2)
URGENT_AFTER = timedelta(hours=1)  # an appointment that started a moment ago is still urgent
SLOT_SEARCH_DAYS = 14
MAX_SLOTS = 3
MAX_OTHER_STAFF = 3
CANCEL_REASON = "conflict"  # a stable code; the card's history says why
SCHEDULING_KINDS = frozenset({"overlap"})
KEEP_KINDS = frozenset({"move_refused", "transition_refused"})
RESOLUTIONS = {
    "same_staff_slot": "rescheduled",
    "other_staff": "rescheduled_other_staff",
    "waitlist": "waitlisted",
    "cancel": "cancelled",
    "keep": "kept",
    "walk_in": "walk_in",
}


# --------------------------------------------------------------------------------------------- reads
def open_conflicts(uow: UnitOfWork, device_id: str) -> list[ConflictCard]:
    with uow:
        now = uow.clock()
        return [_card(uow, r, now, device_id) for r in uow.conflicts.open_conflicts()]


def _booking_of(uow: UnitOfWork, record: ConflictRecord) -> Booking | None:
    return uow.bookings.get(record.entity_id) if record.entity == "booking" else None


def _attempted_times(
    record: ConflictRecord, booking: Booking | None
) -> tuple[datetime | None, datetime | None]:
    if record.attempted.get("name") in {MutationName.BOOKING_CREATE, MutationName.BOOKING_RESCHEDULE}:
        items = (record.attempted.get("args") or {}).get("items") or []
        starts = [datetime.fromisoformat(i["start_at"]) for i in items if i.get("start_at")]
        ends = [datetime.fromisoformat(i["end_at"]) for i in items if i.get("end_at")]
        if starts:
            return min(starts), max(ends) if ends else None
    return (
        (booking.start_at, max(i.end_at for i in booking.items))
        if booking and booking.items
        else (None, None)
    )


def _existing(uow: UnitOfWork, params: dict[str, object]) -> ExistingBooking | None:
    booking_id = params.get("existing_booking_id")
    if not isinstance(booking_id, str):
        return None
    other = uow.bookings.get(booking_id)
    customer = uow.customers.get(other.customer_id) if other and other.customer_id else None
    staff_id = params.get("staff_id")
    staff = uow.reference.staff_member(staff_id) if isinstance(staff_id, str) else None
    start, end = params.get("existing_start"), params.get("existing_end")
    return ExistingBooking(
        booking_id,
        customer.name if customer else "",
        staff,
        datetime.fromisoformat(start) if isinstance(start, str) else None,
        datetime.fromisoformat(end) if isinstance(end, str) else None,
        other.created_at if other else None,
    )


def _card(uow: UnitOfWork, record: ConflictRecord, now: datetime, device_id: str) -> ConflictCard:
    booking = _booking_of(uow, record)
    customer = uow.customers.get(booking.customer_id) if booking and booking.customer_id else None
    items = booking.items if booking else ()
    services = tuple(s for s in (uow.reference.service(i.service_id) for i in items) if s is not None)
    staff_ids = dict.fromkeys(i.staff_id for i in items)
    staff = tuple(s for s in (uow.reference.staff_member(sid) for sid in staff_ids) if s is not None)
    start, end = _attempted_times(record, booking)
    minutes = int((start - now).total_seconds() // 60) if start else None
    args = record.attempted.get("args") or {}
    return ConflictCard(
        id=record.id,
        kind=record.kind,
        reason_code=f"conflict.{record.kind}",
        reason_params={k: v for k, v in record.params.items()},
        booking_id=booking.id if booking else None,
        customer_name=customer.name if customer else "",
        customer_phone=customer.phone if customer else None,
        services=services,
        staff=staff,
        attempted_action=str(record.attempted.get("name") or ""),
        attempted_start=start,
        attempted_end=end,
        attempted_status=str(args["to"]) if args.get("to") else None,
        attempted_by_device=str(record.actor.get("device_name") or ""),
        attempted_here=record.device_id == device_id,
        booking_status=booking.status.value if booking else None,
        booking_start=booking.start_at if booking else None,
        existing=_existing(uow, record.params),
        created_at=record.created_at,
        minutes_to_start=minutes,
        urgent=start is not None and now - URGENT_AFTER <= start < now + URGENT_BEFORE,
    )


# --------------------------------------------------------------------------------------------- fixes
def conflict_fixes(uow: UnitOfWork, conflict_id: str) -> list[ConflictFix]:
    with uow:
        record, booking = _open_record(uow, conflict_id)
        return _fixes(uow, record, booking, uow.clock())


def _open_record(uow: UnitOfWork, conflict_id: str) -> tuple[ConflictRecord, Booking | None]:
    record = uow.conflicts.get(conflict_id)
    if record is None:
        raise NotFound("conflict.not_found")
    if record.resolved_at is not None or record.resolving:
        raise Conflict("conflict.already_resolved")
    return record, _booking_of(uow, record)


def _allowed_kinds(record: ConflictRecord, booking: Booking | None) -> frozenset[str]:
    if record.kind in KEEP_KINDS and booking is not None:
        return frozenset({"keep", "walk_in"})
    if booking is None or booking.status in status_rules.TERMINAL:
        return frozenset({"keep"})
    if record.kind in SCHEDULING_KINDS and booking.status in status_rules.MOVABLE:
        return frozenset({"same_staff_slot", "other_staff", "waitlist", "cancel"})
    return frozenset({"keep", "cancel"})


def _fixes(
    uow: UnitOfWork, record: ConflictRecord, booking: Booking | None, now: datetime
) -> list[ConflictFix]:
    allowed = _allowed_kinds(record, booking)
    if booking is None or "same_staff_slot" not in allowed:
        return [ConflictFix(kind) for kind in ("keep", "walk_in", "cancel") if kind in allowed]
    fixes = _same_staff_slots(uow, booking, now) + _other_staff(uow, booking, record, now)
    if booking.customer_id and _waitlist_window(uow, booking, now) is not None:
        fixes.append(ConflictFix("waitlist", start_at=booking.start_at))
    fixes.append(ConflictFix("cancel"))
    return fixes


def _ordered(booking: Booking) -> list[BookingItem]:
    return sorted(booking.items, key=lambda i: i.start_at)


def _same_staff_slots(uow: UnitOfWork, booking: Booking, now: datetime) -> list[ConflictFix]:
    """The next free starts for the whole visit with the same stylist(s), parts in their booked order; each
    one offered only when the check that applies it accepts it."""
    items = _ordered(booking)
    if any(uow.reference.service(i.service_id) is None for i in items):
        return []
    parts = [visit_part(uow, item.service_id, (item.staff_id,)) for item in items]
    earliest = max(items[0].start_at, now)
    latest = earliest + timedelta(days=SLOT_SEARCH_DAYS)
    schedules = staff_schedules(
        uow, [i.staff_id for i in items], earliest, latest, exclude_booking=booking.id
    )
    salon = salon_schedule(salon_of(uow))
    staff = uow.reference.staff_member(items[0].staff_id)
    fixes: list[ConflictFix] = []
    for slot in find_slots(salon, parts, schedules, earliest, latest, limit=MAX_SLOTS * 2):
        moves = tuple((item.id, a.staff_id, a.start) for item, a in zip(items, slot.assignments, strict=True))
        if _fits(uow, booking, moves, now):
            fixes.append(ConflictFix("same_staff_slot", slot.start, staff, moves))
        if len(fixes) == MAX_SLOTS:
            break
    return fixes


def _other_staff(
    uow: UnitOfWork, booking: Booking, record: ConflictRecord, now: datetime
) -> list[ConflictFix]:
    """Another qualified stylist for the clashing item, at the very same time."""
    items = _ordered(booking)
    clash = next((i for i in items if i.id == record.params.get("item_id")), items[0])
    if clash.start_at < now:
        return []
    fixes: list[ConflictFix] = []
    for qualification in uow.reference.staff_services(clash.service_id):
        if qualification.staff_id == clash.staff_id or len(fixes) >= MAX_OTHER_STAFF:
            continue
        move = (clash.id, qualification.staff_id, clash.start_at)
        if _fits(uow, booking, (move,), now):
            fixes.append(
                ConflictFix(
                    "other_staff", clash.start_at, uow.reference.staff_member(qualification.staff_id), (move,)
                )
            )
    return fixes


Moves = tuple[tuple[str, str, datetime], ...]  # (item id, staff id, start) as a ConflictFix carries them


def _checked(uow: UnitOfWork, booking: Booking, moves: Moves, now: datetime) -> list[BookingItem]:
    """The bookings module's own move check: the same code offers a fix and applies it."""
    known = {i.id for i in booking.items}
    if not moves or any(item_id not in known for item_id, _, _ in moves):
        raise ValidationError("conflict.fix_not_offered")
    return checked_move(uow, booking, tuple(ItemMove(*move) for move in moves), now)


def _fits(uow: UnitOfWork, booking: Booking, moves: Moves, now: datetime) -> bool:
    try:
        _checked(uow, booking, moves, now)
    except DomainError:
        return False
    return True


def _waitlist_window(uow: UnitOfWork, booking: Booking, now: datetime) -> tuple[datetime, datetime] | None:
    """The business day the customer wanted, from now on."""
    salon = salon_schedule(salon_of(uow))
    window = business_day_window(business_day(booking.start_at, salon), salon)
    if window is None or window.end <= now:
        return None
    return max(window.start, now), window.end


# --------------------------------------------------------------------------------------------- resolve
def resolve_conflict(uow: UnitOfWork, cmd: ResolveConflict, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        record, booking = _open_record(uow, cmd.conflict_id)
        if cmd.fix.kind not in _allowed_kinds(record, booking):
            raise ValidationError("conflict.fix_not_offered")
        if booking is not None:
            _apply_fix(uow, cmd.fix, booking, actor, now)
        resolution = RESOLUTIONS[cmd.fix.kind]
        uow.conflicts.mark_resolved(record.id, resolution, actor.user_id, now)
        uow.record(
            MutationName.CONFLICT_RESOLVE,
            "sync_conflict",
            record.id,
            payloads.conflict_resolve(record.id, resolution),
            actor,
            audit_before={"kind": record.kind},
            audit_after={"resolution": resolution},
        )
        return Result(record.id, uow.commit())


def _apply_fix(uow: UnitOfWork, fix: ConflictFix, booking: Booking, actor: Actor, now: datetime) -> None:
    if fix.kind in {"same_staff_slot", "other_staff"}:
        _reschedule(uow, booking, fix, actor, now)
    elif fix.kind in {"cancel", "waitlist"}:
        if fix.kind == "waitlist":
            _add_waitlist(uow, booking, actor, now)
        _cancel(uow, booking, actor, now)
    elif fix.kind == "walk_in":
        _add_walkin(uow, booking, actor, now)


def _reschedule(uow: UnitOfWork, booking: Booking, fix: ConflictFix, actor: Actor, now: datetime) -> None:
    try:
        items = _checked(uow, booking, fix.moves, now)
    except DomainError as error:
        if error.code == "conflict.fix_not_offered":
            raise
        raise Conflict("conflict.fix_unavailable") from error
    write_move(uow, booking, items, {item_id for item_id, _, _ in fix.moves}, actor, now)


def _cancel(uow: UnitOfWork, booking: Booking, actor: Actor, now: datetime) -> None:
    write_cancel(uow, booking, CANCEL_REASON, actor, now, by_salon=True)  # the double booking was not the customer's


def _add_waitlist(uow: UnitOfWork, booking: Booking, actor: Actor, now: datetime) -> None:
    window = _waitlist_window(uow, booking, now)
    customer = uow.customers.get(booking.customer_id) if booking.customer_id else None
    if window is None or customer is None:
        raise Conflict("conflict.fix_unavailable")
    item = _ordered(booking)[0]
    entry = WaitlistEntry(
        new_id(),
        customer.id,
        customer.name,
        customer.phone,
        item.service_id,
        item.staff_id,
        window[0],
        window[1],
        WaitlistState.WAITING,
    )
    write_waitlist_entry(uow, entry, actor, now)


def _add_walkin(uow: UnitOfWork, booking: Booking, actor: Actor, now: datetime) -> None:
    customer = uow.customers.get(booking.customer_id) if booking.customer_id else None
    item = _ordered(booking)[0]
    walkin = WalkIn(
        new_id(),
        customer.name if customer else "",
        customer.phone if customer else None,
        item.service_id,
        item.staff_id,
        now,
        WalkInState.WAITING,
        customer_id=customer.id if customer else None,
    )
    write_walkin(uow, walkin, actor, now)
