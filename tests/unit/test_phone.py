import pytest

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.phone import format_national, mask_phone, normalize_mobile, optional_mobile

E164 = "+966501234567"

# providers.md §4.2, every row (region None is not an input: we always parse with region SA).
SPEC_VALID = [
    "0501234567",
    "501234567",
    "+966501234567",
    "00966501234567",
    "966501234567",
    "050 123 4567",
    "+966 50 123 4567",
    "+9660501234567",  # trunk 0 after the country code
    "٠٥٠١٢٣٤٥٦٧",
]
SPEC_REFUSED = [
    ("0521234567", "phone.not_mobile"),  # 052 is not allocated to mobiles
    ("0112345678", "phone.not_mobile"),  # Riyadh fixed line
    ("920012345", "phone.not_mobile"),  # shared cost (UAN)
    ("05012345678", "phone.invalid"),  # 11 digits
    ("050123456", "phone.invalid"),  # 9 digits with the 0
]


@pytest.mark.parametrize("typed", SPEC_VALID)
def test_spec_table_valid_rows(typed):
    assert normalize_mobile(typed) == E164


@pytest.mark.parametrize("second_digit", "13456789")
def test_spec_table_every_mobile_prefix(second_digit):
    assert normalize_mobile(f"05{second_digit}1234567") == f"+9665{second_digit}1234567"


@pytest.mark.parametrize(("typed", "code"), SPEC_REFUSED)
def test_spec_table_refused_rows(typed, code):
    with pytest.raises(ValidationError) as refused:
        normalize_mobile(typed)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "typed",
    [
        "(050) 123-4567",
        "050-123-4567",
        "050.123.4567",
        "+966 (50) 123-4567",
        "  0501234567  ",
        "\u200f0501234567",  # pasted with a right-to-left mark
        "050\xa0123\xa04567",
        "۰۵۰۱۲۳۴۵۶۷",  # Persian digits
        "+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧",
        "٠٠٩٦٦٥٠١٢٣٤٥٦٧",
        "009660501234567",
    ],
)
def test_forms_people_type(typed):
    assert normalize_mobile(typed) == E164


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "phone.empty"),
        ("  - ", "phone.empty"),
        ("\u200f", "phone.empty"),
        ("1-800-FLOWERS", "phone.invalid"),  # libphonenumber alone would read letters as digits
        ("05O1234567", "phone.invalid"),
        ("0501234567 ext 5", "phone.invalid"),
        ("050+1234567", "phone.invalid"),
        ("05 12", "phone.invalid"),
        ("0579912345", "phone.not_mobile"),  # 0579 9… is outside the allocated 057 range
        ("+971501234567", "phone.not_mobile"),  # a valid mobile, but not Saudi
        ("8001234567", "phone.not_mobile"),  # toll free
    ],
)
def test_refused_inputs(typed, code):
    with pytest.raises(ValidationError) as refused:
        normalize_mobile(typed)
    assert refused.value.code == code


def test_non_text_is_invalid():
    with pytest.raises(ValidationError) as refused:
        normalize_mobile(501234567)  # type: ignore[arg-type]
    assert refused.value.code == "phone.invalid"


def test_optional_mobile():
    assert optional_mobile(None) is None
    assert optional_mobile("") is None
    assert optional_mobile(" \u200f ") is None
    assert optional_mobile("055 123 4567") == "+966551234567"
    with pytest.raises(ValidationError):
        optional_mobile("0112345678")


def test_format_national():
    assert format_national("+966501234567") == "050 123 4567"
    assert format_national("+966581234567") == "058 123 4567"
    assert format_national("+971501234567") == "+971 50 123 4567"  # foreign numbers keep their country
    with pytest.raises(ValidationError):
        format_national("not a number")


def test_mask_phone():
    assert mask_phone("+966501234567") == "+9665******67"
    assert mask_phone("+12") == "***"
    assert mask_phone(None) == ""
    assert mask_phone("") == ""
