"""The booking status machine: which transitions exist, who may make them, what they notify.

requested -> confirmed -> checked_in -> in_service -> completed; cancelled and no_show are terminal;
walk-ins enter at checked_in (or straight into in_service when seated at once); needs_attention holds a
booking the server could not place until someone resolves it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .errors import Conflict, Forbidden
from .i18n import N_


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    NEEDS_ATTENTION = "needs_attention"


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    MANAGER = "manager"
    OWNER = "owner"
    CUSTOMER = "customer"  # through the SMS link + OTP page
    SYSTEM = "system"  # the server placing or quarantining a booking


class BookingSource(StrEnum):
    DESK = "desk"
    WALK_IN = "walk_in"
    ONLINE = "online"


S = BookingStatus
STAFF_ROLES = frozenset({Role.RECEPTIONIST, Role.MANAGER, Role.OWNER})

# (from, to) -> roles allowed. Anything absent is not a transition at all.
_TRANSITIONS: dict[tuple[BookingStatus, BookingStatus], frozenset[Role]] = {
    (S.REQUESTED, S.CONFIRMED): STAFF_ROLES | {Role.CUSTOMER},
    (S.REQUESTED, S.CHECKED_IN): STAFF_ROLES,
    (S.CONFIRMED, S.CHECKED_IN): STAFF_ROLES,
    (S.CHECKED_IN, S.IN_SERVICE): STAFF_ROLES,
    (S.CHECKED_IN, S.CONFIRMED): STAFF_ROLES,  # checked in by mistake
    (S.IN_SERVICE, S.COMPLETED): STAFF_ROLES,
    (S.REQUESTED, S.CANCELLED): STAFF_ROLES | {Role.CUSTOMER},
    (S.CONFIRMED, S.CANCELLED): STAFF_ROLES | {Role.CUSTOMER},
    (S.CHECKED_IN, S.CANCELLED): STAFF_ROLES,  # the customer left before being served
    (S.REQUESTED, S.NO_SHOW): STAFF_ROLES,
    (S.CONFIRMED, S.NO_SHOW): STAFF_ROLES,
    (S.NEEDS_ATTENTION, S.CANCELLED): STAFF_ROLES,
    # A quarantined booking becomes active again only through a reschedule the server accepts.
    (S.NEEDS_ATTENTION, S.REQUESTED): STAFF_ROLES | {Role.SYSTEM},
    (S.NEEDS_ATTENTION, S.CONFIRMED): STAFF_ROLES | {Role.SYSTEM},
}
for _status in (S.REQUESTED, S.CONFIRMED):
    _TRANSITIONS[(_status, S.NEEDS_ATTENTION)] = frozenset({Role.SYSTEM})

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.NO_SHOW})
# Statuses whose items hold the stylist's time (the overlap invariant applies to these only).
ACTIVE = frozenset({S.REQUESTED, S.CONFIRMED, S.CHECKED_IN, S.IN_SERVICE, S.COMPLETED})
# Statuses whose time may still be moved.
MOVABLE = frozenset({S.REQUESTED, S.CONFIRMED, S.CHECKED_IN, S.NEEDS_ATTENTION})

# Which customer notification a transition emits (cloud sends it; the desk only shows delivery status).
NOTIFY_ON: dict[BookingStatus, str] = {
    S.CONFIRMED: "booking_confirmed",
    S.CANCELLED: "booking_cancelled",
}

MESSAGES = {
    "booking.transition_refused": N_("A booking that is {from_status} cannot become {to_status}."),
    "booking.transition_forbidden": N_("Your role cannot change a booking from {from_status} to {to_status}."),
    "booking.no_show_too_early": N_("A customer can be marked as no-show only after the appointment has started."),
    "booking.not_movable": N_("A booking that is {status} can no longer be moved."),
    "booking.cancel_reason_required": N_("Please give a reason for the cancellation."),
}


def is_active(status: BookingStatus | str) -> bool:
    return BookingStatus(status) in ACTIVE


def allowed_targets(current: BookingStatus | str, role: Role | str) -> list[BookingStatus]:
    """The statuses `role` may move a booking to from `current`, in a stable order for menus."""
    current, role = BookingStatus(current), Role(role)
    return [to for (frm, to), roles in _TRANSITIONS.items() if frm == current and role in roles]


def check_transition(
    current: BookingStatus | str,
    target: BookingStatus | str,
    role: Role | str,
    *,
    now: datetime | None = None,
    starts_at: datetime | None = None,
) -> None:
    """Raises Conflict when the transition does not exist, Forbidden when the role may not make it."""
    current, target, role = BookingStatus(current), BookingStatus(target), Role(role)
    roles = _TRANSITIONS.get((current, target))
    if roles is None:
        raise Conflict("booking.transition_refused", from_status=current.value, to_status=target.value)
    if role not in roles:
        raise Forbidden("booking.transition_forbidden", from_status=current.value, to_status=target.value)
    if target is S.NO_SHOW and now is not None and starts_at is not None and now < starts_at:
        raise Conflict("booking.no_show_too_early")


def check_movable(current: BookingStatus | str) -> None:
    current = BookingStatus(current)
    if current not in MOVABLE:
        raise Conflict("booking.not_movable", status=current.value)
