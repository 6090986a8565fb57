"""CataloguePage: the services catalogue for managers: categories, names (ar, en), duration, buffer, price
including VAT, active, and whether a service can run beside another for the same customer. Deactivating
keeps history (bookings keep their service; it is only no longer offered). Refusals (a price below zero, a
receptionist) show the use case's own translated message; a receptionist's save can be allowed once with a
manager's PIN (ui.manager_pin). Standard categories show in the UI language (ui.catalogue.categories)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.catalogue import STANDARD_CATEGORIES
from salon_desk.domain.model import Changes, Service
from salon_desk.domain.money import parse_amount
from salon_desk.ui.catalogue.categories import category_key, category_label
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text, read_form
from salon_desk.ui.i18n import _
from salon_desk.ui.manager_pin import run_elevated
from salon_desk.ui.named import named
from salon_desk.ui.names import local_name


class CataloguePage(QWidget):
    saved = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CataloguePage")
        self._ctx = ctx
        self.services: list[Service] = []
        self.current: str | None = None
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.message_label = QLabel(wordWrap=True)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("CatalogueTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.name_ar, self.name_en, self.price = QLineEdit(), QLineEdit(), QLineEdit()
        self.category = QComboBox()  # the standard categories and the salon's own; any text may be typed
        self.category.setObjectName("CategoryChoice")
        self.category.setEditable(True)
        self.category.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.duration, self.buffer = QSpinBox(), QSpinBox()
        self.duration.setRange(5, 600)
        self.duration.setSingleStep(5)
        self.buffer.setRange(0, 120)
        self.buffer.setSingleStep(5)
        self.active, self.alongside = QCheckBox(), QCheckBox()
        self.new_button, self.save_button = QPushButton(), QPushButton()
        form = QFormLayout()
        self.labels = [QLabel() for _ in range(8)]
        for label, field in zip(self.labels, (self.name_ar, self.name_en, self.category, self.duration, self.buffer,
                                              self.price, self.active, self.alongside), strict=True):
            form.addRow(label, field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        editor = QVBoxLayout()
        editor.addLayout(form)
        editor.addLayout(buttons)
        editor.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(editor, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        for widget in (self.title_label, self.subtitle_label, self.message_label):
            layout.addWidget(widget)
        layout.addLayout(body, 1)
        self.table.currentCellChanged.connect(lambda row, *_: self._pick_row(row))
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        ctx.events.changes_applied.connect(self._on_changes)
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.refresh()

    def _lang(self) -> str:
        return self._ctx.l10n().lang

    def retranslate(self) -> None:
        self.title_label.setText(_("Services"))
        self.subtitle_label.setText(_("What the salon offers, by category. Prices include VAT."))
        for label, text in zip(self.labels, (_("Name (Arabic)"), _("Name (English)"), _("Category"),
                                             _("Duration (minutes)"), _("Time after (minutes)"),
                                             _("Price incl. VAT (SAR)"), _("Offered"),
                                             _("Can run beside another service")), strict=True):
            label.setText(text)
        self.table.setHorizontalHeaderLabels([_("Category"), _("Service"), _("Duration (minutes)"),
                                              _("Price incl. VAT (SAR)"), _("Offered"), _("Alongside")])
        self.new_button.setText(_("New service"))
        self.save_button.setText(_("Save service"))
        self._fill()
        self._fill_categories()

    def _fill_categories(self) -> None:
        """The standard categories in the UI language, then those the salon typed itself."""
        typed = self.category.currentText()
        own = sorted({s.category for s in self.services if s.category and s.category not in STANDARD_CATEGORIES})
        self.category.blockSignals(True)
        self.category.clear()
        for key in (*STANDARD_CATEGORIES, *own):
            self.category.addItem(category_label(key), key)
        self.category.setEditText(category_label(category_key(typed)) if typed else "")
        self.category.blockSignals(False)

    def refresh(self) -> None:
        self._ctx.runner.db(self._ctx.desk.catalogue.services, on_done=self._on_services,
                            on_error=self._show_error, owner=self)

    def _on_changes(self, changes: Changes) -> None:
        if changes:
            self.refresh()

    def _on_services(self, services: tuple[Service, ...]) -> None:
        standard = list(STANDARD_CATEGORIES)  # the standard categories first, in their own order (as booking shows)
        self.services = sorted(services, key=lambda s: (
            standard.index(s.category) if s.category in standard else len(standard), s.category))
        self._fill()
        self._fill_categories()

    def _fill(self) -> None:
        l10n, lang = self._ctx.l10n(), self._lang()
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.services))
        for row, s in enumerate(self.services):
            cells = (category_label(s.category), local_name(s.name_ar, s.name_en, lang), l10n.number(s.duration_minutes),
                     l10n.money(s.price_halalas), _("Yes") if s.active else _("No"),
                     _("Yes") if s.can_run_alongside else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)

    def _pick_row(self, row: int) -> None:
        if not 0 <= row < len(self.services):
            return
        s = self.services[row]
        self.current = s.id
        self.name_ar.setText(s.name_ar)
        self.name_en.setText(s.name_en)
        self.category.setEditText(category_label(s.category))
        self.duration.setValue(s.duration_minutes)
        self.buffer.setValue(s.buffer_minutes)
        self.price.setText(f"{s.price_halalas // 100}.{s.price_halalas % 100:02d}")
        self.active.setChecked(s.active)
        self.alongside.setChecked(s.can_run_alongside)

    def start_new(self) -> None:
        self.current = None
        self.table.clearSelection()
        for edit in (self.name_ar, self.name_en, self.price):
            edit.clear()
        self.category.setEditText("")
        self.duration.setValue(30)
        self.buffer.setValue(0)
        self.active.setChecked(True)
        self.alongside.setChecked(False)

    def fields(self) -> dict[str, Any]:
        return {"name_ar": self.name_ar.text(), "name_en": self.name_en.text(), "category": category_key(self.category.currentText()),
                "duration_minutes": self.duration.value(), "buffer_minutes": self.buffer.value(),
                "price_halalas": parse_amount(self.price.text()), "active": self.active.isChecked(),
                "can_run_alongside": self.alongside.isChecked()}

    def save(self) -> None:
        fields = read_form(self.fields, self._show_error)
        if fields is None:
            return
        area, service_id = self._ctx.desk.catalogue, self.current
        if service_id is None:
            run_elevated(self._ctx, self, lambda pin: area.add(fields, pin), on_done=self._done,
                         on_error=self._show_error)
        else:
            run_elevated(self._ctx, self, lambda pin: area.update(service_id, fields, pin), on_done=self._done,
                         on_error=self._show_error)

    def _done(self, result: Any) -> None:
        self.current = result.id
        self.message_label.setText(_("Saved."))
        if result.changes:
            self._ctx.events.changes_applied.emit(result.changes)
        self.saved.emit()
        self.refresh()

    def _show_error(self, error: BaseException) -> None:
        self.message_label.setText(error_text(error, self._ctx.l10n(), _("This could not be saved.")))
