"""Selecting a table row from code, in both directions.

In a right-to-left layout QTableView.selectRow() selects nothing (PySide6 6.12, checked with a plain
QStandardItemModel), and Arabic is the desk's default. Going through the selection model works both ways.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView


def select_row(view: QAbstractItemView, row: int) -> bool:
    """Makes `row` current and selected; False when the model has no such row."""
    model, selection = view.model(), view.selectionModel()
    if model is None or selection is None or not 0 <= row < model.rowCount():
        return False
    index = model.index(row, 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    selection.setCurrentIndex(index, flags)
    view.scrollTo(index)
    return True
