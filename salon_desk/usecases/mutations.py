"""The outbox mutation payloads (specs/sync.md §3.5): named commands for bookings, patches for the rest.

The cloud re-runs the same domain rules on these arguments, so they carry facts, not screen state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from salon_desk.domain.model import Booking, BookingItem, Customer
from salon_desk.store.mappers import phases_to_json
from salon_desk.store.types import instant_text


def item_args(item: BookingItem) -> dict[str, Any]:
    return {"id": item.id, "service_id": item.service_id, "staff_id": item.staff_id,
            "start_at": instant_text(item.start_at), "end_at": instant_text(item.end_at),
            "busy_until": instant_text(item.busy_until), "price_halalas": item.price_halalas,
            "phases": phases_to_json(item.phases)}


def customer_args(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, "name": customer.name, "phone": customer.phone,
            "language": customer.language.value, "notes": customer.notes,
            "consent_reminders": customer.consent_reminders, "consent_marketing": customer.consent_marketing}


def booking_create(booking: Booking, new_customer: Customer | None) -> dict[str, Any]:
    args: dict[str, Any] = {"customer_id": booking.customer_id, "source": booking.source.value,
                            "status": booking.status.value, "notes": booking.notes,
                            "items": [item_args(i) for i in booking.items]}
    if new_customer is not None:
        args["customer"] = customer_args(new_customer)
    return args


def booking_reschedule(items: list[BookingItem]) -> dict[str, Any]:
    return {"items": [{"id": i.id, "staff_id": i.staff_id, "start_at": instant_text(i.start_at),
                       "end_at": instant_text(i.end_at), "busy_until": instant_text(i.busy_until)} for i in items]}


def booking_transition(to: str, reason: str, actual_start_at: datetime | None = None,
                       actual_end_at: datetime | None = None) -> dict[str, Any]:
    """`booking.transition`: the target status, and the visit's actual start (in_service) or end (completed)."""
    args: dict[str, Any] = {"to": to, "reason": reason}
    if actual_start_at is not None:
        args["actual_start_at"] = instant_text(actual_start_at)
    if actual_end_at is not None:
        args["actual_end_at"] = instant_text(actual_end_at)
    return args
