from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon_desk.domain.digits import to_arabic_indic
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.money import (
    MAX_AMOUNT_HALALAS,
    VAT_RATE_PERCENT,
    InvoiceTotals,
    VatSplit,
    gross_from_net,
    invoice_totals,
    parse_amount,
    require_halalas,
    split_gross,
)

grosses = st.integers(min_value=0, max_value=10**7)


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def test_rate():
    assert VAT_RATE_PERCENT == 15


@pytest.mark.parametrize(
    ("gross", "vat", "net"),
    [(11500, 1500, 10000), (9900, 1291, 8609), (5000, 652, 4348), (4, 1, 3), (0, 0, 0), (1, 0, 1)],
)
def test_split_gross_worked_examples(gross, vat, net):
    # providers.md §3.7: 115.00 -> 15.00 / 100.00; 99.00 -> 12.91 / 86.09; 50.00 -> 6.52 / 43.48
    assert split_gross(gross) == VatSplit(net=net, vat=vat, gross=gross)


@given(grosses)
def test_split_gross_is_round_half_up_of_gross_times_15_over_115(gross):
    split = split_gross(gross)
    assert split.net + split.vat == split.gross == gross
    assert 0 <= split.vat <= gross
    assert split.vat == round_half_up(Fraction(gross * 15, 115))


def test_gross_from_net_matches_the_zatca_sample_and_rounds_half_up():
    assert gross_from_net(20100) == VatSplit(net=20100, vat=3015, gross=23115)  # ZATCA SDK sample
    assert gross_from_net(10).vat == 2  # 0.10 × 15 % = 0.015 SAR: exactly half a halala, rounds up
    assert gross_from_net(3) == VatSplit(net=3, vat=0, gross=3)


@given(grosses)
def test_gross_from_net_property(net):
    split = gross_from_net(net)
    assert split.gross == split.net + split.vat
    assert split.vat == round_half_up(Fraction(net * 15, 100))


def test_invoice_vat_is_computed_once_and_allocated_by_largest_remainder():
    totals = invoice_totals([5000, 5000, 5000])
    # Per-line VAT would be 3 × 6.52 = 19.56; on the invoice total 150.00 it is 19.57.
    assert (totals.gross, totals.vat, totals.net) == (15000, 1957, 13043)
    assert [line.vat for line in totals.lines] == [653, 652, 652]  # ties: the earlier line takes the halala


def test_invoice_allocation_follows_the_fractions_not_the_order():
    totals = invoice_totals([100, 9900])
    assert totals.vat == split_gross(10000).vat == 1304
    # exact shares 13.04 and 1290.96: the second line has the larger remainder
    assert [line.vat for line in totals.lines] == [13, 1291]


def test_empty_and_zero_invoices():
    assert invoice_totals([]) == InvoiceTotals(lines=(), net=0, vat=0, gross=0)
    zero = invoice_totals([0, 0])
    assert zero.lines == (VatSplit(0, 0, 0), VatSplit(0, 0, 0)) and zero.vat == 0


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=30))
def test_invoice_lines_always_sum_to_the_totals(line_grosses):
    totals = invoice_totals(line_grosses)
    assert totals.gross == sum(line_grosses)
    assert (totals.net, totals.vat) == (split_gross(totals.gross).net, split_gross(totals.gross).vat)
    assert sum(line.vat for line in totals.lines) == totals.vat
    assert sum(line.net for line in totals.lines) == totals.net
    for line, gross in zip(totals.lines, line_grosses, strict=True):
        assert line.gross == gross and line.net + line.vat == gross and 0 <= line.vat <= gross
        if totals.gross:
            assert abs(line.vat - Fraction(totals.vat * gross, totals.gross)) < 1


def test_a_single_line_invoice_equals_split_gross():
    assert invoice_totals([9900]).lines == (split_gross(9900),)


@pytest.mark.parametrize(
    ("value", "code"),
    [(1.5, "money.not_integer"), (True, "money.not_integer"), (Decimal("1"), "money.not_integer"),
     ("100", "money.not_integer"), (None, "money.not_integer"), (-1, "money.negative")],
)  # fmt: skip
def test_require_halalas_refuses(value, code):
    with pytest.raises(ValidationError) as refused:
        require_halalas(value)
    assert refused.value.code == code


def test_require_halalas_accepts_and_vat_functions_check():
    assert require_halalas(0) == 0 and require_halalas(15050) == 15050
    with pytest.raises(ValidationError):
        split_gross(99.0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        invoice_totals([100, -5])


@pytest.mark.parametrize(
    ("typed", "halalas"),
    [
        ("150", 15000),
        ("150.5", 15050),
        ("150.50", 15050),
        ("١٥٠٫٥٠", 15050),
        ("۱۵۰", 15000),
        ("1,500", 150000),
        ("١٬٥٠٠٫٢٥", 150025),
        (" 150 ", 15000),
        ("0.05", 5),
        (".5", 50),
        ("150.", 15000),
        ("007", 700),
        ("0", 0),
        ("SAR 150.00", 15000),
        ("SAR\xa01,500.50", 150050),
        ("\u200f150.00\xa0ر.س.\u200f", 15000),
        ("150 ر.س", 15000),
        ("150﷼", 15000),
        ("10,000,000", MAX_AMOUNT_HALALAS),
    ],
)
def test_parse_amount(typed, halalas):
    assert parse_amount(typed) == halalas


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "money.invalid"),
        ("   ", "money.invalid"),
        ("abc", "money.invalid"),
        (".", "money.invalid"),
        ("1.2.3", "money.invalid"),
        ("150,50", "money.invalid"),  # not thousands grouping: ambiguous, so refused rather than 15050
        ("١٥٠،٥٠", "money.invalid"),
        ("12,3456", "money.invalid"),
        ("1 500", "money.invalid"),
        ("1e5", "money.invalid"),
        ("+5", "money.invalid"),
        ("SAR", "money.invalid"),
        ("-5", "money.negative"),
        ("−5", "money.negative"),  # U+2212 minus sign
        ("-SAR 5.00", "money.negative"),
        ("1.234", "money.too_precise"),
        ("150.500", "money.too_precise"),
        ("10000000.01", "money.too_large"),
        ("12,345,678.9", "money.too_large"),
        ("9" * 5000, "money.too_large"),
    ],
)
def test_parse_amount_refuses(typed, code):
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert refused.value.code == code


def test_too_large_carries_the_maximum():
    with pytest.raises(ValidationError) as refused:
        parse_amount("99999999")
    assert refused.value.params == {"max_halalas": MAX_AMOUNT_HALALAS}


def test_parse_amount_refuses_non_text():
    with pytest.raises(ValidationError) as refused:
        parse_amount(150)  # type: ignore[arg-type]
    assert refused.value.code == "money.invalid"


@given(st.integers(min_value=0, max_value=MAX_AMOUNT_HALALAS))
def test_parse_amount_round_trips_plain_grouped_and_arabic_indic_text(halalas):
    riyals = Decimal(halalas).scaleb(-2)
    for text in (f"{riyals:.2f}", f"{riyals:,.2f}", to_arabic_indic(f"{riyals:,.2f}").replace(".", "٫")):
        assert parse_amount(text) == halalas
