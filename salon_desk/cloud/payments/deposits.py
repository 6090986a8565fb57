"""What a paid deposit does to its booking: the salon's policy confirms it (issue #12), through the same write
path as a customer's own confirm (links.actions), so desks see it by pull like any other change."""

from __future__ import annotations

from collections.abc import Callable

from salon_desk.domain.booking import BookingStatus, Role, allowed_targets

from ..clock import Clock
from ..db import Database
from ..links.actions import apply_customer_action
from ..links.booking_view import load_booking_view
from ..links.rows import CustomerLinkRow


def confirm_after_deposit(db: Database, clock: Clock, salon_id: str, booking_id: str) -> bool:
    """Confirms the booking whose deposit was just paid, when its status allows; True when it changed."""
    with db.reader() as session:
        view = load_booking_view(session, CustomerLinkRow(salon_id=salon_id, booking_id=booking_id))
    if view is None or BookingStatus.CONFIRMED not in allowed_targets(view.status, Role.CUSTOMER):
        return False
    return apply_customer_action(db, view, BookingStatus.CONFIRMED, clock.now()).done


def deposit_hook(db: Database, clock: Clock, wake: Callable[[str], None]) -> Callable[[str, str, str], None]:
    def on_paid(salon_id: str, booking_id: str, purpose: str) -> None:
        if purpose == "deposit" and confirm_after_deposit(db, clock, salon_id, booking_id):
            wake(salon_id)

    return on_paid
