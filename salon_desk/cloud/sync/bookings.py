"""Booking commands re-run on server state with the domain's own rules (specs/sync.md §3.5, §3.8-§3.9).

The overlap invariant is the database's (EXCLUDE constraint / trigger on the items' busy segments,
segments.py); a violation is caught inside a savepoint (`ChangeSet.savepoint`). `booking.create` that
overlaps is kept in quarantine (needs_attention, items inactive) with a salon-wide SyncConflict; a refused
move or transition changes nothing and records the attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from salon_desk.domain import booking as status_rules
from salon_desk.domain.booking import BookingStatus, Role
from salon_desk.domain.deposit_policy import DepositEvent
from salon_desk.domain.errors import Conflict, Forbidden, ValidationError
from salon_desk.domain.scheduling import (
    CustomerItem,
    check_actual_time,
    check_customer_items,
    item_actual_end,
)
from salon_desk.sync.protocol import decode_value, encode_row, encode_value

from ..notify.events import Event, event_for_status
from ..notify.outbox import enqueue, event_for_new_booking
from ..payments.deposit_policy import record_deposit_event
from .aliases import canonical_customer
from .context import CommandContext, Outcome, Refusal, is_overlap
from .records import create_customer, ensure_new
from .segments import item_busy_segments, overlapping_item_id
from .tables import REPLICATED_TABLES

ITEM_FIELDS = ("id", "service_id", "staff_id", "start_at", "end_at", "busy_until", "price_halalas", "phases")
INITIAL_STATUSES = frozenset({"requested", "confirmed", "checked_in", "in_service"})
ITEMS = REPLICATED_TABLES["booking_item"]
DEPOSIT_EVENTS = {BookingStatus.CANCELLED.value: DepositEvent.DESK_CANCEL,
                  BookingStatus.NO_SHOW.value: DepositEvent.NO_SHOW}


def _instant(value: Any) -> Any:
    try:
        return decode_value("instant", value)
    except (TypeError, ValueError) as exc:
        raise Refusal("invalid", "sync.invalid", reason="instant") from exc


def _planned_items(ctx: CommandContext, booking_id: str) -> list[dict[str, Any]]:
    raw = ctx.args.get("items")
    if not isinstance(raw, list) or not raw:
        raise Refusal("invalid", "booking.no_items")
    items = []
    for entry in raw:
        item = {name: entry.get(name) for name in ITEM_FIELDS}
        for name in ("start_at", "end_at", "busy_until"):
            item[name] = _instant(item[name])
        if not (item["start_at"] < item["end_at"] <= item["busy_until"]):
            raise Refusal("invalid", "sync.invalid", reason="times")
        for entity, key in (("staff", "staff_id"), ("service", "service_id")):
            if ctx.changes.get(entity, item[key]) is None:
                raise Refusal("invalid", f"{entity}.not_found")
        items.append({**item, "booking_id": booking_id, "phases": item["phases"] or []})
    return items


def check_customer_time(ctx: CommandContext, items: list[dict[str, Any]], kind: str) -> None:
    """The domain's own-time rule for one customer's visit (services that run alongside may share time)."""
    visit = []
    for item in items:
        service = ctx.changes.get("service", item["service_id"]) or {}
        visit.append(CustomerItem(str(item["service_id"]), item["start_at"], item["end_at"],
                                  bool(service.get("can_run_alongside")), str(service.get("name_en") or ""),
                                  str(service.get("name_ar") or "")))
    try:
        check_customer_items(visit)
    except Conflict as error:
        params = {k: encode_value("instant", v) if isinstance(v, datetime) else v for k, v in error.params.items()}
        raise Refusal(kind, error.code, **params) from error


def overlapping_item(ctx: CommandContext, item: dict[str, Any], booking_id: str) -> dict[str, Any] | None:
    """The active item of another booking whose busy segments meet this item's (phases respected)."""
    session = ctx.changes.session
    found = overlapping_item_id(session, ctx.salon_id, item["staff_id"], item_busy_segments(item), booking_id)
    if found is None:
        return None
    row = session.execute(select(ITEMS).where(ITEMS.c.salon_id == ctx.salon_id, ITEMS.c.id == found)).mappings().first()
    return dict(row) if row is not None else None


def _overlap_params(ctx: CommandContext, items: list[dict[str, Any]], booking_id: str) -> dict[str, Any]:
    for item in items:
        existing = overlapping_item(ctx, item, booking_id)
        if existing is not None:
            row = encode_row("booking_item", existing)
            return {
                "staff_id": item["staff_id"],
                "existing_booking_id": row["booking_id"],
                "existing_start": row["start_at"],
                "existing_end": row["end_at"],
                "item_id": item["id"],
            }
    return {}


def _write_booking(ctx: CommandContext, booking: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """A new booking and its new items: written without reading them first (an item id already taken
    fails on the primary key and is refused as `sync.id_taken`)."""
    ctx.changes.assume_new("booking_item", [str(item["id"]) for item in items])
    active = status_rules.is_active(booking["status"])
    ctx.changes.upsert("booking", booking, field_meta={})
    for item in items:
        ctx.changes.upsert(
            "booking_item",
            {**item, "active": active, "created_at": ctx.now, "updated_at": ctx.now, "deleted_at": None},
        )


def handle_create(ctx: CommandContext) -> Outcome:
    booking_id = ctx.mutation.entity_id
    ensure_new(ctx, "booking", booking_id)
    status = ctx.args.get("status") or "requested"
    if status not in INITIAL_STATUSES:
        raise Refusal("invalid", "sync.invalid", reason="status")
    items = _planned_items(ctx, booking_id)
    check_customer_time(ctx, items, "invalid")
    customer_id = canonical_customer(ctx.changes, ctx.args.get("customer_id"))  # a merged duplicate: survivor
    if isinstance(ctx.args.get("customer"), dict):
        customer_id, _ = create_customer(ctx, ctx.args["customer"])
    booking = {
        "id": booking_id,
        "customer_id": customer_id,
        "status": status,
        "source": ctx.args.get("source") or "desk",
        "notes": ctx.args.get("notes") or "",
        "cancel_reason": "",
        "starts_at": min(i["start_at"] for i in items),
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "deleted_at": None,
    }
    try:
        with ctx.changes.savepoint():  # batched (push's fast path): no savepoint, an overlap runs it alone
            _write_booking(ctx, booking, items)
        _notify(ctx, booking_id, event_for_new_booking(status))
        return Outcome()
    except IntegrityError as error:
        if not is_overlap(error):
            raise
    # Quarantine, don't discard: the customer expects the booking; someone must place it.
    params = _overlap_params(ctx, items, booking_id)
    _write_booking(ctx, {**booking, "status": BookingStatus.NEEDS_ATTENTION.value}, items)
    conflict_id = ctx.record_conflict(
        "overlap", "booking", booking_id, code="overlap", params=params, current={"status": status}
    )
    return Outcome("conflict", "overlap", params, conflict_id)


def _live_booking(ctx: CommandContext) -> dict[str, Any]:
    booking = ctx.changes.get("booking", ctx.mutation.entity_id)
    if booking is None or booking["deleted_at"] is not None:
        raise Refusal("gone", "sync.gone")
    return booking


def booking_items(ctx: CommandContext, booking_id: str) -> list[dict[str, Any]]:
    rows = ctx.changes.session.execute(
        select(ITEMS).where(ITEMS.c.salon_id == ctx.salon_id, ITEMS.c.booking_id == booking_id)
    ).mappings()
    return [dict(r) for r in rows]


def _save_or_refuse(ctx: CommandContext, kind: str, write: Any, items: list[dict[str, Any]]) -> None:
    try:
        with ctx.changes.savepoint():
            write()
    except IntegrityError as error:
        if not is_overlap(error):
            raise
        raise Refusal(kind, "overlap", **_overlap_params(ctx, items, ctx.mutation.entity_id)) from error


def handle_reschedule(ctx: CommandContext) -> Outcome:
    booking = _live_booking(ctx)
    try:
        status_rules.check_movable(booking["status"])
    except Conflict as error:
        raise Refusal("move_refused", error.code, **error.params) from error
    current = {i["id"]: i for i in booking_items(ctx, booking["id"])}
    moves = ctx.args.get("items") or []
    for move in moves:
        if move.get("id") not in current:
            raise Refusal("invalid", "booking.item_unknown")
        current[move["id"]] = {
            **current[move["id"]],
            "staff_id": move["staff_id"],
            **{k: _instant(move[k]) for k in ("start_at", "end_at", "busy_until")},
        }
    quarantined = booking["status"] == BookingStatus.NEEDS_ATTENTION
    status = BookingStatus.REQUESTED.value if quarantined else booking["status"]
    items = list(current.values())
    check_customer_time(ctx, items, "move_refused")

    def write() -> None:
        for item in items:
            ctx.changes.upsert(
                "booking_item", {**item, "active": status_rules.is_active(status), "updated_at": ctx.now}
            )
        ctx.changes.upsert(
            "booking",
            {
                "id": booking["id"],
                "status": status,
                "updated_at": ctx.now,
                "starts_at": min(i["start_at"] for i in items),
            },
        )

    _save_or_refuse(ctx, "move_refused", write, items)
    _deposit_policy(ctx, booking, DepositEvent.RESCHEDULE)
    if quarantined:
        _resolve_conflicts(ctx, booking["id"], "rescheduled")
    # A placed quarantined booking is news to the customer; a moved one is a reschedule.
    _notify(ctx, booking["id"], event_for_new_booking(status) if quarantined else Event.BOOKING_RESCHEDULED)
    return Outcome()


def _deposit_policy(ctx: CommandContext, booking: dict[str, Any], event: DepositEvent) -> None:
    """The salon's deposit policy, recorded in this change's transaction; the payments job refunds (issue #12)."""
    record_deposit_event(ctx.changes.session, ctx.salon_id, booking["id"], event, booking["starts_at"], ctx.now)


def _deposit_event(ctx: CommandContext, target: str) -> DepositEvent:
    """Who ended the booking decides what its deposit's policy is: the customer from the booking page, the
    salon when the desk says so (`by_salon`: staff unavailable, hours changed, a double booking), else the
    customer through the desk."""
    if ctx.mutation.actor.role == Role.CUSTOMER.value:
        return DepositEvent.CUSTOMER_CANCEL
    if target == BookingStatus.CANCELLED.value and ctx.args.get("by_salon") is True:
        return DepositEvent.SALON_CANCEL
    return DEPOSIT_EVENTS[target]


def _notify(ctx: CommandContext, booking_id: str, event: Event | None) -> None:
    """Queues the customer's message in this mutation's transaction (the notification outbox)."""
    if event is not None:
        enqueue(ctx.changes, booking_id, event, ctx.now)


def _resolve_conflicts(ctx: CommandContext, booking_id: str, resolution: str) -> None:
    table = REPLICATED_TABLES["sync_conflict"]
    open_ids = ctx.changes.session.scalars(
        select(table.c.id).where(
            table.c.salon_id == ctx.salon_id,
            table.c.entity == "booking",
            table.c.entity_id == booking_id,
            table.c.resolved_at.is_(None),
        )
    ).all()
    for conflict_id in open_ids:
        ctx.changes.upsert(
            "sync_conflict",
            {
                "id": conflict_id,
                "resolved_at": ctx.now,
                "updated_at": ctx.now,
                "resolved_by": ctx.mutation.actor.desk_user_id,
                "resolution": resolution,
            },
        )


def _transition(ctx: CommandContext, target: str, cancel_reason: str | None) -> Outcome:
    booking = _live_booking(ctx)
    try:
        status_rules.check_transition(booking["status"], target, Role(ctx.mutation.actor.role))
    except Conflict as error:
        raise Refusal("transition_refused", error.code, **error.params) from error
    except (Forbidden, ValueError) as error:
        raise Refusal("forbidden", getattr(error, "code", "sync.invalid")) from error
    items = booking_items(ctx, booking["id"])
    active = status_rules.is_active(target)
    actual = _actual_times(ctx, target, items)

    def write() -> None:
        for item in items:
            values = {**({"active": active} if item["active"] != active else {}), **actual.get(item["id"], {})}
            if values:
                ctx.changes.upsert("booking_item", {"id": item["id"], **values, "updated_at": ctx.now})
        values = {"id": booking["id"], "status": target, "updated_at": ctx.now}
        if cancel_reason is not None:
            values["cancel_reason"] = cancel_reason
        ctx.changes.upsert("booking", values)

    _save_or_refuse(ctx, "transition_refused", write, items)
    if target in DEPOSIT_EVENTS:
        _deposit_policy(ctx, booking, _deposit_event(ctx, target))
    if booking["status"] == BookingStatus.NEEDS_ATTENTION:
        _resolve_conflicts(ctx, booking["id"], target)
    _notify(ctx, booking["id"], event_for_status(target))
    return Outcome()


ACTUAL_ARG = {BookingStatus.IN_SERVICE.value: "actual_start_at", BookingStatus.COMPLETED.value: "actual_end_at"}


def _actual_times(ctx: CommandContext, target: str, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """item id -> the actual times this transition records, by the domain's rules (as the desk): starting the
    service records the visit's actual start on its first items; completing it each item's actual end. The
    instant is checked against the server's clock (not in the future beyond a small skew, not before the start)."""
    key = ACTUAL_ARG.get(target)
    live = [i for i in items if i["deleted_at"] is None]
    if key is None or ctx.args.get(key) is None or not live:
        return {}
    at = _instant(ctx.args[key])
    booked_start = min(i["start_at"] for i in live)
    started = min([booked_start, *(i["actual_start_at"] for i in live if i["actual_start_at"] is not None)])
    try:
        check_actual_time(at, ctx.now, not_before=started if key == "actual_end_at" else None)
    except ValidationError as error:
        raise Refusal("invalid", error.code, **error.params) from error
    if key == "actual_start_at":
        return {i["id"]: {key: at} for i in live if i["start_at"] == booked_start}
    booked_end = max(i["end_at"] for i in live)
    return {i["id"]: {key: item_actual_end(i["start_at"], i["end_at"], booked_end, at)} for i in live}


def handle_transition(ctx: CommandContext) -> Outcome:
    return _transition(ctx, str(ctx.args.get("to")), None)


def handle_cancel(ctx: CommandContext) -> Outcome:
    return _transition(ctx, BookingStatus.CANCELLED.value, str(ctx.args.get("reason") or ""))
