"""The rules of the salon's catalogue (issue #10): staff members and services, checked on the desk before
anything is written and again in the cloud on every pushed change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import ValidationError
from .i18n import N_
from .model import Phase
from .money import require_halalas
from .phone import optional_mobile
from .rules import MAX_NAME, clean_name
from .scheduling.segments import validate_service_time

MAX_SORT_ORDER = 10_000
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")

MESSAGES = {
    "staff.phone_taken": N_("Another staff member already has this phone number: {name}."),
    "staff.bad_colour": N_("Choose a colour from the palette."),
    "staff.bad_order": N_("The display order must be a whole number from 0 to {max}."),
    "staff.no_name": N_("Enter the staff member's name in Arabic or English."),
    "service.no_name": N_("Enter the service's name in Arabic or English."),
    "catalogue.unknown_field": N_("This detail cannot be changed here."),
}

# The standard service categories, stored by key and shown in the UI language (the booking dialog groups
# services under them). A category a salon types itself is stored and shown as typed.
STANDARD_CATEGORIES: dict[str, str] = {
    "hair": N_("Hair"),
    "nails": N_("Nails"),
    "face": N_("Face and makeup"),
    "body": N_("Body care"),
}

STAFF_FIELDS = frozenset({"name_ar", "name_en", "title_ar", "title_en", "color", "phone", "sort_order", "active"})
SERVICE_FIELDS = frozenset({"name_ar", "name_en", "category", "duration_minutes", "buffer_minutes", "price_halalas",
                            "phases", "color", "active", "can_run_alongside"})


def _optional_text(value: object) -> str:
    text = " ".join(str(value or "").split())
    return clean_name(text) if text else ""


def _names(values: dict[str, Any], code: str) -> None:
    for key in ("name_ar", "name_en"):
        if key in values:
            values[key] = _optional_text(values[key])
    if "name_ar" in values and "name_en" in values and not (values["name_ar"] or values["name_en"]):
        raise ValidationError(code)


def check_colour(value: object) -> str:
    text = str(value or "").strip()
    if text and not _COLOUR.fullmatch(text):
        raise ValidationError("staff.bad_colour")
    return text


def check_staff_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned staff fields (names and titles trimmed, phone in E.164 or None, colour, order, active)."""
    unknown = set(fields) - STAFF_FIELDS
    if unknown:
        raise ValidationError("catalogue.unknown_field")
    values = dict(fields)
    _names(values, "staff.no_name")
    for key in ("title_ar", "title_en"):
        if key in values:
            values[key] = _optional_text(values[key])
    if "phone" in values:
        values["phone"] = optional_mobile(values["phone"])
    if "color" in values:
        values["color"] = check_colour(values["color"])
    if "sort_order" in values:
        order = values["sort_order"]
        if type(order) is not int or not 0 <= order <= MAX_SORT_ORDER:
            raise ValidationError("staff.bad_order", max=MAX_SORT_ORDER)
    if "active" in values:
        values["active"] = bool(values["active"])
    return values


def check_service_fields(fields: Mapping[str, Any], current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Cleaned service fields. A price below zero, a duration of zero, phases not adding up: refused.
    `current` (a patch's stored values) completes the duration, buffer and phases checked together."""
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise ValidationError("catalogue.unknown_field")
    values = dict(fields)
    _names(values, "service.no_name")
    if "category" in values:
        values["category"] = " ".join(str(values["category"] or "").split())[:60]
    if "price_halalas" in values:
        values["price_halalas"] = require_halalas(values["price_halalas"])
    if "color" in values:
        values["color"] = check_colour(values["color"])
    merged = {**(current or {}), **values}
    if {"duration_minutes", "buffer_minutes", "phases"} & set(values):
        phases = [p if isinstance(p, Phase) else Phase(int(p["minutes"]), bool(p["staff_busy"]))
                  for p in merged.get("phases") or []]
        validate_service_time(int(merged.get("duration_minutes") or 0), int(merged.get("buffer_minutes") or 0),
                              phases)
        if "phases" in values:
            values["phases"] = [{"minutes": p.minutes, "staff_busy": p.staff_busy} for p in phases]
    for key in ("active", "can_run_alongside"):
        if key in values:
            values[key] = bool(values[key])
    return values


def check_own_price_and_duration(duration_minutes: int | None, price_halalas: int | None) -> None:
    """A staff member's own duration and price for a service, when set: positive minutes, no negative price."""
    if duration_minutes is not None:
        validate_service_time(duration_minutes, 0, ())
    if price_halalas is not None:
        require_halalas(price_halalas)


__all__ = ["MAX_NAME", "MESSAGES", "SERVICE_FIELDS", "STAFF_FIELDS", "check_colour", "check_own_price_and_duration",
           "check_service_fields", "check_staff_fields"]
