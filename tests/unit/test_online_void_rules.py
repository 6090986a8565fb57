"""Void and a bill's claim exclude each other, and a desk's book-keeping of a cloud-recorded online refund
(issue #12): the rules in `domain.payments.check_void` and `domain.online_payments`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from salon_desk.domain.errors import Conflict
from salon_desk.domain.online_payments import (
    OnlinePayment,
    OnlineState,
    check_online_void,
    online_state,
    refund_is_recorded,
)
from salon_desk.domain.payments import LinkStatus, PaymentState, PaymentStatus, check_void

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PAID = OnlinePayment(
    id="l1", booking_id="b1", checkout_id=None, purpose="balance", amount_halalas=12_000,
    status=LinkStatus.PAID, paid_halalas=12_000, refunded_halalas=0, payment_id="pay_1", company="mada",
    expires_at=None, message=None, requested_by="d1", created_at=NOW, updated_at=NOW,
    payment_status=PaymentStatus.PAID,
)
VOIDED = replace(PAID, paid_halalas=0, payment_status=PaymentStatus.VOIDED)


def test_a_claimed_payment_is_refused_with_its_own_code_and_an_unclaimed_one_may_be_voided() -> None:
    check_void(PaymentState(PaymentStatus.PAID, 12_000), settled=False, claimed=False)
    with pytest.raises(Conflict) as claimed:
        check_void(PaymentState(PaymentStatus.PAID, 12_000), settled=False, claimed=True)
    assert claimed.value.code == "payments.void_claimed"
    with pytest.raises(Conflict) as refunded:  # not voidable at all: that is said first
        check_void(PaymentState(PaymentStatus.REFUNDED, 12_000, 100), settled=False, claimed=True)
    assert refunded.value.code == "payments.void_not_allowed"


@pytest.mark.parametrize(("payment", "claimed", "code"), [
    (PAID, False, None),
    (PAID, True, "payments.void_claimed"),
    (replace(PAID, refunded_halalas=100, payment_status=PaymentStatus.REFUNDED), False, "payments.void_not_allowed"),
    (VOIDED, False, "payments.void_not_allowed"),
    (replace(PAID, payment_status=None), False, "payments.void_not_allowed"),  # an older cloud's replica
])
def test_the_desk_checks_a_void_from_its_replica(payment: OnlinePayment, claimed: bool, code: str | None) -> None:
    if code is None:
        check_online_void(payment, claimed=claimed)
        return
    with pytest.raises(Conflict) as refused:
        check_online_void(payment, claimed=claimed)
    assert refused.value.code == code


def test_a_voided_payment_reads_voided_and_holds_nothing() -> None:
    assert online_state(VOIDED, NOW) is OnlineState.VOIDED
    assert VOIDED.refundable_halalas == 0
    # A link paid again after a voided try (its newest kept payment paid) reads paid.
    assert online_state(replace(VOIDED, paid_halalas=12_000, payment_status=PaymentStatus.PAID), NOW) \
        is OnlineState.PAID


@pytest.mark.parametrize(("recorded", "booked", "amount", "ok"), [
    (6_000, 0, 6_000, True),
    (6_000, 0, 3_000, True),
    (6_000, 3_000, 3_000, True),
    (6_000, 3_000, 3_001, False),  # more than the cloud recorded
    (6_000, 6_000, 1, False),  # already booked in full
    (0, 0, 100, False),  # nothing refunded online
    (6_000, 0, 0, False),
])
def test_book_keeping_of_an_online_refund_needs_the_cloud_to_have_recorded_it(
    recorded: int, booked: int, amount: int, ok: bool,
) -> None:
    assert refund_is_recorded(recorded, booked, amount) is ok
