import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon_desk.domain.digits import apply_digit_style, normalize_digits, to_arabic_indic


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),  # Persian/Urdu keyboard
        ("۴۵۶ and ٤٥٦", "456 and 456"),  # the two sets differ in code point for 4, 5, 6
        ("١٥٠٫٥٠", "150.50"),
        ("١٬٥٠٠", "1,500"),
        ("١٥٠،٥٠", "150,50"),  # an Arabic comma inside a number is the number's comma
        ("\u200f0501234567\u200e", "0501234567"),
        ("\u061c\u2066050 123 4567\u2069", "050 123 4567"),
        ("\ufeff123", "123"),
        ("150\xa0ر.س.", "150 ر.س."),  # no-break space (Babel's) becomes a plain space
        ("2:05\u202fPM", "2:05 PM"),
        ("plain ASCII 42", "plain ASCII 42"),
        ("", ""),
    ],
)
def test_normalize_digits(typed, expected):
    assert normalize_digits(typed) == expected


def test_arabic_comma_between_words_stays_punctuation():
    assert normalize_digits("نورة، سارة") == "نورة، سارة"
    assert normalize_digits("٣، ٤") == "3، 4"  # a list of numbers, not one number


def test_to_arabic_indic_changes_digits_only():
    assert to_arabic_indic("Room 12, 3.5 hours") == "Room ١٢, ٣.٥ hours"


def test_apply_digit_style():
    assert apply_digit_style("٢٠\u200f/٣\u200f/٢٠٢٦", "latn") == "20\u200f/3\u200f/2026"  # marks kept
    assert apply_digit_style("١٬٥٠٠٫٥٠", "latn") == "1,500.50"
    assert apply_digit_style("20/3/2026", "arab") == "٢٠/٣/٢٠٢٦"
    with pytest.raises(ValueError):
        apply_digit_style("1", "hanidec")


@given(st.text(alphabet="0123456789.,: -abc"))
def test_arabic_indic_round_trip(text):
    assert normalize_digits(to_arabic_indic(text)) == text
    assert apply_digit_style(apply_digit_style(text, "arab"), "latn") == text


@given(st.text())
def test_normalized_text_has_no_eastern_digits_or_bidi_controls(text):
    cleaned = normalize_digits(text)
    assert not set(cleaned) & set("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹\u200e\u200f\u061c\u2066\u2067\u2068\u2069\xa0")
