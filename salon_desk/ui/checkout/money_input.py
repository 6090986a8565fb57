"""Amounts typed at the desk: riyals with up to two decimals (Western or Arabic-Indic digits) -> halalas."""

from __future__ import annotations

import re

from salon_desk.domain.digits import apply_digit_style

_AMOUNT = re.compile(r"\s*([0-9]{1,9})(?:[.,٫]([0-9]{1,2}))?\s*")
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def parse_riyals(text: str) -> int | None:
    """`"150"` -> 15000, `"12.5"` -> 1250, `"١٢٫٥٠"` -> 1250; None for anything else (negative, 3 decimals…)."""
    match = _AMOUNT.fullmatch(text.translate(_ARABIC_INDIC).replace("٬", ""))
    if match is None:
        return None
    whole, frac = match.group(1), match.group(2) or "0"
    return int(whole) * 100 + int(frac.ljust(2, "0"))


def riyals_field(halalas: int, digit_style: str = "latn") -> str:
    """The text an amount field shows: `15000` -> `150.00`."""
    return apply_digit_style(f"{halalas // 100}.{halalas % 100:02d}", digit_style)


def parse_percent_bp(text: str) -> int | None:
    """`"15"` -> 1500 basis points, `"12.5"` -> 1250; None when malformed."""
    value = parse_riyals(text)
    return value  # percent with two decimals is basis points, the same arithmetic
