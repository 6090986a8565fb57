"""A deposit refund Moyasar refused reads so on the desk (issue #12): the amounts did not move, so only the
payment's history tells (`domain.online_payments.refund_refused_by_provider`), until a refund goes through."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from salon_desk.domain.online_payments import (
    HistoryEntry,
    OnlinePayment,
    OnlineState,
    refund_refused_by_provider,
)
from salon_desk.domain.payments import LinkStatus, PaymentStatus
from salon_desk.l10n import Localizer
from salon_desk.ui.checkout.online_text import state_text
from salon_desk.usecases.online_payments import OnlinePaymentLine

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PAID_AT = HistoryEntry(NOW, "payment.paid", "webhook:evt_1", "paid", 0)
POLICY = HistoryEntry(NOW + timedelta(hours=1), "deposit.refund", "policy:desk_cancel", None, None)
REFUSED = HistoryEntry(NOW + timedelta(hours=1, minutes=1), "deposit.refund_refused", "policy:desk_cancel", None, None)
DEPOSIT = OnlinePayment(
    id="l1", booking_id="b1", checkout_id=None, purpose="deposit", amount_halalas=5_000,
    status=LinkStatus.PAID, paid_halalas=5_000, refunded_halalas=0, payment_id="pay_1", company="mada",
    expires_at=None, message=None, requested_by="d1", created_at=NOW, updated_at=NOW,
    history=(PAID_AT, POLICY, REFUSED), payment_status=PaymentStatus.PAID,
)


def test_a_refused_policy_refund_is_news_until_money_goes_back() -> None:
    assert refund_refused_by_provider(DEPOSIT)
    assert not refund_refused_by_provider(replace(DEPOSIT, history=(PAID_AT, POLICY)))  # asked, not refused
    later = HistoryEntry(NOW + timedelta(hours=2), "payment.refunded", "user:m1", "refunded", 5_000)
    assert not refund_refused_by_provider(replace(DEPOSIT, history=(PAID_AT, POLICY, REFUSED, later)))
    seen_again = HistoryEntry(NOW + timedelta(hours=2), "payment.paid", "reconcile", "paid", 0)
    assert refund_refused_by_provider(replace(DEPOSIT, history=(PAID_AT, POLICY, REFUSED, seen_again)))


def test_the_payment_line_tells_the_receptionist_to_return_it_another_way() -> None:
    line = OnlinePaymentLine(DEPOSIT, OnlineState.PAID)
    en = state_text(Localizer("en"), line)
    assert en.startswith("Paid") and "Moyasar refused the deposit refund" in en
    ar = state_text(Localizer("ar"), line)
    assert "رفضت ميسر استرداد العربون" in ar
    plain = state_text(Localizer("en"), OnlinePaymentLine(replace(DEPOSIT, history=(PAID_AT,)), OnlineState.PAID))
    assert "refused" not in plain
