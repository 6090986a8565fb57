"""Digits as people type and paste them, and digits as the salon wants them shown.

Saudi keyboards type Arabic-Indic digits (٠-٩), Persian/Urdu keyboards the extended set (۰-۹), and text
copied from formatted screens carries invisible bidi marks and no-break spaces. Every field that takes a
number (phone, PIN, OTP, amount) runs its input through `normalize_digits` first.
"""

from __future__ import annotations

import re
from typing import Literal

DigitStyle = Literal["latn", "arab"]
DIGIT_STYLES: tuple[DigitStyle, ...] = ("latn", "arab")

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669
EXTENDED_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9 (Persian/Urdu)
ARABIC_DECIMAL_SEPARATOR = "٫"  # U+066B
ARABIC_THOUSANDS_SEPARATOR = "٬"  # U+066C
ARABIC_COMMA = "،"  # U+060C

# Invisible direction controls: LRM, RLM, ALM, the embeddings/overrides and the isolates, plus BOM.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
# No-break and fixed-width spaces (Babel puts U+00A0 and U+202F into formatted amounts and times).
ODD_SPACES = "\u00a0\u202f\u2007\u2009"

_ARABIC_NUMERALS_TO_ASCII = {
    **{c: str(i) for i, c in enumerate(ARABIC_INDIC_DIGITS)},
    **{c: str(i) for i, c in enumerate(EXTENDED_ARABIC_INDIC_DIGITS)},
    ARABIC_DECIMAL_SEPARATOR: ".",
    ARABIC_THOUSANDS_SEPARATOR: ",",
}
_TO_ASCII = str.maketrans(
    {**_ARABIC_NUMERALS_TO_ASCII, **dict.fromkeys(BIDI_CONTROLS), **dict.fromkeys(ODD_SPACES, " ")}
)
# Restyling display text keeps its bidi marks: it only swaps numerals, it does not clean input.
_ARABIC_TO_LATIN = str.maketrans(_ARABIC_NUMERALS_TO_ASCII)
_TO_ARABIC_INDIC = str.maketrans({str(i): c for i, c in enumerate(ARABIC_INDIC_DIGITS)})
# An Arabic comma is ordinary punctuation in sentences; only between digits is it a number's comma.
_COMMA_BETWEEN_DIGITS = re.compile(rf"(?<=[0-9]){ARABIC_COMMA}(?=[0-9])")


def normalize_digits(text: str) -> str:
    """ASCII digits and separators, no bidi controls, plain spaces for no-break spaces.

    ٫ becomes '.', ٬ becomes ',' and ، becomes ',' only when it sits between two digits.
    """
    return _COMMA_BETWEEN_DIGITS.sub(",", text.translate(_TO_ASCII))


def to_arabic_indic(text: str) -> str:
    """ASCII digits to Arabic-Indic digits; separators are left to the number formatter."""
    return text.translate(_TO_ARABIC_INDIC)


def apply_digit_style(text: str, style: DigitStyle | str) -> str:
    """Shows every digit in `text` in the salon's digit style ("latn" or "arab")."""
    if style == "arab":
        return to_arabic_indic(text)
    if style == "latn":
        return text.translate(_ARABIC_TO_LATIN)
    raise ValueError(f"unknown digit style {style!r}; expected one of {DIGIT_STYLES}")
