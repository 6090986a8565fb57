"""Small text helpers shared by the people pages (customers, walk-ins, waitlist)."""

from __future__ import annotations

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.model import Service, Staff
from salon_desk.ui.names import name_in


def search_text(typed: str) -> str:
    """What the search box sends to the use case: Latin digits, no bidi marks, spaces collapsed."""
    return " ".join(normalize_digits(typed).split())


def staff_name(staff: Staff | None, lang: str) -> str:
    return name_in(staff, lang)


def service_name(service: Service | None, lang: str) -> str:
    return name_in(service, lang)
