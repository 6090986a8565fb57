"""VisitTableModel: a customer's visits (upcoming or past) as plain VisitLine rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from salon_desk.domain.booking import BookingStatus
from salon_desk.ui import i18n
from salon_desk.ui.i18n import _
from salon_desk.ui.theme import DANGER, TEXT_MUTED
from salon_desk.usecases.views import VisitLine

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

AnyIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole
WHEN, SERVICES, STATUS, TOTAL = range(4)
COLUMN_COUNT = 4


def _headers() -> tuple[str, ...]:
    return (_("Appointment"), _("Services"), _("Status"), _("Total"))


class VisitTableModel(QAbstractTableModel):
    def __init__(self, l10n: Callable[[], Localizer] = i18n.current_localizer, parent: Any = None) -> None:
        super().__init__(parent)
        self._l10n = l10n
        self._rows: list[VisitLine] = []

    def set_rows(self, rows: Sequence[VisitLine]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, position: int) -> VisitLine | None:
        return self._rows[position] if 0 <= position < len(self._rows) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _headers()[section] if 0 <= section < COLUMN_COUNT else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= COLUMN_COUNT:
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS:
            return _status_colour(row.status)
        if role == Qt.ItemDataRole.FontRole and row.status == BookingStatus.NO_SHOW:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        return None

    def _display(self, row: VisitLine, column: int) -> str:
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
