"""Booking use cases: create, check, move, change status, cancel, notes. One transaction each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from salon_desk.domain import booking as rules_of_status
from salon_desk.domain.booking import BookingSource, BookingStatus
from salon_desk.domain.errors import Conflict, NotFound, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor, Booking, BookingItem
from salon_desk.domain.rules import MAX_ITEMS_PER_BOOKING, clean_notes, found
from salon_desk.domain.scheduling import (
    CustomerItem,
    Interval,
    check_actual_time,
    check_customer_items,
    check_fits,
    item_actual_end,
    phases_for_duration,
)
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .commands import (
    CancelBooking,
    CreateBooking,
    ItemMove,
    ItemRequest,
    RescheduleBooking,
    TransitionBooking,
    UpdateBookingNotes,
)
from .customers import resolve_customer
from .refusals import in_the_way
from .result import Result
from .schedule_inputs import item_segments, salon_of, salon_schedule, staff_schedules
from .waitlist import check_open_entry, offer_freed_slots

# A receptionist may still enter a booking that started a few minutes ago.
PAST_GRACE = timedelta(minutes=10)


def plan_item(uow: UnitOfWork, request: ItemRequest, item_id: str, booking_id: str) -> BookingItem:
    """Turns a requested service + staff + start into an item with its real end, busy time and price."""
    service = found(uow.reference.service(request.service_id), "service.not_found")
    staff = found(uow.reference.staff_member(request.staff_id), "staff.not_found")
    if not service.active or not staff.active:
        raise NotFound("service.not_found" if not service.active else "staff.not_found")
    qualification = uow.reference.staff_service(staff.id, service.id)
    if qualification is None:
        raise ValidationError("staff.not_qualified", staff=staff.name_en, staff_ar=staff.name_ar,
                              service=service.name_en, service_ar=service.name_ar)
    if request.start_at.tzinfo is None or request.start_at.utcoffset() is None:
        raise ValidationError("booking.naive_time")
    duration = qualification.duration_minutes or service.duration_minutes
    price = service.price_halalas if qualification.price_halalas is None else qualification.price_halalas
    end = request.start_at + timedelta(minutes=duration)
    return BookingItem(item_id, booking_id, service.id, staff.id, request.start_at, end,
                       end + timedelta(minutes=service.buffer_minutes), price,
                       phases_for_duration(service.phases, duration))


def without_continued_cleanup(items: list[BookingItem]) -> list[BookingItem]:
    """Business rule (as slot search): a stylist who carries straight on with the same customer's next
    service does not clean up in between, so the earlier item's busy time ends with it."""
    out = list(items)
    for i, item in enumerate(out[:-1]):
        following = out[i + 1]
        if following.staff_id == item.staff_id and following.start_at == item.end_at:
            out[i] = replace(item, busy_until=item.end_at)
    return out


def customer_items(uow: UnitOfWork, items: list[BookingItem]) -> list[CustomerItem]:
    """The visit's items as the customer's own-time rule sees them (domain.scheduling.visit)."""
    out = []
    for item in items:
        service = uow.reference.service(item.service_id)
        out.append(CustomerItem(item.service_id, item.start_at, item.end_at,
                                bool(service and service.can_run_alongside),
                                service.name_en if service else "", service.name_ar if service else ""))
    return out


def check_items_fit(uow: UnitOfWork, items: list[BookingItem], exclude_booking: str | None = None) -> None:
    """The customer in one chair at a time (save services that run alongside), and every item inside its
    stylist's working time and clear of every active booking, including the visit's own other items."""
    check_customer_items(customer_items(uow, items))
    salon = salon_schedule(salon_of(uow))
    start, end = min(i.start_at for i in items), max(i.busy_until for i in items)
    schedules = staff_schedules(uow, [i.staff_id for i in items], start, end, exclude_booking=exclude_booking)
    placed: dict[str, list[Interval]] = {}
    try:
        for item in items:
            schedule = schedules[item.staff_id]
            own = placed.setdefault(item.staff_id, [])
            segments = item_segments(item)
            check_fits(replace(schedule, busy=tuple(sorted([*schedule.busy, *own]))), salon, segments)
            own.extend(segments)
    except Conflict as error:  # name everything in the way, not only the first thing the check met
        raise in_the_way(uow, items, schedules, salon, exclude_booking) or error from error


def _plan_booking(uow: UnitOfWork, cmd: CreateBooking, now: datetime) -> list[BookingItem]:
    if not cmd.items:
        raise ValidationError("booking.no_items")
    if len(cmd.items) > MAX_ITEMS_PER_BOOKING:
        raise ValidationError("booking.too_many_items", max=MAX_ITEMS_PER_BOOKING)
    booking_id = cmd.booking_id or "pending"
    items = without_continued_cleanup([plan_item(uow, req, new_id(), booking_id) for req in cmd.items])
    if min(i.start_at for i in items) < now - PAST_GRACE:
        raise ValidationError("booking.in_past")
    check_items_fit(uow, items)
    return items


def check_booking(uow: UnitOfWork, cmd: CreateBooking) -> None:
    """Validates a booking as create_booking would, saving nothing."""
    with uow:
        clean_notes(cmd.notes)
        _plan_booking(uow, cmd, uow.clock())
        if cmd.customer_id is None and cmd.new_customer is None:
            raise ValidationError("customer.required")
        resolve_customer(uow, cmd.customer_id, cmd.new_customer, dry_run=True)


def create_booking(uow: UnitOfWork, cmd: CreateBooking, actor: Actor) -> Result:
    with uow:
        booking_id = write_booking(uow, cmd, actor, BookingSource.DESK, None)
        return Result(booking_id, uow.commit())


def write_booking(uow: UnitOfWork, cmd: CreateBooking, actor: Actor, source: BookingSource,
                  status: BookingStatus | None) -> str:
    """Validates and writes a booking inside an open unit of work (the caller commits)."""
    now = uow.clock()
    salon_id = uow.salon_id()
    notes = clean_notes(cmd.notes)
    items = _plan_booking(uow, cmd, now)
    if cmd.waitlist_entry_id:
        check_open_entry(uow, cmd.waitlist_entry_id)
    customer, created = resolve_customer(uow, cmd.customer_id, cmd.new_customer,
                                         required=source is not BookingSource.WALK_IN)
    booking_id = cmd.booking_id or new_id()
    items = [replace(i, booking_id=booking_id) for i in items]
    status = status or (BookingStatus.CONFIRMED if cmd.confirmed else BookingStatus.REQUESTED)
    booking = Booking(booking_id, customer.id if customer else None, status, source, notes, tuple(items), now, now)
    if created and customer is not None:
        uow.customers.add(customer, salon_id, now)
        uow.touched("customer", customer.id)
    uow.bookings.add(booking, salon_id)
    if cmd.waitlist_entry_id:
        uow.waitlist.update(cmd.waitlist_entry_id, {"state": "booked"}, now)
        uow.touched("waitlist_entry", cmd.waitlist_entry_id)
    uow.record(MutationName.BOOKING_CREATE, "booking", booking_id,
               payloads.booking_create(booking, customer if created else None), actor,
               audit_after={"status": status.value, "items": [i.id for i in items]})
    _touch_items(uow, booking)
    return booking_id


def _touch_items(uow: UnitOfWork, booking: Booking) -> None:
    """A booking's mutation touches the booking (uow.record) and every one of its items."""
    for item in booking.items:
        uow.touched("booking_item", item.id)


def moved_items(uow: UnitOfWork, booking: Booking, moves: Sequence[ItemMove]) -> list[BookingItem]:
    """The visit's items after the moves, each replanned as a new booking's would be (its price and phases
    kept), with the continued-cleanup rule applied to the whole visit."""
    by_id = {i.id: i for i in booking.items}
    moved = dict(by_id)
    for move in moves:
        old = by_id.get(move.item_id)
        if old is None:
            raise NotFound("booking.item_unknown")
        planned = plan_item(uow, ItemRequest(old.service_id, move.staff_id, move.start_at), old.id, booking.id)
        moved[old.id] = replace(planned, price_halalas=old.price_halalas, phases=old.phases)
    return without_continued_cleanup(sorted(moved.values(), key=lambda i: i.start_at))


def checked_move(uow: UnitOfWork, booking: Booking, moves: Sequence[ItemMove], now: datetime) -> list[BookingItem]:
    """The moved visit, or the refusal: the one check behind check_move, reschedule_booking and the
    conflict fixes (a fix is offered only when this accepts it)."""
    rules_of_status.check_movable(booking.status)
    items = moved_items(uow, booking, moves)
    moved_ids = {m.item_id for m in moves}
    if any(i.start_at < now - PAST_GRACE for i in items if i.id in moved_ids):
        raise ValidationError("booking.in_past")
    check_items_fit(uow, items, exclude_booking=booking.id)
    return items


def check_move(uow: UnitOfWork, cmd: RescheduleBooking) -> None:
    with uow:
        booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
        checked_move(uow, booking, cmd.moves, uow.clock())


def reschedule_booking(uow: UnitOfWork, cmd: RescheduleBooking, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
        items = checked_move(uow, booking, cmd.moves, now)
        write_move(uow, booking, items, {m.item_id for m in cmd.moves}, actor, now)
        return Result(booking.id, uow.commit())


def write_move(uow: UnitOfWork, booking: Booking, items: list[BookingItem], moved_ids: set[str], actor: Actor,
               now: datetime) -> None:
    """Writes checked moves inside an open unit of work (the caller commits). A quarantined booking holds its
    time again, as the server does when it accepts the move."""
    changed = [i for i in items if i.id in moved_ids]
    base_seq = uow.bookings.server_seq(booking.id)
    for item in changed:
        uow.bookings.move_item(item, now)
    if booking.status is BookingStatus.NEEDS_ATTENTION:
        uow.bookings.set_status(booking.id, BookingStatus.REQUESTED, now)
    uow.record(MutationName.BOOKING_RESCHEDULE, "booking", booking.id, payloads.booking_reschedule(changed), actor,
               base_seq=base_seq,
               audit_before=payloads.booking_reschedule([i for i in booking.items if i.id in moved_ids]),
               audit_after=payloads.booking_reschedule(changed))
    _touch_items(uow, booking)
    offer_freed_slots(uow, now, actor)


def transition_booking(uow: UnitOfWork, cmd: TransitionBooking, actor: Actor) -> Result:
    target = BookingStatus(cmd.to)
    if target is BookingStatus.CANCELLED:
        return cancel_booking(uow, CancelBooking(cmd.booking_id, cmd.reason), actor)
    with uow:
        now = uow.clock()
        booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
        rules_of_status.check_transition(booking.status, target, actor.role, now=now, starts_at=booking.start_at)
        at = cmd.happened_at or now
        times = actual_times(booking, target, at, now)
        base_seq = uow.bookings.server_seq(booking.id)
        uow.bookings.set_status(booking.id, target, now)
        uow.bookings.record_actual_times(times, now)
        args = payloads.booking_transition(
            target.value, cmd.reason, at if target is BookingStatus.IN_SERVICE else None,
            at if target is BookingStatus.COMPLETED else None)
        uow.record(MutationName.BOOKING_TRANSITION, "booking", booking.id, args, actor, base_seq=base_seq,
                   audit_before={"status": booking.status.value},
                   audit_after={"status": target.value,
                                **{k: v for k, v in args.items() if k.startswith("actual_")}})
        _touch_items(uow, booking)
        ends = {item_id: end for item_id, (_, end) in times.items() if end is not None}
        finished_early = any(ends[i.id] < i.end_at for i in booking.items if i.id in ends)
        if target is BookingStatus.NO_SHOW or finished_early:  # the freed time goes to the waitlist
            offer_freed_slots(uow, now, actor)
        return Result(booking.id, uow.commit())


def actual_times(booking: Booking, target: BookingStatus, at: datetime,
                 now: datetime) -> dict[str, tuple[datetime | None, datetime | None]]:
    """item id -> (actual start, actual end) that this transition records: starting the service records the
    visit's actual start on its first items; completing it records each item's actual end (domain rule)."""
    if target is BookingStatus.IN_SERVICE:
        check_actual_time(at, now)
        return {i.id: (at, None) for i in booking.items if i.start_at == booking.start_at}
    if target is not BookingStatus.COMPLETED:
        return {}
    started = min([booking.start_at, *(i.actual_start_at for i in booking.items if i.actual_start_at)])
    check_actual_time(at, now, not_before=started)
    booked_end = max(i.end_at for i in booking.items)
    return {i.id: (None, item_actual_end(i.start_at, i.end_at, booked_end, at)) for i in booking.items}


def cancel_booking(uow: UnitOfWork, cmd: CancelBooking, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        reason = clean_notes(cmd.reason)
        if not reason:
            raise ValidationError("booking.cancel_reason_required")
        booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
        write_cancel(uow, booking, reason, actor, now, by_salon=cmd.by_salon)
        return Result(booking.id, uow.commit())


def write_cancel(uow: UnitOfWork, booking: Booking, reason: str, actor: Actor, now: datetime, *,
                 by_salon: bool = False) -> None:
    """Cancels inside an open unit of work (the caller commits); the freed time goes to the waitlist.
    `by_salon`: the salon's doing, not the customer's (the cloud then refunds a paid deposit in full)."""
    rules_of_status.check_transition(booking.status, BookingStatus.CANCELLED, actor.role)
    base_seq = uow.bookings.server_seq(booking.id)
    uow.bookings.set_status(booking.id, BookingStatus.CANCELLED, now, cancel_reason=reason)
    uow.record(MutationName.BOOKING_CANCEL, "booking", booking.id, payloads.booking_cancel(reason, by_salon), actor,
               base_seq=base_seq, audit_before={"status": booking.status.value},
               audit_after={"status": BookingStatus.CANCELLED.value, **({"by_salon": True} if by_salon else {})})
    _touch_items(uow, booking)
    offer_freed_slots(uow, now, actor)


def update_booking_notes(uow: UnitOfWork, cmd: UpdateBookingNotes, actor: Actor) -> Result:
    with uow:
        now = uow.clock()
        notes = clean_notes(cmd.notes)
        booking = found(uow.bookings.get(cmd.booking_id), "booking.not_found")
        base_seq = uow.bookings.server_seq(booking.id)
        uow.bookings.set_notes(booking.id, notes, now)
        uow.record(MutationName.BOOKING_PATCH_NOTES, "booking", booking.id, payloads.booking_notes(notes), actor,
                   base_seq=base_seq, audit_after={"fields": ["notes"]})
        return Result(booking.id, uow.commit())


def allowed_transitions(uow: UnitOfWork, booking_id: str, actor: Actor) -> list[str]:
    with uow:
        booking = found(uow.bookings.get(booking_id), "booking.not_found")
        return [s.value for s in rules_of_status.allowed_targets(booking.status, actor.role)]
