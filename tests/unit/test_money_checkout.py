"""Money properties of checkout (hypothesis): line totals, discounts, VAT allocation and tenders add up to the
halala, and refunds never exceed what was paid."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salon_desk.domain.checkout import (
    CheckoutLine,
    Discount,
    LineKind,
    Movement,
    PaidPayment,
    Tender,
    TenderMethod,
    close_figures,
    plan_refund,
    price_bill,
    validate_tender,
)
from salon_desk.domain.errors import DomainError, ValidationError
from salon_desk.domain.money import split_gross

PRICES = st.integers(min_value=0, max_value=5_000_000)
DISCOUNTS = st.one_of(
    st.none(),
    st.builds(Discount.percent, st.integers(min_value=0, max_value=10_000)),
    st.builds(Discount.amount, st.integers(min_value=0, max_value=50_000)),
)


@st.composite
def lines(draw: st.DrawFn) -> list[CheckoutLine]:
    out = []
    for i in range(draw(st.integers(min_value=1, max_value=8))):
        price = draw(PRICES)
        qty = draw(st.integers(min_value=1, max_value=5))
        discount = draw(DISCOUNTS)
        if discount is not None and discount.kind.value == "amount" and discount.value > price * qty:
            discount = Discount.amount(price * qty)
        out.append(CheckoutLine(f"00000000-0000-7000-8000-{i:012d}", LineKind.SERVICE, "خدمة", "Service", price,
                                qty, discount))
    return out


@settings(max_examples=300, deadline=None)
@given(lines(), DISCOUNTS)
def test_every_figure_adds_up_to_the_halala(bill_lines: list[CheckoutLine], order: Discount | None) -> None:
    if order is not None and order.kind.value == "amount":
        after_lines = sum(line.gross_before_discount - (line.discount.off(line.gross_before_discount)
                                                         if line.discount else 0) for line in bill_lines)
        order = Discount.amount(min(order.value, after_lines))
    bill = price_bill(bill_lines, order)
    assert bill.subtotal == sum(line.quantity * line.unit_price_halalas for line in bill_lines)
    assert bill.gross == bill.subtotal - bill.discount_total
    assert bill.gross == sum(p.gross for p in bill.lines)
    assert bill.vat == sum(p.vat for p in bill.lines) == split_gross(bill.gross).vat
    assert bill.net == sum(p.net for p in bill.lines) and bill.net + bill.vat == bill.gross
    for p in bill.lines:
        assert p.gross == p.gross_before_discount - p.line_discount - p.order_discount
        assert p.gross >= 0 and p.vat >= 0 and p.net >= 0
        # each line's VAT is within one halala of its exact share of the invoice VAT
        if bill.gross:
            exact = bill.vat * p.gross / bill.gross
            assert abs(p.vat - exact) < 1
    assert sum(p.order_discount for p in bill.lines) + sum(p.line_discount for p in bill.lines) == bill.discount_total


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10_000_000), st.lists(st.integers(min_value=1, max_value=100), min_size=1,
                                                              max_size=6))
def test_split_tenders_reach_zero_exactly(gross: int, weights: list[int]) -> None:
    """Any split of the bill into tenders that each fit the balance sums to the bill; one halala more is refused."""
    total = sum(weights)
    parts = [gross * w // total for w in weights]
    parts[-1] += gross - sum(parts)
    balance = gross
    for amount in parts:
        if amount == 0:
            continue
        validate_tender(Tender(TenderMethod.CASH, amount), balance)
        balance -= amount
    assert balance == 0
    with pytest.raises(DomainError):
        validate_tender(Tender(TenderMethod.CASH, 1), balance)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=100_000), min_size=1, max_size=5), st.data())
def test_refunds_never_exceed_what_was_paid(amounts: list[int], data: st.DataObject) -> None:
    payments = [PaidPayment(f"p{i}", TenderMethod.CARD if i % 2 else TenderMethod.CASH, a,
                            data.draw(st.integers(min_value=0, max_value=a)))
                for i, a in enumerate(amounts)]
    refundable = sum(p.refundable for p in payments)
    if refundable == 0:
        with pytest.raises(ValidationError):
            plan_refund(payments, 1)
        return
    amount = data.draw(st.integers(min_value=1, max_value=refundable))
    plan = plan_refund(payments, amount, to_cash=data.draw(st.booleans()))
    assert plan.total == amount
    by_id = {p.id: p for p in payments}
    assert all(0 < part[2] <= by_id[part[0]].refundable for part in plan.parts)
    with pytest.raises(ValidationError):
        plan_refund(payments, refundable + 1)


def test_bad_amounts_and_discounts_are_refused() -> None:
    line = CheckoutLine("x", LineKind.PRODUCT, "منتج", "Product", 1000)
    with pytest.raises(ValidationError):
        price_bill([line], Discount.percent(10_001))
    with pytest.raises(ValidationError):
        price_bill([line], Discount.amount(1001))
    with pytest.raises(ValidationError):
        price_bill([line], Discount.amount(-1))
    with pytest.raises(ValidationError):
        price_bill([CheckoutLine("x", LineKind.PRODUCT, "منتج", "Product", -5)])
    with pytest.raises(ValidationError):
        price_bill([CheckoutLine("x", LineKind.PRODUCT, "منتج", "Product", 10.5)])  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        price_bill([CheckoutLine("x", LineKind.PRODUCT, "منتج", "Product", 100, quantity=0)])
    with pytest.raises(ValidationError):
        price_bill([])
    with pytest.raises(ValidationError):
        validate_tender(Tender(TenderMethod.CASH, 500, tendered_halalas=400), 1000)
    assert Tender(TenderMethod.CASH, 500, tendered_halalas=1000).change_due == 500


def test_worked_examples_of_the_spec() -> None:
    bill = price_bill([CheckoutLine("a", LineKind.SERVICE, "قص", "Cut", 11_500)])
    assert (bill.gross, bill.vat, bill.net) == (11_500, 1_500, 10_000)
    bill = price_bill([CheckoutLine("a", LineKind.SERVICE, "قص", "Cut", 9_900)])
    assert (bill.vat, bill.net) == (1_291, 8_609)
    # 10 % off a 200 + 100 bill, shared in proportion: 20 and 10
    bill = price_bill([CheckoutLine("a", LineKind.SERVICE, "أ", "A", 20_000),
                       CheckoutLine("b", LineKind.SERVICE, "ب", "B", 10_000)], Discount.percent(1_000))
    assert [p.order_discount for p in bill.lines] == [2_000, 1_000] and bill.gross == 27_000


def test_close_figures_count_adjustments_and_variance() -> None:
    day = date(2026, 11, 25)
    moves = [Movement("p1", "payment", TenderMethod.CASH, 10_000, day, None),  # type: ignore[arg-type]
             Movement("p0", "payment", TenderMethod.CARD, 5_000, date(2026, 11, 24), None),  # type: ignore[arg-type]
             Movement("r1", "refund", TenderMethod.CASH, 2_000, day, None)]  # type: ignore[arg-type]
    docs = [("invoice", "D1-000001", 10_000, 1_304, 0), ("invoice", "D1-000002", 5_000, 652, 500),
            ("credit_note", "D1-CN-000001", 2_000, 261, 0)]
    f = close_figures(day, moves, docs, counted_cash=7_900, opening_float=0)
    assert f.takings == {"cash": 10_000, "card_terminal": 5_000} and f.refunds == {"cash": 2_000}
    assert f.adjustments == ("p0",) and f.expected_cash_halalas == 8_000 and f.variance_halalas == -100
    assert f.vat_halalas == 1_304 + 652 - 261 and (f.invoice_first, f.invoice_last) == ("D1-000001", "D1-000002")
    with pytest.raises(ValidationError):
        close_figures(day, moves, docs, counted_cash=-1)
