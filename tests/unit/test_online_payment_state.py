"""The one word a desk shows for a pay link (issue #12), from the cloud's replicated facts and the desk's clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from salon_desk.domain.errors import DomainError
from salon_desk.domain.online_payments import (
    OnlinePayment,
    OnlineState,
    check_link_amount,
    check_online_refund,
    online_state,
)
from salon_desk.domain.payments import LinkStatus

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LINK = OnlinePayment(
    id="l1", booking_id="b1", checkout_id=None, purpose="balance", amount_halalas=12_000,
    status=LinkStatus.PENDING, paid_halalas=0, refunded_halalas=0, payment_id=None, company=None,
    expires_at=NOW + timedelta(hours=1), message=None, requested_by="d1", created_at=NOW, updated_at=NOW,
)
PAID = replace(LINK, status=LinkStatus.PAID, paid_halalas=12_000, payment_id="pay_1")


@pytest.mark.parametrize(("link", "state"), [
    (LINK, OnlineState.REQUESTED),
    (replace(LINK, status=LinkStatus.CREATING), OnlineState.REQUESTED),
    (replace(LINK, expires_at=NOW), OnlineState.EXPIRED),  # expiry is read from the clock, not waited for
    (replace(LINK, status=LinkStatus.FAILED), OnlineState.FAILED),
    (replace(LINK, status=LinkStatus.CANCELLED), OnlineState.CANCELLED),
    (replace(LINK, status=LinkStatus.MISMATCH), OnlineState.MISMATCH),
    (PAID, OnlineState.PAID),
    (replace(PAID, expires_at=NOW - timedelta(days=1)), OnlineState.PAID),  # paid links never expire
    (replace(PAID, refunded_halalas=6_000), OnlineState.PARTLY_REFUNDED),
    (replace(PAID, refunded_halalas=12_000), OnlineState.REFUNDED),
    (replace(PAID, status=LinkStatus.CANCELLED), OnlineState.PAID),  # paid just before the cancel: money wins
])
def test_state(link: OnlinePayment, state: OnlineState) -> None:
    assert online_state(link, NOW) is state


def test_refund_checks_on_the_desk() -> None:
    assert check_online_refund(replace(PAID, refunded_halalas=6_000), 6_000) == 6_000
    assert check_online_refund(PAID, None) is None  # everything left: the cloud computes it
    for link, amount, code in ((LINK, 100, "online_payments.nothing_to_refund"),
                               (replace(PAID, refunded_halalas=12_000), None, "online_payments.nothing_to_refund"),
                               (replace(PAID, refunded_halalas=6_000), 6_001, "payments.refund_above_paid"),
                               (PAID, 0, "payments.amount_invalid")):
        with pytest.raises(DomainError) as refused:
            check_online_refund(link, amount)
        assert refused.value.code == code


def test_link_amounts() -> None:
    assert check_link_amount(100) == 100
    for amount, code in ((0, "online_payments.nothing_due"), (99, "payments.amount_too_small")):
        with pytest.raises(DomainError) as refused:
            check_link_amount(amount)
        assert refused.value.code == code
