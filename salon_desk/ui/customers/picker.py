"""The one customer picker (booking dialog, waitlist): find as you type (name or mobile, Arabic-Indic digits
too), or enter a new customer inline with the mobile checked as it is typed.

Searches run on the DB lane after a short pause in typing (`Latest`: only the newest answer is shown); the
matches are a `CustomerListModel` fed plain rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import Language
from salon_desk.domain.phone import normalize_mobile
from salon_desk.ui.bidi import isolate
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.text import search_text
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.latest import Latest
from salon_desk.ui.table_model import ROW_ROLE, RowsTableModel
from salon_desk.usecases.commands import NewCustomer
from salon_desk.usecases.views import CustomerSummary

if TYPE_CHECKING:
    pass

SEARCH_DELAY_MS = 200
RESULT_LIMIT = 8
LANGUAGE_NAMES = ((Language.AR, "العربية"), (Language.EN, "English"))  # each in its own language


def looks_like_phone(text: str) -> bool:
    digits = [ch for ch in normalize_digits(text) if ch.isdigit()]
    return len(digits) >= 3 and len(digits) * 2 >= len(text.replace(" ", ""))


class CustomerListModel(RowsTableModel[CustomerSummary]):
    """A few customers as "name  mobile  · visits" lines (one column, shown in a list view), name and number
    each in its own direction."""

    def headers(self) -> tuple[str, ...]:
        return ("",)

    def key(self, row: CustomerSummary) -> str:
        return row.id

    def display(self, row: CustomerSummary, column: int) -> str:
        l10n = self._l10n()
        visits = ngettext("{n} visit", "{n} visits", row.visits).format(n=l10n.number(row.visits))
        return "   ".join(part for part in (isolate(row.name), l10n.phone(row.phone), f"· {visits}") if part)


class CustomerPicker(QWidget):
    changed = Signal()
    searched = Signal(str)  # the text whose results are now shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer: CustomerSummary | None = None
        self._search = Latest(ctx.runner, SEARCH_DELAY_MS, parent=self)
        self.search = QLineEdit(self)
        self.search.setObjectName("CustomerSearch")
        self.search.setClearButtonEnabled(True)
        self.model = CustomerListModel(ctx.l10n, self)
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setObjectName("CustomerResults")
        self.results.setMaximumHeight(150)
        self.results.setVisible(False)
        self.chosen = QLabel(self)
        self.chosen.setObjectName("ChosenCustomer")
        self.change_button = QPushButton(self)
        self.new_toggle = QCheckBox(self)
        self.new_name = QLineEdit(self)
        self.new_phone = QLineEdit(self)
        self.new_phone.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # phone numbers read left to right
        self.new_language = QComboBox(self)
        for language, name in LANGUAGE_NAMES:
            self.new_language.addItem(name, language)
        self.phone_hint = QLabel(self)
        self.phone_hint.setProperty("muted", True)
        self.phone_hint.setWordWrap(True)
        self._build()
        self._connect()
        self.retranslate()
        self._show_state()

    def _build(self) -> None:
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen, 1)
        chosen_row.addWidget(self.change_button)
        self.new_box = QWidget(self)
        fields = QGridLayout(self.new_box)  # one row: name, mobile, language; the mobile's hint under it
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setVerticalSpacing(2)
        fields.addWidget(self.new_name, 0, 0)
        fields.addWidget(self.new_phone, 0, 1)
        fields.addWidget(self.new_language, 0, 2)
        fields.addWidget(self.phone_hint, 1, 0, 1, 3)
        fields.setColumnStretch(0, 3)
        fields.setColumnStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addLayout(chosen_row)
        layout.addWidget(self.new_toggle)
        layout.addWidget(self.new_box)

    def _connect(self) -> None:
        self.search.textEdited.connect(lambda _text: self._request_search(now=False))
        self.search.installEventFilter(self)
        self.results.activated.connect(self._on_result_chosen)
        self.results.clicked.connect(self._on_result_chosen)
        self.change_button.clicked.connect(self.clear_choice)
        self.new_toggle.toggled.connect(self._on_new_toggled)
        self.new_name.textChanged.connect(lambda _t: self.changed.emit())
        self.new_phone.textChanged.connect(self._on_phone_changed)
        self.new_language.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by name or mobile number"))
        self.search.setAccessibleName(_("Customer"))
        self.change_button.setText(_("Change"))
        self.new_toggle.setText(_("New customer"))
        for field, label in (
            (self.new_name, _("Name")),
            (self.new_phone, _("Mobile number")),
            (self.new_language, _("Preferred language")),
        ):
            field.setAccessibleName(label)
            field.setToolTip(label)
        self.new_name.setPlaceholderText(_("Name"))
        self.new_phone.setPlaceholderText(_("Mobile number") + " 05XXXXXXXX")

    # -- searching -----------------------------------------------------------------------------------------
    def search_now(self) -> None:
        """Searches for what the field holds at once (e.g. a phone number filled in by code)."""
        self._request_search(now=True)

    def _request_search(self, now: bool) -> None:
        text = self.search.text().strip()  # as typed: a new customer starts with it
        if not search_text(text):
            self._search.cancel()
            self._show_results(text, [])
            return
        ask = self._search.run_now if now else self._search.request
        ask(
            self.ctx.desk.customers.search,
            search_text(text),
            RESULT_LIMIT,
            on_done=lambda found: self._show_results(text, found),
            on_error=lambda _exc: self._show_results(text, []),
        )

    def _show_results(self, text: str, found: list[CustomerSummary]) -> None:
        self.model.set_rows(found)
        if found:
            self.results.setCurrentIndex(self.model.index(0, 0))
        self.results.setVisible(bool(found))
        if not found and text and not self.new_toggle.isChecked():
            self._offer_new(text)
        self.searched.emit(text)

    def _offer_new(self, text: str) -> None:
        """Nobody found: start a new customer with what was typed."""
        if looks_like_phone(text):
            self.new_phone.setText(text)
        else:
            self.new_name.setText(text)
        self.new_toggle.setChecked(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Down moves into the results; Enter picks the highlighted one instead of saving the dialog."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress and self.results.isVisible():
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key == Qt.Key.Key_Down:
                self.results.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.currentIndex().isValid():
                self._on_result_chosen(self.results.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _on_result_chosen(self, index: QModelIndex) -> None:
        summary = index.data(ROW_ROLE)
        if summary is not None:
            self.choose(summary)

    def choose(self, summary: CustomerSummary) -> None:
        self.customer = summary
        self.new_toggle.setChecked(False)
        self.results.setVisible(False)
        self._show_state()
        self.changed.emit()

    def clear_choice(self) -> None:
        self.customer = None
        self._show_state()
        self.search.setFocus()
        self.changed.emit()

    def _on_new_toggled(self, checked: bool) -> None:
        if checked:
            self.customer = None
        self._show_state()
        if checked:
            (self.new_name if not self.new_name.text() else self.new_phone).setFocus()
        self.changed.emit()

    def _show_state(self) -> None:
        chosen = self.customer is not None
        creating = self.new_toggle.isChecked() and not chosen
        self.search.setVisible(not chosen)
        self.results.setVisible(self.results.isVisible() and not chosen and not creating)
        self.chosen.setVisible(chosen)
        self.change_button.setVisible(chosen)
        self.new_toggle.setVisible(not chosen)
        self.new_box.setVisible(creating)
        if self.customer is not None:
            l10n = self.ctx.l10n()
            self.chosen.setText(
                f"<b>{_html(self.customer.name)}</b>&nbsp;&nbsp;{l10n.phone(self.customer.phone)}"
            )

    def _on_phone_changed(self, _text: str) -> None:
        self.phone_hint.setText(self.phone_text())
        wrong = bool(self.new_phone.text().strip()) and self.phone_problem() is not None
        self.phone_hint.setStyleSheet("color: #B3261E; font-weight: bold;" if wrong else "color: #1E7B34;")
        self.new_phone.setProperty("invalid", wrong)
        self.new_phone.style().unpolish(self.new_phone)
        self.new_phone.style().polish(self.new_phone)
        self.changed.emit()

    # -- the answer ----------------------------------------------------------------------------------------
    def phone_problem(self) -> str | None:
        try:
            normalize_mobile(self.new_phone.text())
        except DomainError as exc:
            return self.ctx.l10n().error(exc)
        return None

    def phone_text(self) -> str:
        """Under the phone field: the number as it will be saved, or what is wrong with it."""
        if not self.new_phone.text().strip():
            return ""
        problem = self.phone_problem()
        if problem:
            return problem
        return self.ctx.l10n().phone(normalize_mobile(self.new_phone.text()))

    def new_customer(self) -> NewCustomer | None:
        if self.customer is not None or not self.new_toggle.isChecked():
            return None
        return NewCustomer(
            self.new_name.text().strip(),
            normalize_digits(self.new_phone.text()).strip(),
            self.new_language.currentData(),
        )

    def customer_id(self) -> str | None:
        return None if self.customer is None else self.customer.id

    def is_complete(self) -> bool:
        return self.customer is not None or (
            self.new_toggle.isChecked()
            and bool(self.new_name.text().strip())
            and self.phone_problem() is None
        )


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
