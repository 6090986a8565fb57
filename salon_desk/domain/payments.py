"""Online payments (Moyasar, issue #12): the status machines and the rules that move them. Pure: no I/O.

Two machines live here:

* `PROVIDER_TRANSITIONS`: what Moyasar itself allows (providers.md §1.9). The fake Moyasar enforces exactly
  this table, so the cloud is tested against the provider's real refusals.
* `merge`: the salon's own rule for what it has *observed*. Webhooks and re-fetches arrive late, twice or out
  of order, so the local state only ever moves forward:
  `initiated < authorized < paid/captured < refunded (more, then full) / voided`; `failed` is only reached
  from `initiated` (it never overrides `paid`), and a late `paid` after `refunded` or `voided` resurrects
  nothing. The refunded amount never decreases and never exceeds what was paid.

Money is integer halalas; Moyasar's minimum is 100.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .errors import Conflict, ValidationError
from .i18n import N_

MINIMUM_HALALAS = 100

MESSAGES = {
    "payments.amount_too_small": N_("An online payment must be at least {minimum_halalas}."),
    "payments.amount_invalid": N_("The amount must be a whole number of halalas."),
    "payments.refund_above_paid": N_(
        "A refund cannot be more than what is left of the payment ({refundable_halalas})."
    ),
    "payments.refund_not_paid": N_("Only a paid payment can be refunded."),
    "payments.void_not_allowed": N_("This payment can no longer be voided; refund it instead."),
    "payments.void_claimed": N_(
        "This payment already counts on a bill, so it cannot be voided. Refund it instead: the credit note follows."
    ),
    "payments.already_voided": N_("This payment was voided; there is nothing to refund."),
    "payments.link_not_cancellable": N_("This payment link can no longer be cancelled."),
    "payments.not_configured": N_("Online payments are not set up for this salon."),
    "payments.keys_invalid": N_("These Moyasar keys are not valid."),
    "payments.link_in_progress": N_("This payment link is still being created. Please try again shortly."),
    "payments.link_not_found": N_("This payment link does not exist."),
    "payments.link_expired": N_("This payment link has expired."),
    "payments.link_cancelled": N_("This payment link was cancelled."),
    "payments.link_paid": N_("This payment link has already been paid."),
    "payments.payment_not_found": N_("This online payment does not exist."),
    "payments.provider_refused": N_("Moyasar refused the request: {message}"),
    "payments.provider_unavailable": N_("Moyasar could not be reached. Please try again shortly."),
    "payments.webhook_rejected": N_("The notification was not accepted."),
    "payments.idempotency_key_reused": N_("This request key was already used for a different request."),
}


class PaymentStatus(StrEnum):
    INITIATED = "initiated"
    AUTHORIZED = "authorized"
    PAID = "paid"
    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    VOIDED = "voided"


S = PaymentStatus

# Moyasar's own transitions (§1.9). refunded -> refunded: a further partial refund (UNCONFIRMED; allowed).
PROVIDER_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    S.INITIATED: frozenset({S.PAID, S.FAILED, S.AUTHORIZED}),
    S.AUTHORIZED: frozenset({S.CAPTURED, S.VOIDED}),
    S.PAID: frozenset({S.REFUNDED, S.VOIDED}),
    S.CAPTURED: frozenset({S.REFUNDED, S.VOIDED}),
    S.REFUNDED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset(),
    S.VOIDED: frozenset(),
}

# The salon's forward order. Equal ranks never replace each other, except refunded by a larger amount.
_RANK: dict[PaymentStatus, int] = {
    S.INITIATED: 0,
    S.FAILED: 1,  # only above initiated: reaching it from anything else is refused by `_forward`
    S.AUTHORIZED: 2,
    S.PAID: 3,
    S.CAPTURED: 3,
    S.REFUNDED: 4,
    S.VOIDED: 5,
}
TERMINAL = frozenset({S.FAILED, S.VOIDED})
SETTLED = frozenset({S.PAID, S.CAPTURED, S.REFUNDED})  # money was taken at some point


def provider_allows(current: PaymentStatus, target: PaymentStatus) -> bool:
    return target in PROVIDER_TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class PaymentState:
    """What the salon knows of one Moyasar payment."""

    status: PaymentStatus
    amount_halalas: int
    refunded_halalas: int = 0

    @property
    def refundable_halalas(self) -> int:
        if self.status not in {S.PAID, S.CAPTURED, S.REFUNDED}:
            return 0
        return self.amount_halalas - self.refunded_halalas

    @property
    def is_paid(self) -> bool:
        """Money was taken and is (at least partly) kept."""
        return self.status in {S.PAID, S.CAPTURED} or (
            self.status is S.REFUNDED and self.refunded_halalas < self.amount_halalas
        )


def _forward(current: PaymentStatus, observed: PaymentStatus) -> bool:
    if current in TERMINAL:
        return False
    if observed is S.FAILED:
        return current is S.INITIATED  # failed never overrides authorized/paid/refunded
    return _RANK[observed] > _RANK[current]


def merge(current: PaymentState | None, observed: PaymentState) -> PaymentState:
    """The state after observing `observed` (a webhook's or a re-fetch's view). Never moves backwards;
    returns `current` itself when the observation adds nothing."""
    check_amount(observed.amount_halalas)
    refunded = min(max(observed.refunded_halalas, 0), observed.amount_halalas)
    observed = replace(observed, refunded_halalas=refunded)
    if current is None:
        return observed
    if observed.amount_halalas != current.amount_halalas:
        return current  # a payment's amount never changes: an observation that says otherwise is ignored
    if _forward(current.status, observed.status):
        return replace(observed, refunded_halalas=max(current.refunded_halalas, observed.refunded_halalas))
    if current.status is S.REFUNDED and observed.status is S.REFUNDED and refunded > current.refunded_halalas:
        return replace(current, refunded_halalas=refunded)  # a further partial refund
    return current


def check_amount(amount_halalas: object) -> int:
    if isinstance(amount_halalas, bool) or not isinstance(amount_halalas, int):
        raise ValidationError("payments.amount_invalid")
    if amount_halalas < MINIMUM_HALALAS:
        raise ValidationError("payments.amount_too_small", minimum_halalas=MINIMUM_HALALAS)
    return amount_halalas


def check_refund(state: PaymentState, amount_halalas: int | None) -> int:
    """The amount a refund may take (None: everything left). Refused above what is left, or when unpaid."""
    if state.status is S.VOIDED:
        raise Conflict("payments.already_voided")
    if state.status not in {S.PAID, S.CAPTURED, S.REFUNDED} or state.refundable_halalas <= 0:
        raise Conflict("payments.refund_not_paid")
    if amount_halalas is None:
        return state.refundable_halalas
    if isinstance(amount_halalas, bool) or not isinstance(amount_halalas, int) or amount_halalas <= 0:
        raise ValidationError("payments.amount_invalid")
    if amount_halalas > state.refundable_halalas:
        raise Conflict("payments.refund_above_paid", refundable_halalas=state.refundable_halalas)
    return amount_halalas


def check_void(state: PaymentState, *, settled: bool, claimed: bool = False) -> None:
    """Void only before settlement, of a paid/authorized/captured payment with nothing refunded yet, and
    never of money a bill has already counted (`claimed`: its pay link has a checkout payment line). That money
    is on an issued (or about to be issued) invoice: a void would leave the invoice paid by money that is gone,
    with no credit note; a refund gives it back with one."""
    if settled or state.status not in {S.PAID, S.AUTHORIZED, S.CAPTURED} or state.refunded_halalas:
        raise Conflict("payments.void_not_allowed")
    if claimed:
        raise Conflict("payments.void_claimed")


# ------------------------------------------------------------------ pay links


class LinkStatus(StrEnum):
    CREATING = "creating"  # our row exists; Moyasar's invoice may or may not (a timeout)
    PENDING = "pending"  # the invoice exists and waits for the payer
    PAID = "paid"
    FAILED = "failed"  # Moyasar refused to create the invoice
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    MISMATCH = "mismatch"  # a payment arrived whose amount is not what was asked: never counted


L = LinkStatus
_LINK_NEXT: dict[LinkStatus, frozenset[LinkStatus]] = {
    L.CREATING: frozenset({L.PENDING, L.FAILED, L.CANCELLED, L.PAID, L.MISMATCH}),
    L.PENDING: frozenset({L.PAID, L.CANCELLED, L.EXPIRED, L.MISMATCH}),
    L.PAID: frozenset(),
    L.FAILED: frozenset(),
    L.CANCELLED: frozenset({L.PAID, L.MISMATCH}),  # paid on Moyasar just before the cancel landed: money wins
    L.EXPIRED: frozenset({L.PAID, L.MISMATCH}),
    L.MISMATCH: frozenset(),
}


def link_allows(current: LinkStatus, target: LinkStatus) -> bool:
    return target in _LINK_NEXT[current]


def link_after_payment(current: LinkStatus, asked_halalas: int, payment: PaymentState) -> LinkStatus:
    """A link's status once one of its payments is observed. A payment that never took money leaves the
    link as it is (the payer may try again); one for another amount marks the link, never pays it."""
    if payment.status not in SETTLED:
        return current
    target = L.PAID if payment.amount_halalas == asked_halalas else L.MISMATCH
    return target if link_allows(current, target) else current


def check_cancel_link(current: LinkStatus) -> None:
    if not link_allows(current, L.CANCELLED):
        raise Conflict("payments.link_not_cancellable")
