"""Widget helpers of the walk-ins screen: section cards and read-only row tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from PySide6.QtCore import QAbstractTableModel
from PySide6.QtWidgets import QFrame, QLabel, QLayout, QTableView, QVBoxLayout, QWidget

from salon_desk.ui.named import named
from salon_desk.ui.table_model import RowsTableModel, rows_view

T = TypeVar("T")
R = TypeVar("R")


def section_title() -> QLabel:
    label = named(QLabel(), "SectionTitle")
    label.setStyleSheet("font-size: 13pt; font-weight: bold;")
    return label


def card(*parts: QWidget | QLayout, stretch_index: int = -1) -> QFrame:
    """A white rounded card stacking `parts`; the part at `stretch_index` takes the spare height."""
    frame = named(QFrame(), "Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    for position, part in enumerate(parts):
        stretch = 1 if position == stretch_index else 0
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return frame


def people_table(model: QAbstractTableModel, name: str, hidden: Iterable[int] = ()) -> QTableView:
    table = rows_view(model, name)
    table.horizontalHeader().setStretchLastSection(True)
    for column in hidden:
        table.setColumnHidden(column, True)
    return table


def selected_row(table: QTableView, model: RowsTableModel[R]) -> R | None:
    """The row object of the table's selected row, or None."""
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return model.row_at(rows[0].row()) if rows else None
