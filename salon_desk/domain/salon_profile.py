"""The rules of the salon profile and policies (issue #10): checked on the desk (usecases.salon_profile) and
again in the cloud on every pushed `salon.patch`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from .deposit_policy import PROFILE_FIELDS as DEPOSIT_POLICY_FIELDS
from .deposit_policy import check_choice
from .errors import ValidationError
from .model import OpeningHours
from .payments import check_amount
from .rules import clean_name, clean_notes
from .scheduling.dated_hours import check_dated_hours, dated_hours_to_json
from .scheduling.editing import check_salon_hours
from .zatca import validate_vat_number

PROFILE_FIELDS = frozenset({
    "name_ar", "name_en", "vat_number", "commercial_registration", "address", "opening_hours", "closures",
    "cancel_cutoff_minutes", "deposit_halalas", "sms_sender", "digit_style", "idle_lock_minutes",
    "discount_limit_percent", "link_expiry_hours", "zatca_phase", "dated_hours", *DEPOSIT_POLICY_FIELDS,
})
BOUNDS = {"cancel_cutoff_minutes": (0, 7 * 24 * 60), "deposit_halalas": (0, 100_000_000),
          "idle_lock_minutes": (1, 240), "discount_limit_percent": (0, 100), "link_expiry_hours": (1, 720),
          "zatca_phase": (1, 2)}
HOURS_FIELDS = frozenset({"opening_hours", "closures", "dated_hours"})


def check_profile(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned profile fields in their stored form (hours as [{weekday, start, end}], closures as ISO days,
    dated hours as in `scheduling.dated_hours`)."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationError("catalogue.unknown_field")
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("name_ar", "name_en"):
            values[key] = clean_name(value)
        elif key == "vat_number":
            values[key] = validate_vat_number(str(value).strip()) if str(value or "").strip() else ""
        elif key == "commercial_registration":
            text = str(value or "").strip()
            if not text.isdigit() and text:
                raise ValidationError("salon.bad_value", field=key)
            values[key] = text[:20]
        elif key == "address":
            values[key] = clean_notes(value)
        elif key == "sms_sender":
            text = str(value or "").strip()
            if len(text) > 11 or not all(c.isascii() and (c.isalnum() or c in " .&-") for c in text):
                raise ValidationError("salon.bad_sms_sender")
            values[key] = text
        elif key == "digit_style":
            if value not in ("latn", "arab"):
                raise ValidationError("salon.bad_value", field=key)
            values[key] = value
        elif key == "opening_hours":
            hours = [h if isinstance(h, OpeningHours) else OpeningHours(int(h["weekday"]),
                                                                         _time(h["start"]), _time(h["end"]))
                     for h in value]
            check_salon_hours(hours)
            values[key] = [{"weekday": h.weekday, "start": f"{h.start:%H:%M}", "end": f"{h.end:%H:%M}"}
                           for h in sorted(hours, key=lambda h: (h.weekday, h.start))]
        elif key == "dated_hours":
            if not isinstance(value, list | tuple):
                raise ValidationError("salon.bad_value", field=key)
            values[key] = dated_hours_to_json(check_dated_hours(value))
        elif key == "deposit_halalas" and value:  # issue #12: asked online, so at least Moyasar's minimum
            lo, hi = BOUNDS[key]
            if type(value) is not int or not lo <= value <= hi:
                raise ValidationError("salon.bad_value", field=key)
            values[key] = check_amount(value)
        elif key in DEPOSIT_POLICY_FIELDS:  # issue #12: what happens to a deposit (domain.deposit_policy)
            values[key] = check_choice(key, value)
        elif key == "closures":
            days = sorted({d if isinstance(d, date) else date.fromisoformat(str(d)) for d in value})
            values[key] = [d.isoformat() for d in days]
        else:
            lo, hi = BOUNDS[key]
            if type(value) is not int or not lo <= value <= hi:
                raise ValidationError("salon.bad_value", field=key)
            values[key] = value
    return values


def _time(value: object) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


