"""VisitTableModel: a customer's visits (upcoming or past) as plain VisitLine rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from salon_desk.domain.booking import BookingStatus
from salon_desk.ui.i18n import _
from salon_desk.ui.table_model import RowsTableModel
from salon_desk.ui.theme import DANGER, TEXT_MUTED
from salon_desk.usecases.views import VisitLine

WHEN, SERVICES, STATUS, TOTAL = range(4)
COLUMN_COUNT = 4


def _headers() -> tuple[str, ...]:
    return (_("Appointment"), _("Services"), _("Status"), _("Total"))


class VisitTableModel(RowsTableModel[VisitLine]):
    def headers(self) -> tuple[str, ...]:
        return _headers()

    def key(self, row: VisitLine) -> str:
        return row.booking_id

    def decoration(self, row: VisitLine, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            return _status_colour(row.status)
        if role == Qt.ItemDataRole.FontRole and row.status == BookingStatus.NO_SHOW:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def display(self, row: VisitLine, column: int) -> str:
        loc = self._l10n()
        if column == WHEN:
            return loc.datetime(row.start_at)
        if column == SERVICES:
            return _services_text(row, "، " if loc.is_rtl else ", ")
        if column == STATUS:
            return loc.status_label(row.status)
        return loc.money(row.total_halalas)


def _services_text(row: VisitLine, separator: str) -> str:
    """ "Haircut with Noura, Blow-dry with Sara": each service with who performs it."""
    parts = []
    for position, service in enumerate(row.services):
        staff = row.staff_names[position] if position < len(row.staff_names) else ""
        parts.append(_("{service} with {staff}").format(service=service, staff=staff) if staff else service)
    return separator.join(parts)


def _status_colour(status: str) -> QColor | None:
    if status == BookingStatus.NO_SHOW:
        return DANGER
    if status == BookingStatus.CANCELLED:
        return TEXT_MUTED
    return None
