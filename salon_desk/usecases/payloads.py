"""Every outbox mutation's payload (specs/sync.md §3.5), built here and only here: named commands for bookings,
patches for the rest. One time format throughout: instants as `store.types.instant_text` (UTC, `Z`), the
text the cloud's `protocol.parse_instant` and the shared schemas read back.

The cloud re-runs the same domain rules on these arguments, so they carry facts, not screen state.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from salon_desk.domain.model import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingItem,
    Customer,
    WaitlistEntry,
    WalkIn,
)
from salon_desk.store.mappers import phases_to_json
from salon_desk.store.types import instant_text

Args = dict[str, Any]


# ------------------------------------------------------------------------------------------------ bookings
def item_args(item: BookingItem) -> Args:
    return {"id": item.id, "service_id": item.service_id, "staff_id": item.staff_id,
            "start_at": instant_text(item.start_at), "end_at": instant_text(item.end_at),
            "busy_until": instant_text(item.busy_until), "price_halalas": item.price_halalas,
            "phases": phases_to_json(item.phases)}


def booking_create(booking: Booking, new_customer: Customer | None) -> Args:
    args: Args = {"customer_id": booking.customer_id, "source": booking.source.value,
                  "status": booking.status.value, "notes": booking.notes,
                  "items": [item_args(i) for i in booking.items]}
    if new_customer is not None:
        args["customer"] = customer_args(new_customer)
    return args


def booking_reschedule(items: list[BookingItem]) -> Args:
    return {"items": [{"id": i.id, "staff_id": i.staff_id, "start_at": instant_text(i.start_at),
                       "end_at": instant_text(i.end_at), "busy_until": instant_text(i.busy_until)} for i in items]}


def booking_transition(to: str, reason: str, actual_start_at: datetime | None = None,
                       actual_end_at: datetime | None = None) -> Args:
    """`booking.transition`: the target status, and the visit's actual start (in_service) or end (completed)."""
    args: Args = {"to": to, "reason": reason}
    if actual_start_at is not None:
        args["actual_start_at"] = instant_text(actual_start_at)
    if actual_end_at is not None:
        args["actual_end_at"] = instant_text(actual_end_at)
    return args


def booking_cancel(reason: str, by_salon: bool = False) -> Args:
    return {"reason": reason, "by_salon": True} if by_salon else {"reason": reason}


def booking_notes(notes: str) -> Args:
    return {"fields": {"notes": notes}}


# ------------------------------------------------------------------------------------------------ customers
def customer_args(customer: Customer) -> Args:
    return {"id": customer.id, "name": customer.name, "phone": customer.phone,
            "language": customer.language.value, "notes": customer.notes,
            "consent_reminders": customer.consent_reminders, "consent_marketing": customer.consent_marketing}


def customer_patch(fields: dict[str, object]) -> Args:
    """The changed fields, already cleaned (text, a mobile number or None, a language code, real booleans)."""
    return {"fields": dict(fields)}


# ------------------------------------------------------------------------------------------------ walk-ins
def walk_in_create(walkin: WalkIn) -> Args:
    return {"service_id": walkin.service_id, "preferred_staff_id": walkin.preferred_staff_id,
            "name": walkin.name, "phone": walkin.phone, "customer_id": walkin.customer_id,
            "arrived_at": instant_text(walkin.arrived_at)}


def walk_in_seat(booking_id: str, staff_id: str) -> Args:
    return {"booking_id": booking_id, "staff_id": staff_id}


def walk_in_left(left_at: datetime) -> Args:
    return {"fields": {"state": "left", "left_at": instant_text(left_at)}}


# ------------------------------------------------------------------------------------------------ waitlist
def waitlist_create(entry: WaitlistEntry) -> Args:
    return {"customer_id": entry.customer_id, "service_id": entry.service_id, "staff_id": entry.staff_id,
            "window_start": instant_text(entry.window_start), "window_end": instant_text(entry.window_end),
            "notes": entry.notes}


def waitlist_removed() -> Args:
    return {"fields": {"state": "removed"}}


def waitlist_offered(start: datetime, staff_id: str) -> Args:
    return {"fields": {"state": "offered", "offered_start": instant_text(start), "offered_staff_id": staff_id}}


# ------------------------------------------------------------------------------------------------ conflicts
def conflict_resolve(conflict_id: str, resolution: str) -> Args:
    return {"conflict_id": conflict_id, "resolution": resolution}


# ------------------------------------------------------------------------------------------------ checkout (#11)
def _day_text(day: Any) -> str | None:
    return None if day is None else str(day)  # a date's str() is YYYY-MM-DD


def checkout_save(c: Any) -> Args:
    from salon_desk.store.repo_money import discount_json, line_json

    return {"booking_id": c.booking_id, "customer_id": c.customer_id, "lines": [line_json(x) for x in c.lines],
            "order_discount": discount_json(c.order_discount), "status": c.status.value,
            "gross_halalas": c.gross_halalas, "discount_halalas": c.discount_halalas, "device_id": c.device_id,
            "invoice_id": c.invoice_id}


def payment_record(p: Any, idempotency_key: str) -> Args:
    return {"checkout_id": p.checkout_id, "booking_id": p.booking_id, "method": p.method.value,
            "amount_halalas": p.amount_halalas, "tendered_halalas": p.tendered_halalas,
            "change_halalas": p.change_halalas, "card_network": p.card_network, "approval_code": p.approval_code,
            "card_last4": p.card_last4, "external_id": p.external_id, "device_id": p.device_id,
            "business_day": _day_text(p.business_day),
            "taken_at": instant_text(p.taken_at) if p.taken_at else None, "idempotency_key": idempotency_key}


def document_args(d: Any) -> Args:
    from salon_desk.store.repo_money import doc_line_json, seller_json

    return {"uuid": d.uuid, "series": d.series, "number": d.number, "counter": d.counter,
            "previous_hash": d.previous_hash, "hash": d.hash, "issued_at": instant_text(d.issued_at),
            "seller": seller_json(d.seller), "lines": [doc_line_json(x) for x in d.lines], "net_halalas": d.net,
            "vat_halalas": d.vat, "gross_halalas": d.gross, "discount_halalas": d.discount,
            "qr_payload": d.qr_payload, "booking_id": d.booking_id, "checkout_id": d.checkout_id,
            "device_id": d.device_id, "payments": [list(p) for p in d.payments],
            "original_invoice_id": d.original_invoice_id, "original_number": d.original_number,
            "reason": d.reason}


def invoice_issue(d: Any) -> Args:
    return document_args(d)


def refund_args(r: Any) -> Args:
    return {"id": r.id, "payment_id": r.payment_id, "method": r.method.value, "amount_halalas": r.amount_halalas,
            "reason": r.reason, "business_day": _day_text(r.business_day),
            "refunded_at": instant_text(r.refunded_at) if r.refunded_at else None}


def credit_note_issue(d: Any, refunds: list[Any]) -> Args:
    return document_args(d) | {"refunds": [refund_args(r) for r in refunds]}


def refund_record(r: Any, checkout_id: str | None) -> Args:
    return refund_args(r) | {"checkout_id": checkout_id}


def daily_close_record(c: Any) -> Args:
    return {"device_id": c.device_id, "business_day": _day_text(c.business_day),
            "closed_at": instant_text(c.closed_at), "closed_by": c.closed_by, "closed_by_name": c.closed_by_name,
            "figures": c.figures, "counted_cash_halalas": c.counted_cash_halalas,
            "expected_cash_halalas": c.expected_cash_halalas, "variance_halalas": c.variance_halalas}


# ------------------------------------------------------------------------------------------------ desk users (#10)
def desk_user_create(name: str, role: str, pin_hash: str) -> Args:
    return {"name": name, "role": role, "pin_hash": pin_hash}


def desk_user_patch(fields: dict[str, object]) -> Args:
    """The changed fields (name, role, pin_hash, active), already checked."""
    return {"fields": dict(fields)}


# ------------------------------------------------------------ staff, catalogue, availability (issue #10)
def record_args(values: dict[str, Any]) -> Args:
    """A created staff member's or service's fields, as the schema reads them."""
    return dict(values)


def patch(fields: dict[str, Any]) -> Args:
    return {"fields": dict(fields)}


def staff_services(listed: list[dict[str, Any]]) -> Args:
    return {"services": listed}


def week(rules: list[AvailabilityRule]) -> Args:
    return {"rules": [{"id": r.id, "weekday": r.weekday, "start_time": wall_time_text(r.start),
                       "end_time": wall_time_text(r.end),
                       "valid_from": str(r.valid_from) if r.valid_from else None,  # ISO 8601 day
                       "valid_to": str(r.valid_to) if r.valid_to else None} for r in rules]}


def availability_exception(exc: AvailabilityException) -> Args:
    return {"staff_id": exc.staff_id, "kind": exc.kind.value, "start_at": instant_text(exc.start_at),
            "end_at": instant_text(exc.end_at), "note": exc.note}


def exception_removed(staff_id: str) -> Args:
    return {"staff_id": staff_id}


def wall_time_text(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"
