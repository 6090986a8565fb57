"""The rules by which online money meets the checkout (issue #12): claimed whole by one bill, refunds owed,
credit-note lines that add up, the cloud's claim check, and online money never refunded "by original method"
at the desk."""

from __future__ import annotations

from datetime import date

import pytest

from salon_desk.domain.checkout import (
    OnlineMoney,
    PaidPayment,
    Payment,
    TenderMethod,
    check_online_claim,
    online_refund_due,
    online_refund_lines,
    online_to_claim,
    plan_refund,
)
from salon_desk.domain.errors import DomainError


def money(link: str, paid: int, refunded: int = 0, booking: str | None = "b1") -> OnlineMoney:
    return OnlineMoney(link, booking, None, paid, refunded, "mada")


def claimed(amount: int, refunded: int = 0) -> Payment:
    return Payment("p1", "c1", "b1", TenderMethod.MOYASAR_LINK, amount, "paid", None, date(2026, 11, 25), "d1",
                   external_id="l1", refunded_halalas=refunded)


def test_a_link_is_claimed_whole_once_and_only_when_it_fits() -> None:
    links = [money("l1", 5_000), money("l2", 3_000, 1_000), money("l3", 9_000), money("l4", 2_000, 2_000)]
    assert [m.link_id for m in online_to_claim(links, set(), 7_000)] == ["l1", "l2"]  # l2's net: 2,000
    assert [m.link_id for m in online_to_claim(links, {"l1"}, 7_000)] == ["l2"]  # already counted elsewhere
    assert online_to_claim(links, set(), 4_000) == [money("l2", 3_000, 1_000)]  # l1 would overpay: left alone


def test_what_is_owed_back_is_the_difference_once() -> None:
    assert online_refund_due(claimed(5_000), money("l1", 5_000)) == 0
    assert online_refund_due(claimed(5_000), money("l1", 5_000, 2_500)) == 2_500
    assert online_refund_due(claimed(5_000, 2_500), money("l1", 5_000, 2_500)) == 0  # the note is written
    assert online_refund_due(claimed(4_000), money("l1", 5_000, 1_000)) == 0  # refunded before it was claimed
    assert online_refund_due(claimed(4_000), money("l1", 5_000, 5_000)) == 4_000


def test_credit_note_lines_add_up_to_the_refund() -> None:
    lines = online_refund_lines([10_001, 4_999, 0], 7_777)
    assert sum(r.gross_halalas for r in lines) == 7_777 and all(r.line_index != 2 for r in lines)
    with pytest.raises(DomainError):
        online_refund_lines([100], 101)


def test_the_clouds_claim_check() -> None:
    check_online_claim(5_000, money("l1", 5_000), "b1", "c1", False)
    for amount, found, booking, other, code in (
        (5_000, None, "b1", False, "checkout.online_not_paid"),
        (5_000, money("l1", 0), "b1", False, "checkout.online_not_paid"),
        (5_001, money("l1", 5_000), "b1", False, "checkout.online_not_paid"),
        (5_000, money("l1", 5_000), "b2", False, "checkout.online_other_visit"),
        (5_000, money("l1", 5_000), "b1", True, "checkout.online_claimed"),
    ):
        with pytest.raises(DomainError) as refused:
            check_online_claim(amount, found, booking, "c1", other)
        assert refused.value.code == code


def test_online_money_is_not_refunded_by_original_method_at_the_desk() -> None:
    payments = [PaidPayment("online", TenderMethod.MOYASAR_LINK, 5_000), PaidPayment("cash", TenderMethod.CASH, 5_000)]
    assert plan_refund(payments, 5_000).parts == (("cash", TenderMethod.CASH, 5_000),)
    with pytest.raises(DomainError) as refused:
        plan_refund(payments, 6_000)
    assert refused.value.code == "refund.online_by_panel"
    assert plan_refund(payments, 6_000, to_cash=True).total == 6_000
