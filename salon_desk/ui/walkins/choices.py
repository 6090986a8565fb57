"""Filling the service and staff pickers of the walk-ins screen from reference data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox

from salon_desk.domain.model import Service, Staff
from salon_desk.ui.customers.text import service_name, staff_name

if TYPE_CHECKING:
    from salon_desk.usecases.desk import DeskService


@dataclass(frozen=True)
class ReferenceData:
    """What the pickers offer, loaded once on the DB lane (and again after a change)."""

    services: tuple[Service, ...] = ()
    staff: tuple[Staff, ...] = ()
    timezone: str = "Asia/Riyadh"
    qualified: dict[str, tuple[str, ...]] = field(default_factory=dict)  # service id -> staff ids

    def staff_for(self, service_id: str | None) -> tuple[Staff, ...]:
        """Staff who perform the service (everyone when the service is unknown to the table)."""
        if service_id is None or service_id not in self.qualified:
            return self.staff
        allowed = set(self.qualified[service_id])
        return tuple(person for person in self.staff if person.id in allowed)


def load_reference(desk: DeskService) -> ReferenceData:
    """Runs on the DB lane."""
    services = tuple(desk.reference.services())
    staff = tuple(sorted(desk.reference.staff(), key=lambda s: (s.sort_order, s.name_en)))
    qualified = {service.id: tuple(desk.reference.qualified_staff(service.id)) for service in services}
    timezone = desk.reference.salon_info().timezone
    return ReferenceData(services, staff, timezone or "Asia/Riyadh", qualified)


def fill_services(combo: QComboBox, services: Sequence[Service], lang: str) -> None:
    """Keeps the chosen service chosen across refills (language switch, reference reload)."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for service in services:
        combo.addItem(service_name(service, lang), service.id)
    combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
    combo.blockSignals(False)


def fill_staff(combo: QComboBox, staff: Sequence[Staff], lang: str, anyone_label: str) -> None:
    """Staff with "anyone" first (data None). The chosen person stays chosen while still offered."""
    chosen = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(anyone_label, None)
    for person in staff:
        combo.addItem(staff_name(person, lang), person.id)
    position = combo.findData(chosen) if chosen is not None else -1
    combo.setCurrentIndex(position if position >= 0 else 0)
    combo.blockSignals(False)
