"""Reads the checkout screen needs beyond `desk.checkout` (issue #11, helper C2): kept apart so C1's module
stays as it is. Candidates to move into `CheckoutArea` later."""

from __future__ import annotations

from salon_desk.usecases.area import DeskArea

PAID = "paid"


def deposit_paid(area: DeskArea, booking_id: str) -> int:
    """Halalas paid on a booking before any bill was opened for it (a deposit by link), as `CheckoutView`
    counts them in `paid_halalas` once the bill exists."""
    with area.uow() as uow:
        return sum(p.amount_halalas for p in uow.money.payments_for_checkout("", booking_id)
                   if p.status == PAID and p.checkout_id is None)
