"""A customer's confirm / cancel, run through the sync write path (specs/sync.md §3.16).

The change is a server-side `booking.transition` / `booking.cancel` command with the actor role CUSTOMER,
handled by the same handlers (and the same domain status machine) as a desk's push, in its own
transaction with a new `server_seq`; desks get it by pull. A refused action changes nothing (no seq, no
conflict card): the customer sees why on the page instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from salon_desk.domain import booking as status_rules
from salon_desk.domain.booking import BookingStatus, Role
from salon_desk.domain.errors import Conflict, Forbidden
from salon_desk.domain.hlc import Hlc
from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id
from salon_desk.sync.protocol import Mutation, MutationActor

from ..db import Database
from ..sync import bookings
from ..sync.changes import ChangeSet
from ..sync.context import CommandContext, Refusal
from .booking_view import BookingView

LINK_DEVICE_ID = "customer-link"  # who made the change, as desks' conflict cards and audit show it
LINK_DEVICE_NAME = "Customer link"

MESSAGES = {
    "link.cancel_cutoff": N_(
        "Online cancellation is no longer possible (it closes {cutoff_seconds} before the appointment)."
    ),
}


@dataclass(frozen=True)
class ActionResult:
    done: bool
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def cancel_too_late(view: BookingView, now: datetime) -> bool:
    return now >= view.cancel_deadline


def customer_can_act(view: BookingView, now: datetime) -> bool:
    """Whether the page offers the customer anything: confirm, or cancel before the cutoff."""
    targets = status_rules.allowed_targets(view.status, Role.CUSTOMER)
    return BookingStatus.CONFIRMED in targets or (
        BookingStatus.CANCELLED in targets and not cancel_too_late(view, now)
    )


def _mutation(view: BookingView, target: str, now: datetime) -> Mutation:
    ms = int(now.timestamp() * 1000)
    is_cancel = target == BookingStatus.CANCELLED
    return Mutation(
        mutation_id=new_id(ms),
        device_seq=1,
        name="booking.cancel" if is_cancel else "booking.transition",
        entity="booking",
        entity_id=view.booking_id,
        hlc=str(Hlc(ms)),
        actor=MutationActor(desk_user_id=view.customer_id or "", role=Role.CUSTOMER.value),
        args={"reason": "customer_link"} if is_cancel else {"to": target},
    )


def apply_customer_action(
    db: Database, view: BookingView, target: BookingStatus, now: datetime
) -> ActionResult:
    """Confirms or cancels the booking as its customer; refuses (changing nothing) when the status machine
    or the salon's cancellation cutoff does not allow it."""
    try:  # the same rule again under the counter lock below; checked first so the reason is the status
        status_rules.check_transition(view.status, target, Role.CUSTOMER)
    except (Conflict, Forbidden) as error:
        return ActionResult(False, error.code, dict(error.params))
    if target is BookingStatus.CANCELLED and cancel_too_late(view, now):
        return ActionResult(False, "link.cancel_cutoff", {"cutoff_seconds": view.cancel_cutoff_minutes * 60})
    mutation = _mutation(view, target.value, now)
    handler = bookings.handle_cancel if target is BookingStatus.CANCELLED else bookings.handle_transition
    with db.session() as session:
        changes = ChangeSet(session, view.salon_id)
        changes.seq  # noqa: B018 - take the salon's counter lock before reading the booking's status
        ctx = CommandContext(mutation, LINK_DEVICE_ID, LINK_DEVICE_NAME, changes, now)
        try:
            with session.begin_nested():
                handler(ctx)
        except Refusal as refusal:
            session.rollback()  # gives the seq back: a refused customer action leaves no trace in sync
            return ActionResult(False, refusal.code, refusal.params)
        session.commit()
    return ActionResult(True)
