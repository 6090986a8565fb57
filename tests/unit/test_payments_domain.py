"""The online payment state machines (issue #12), exhaustively: every (current, observed) pair of statuses,
every refund/void precondition, every link transition."""

from __future__ import annotations

import itertools

import pytest

from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.payments import (
    PROVIDER_TRANSITIONS,
    LinkStatus,
    PaymentState,
    PaymentStatus,
    check_amount,
    check_cancel_link,
    check_refund,
    check_void,
    link_after_payment,
    link_allows,
    merge,
    provider_allows,
)

S = PaymentStatus
L = LinkStatus
AMOUNT = 5_000

# The one table this test believes, written out by hand from providers.md §1.9 and the salon's rule.
PROVIDER_EXPECTED = {
    (S.INITIATED, S.PAID), (S.INITIATED, S.FAILED), (S.INITIATED, S.AUTHORIZED),
    (S.AUTHORIZED, S.CAPTURED), (S.AUTHORIZED, S.VOIDED),
    (S.PAID, S.REFUNDED), (S.PAID, S.VOIDED),
    (S.CAPTURED, S.REFUNDED), (S.CAPTURED, S.VOIDED),
    (S.REFUNDED, S.REFUNDED),
}  # fmt: skip
# Which observed status replaces the current one in the salon's record (same amounts, nothing refunded).
FORWARD_EXPECTED = {
    (S.INITIATED, S.FAILED), (S.INITIATED, S.AUTHORIZED), (S.INITIATED, S.PAID), (S.INITIATED, S.CAPTURED),
    (S.INITIATED, S.REFUNDED), (S.INITIATED, S.VOIDED),
    (S.AUTHORIZED, S.PAID), (S.AUTHORIZED, S.CAPTURED), (S.AUTHORIZED, S.REFUNDED), (S.AUTHORIZED, S.VOIDED),
    (S.PAID, S.REFUNDED), (S.PAID, S.VOIDED),
    (S.CAPTURED, S.REFUNDED), (S.CAPTURED, S.VOIDED),
    (S.REFUNDED, S.VOIDED),
}  # fmt: skip


def state(status: PaymentStatus, refunded: int = 0) -> PaymentState:
    if status is S.REFUNDED and not refunded:
        refunded = AMOUNT
    return PaymentState(status, AMOUNT, refunded)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_provider_transitions(current: PaymentStatus, target: PaymentStatus) -> None:
    assert provider_allows(current, target) is ((current, target) in PROVIDER_EXPECTED)


def test_provider_table_names_every_status() -> None:
    assert set(PROVIDER_TRANSITIONS) == set(S)


@pytest.mark.parametrize(("current", "observed"), list(itertools.product(S, S)))
def test_merge_every_pair(current: PaymentStatus, observed: PaymentStatus) -> None:
    before = state(current)
    after = merge(before, state(observed))
    if (current, observed) in FORWARD_EXPECTED:
        assert after.status is observed
    else:
        assert after == before, f"{current} must not become {observed}"


def test_late_paid_never_resurrects_a_refund_and_failed_never_overrides_paid() -> None:
    refunded = state(S.REFUNDED)
    assert merge(refunded, state(S.PAID)) == refunded
    paid = state(S.PAID)
    assert merge(paid, state(S.FAILED)) == paid
    assert merge(merge(paid, state(S.VOIDED)), state(S.PAID)).status is S.VOIDED


def test_partial_refunds_only_grow_and_never_pass_the_amount() -> None:
    half = merge(state(S.PAID), PaymentState(S.REFUNDED, AMOUNT, 2_500))
    assert (half.status, half.refunded_halalas, half.is_paid) == (S.REFUNDED, 2_500, True)
    assert merge(half, PaymentState(S.REFUNDED, AMOUNT, 1_000)) == half  # stale, smaller: ignored
    full = merge(half, PaymentState(S.REFUNDED, AMOUNT, 9_999_999))
    assert (full.refunded_halalas, full.is_paid, full.refundable_halalas) == (AMOUNT, False, 0)


def test_an_observation_with_another_amount_changes_nothing() -> None:
    paid = state(S.PAID)
    assert merge(paid, PaymentState(S.REFUNDED, AMOUNT + 1, AMOUNT + 1)) == paid


def test_first_observation_is_taken_as_it_is() -> None:
    assert merge(None, state(S.PAID)) == state(S.PAID)


@pytest.mark.parametrize("amount", [99, 0, -100, 1.5, True, "100", None])
def test_amounts_below_the_minimum_or_not_integers_are_refused(amount: object) -> None:
    with pytest.raises(ValidationError):
        check_amount(amount)
    assert check_amount(100) == 100


@pytest.mark.parametrize("status", list(S))
def test_refund_preconditions(status: PaymentStatus) -> None:
    current = PaymentState(status, AMOUNT, 1_000 if status is S.REFUNDED else 0)
    if status in {S.PAID, S.CAPTURED, S.REFUNDED}:
        assert check_refund(current, None) == current.refundable_halalas
        assert check_refund(current, 100) == 100
        with pytest.raises(Conflict) as above:
            check_refund(current, current.refundable_halalas + 1)
        assert above.value.code == "payments.refund_above_paid"
        with pytest.raises(ValidationError):
            check_refund(current, 0)
    else:
        with pytest.raises(Conflict) as refused:
            check_refund(current, 100)
        expected = "payments.already_voided" if status is S.VOIDED else "payments.refund_not_paid"
        assert refused.value.code == expected


def test_fully_refunded_payment_refuses_more() -> None:
    with pytest.raises(Conflict):
        check_refund(PaymentState(S.REFUNDED, AMOUNT, AMOUNT), 100)


@pytest.mark.parametrize(("status", "settled"), list(itertools.product(S, [False, True])))
def test_void_preconditions(status: PaymentStatus, settled: bool) -> None:
    current = state(status)
    allowed = not settled and status in {S.PAID, S.AUTHORIZED, S.CAPTURED}
    if allowed:
        check_void(current, settled=settled)
    else:
        with pytest.raises(Conflict):
            check_void(current, settled=settled)


LINK_EXPECTED = {
    (L.CREATING, L.PENDING), (L.CREATING, L.FAILED), (L.CREATING, L.CANCELLED), (L.CREATING, L.PAID),
    (L.CREATING, L.MISMATCH),
    (L.PENDING, L.PAID), (L.PENDING, L.CANCELLED), (L.PENDING, L.EXPIRED), (L.PENDING, L.MISMATCH),
    (L.CANCELLED, L.PAID), (L.CANCELLED, L.MISMATCH), (L.EXPIRED, L.PAID), (L.EXPIRED, L.MISMATCH),
}  # fmt: skip


@pytest.mark.parametrize(("current", "target"), list(itertools.product(L, L)))
def test_link_transitions(current: LinkStatus, target: LinkStatus) -> None:
    assert link_allows(current, target) is ((current, target) in LINK_EXPECTED)
    if target is L.CANCELLED:
        if (current, target) in LINK_EXPECTED:
            check_cancel_link(current)
        else:
            with pytest.raises(Conflict):
                check_cancel_link(current)


@pytest.mark.parametrize(("link", "payment"), list(itertools.product(L, S)))
def test_link_after_payment(link: LinkStatus, payment: PaymentStatus) -> None:
    observed = state(payment)
    after = link_after_payment(link, AMOUNT, observed)
    if payment in {S.PAID, S.CAPTURED, S.REFUNDED} and link_allows(link, L.PAID):
        assert after is L.PAID
    else:
        assert after is link
    wrong = link_after_payment(link, AMOUNT + 100, observed)
    if payment in {S.PAID, S.CAPTURED, S.REFUNDED} and link_allows(link, L.MISMATCH):
        assert wrong is L.MISMATCH
    else:
        assert wrong is link
