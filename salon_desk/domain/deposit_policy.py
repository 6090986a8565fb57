"""What happens to a paid deposit when its booking changes (issue #12): the salon's policy applied to one event.

    deposit_outcome(policy, starts_at, DepositEvent.CUSTOMER_CANCEL, at, paid, refunded)
        -> DepositOutcome(DepositAction.REFUND, refund_halalas=5000, late=False, rule="on_cancel")

The owner sets the policy in the salon profile (PROFILE_FIELDS, checked by `check_choice`; `policy_of` reads it
back, a field never set keeping the default). The booking page states the salon's policy before the customer
pays (cloud/links/pages.py); the cloud applies it when the booking is cancelled, marked a no-show or
rescheduled (cloud/payments/deposit_policy.py). Money is integer halalas; instants are tz-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import ValidationError
from .i18n import N_


class DepositEvent(StrEnum):
    CUSTOMER_CANCEL = "customer_cancel"  # from the booking page (the page refuses it inside the cutoff)
    DESK_CANCEL = "desk_cancel"  # a receptionist cancels because the customer asked (by phone, at the counter)
    SALON_CANCEL = "salon_cancel"  # the salon cancels (staff unavailable, hours changed, a double booking)
    NO_SHOW = "no_show"
    RESCHEDULE = "reschedule"  # the booking keeps its id and moves to a new time


class DepositAction(StrEnum):
    REFUND = "refund"  # what is left of the deposit goes back to the customer's card
    KEEP = "keep"  # the salon keeps it; nothing moves
    CARRY_OVER = "carry_over"  # it stays attached to the (same, rescheduled) booking
    NOTHING = "nothing"  # nothing is left to act on (nothing paid, or already refunded)


CANCEL_CHOICES = frozenset({DepositAction.REFUND, DepositAction.KEEP})
RESCHEDULE_CHOICES = frozenset({DepositAction.CARRY_OVER, DepositAction.REFUND})

# The salon profile's fields (domain.salon_profile) -> the policy's: the owner sets the policy, desks sync it.
PROFILE_FIELDS = {
    "deposit_on_cancel": "on_cancel",
    "deposit_on_late_cancel": "on_late_cancel",
    "deposit_on_no_show": "on_no_show",
    "deposit_on_reschedule": "on_reschedule",
}
MESSAGES = {
    "salon.bad_deposit_policy": N_("A deposit is refunded or kept when a booking is cancelled or a no-show, and "
                                   "carried over or refunded when it is rescheduled ({field})."),
}


@dataclass(frozen=True, slots=True)
class DepositPolicy:
    """The salon's policy. The default, which every salon had before the profile could set it: refunded when
    cancelled before the cutoff; kept for a late cancellation or a no-show; carried over when rescheduled."""

    cutoff_minutes: int = 0  # the salon profile's cancel_cutoff_minutes
    on_cancel: DepositAction = DepositAction.REFUND
    on_late_cancel: DepositAction = DepositAction.KEEP
    on_no_show: DepositAction = DepositAction.KEEP
    on_reschedule: DepositAction = DepositAction.CARRY_OVER

    def __post_init__(self) -> None:
        if type(self.cutoff_minutes) is not int or self.cutoff_minutes < 0:
            raise ValidationError("salon.bad_value", field="cancel_cutoff_minutes")
        for name in ("on_cancel", "on_late_cancel", "on_no_show"):
            if getattr(self, name) not in CANCEL_CHOICES:
                raise ValidationError("salon.bad_value", field=name)
        if self.on_reschedule not in RESCHEDULE_CHOICES:
            raise ValidationError("salon.bad_value", field="on_reschedule")

    def deadline(self, starts_at: datetime) -> datetime:
        """From this instant on, a cancellation is late (the same rule as the booking page's cancel cutoff)."""
        return starts_at - timedelta(minutes=self.cutoff_minutes)


DEFAULT_POLICY = DepositPolicy()


def choices_for(profile_field: str) -> frozenset[DepositAction]:
    """What the owner may choose for one of PROFILE_FIELDS."""
    return RESCHEDULE_CHOICES if PROFILE_FIELDS[profile_field] == "on_reschedule" else CANCEL_CHOICES


def check_choice(profile_field: str, value: object) -> str:
    """The stored form (the action's value) of one profile field of the policy."""
    if not isinstance(value, str) or value not in choices_for(profile_field):
        raise ValidationError("salon.bad_deposit_policy", field=profile_field)
    return DepositAction(value).value


def policy_of(profile: Mapping[str, Any], cutoff_minutes: int) -> DepositPolicy:
    """The salon's policy from its profile; a field it has never set (None, absent) keeps the default."""
    chosen = {PROFILE_FIELDS[k]: DepositAction(check_choice(k, v))
              for k, v in profile.items() if k in PROFILE_FIELDS and v is not None}
    return DepositPolicy(cutoff_minutes, **chosen)


@dataclass(frozen=True, slots=True)
class DepositOutcome:
    action: DepositAction
    refund_halalas: int  # > 0 only for REFUND
    late: bool  # the event happened inside the cutoff
    rule: str  # the policy field that decided it (audited)


def deposit_outcome(
    policy: DepositPolicy,
    starts_at: datetime,
    event: DepositEvent,
    at: datetime,
    paid_halalas: int,
    refunded_halalas: int,
) -> DepositOutcome:
    """The outcome for one paid deposit: `refunded_halalas` counts refunds done and already asked for.

    A cancellation by the salon is never the customer's doing: what is left of the deposit always goes back,
    late or not, whatever the policy says (the policy only decides what the customer's own choices cost)."""
    if starts_at.tzinfo is None or at.tzinfo is None:
        raise ValueError("instants must be tz-aware")
    for amount in (paid_halalas, refunded_halalas):
        if type(amount) is not int or amount < 0:
            raise ValidationError("payments.amount_invalid")
    late = at >= policy.deadline(starts_at)
    rule = _rule(event, late)
    action = DepositAction.REFUND if rule == SALON_RULE else DepositAction(getattr(policy, rule))
    left = max(paid_halalas - refunded_halalas, 0)
    if left == 0:
        return DepositOutcome(DepositAction.NOTHING, 0, late, rule)
    return DepositOutcome(action, left if action is DepositAction.REFUND else 0, late, rule)


SALON_RULE = "salon_cancel"  # audited as the rule that decided it; not a policy field


def _rule(event: DepositEvent, late: bool) -> str:
    if event is DepositEvent.SALON_CANCEL:
        return SALON_RULE
    if event is DepositEvent.NO_SHOW:
        return "on_no_show"
    if event is DepositEvent.RESCHEDULE:
        return "on_reschedule"
    return "on_late_cancel" if late else "on_cancel"
