"""Small text helpers shared by the people pages (customers, walk-ins, waitlist)."""

from __future__ import annotations

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.model import Language, Service, Staff


def search_text(typed: str) -> str:
    """What the search box sends to the use case: Latin digits, no bidi marks, spaces collapsed."""
    return " ".join(normalize_digits(typed).split())


def staff_name(staff: Staff | None, lang: str) -> str:
    if staff is None:
        return ""
    return staff.name_ar if lang == Language.AR and staff.name_ar else staff.name_en or staff.name_ar


def service_name(service: Service | None, lang: str) -> str:
    if service is None:
        return ""
    return service.name_ar if lang == Language.AR and service.name_ar else service.name_en or service.name_ar
