"""Money in integer halalas (1 SAR = 100 halalas), VAT at 15 %, and amounts as people type them.

Salon prices are VAT-inclusive. VAT is derived once per invoice from the gross total with integer
round-half-up, `vat = round_half_up(gross × 15 / 115)` (providers.md §3.7), and then shared out over the
lines so that the lines always add up to the printed totals. No float ever touches an amount.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .digits import normalize_digits
from .errors import ValidationError
from .i18n import N_

VAT_RATE_PERCENT = 15
HALALAS_PER_RIYAL = 100
# Far above any salon invoice (10 million riyals); anything larger is a typing slip.
MAX_AMOUNT_HALALAS = 10_000_000 * HALALAS_PER_RIYAL

MESSAGES = {
    "money.invalid": N_("The amount is not a valid number of riyals."),
    "money.negative": N_("The amount cannot be negative."),
    "money.too_precise": N_("The amount can have at most two decimal places (halalas)."),
    "money.too_large": N_("The amount is too large; the maximum is {max_halalas}."),
    "money.not_integer": N_("The amount must be a whole number of halalas."),
}


@dataclass(frozen=True, slots=True)
class VatSplit:
    """One VAT-inclusive amount split into its net and VAT parts (all halalas; net + vat == gross)."""

    net: int
    vat: int
    gross: int


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    """An invoice's totals and the per-line splits that add up to them exactly."""

    lines: tuple[VatSplit, ...]
    net: int
    vat: int
    gross: int


def require_halalas(value: object) -> int:
    """Returns `value` if it is a non-negative int; floats, Decimals and bools are refused."""
    if type(value) is not int:  # bool is an int subclass and must not pass as an amount
        raise ValidationError("money.not_integer")
    if value < 0:
        raise ValidationError("money.negative")
    return value


def split_gross(gross: int) -> VatSplit:
    """Net and VAT inside a VAT-inclusive `gross`: vat = round_half_up(gross × 15 / 115)."""
    require_halalas(gross)
    divisor = 100 + VAT_RATE_PERCENT
    vat = (gross * VAT_RATE_PERCENT * 2 + divisor) // (divisor * 2)
    return VatSplit(net=gross - vat, vat=vat, gross=gross)


def gross_from_net(net: int) -> VatSplit:
    """VAT added on top of a net amount: vat = round_half_up(net × 15 / 100) (ZATCA BR-CO-17)."""
    require_halalas(net)
    vat = (net * VAT_RATE_PERCENT * 2 + 100) // 200
    return VatSplit(net=net, vat=vat, gross=net + vat)


def invoice_totals(line_grosses: Sequence[int]) -> InvoiceTotals:
    """VAT computed once on the invoice total, then allocated to lines by largest remainder.

    Each line gets its proportional share of the invoice VAT rounded down; the halalas left over go
    to the lines with the largest discarded fractions (earlier lines first on ties).
    """
    grosses = [require_halalas(g) for g in line_grosses]
    total = split_gross(sum(grosses))
    line_vats = _allocate(total.vat, grosses)
    lines = tuple(VatSplit(net=g - v, vat=v, gross=g) for g, v in zip(grosses, line_vats, strict=True))
    return InvoiceTotals(lines=lines, net=total.net, vat=total.vat, gross=total.gross)


def _allocate(amount: int, weights: list[int]) -> list[int]:
    whole = sum(weights)
    if whole == 0:
        return [0] * len(weights)
    shares = [divmod(amount * w, whole) for w in weights]
    leftover = amount - sum(q for q, _ in shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: -shares[i][1])
    bonus = set(by_remainder[:leftover])
    return [q + (1 if i in bonus else 0) for i, (q, _) in enumerate(shares)]


# Optional currency mark before or after the number: SAR, ر.س. (with or without the final dot), ﷼.
_CURRENCY = r"(?:SAR|ر\.س\.?|\ufdfc)"
_AMOUNT = re.compile(
    rf"(?:{_CURRENCY}\s*)?(?P<sign>[-−]?)\s*(?:{_CURRENCY}\s*)?"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]*))?"
    rf"(?:\s*{_CURRENCY})?",
    re.IGNORECASE,
)
# More integer digits than this is an absurd amount; checked before int() sees a huge string.
_MAX_WHOLE_DIGITS = len(str(MAX_AMOUNT_HALALAS // HALALAS_PER_RIYAL))


def parse_amount(text: str) -> int:
    """Halalas from a typed amount: "150", "150.5", "1,500", "١٥٠٫٥٠", "SAR 150.00", "150.00 ر.س.".

    Thousands commas must group by three ("150,50" is refused, not read as 15050).
    """
    if not isinstance(text, str):
        raise ValidationError("money.invalid")
    match = _AMOUNT.fullmatch(normalize_digits(text).strip())
    if match is None or not (match["whole"] or match["fraction"]):
        raise ValidationError("money.invalid")
    whole = match["whole"].replace(",", "")
    fraction = match["fraction"] or ""
    if match["sign"]:
        raise ValidationError("money.negative")
    if len(fraction) > 2:
        raise ValidationError("money.too_precise")
    if len(whole.lstrip("0")) > _MAX_WHOLE_DIGITS:
        raise ValidationError("money.too_large", max_halalas=MAX_AMOUNT_HALALAS)
    halalas = int(whole or "0") * HALALAS_PER_RIYAL + int(fraction.ljust(2, "0"))
    if halalas > MAX_AMOUNT_HALALAS:
        raise ValidationError("money.too_large", max_halalas=MAX_AMOUNT_HALALAS)
    return halalas
