"""RowsTableModel: the one base of the desk's Qt item models. Rows are plain frozen read models (use-case
views); a model never queries, it is fed with `set_rows` and renders text when a cell is shown, so a language
switch or the clock moving on is one `refresh()`.

A subclass says what its columns are and how a cell reads:

    class VisitTableModel(RowsTableModel[VisitLine]):
        def headers(self) -> tuple[str, ...]: return (_("Appointment"), _("Status"))
        def display(self, row: VisitLine, column: int) -> str: ...
        def key(self, row: VisitLine) -> str: return row.booking_id
        def decoration(self, row: VisitLine, column: int, role: int) -> Any: ...   # colours, fonts (optional)

`ROW_ROLE` gives a row's read model to views and delegates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QTableView

from salon_desk.ui import i18n
from salon_desk.ui.named import named

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

AnyIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole  # the row's read model
Row = TypeVar("Row")
LEADING = int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)


class RowsTableModel(QAbstractTableModel, Generic[Row]):
    """Plain rows, one header per column, display text per (row, column)."""

    def __init__(self, l10n: Callable[[], Localizer] = i18n.current_localizer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._l10n = l10n
        self._rows: list[Row] = []

    # -- what a subclass says ------------------------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        """Translated column titles; their number is the column count."""
        raise NotImplementedError

    def display(self, row: Row, column: int) -> str:
        raise NotImplementedError

    def key(self, row: Row) -> str:
        """The row's id (for `row_of`)."""
        raise NotImplementedError

    def decoration(self, row: Row, column: int, role: int) -> Any:
        """Any other role of a cell (colour, font, alignment, more user roles); None by default."""
        return None

    def header_alignment(self) -> int | None:
        return None

    # -- feeding and reading -------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replaces every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> tuple[Row, ...]:
        return tuple(self._rows)

    def row_at(self, position: int) -> Row | None:
        return self._rows[position] if 0 <= position < len(self._rows) else None

    def row_of(self, row_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if self.key(row) == row_id), -1)

    def refresh(self) -> None:
        """Re-renders every header and cell (the language changed, or the clock moved on)."""
        columns = self.columnCount()
        if columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
        if self._rows and columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, columns - 1))

    def retranslate(self) -> None:
        self.refresh()

    def lang(self) -> str:
        return self._l10n().lang

    # -- Qt model API --------------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers())

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        headers = self.headers()
        if not 0 <= section < len(headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return headers[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.header_alignment()
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= self.columnCount():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.display(row, index.column())
        if role == ROW_ROLE:
            return row
        return self.decoration(row, index.column(), role)


def rows_view(model: QAbstractTableModel, object_name: str, *, alternating: bool = False) -> QTableView:
    """The desk's read-only table look: whole-row single selection, no grid, 32 px rows, columns sized to
    their contents, headers on the reading side."""
    table = named(QTableView(), object_name)
    table.setModel(model)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(alternating)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(32)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
    return table
