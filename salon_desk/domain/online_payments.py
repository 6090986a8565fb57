"""What a desk shows of an online payment (issue #12): the cloud owns the pay link and its money
(`domain.payments` holds the machines); a desk holds a read-only replica and reads one live state from it.

    online_state(payment, now)   -> OnlineState.PARTLY_REFUNDED ...

The desk asks the cloud for new links and refunds (online only; never queued), so its own rules are few:
what may be sent, what may be refunded, and the messages for what it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import Conflict, ValidationError
from .i18n import N_
from .payments import MINIMUM_HALALAS, LinkStatus, PaymentState, PaymentStatus, check_void

MESSAGES = {
    "online_payments.offline": N_(
        "The cloud cannot be reached, so nothing was sent. Online payments need a connection; try again when "
        "the desk is online."
    ),
    "online_payments.not_enrolled": N_("This desk is not connected to the salon's cloud, so it cannot take "
                                       "online payments."),
    "online_payments.no_customer": N_("This visit has no customer to send a payment link to."),
    "online_payments.nothing_due": N_("Nothing is left to pay on this bill."),
    "online_payments.nothing_to_refund": N_("Nothing is left to refund on this online payment."),
    "online_payments.not_found": N_("This online payment is not on this desk yet. Please wait for sync."),
    "online_payments.refused": N_("The cloud refused the request ({reason})."),
}


class OnlineState(StrEnum):
    """One word for the receptionist: where the customer's online money stands."""

    REQUESTED = "requested"  # the link exists (or is being made) and waits for the customer
    PAID = "paid"
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"  # voided before settlement: all of it went back, nothing can be claimed or refunded
    FAILED = "failed"  # Moyasar refused to make the link
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    MISMATCH = "mismatch"  # money arrived for another amount: a manager looks at it


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    action: str  # link.create, payment.paid, payment.refunded, ...
    actor: str  # device:<id> | user:<id> | webhook:<event> | moyasar | reconcile | customer
    status: str | None
    refunded_halalas: int | None


@dataclass(frozen=True, slots=True)
class OnlinePayment:
    """The desk's copy of one pay link (cloud-owned)."""

    id: str
    booking_id: str | None
    checkout_id: str | None
    purpose: str  # deposit | balance
    amount_halalas: int
    status: LinkStatus
    paid_halalas: int
    refunded_halalas: int
    payment_id: str | None
    company: str | None
    expires_at: datetime | None
    message: str | None
    requested_by: str
    created_at: datetime
    updated_at: datetime
    history: tuple[HistoryEntry, ...] = ()
    payment_status: PaymentStatus | None = None  # of `payment_id`, as Moyasar last said

    @property
    def refundable_halalas(self) -> int:
        return max(self.paid_halalas - self.refunded_halalas, 0) if self.payment_id else 0

    @property
    def voided(self) -> bool:
        return self.payment_status is PaymentStatus.VOIDED and self.paid_halalas == 0


def online_state(payment: OnlinePayment, now: datetime) -> OnlineState:
    if payment.voided:
        return OnlineState.VOIDED
    if payment.paid_halalas > 0 and payment.status in {LinkStatus.PAID, LinkStatus.CANCELLED, LinkStatus.EXPIRED}:
        if payment.refunded_halalas >= payment.paid_halalas:
            return OnlineState.REFUNDED
        return OnlineState.PARTLY_REFUNDED if payment.refunded_halalas else OnlineState.PAID
    if payment.status in {LinkStatus.CREATING, LinkStatus.PENDING}:
        expired = payment.expires_at is not None and payment.expires_at <= now
        return OnlineState.EXPIRED if expired else OnlineState.REQUESTED
    return {
        LinkStatus.FAILED: OnlineState.FAILED,
        LinkStatus.CANCELLED: OnlineState.CANCELLED,
        LinkStatus.EXPIRED: OnlineState.EXPIRED,
        LinkStatus.MISMATCH: OnlineState.MISMATCH,
    }.get(payment.status, OnlineState.PAID)


REFUND_REFUSED = "deposit.refund_refused"  # the cloud's history action when Moyasar refused a policy refund
REFUND_DONE = frozenset({"payment.refunded"})


def refund_refused_by_provider(payment: OnlinePayment) -> bool:
    """The salon's policy sent a deposit back, Moyasar refused it, and nothing has been refunded since: the
    money is still with the salon, which must return it another way (the customer's page says the salon will
    call). Only the history tells, because the amounts did not move."""
    for entry in reversed(payment.history):
        if entry.action == REFUND_REFUSED:
            return True
        if entry.action in REFUND_DONE or (entry.refunded_halalas or 0) > 0:
            return False
    return False


def check_link_amount(amount_halalas: int) -> int:
    """A pay link asks at least Moyasar's minimum; a bill with nothing due gets none."""
    if amount_halalas <= 0:
        raise Conflict("online_payments.nothing_due")
    if amount_halalas < MINIMUM_HALALAS:
        raise ValidationError("payments.amount_too_small", minimum_halalas=MINIMUM_HALALAS)
    return amount_halalas


def check_online_refund(payment: OnlinePayment, amount_halalas: int | None) -> int | None:
    """The desk's own check before asking the cloud (the cloud checks again against Moyasar's answer)."""
    if payment.refundable_halalas <= 0:
        raise Conflict("online_payments.nothing_to_refund")
    if amount_halalas is None:
        return None
    if amount_halalas <= 0:
        raise ValidationError("payments.amount_invalid")
    if amount_halalas > payment.refundable_halalas:
        raise Conflict("payments.refund_above_paid", refundable_halalas=payment.refundable_halalas)
    return amount_halalas


def check_online_void(payment: OnlinePayment, *, claimed: bool) -> None:
    """The desk's own check before asking the cloud to void (`domain.payments.check_void`, the cloud's rule):
    `claimed` when a bill already counts this link. Settlement only Moyasar knows: it refuses after it."""
    if payment.payment_id is None or payment.payment_status is None:
        raise Conflict("payments.void_not_allowed")
    state = PaymentState(payment.payment_status, payment.paid_halalas, payment.refunded_halalas)
    check_void(state, settled=False, claimed=claimed)


def refund_is_recorded(recorded_halalas: int, booked_halalas: int, amount_halalas: int) -> bool:
    """A desk's book-keeping of an online refund (its credit note, or the refund line of an open bill) gives
    back only money the cloud itself recorded as refunded on that pay link: `booked_halalas` is what the
    salon's books already gave back of it. Such a note moves no money (Moyasar already did, under whoever
    made the refund, in the salon's API or its Moyasar dashboard), so it needs no manager."""
    return amount_halalas > 0 and booked_halalas + amount_halalas <= recorded_halalas
