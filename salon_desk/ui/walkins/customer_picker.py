"""CustomerPicker: choose an existing customer by mobile or name, or enter a new one (name + mobile)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QListView, QRadioButton, QVBoxLayout, QWidget

from salon_desk.ui import i18n
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.text import search_text
from salon_desk.ui.i18n import _
from salon_desk.usecases.commands import NewCustomer
from salon_desk.usecases.views import CustomerSummary

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

AnyIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole
MATCHES = 8
DEBOUNCE_MS = 150


class CustomerListModel(QAbstractListModel):
    """A few customers as "name  phone" lines."""

    def __init__(self, l10n: Callable[[], Localizer] = i18n.current_localizer, parent: Any = None) -> None:
        super().__init__(parent)
        self._l10n = l10n
        self._rows: list[CustomerSummary] = []

    def set_rows(self, rows: Sequence[CustomerSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, position: int) -> CustomerSummary | None:
        return self._rows[position] if 0 <= position < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            phone = self._l10n().phone(row.phone)
            return f"{row.name}    {phone}" if phone else row.name
        if role == ROW_ROLE:
            return row
        return None


class CustomerPicker(QWidget):
    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="CustomerPicker")
        self._ctx = ctx
        self._generation = 0
        self.model = CustomerListModel(ctx.l10n, self)
        self.existing_radio = QRadioButton(objectName="PickExisting", checked=True)
        self.new_radio = QRadioButton(objectName="PickNew")
        self.search_edit = QLineEdit(objectName="PickerSearch", clearButtonEnabled=True)
        self.results = QListView(objectName="PickerResults")
        self.results.setModel(self.model)
        self.results.setFixedHeight(120)
        self.new_name_edit = QLineEdit(objectName="PickerNewName")
        self.new_phone_edit = QLineEdit(objectName="PickerNewPhone")
        self.new_phone_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._name_label, self._phone_label = QLabel(), QLabel()
        self._new_box = QWidget()
        new_grid = QGridLayout(self._new_box)
        new_grid.setContentsMargins(0, 0, 0, 0)
        new_grid.addWidget(self._name_label, 0, 0)
        new_grid.addWidget(self.new_name_edit, 0, 1)
        new_grid.addWidget(self._phone_label, 1, 0)
        new_grid.addWidget(self.new_phone_edit, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.existing_radio, self.search_edit, self.results, self.new_radio, self._new_box):
            layout.addWidget(widget)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(lambda _text: self._timer.start())
        self.search_edit.textChanged.connect(lambda _text: self.existing_radio.setChecked(True))
        self.new_name_edit.textEdited.connect(lambda _text: self.new_radio.setChecked(True))
        self.new_phone_edit.textEdited.connect(lambda _text: self.new_radio.setChecked(True))
        self.existing_radio.toggled.connect(self._on_mode_changed)
        self.results.selectionModel().currentChanged.connect(lambda *_args: self.changed.emit())
        self._on_mode_changed()

    # -- public ------------------------------------------------------------------------------------------
    def choice(self) -> tuple[str | None, NewCustomer | None]:
        """(customer id, None) for an existing customer, (None, NewCustomer) for a new one, or (None, None)."""
        if self.new_radio.isChecked():
            name, phone = self.new_name_edit.text().strip(), self.new_phone_edit.text().strip()
            return None, NewCustomer(name=name, phone=phone) if name or phone else None
        row = self.model.row_at(self.results.currentIndex().row())
        return (row.id, None) if row else (None, None)

    def choose_row(self, position: int) -> None:
        self.existing_radio.setChecked(True)
        self.results.setCurrentIndex(self.model.index(position, 0))

    def search_now(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation, text = self._generation, search_text(self.search_edit.text())
        self._ctx.runner.db(
            self._ctx.desk.search_customers,
            text,
            MATCHES,
            0,
            on_done=lambda rows: self._on_results(generation, rows),
            owner=self,
        )

    def retranslate(self) -> None:
        self.existing_radio.setText(_("Existing customer"))
        self.new_radio.setText(_("New customer"))
        self.search_edit.setPlaceholderText(_("Search by mobile or name"))
        self._name_label.setText(_("Name"))
        self._phone_label.setText(_("Mobile"))
        self.new_phone_edit.setPlaceholderText("05X XXX XXXX")

    # -- private -----------------------------------------------------------------------------------------
    def _on_results(self, generation: int, rows: list[CustomerSummary]) -> None:
        if generation != self._generation:
            return
        self.model.set_rows(rows)
        if rows:
            self.results.setCurrentIndex(self.model.index(0, 0))
        self.changed.emit()

    def _on_mode_changed(self, *_args: object) -> None:
        existing = self.existing_radio.isChecked()
        self.results.setEnabled(existing)
        self._new_box.setEnabled(True)
        self.changed.emit()
