"""CustomersPage: search the salon's customers by mobile or name, see one profile, add and edit.

page = CustomersPage(ctx)
page.booking_requested.connect(shell.open_new_booking)   # "New booking" from a profile
ctx.events.customer_search_requested                      # the shell's Ctrl+F focuses the search box
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Changes
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.dialog import CustomerDialog
from salon_desk.ui.customers.model import NAME, CustomerTableModel
from salon_desk.ui.customers.profile import CustomerProfilePanel
from salon_desk.ui.customers.search import CustomerSearch
from salon_desk.ui.customers.selection import select_row
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.latest import Latest
from salon_desk.ui.named import named
from salon_desk.ui.table_model import rows_view
from salon_desk.ui.theme import icon
from salon_desk.usecases.views import CustomerProfile

# Entities whose change can alter what this page shows (names as in domain.model.Changes).
WATCHED_ENTITIES = ("customer", "booking")


class CustomersPage(QWidget):
    booking_requested = Signal(str)  # customer id: the shell/calendar opens a new booking for them
    profile_shown = Signal(object)  # the CustomerProfile now shown (or None)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CustomersPage")
        self._ctx = ctx
        self._profile_loads = Latest(ctx.runner, parent=self)  # the last customer clicked wins
        self._selected_id: str | None = None
        self.dialog: CustomerDialog | None = None  # the open add/edit dialog, if any
        self.model = CustomerTableModel(ctx.l10n, self)
        self.search = CustomerSearch(ctx, self.model, self)
        self._build()
        self.search.results_loaded.connect(self._on_results_loaded)
        self.search.search_failed.connect(self._on_failed)
        ctx.events.changes_applied.connect(self._on_changes_applied)
        ctx.events.language_changed.connect(self.retranslate)
        ctx.events.customer_search_requested.connect(self.focus_search)  # the shell's Ctrl+F
        self.retranslate()
        self.search.run_now()

    # -- public ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.search.run_now()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def selected_customer_id(self) -> str | None:
        return self._selected_id

    def select_customer(self, customer_id: str) -> bool:
        """Selects a loaded customer and loads the profile; False when the row is not loaded."""
        position = self.model.row_of(customer_id)
        if position < 0:
            return False
        select_row(self.table, position)
        return True

    def open_add_dialog(self) -> CustomerDialog:
        return self._open_dialog(CustomerDialog(self._ctx, None, self))

    def open_edit_dialog(self) -> CustomerDialog | None:
        profile = self.profile_panel.profile
        return self._open_dialog(CustomerDialog(self._ctx, profile, self)) if profile else None

    def retranslate(self, *_args: Any) -> None:
        self.title_label.setText(_("Customers"))
        self.search_edit.setPlaceholderText(_("Search by mobile or name"))
        self.add_button.setText(_("Add customer"))
        self.model.retranslate()
        self.profile_panel.retranslate()
        self._show_count(self.model.total)
        if self._selected_id and self.profile_panel.profile is not None:
            self._load_profile(self._selected_id)  # service and staff names come in the UI language

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = named(QLabel(), "PageTitle")
        self.count_label = named(QLabel(), "PageSubtitle")
        self.search_edit = named(QLineEdit(clearButtonEnabled=True), "CustomerSearch")
        self.search_edit.textChanged.connect(self.search.set_text)
        self.search_edit.setMinimumWidth(300)
        search_icon = QLabel()
        search_icon.setPixmap(icon("search").pixmap(20, 20))
        self.add_button = named(QPushButton(icon("plus", color="#FFFFFF"), ""), "AddCustomer")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.open_add_dialog)
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(search_icon)
        header.addWidget(self.search_edit)
        header.addWidget(self.add_button)
        self.table = self._build_table()
        self.profile_panel = CustomerProfilePanel(self._ctx, self)
        self.profile_panel.edit_requested.connect(lambda _id: self.open_edit_dialog())
        self.profile_panel.booking_requested.connect(self.booking_requested)
        self.booking_requested.connect(self._ctx.events.booking_for_customer_requested)
        splitter = named(QSplitter(Qt.Orientation.Horizontal, childrenCollapsible=False), "CustomersSplit")
        splitter.setContentsMargins(1, 0, 1, 0)  # a mirrored QSplitter places its first child 1px too far
        splitter.addWidget(self.table)
        splitter.addWidget(self.profile_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        shortcut = QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build_table(self) -> QTableView:
        table = rows_view(self.model, "CustomerTable", alternating=True)
        table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        table.activated.connect(lambda _index: self.open_edit_dialog())
        return table

    # -- search results ----------------------------------------------------------------------------------
    def _on_results_loaded(self, total: int) -> None:
        self._show_count(total)
        if self._selected_id and self.select_customer(self._selected_id):
            self._load_profile(self._selected_id)  # it may have changed

    def _show_count(self, total: int) -> None:
        count = self._ctx.l10n().number(total)
        self.count_label.setText(ngettext("{n} customer", "{n} customers", total).format(n=count))

    def _on_current_row_changed(self, current: Any, _previous: Any) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        if row is None:
            return
        if row.id != self._selected_id or self.profile_panel.profile is None:
            self._selected_id = row.id
            self._load_profile(row.id)

    # -- profile -----------------------------------------------------------------------------------------
    def _load_profile(self, customer_id: str) -> None:
        self._profile_loads.run_now(
            self._ctx.desk.customers.profile, customer_id, on_done=self._show_profile, on_error=self._on_failed
        )

    def _show_profile(self, profile: CustomerProfile | None) -> None:
        self.profile_panel.show_profile(profile)
        self.profile_shown.emit(profile)

    # -- dialogs and changes -----------------------------------------------------------------------------
    def _open_dialog(self, dialog: CustomerDialog) -> CustomerDialog:
        """Opens window-modal (no nested event loop); the new or edited customer is selected once saved."""
        self.dialog = dialog
        dialog.saved.connect(lambda result: self._on_customer_saved(result.id))
        dialog.finished.connect(lambda _code: self._forget_dialog(dialog))
        dialog.open()
        return dialog

    def _forget_dialog(self, dialog: CustomerDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_customer_saved(self, customer_id: str | None) -> None:
        if customer_id:
            self._selected_id = customer_id
            self._load_profile(customer_id)  # shown even when the current search does not match it

    def _on_changes_applied(self, changes: Changes) -> None:
        if any(changes.touches(entity) for entity in WATCHED_ENTITIES):
            self.search.run_now()

    def _on_failed(self, error: BaseException) -> None:
        text = error_text(error, self._ctx.l10n(), _("Could not load customers."))
        self._ctx.events.message_posted.emit(text)
