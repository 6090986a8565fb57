"""Saudi mobile numbers: accept every way people type them, store E.164, show the national form.

Only valid Saudi mobiles are accepted (providers.md §4.2): SMS confirmations and OTP codes go to
them. Parsing uses libphonenumber's metadata with default region SA, after our own digit cleanup,
and refuses letters outright (libphonenumber would read "1-800-FLOWERS" as digits).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from .digits import normalize_digits
from .errors import ValidationError
from .i18n import N_

REGION = "SA"
SAUDI_COUNTRY_CODE = 966

MESSAGES = {
    "phone.empty": N_("A mobile number is required."),
    "phone.invalid": N_("This is not a valid mobile number. Example: 0501234567."),
    "phone.not_mobile": N_("Only Saudi mobile numbers starting with 05 can receive text messages."),
}

# What may surround the digits: spaces, dashes, dots, slashes, parentheses and one leading '+'.
_SEPARATORS = re.compile(r"[\s\-./()]")
_DIALLABLE = re.compile(r"\+?[0-9]+")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def normalize_mobile(text: str) -> str:
    """E.164 (`+9665XXXXXXXX`) for a valid Saudi mobile typed in any common form; ValidationError otherwise."""
    if not isinstance(text, str):
        raise ValidationError("phone.invalid")
    cleaned = _SEPARATORS.sub("", normalize_digits(text))
    if not cleaned:
        raise ValidationError("phone.empty")
    if not _DIALLABLE.fullmatch(cleaned):
        raise ValidationError("phone.invalid")
    number = _parse(cleaned)
    if not phonenumbers.is_valid_number(number):
        # 05X numbers of the right length whose prefix is not allocated (052…, 0579 9…) are still
        # recognisably meant as mobiles: say so instead of "invalid".
        if _looks_like_saudi_mobile(number):
            raise ValidationError("phone.not_mobile")
        raise ValidationError("phone.invalid")
    is_saudi = phonenumbers.region_code_for_number(number) == REGION
    if not is_saudi or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError("phone.not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def optional_mobile(text: str | None) -> str | None:
    """Like normalize_mobile, but a blank field means "no number" (None)."""
    if text is None or not _SEPARATORS.sub("", normalize_digits(text)):
        return None
    return normalize_mobile(text)


def format_national(e164: str) -> str:
    """`050 123 4567` for a Saudi number; other countries keep their international form."""
    number = _parse(e164)
    if number.country_code == SAUDI_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str | None) -> str:
    """`+9665******67` for logs: enough to tell numbers apart, not enough to call one. Never raises."""
    if not e164:
        return ""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:5] + "*" * (len(e164) - 7) + e164[-2:]


def _parse(text: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, REGION)
    except NumberParseException as exc:
        raise ValidationError("phone.invalid") from exc


def _looks_like_saudi_mobile(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    return number.country_code == SAUDI_COUNTRY_CODE and len(national) == 9 and national.startswith("5")
