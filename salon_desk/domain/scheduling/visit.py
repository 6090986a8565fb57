"""One customer's own time: the items of a visit never overlap, except services that may run alongside.

Business rule (DESIGN §3): a customer sits in one chair at a time. Two items of hers may share time only
when both services are marked `can_run_alongside` (a manicure beside a pedicure) and were booked that way
on purpose (the times in the command overlap because someone chose so). The cleanup buffer after an item
is the stylist's time, not the customer's, so only [start, end) counts here. The desk's booking use cases
and the cloud's booking handlers both call `check_customer_items`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import Conflict
from ..i18n import N_

MESSAGES = {
    "booking.customer_overlap": N_(
        "The customer cannot have {service} and {other} at the same time ({start_time}–{end_time})."
    ),
}


@dataclass(frozen=True, slots=True)
class CustomerItem:
    """One item of a customer's visit, as the rule needs it."""

    service_id: str
    start: datetime
    end: datetime
    can_run_alongside: bool = False
    name_en: str = ""
    name_ar: str = ""


def customer_clash(items: Sequence[CustomerItem]) -> tuple[CustomerItem, CustomerItem] | None:
    """The first pair (in start order) of items that share time and may not, or None."""
    ordered = sorted(items, key=lambda i: (i.start, i.end))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.start >= first.end:
                break
            if not (first.can_run_alongside and second.can_run_alongside):
                return first, second
    return None


def check_customer_items(items: Sequence[CustomerItem]) -> None:
    """Raise Conflict("booking.customer_overlap") when two of the customer's items overlap and may not."""
    clash = customer_clash(items)
    if clash is None:
        return
    first, second = clash
    raise Conflict(
        "booking.customer_overlap",
        service=first.name_en or first.service_id,
        service_ar=first.name_ar or first.name_en or first.service_id,
        other=second.name_en or second.service_id,
        other_ar=second.name_ar or second.name_en or second.service_id,
        start_time=max(first.start, second.start).astimezone(UTC),
        end_time=min(first.end, second.end).astimezone(UTC),
    )
