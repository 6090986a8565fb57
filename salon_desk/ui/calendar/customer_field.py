"""The booking dialog's customer field: find as you type (name or mobile), or enter a new customer inline.

Searches run on the DB lane after a short pause in typing; only the newest answer is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.digits import normalize_digits
from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import Language
from salon_desk.domain.phone import normalize_mobile
from salon_desk.ui.i18n import _, ngettext
from salon_desk.usecases.commands import NewCustomer
from salon_desk.usecases.views import CustomerSummary

SEARCH_DELAY_MS = 250
RESULT_LIMIT = 8
LANGUAGE_NAMES = ((Language.AR, "العربية"), (Language.EN, "English"))  # each in its own language


def looks_like_phone(text: str) -> bool:
    digits = [ch for ch in normalize_digits(text) if ch.isdigit()]
    return len(digits) >= 3 and len(digits) * 2 >= len(text.replace(" ", ""))


class CustomerPicker(QWidget):
    changed = Signal()
    searched = Signal(str)  # the text whose results are now shown

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer: CustomerSummary | None = None
        self._token = 0
        self.search = QLineEdit(self)
        self.search.setObjectName("CustomerSearch")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget(self)
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
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
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
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self._timer.timeout.connect(self._run_search)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(self._on_result_chosen)
        self.results.itemClicked.connect(self._on_result_chosen)
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
    def _run_search(self) -> None:
        text = self.search.text().strip()
        self._token += 1
        token = self._token
        if not text:
            self._show_results(token, text, [])
            return
        if self.ctx.runner.is_shut_down:
            return
        self.ctx.runner.db(
            self.ctx.desk.search_customers,
            text,
            RESULT_LIMIT,
            on_done=lambda found: self._show_results(token, text, found),
            on_error=lambda exc: self._show_results(token, text, []),
            owner=self,
        )

    def _show_results(self, token: int, text: str, found: list[CustomerSummary]) -> None:
        if token != self._token:
            return  # an older search answered late
        self.results.clear()
        l10n = self.ctx.l10n()
        for summary in found:
            visits = ngettext("{n} visit", "{n} visits", summary.visits).format(n=l10n.number(summary.visits))
            label = f"{l10n.isolate(summary.name)}   {l10n.phone(summary.phone)}   · {visits}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, summary)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)
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
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.currentItem() is not None:
                self._on_result_chosen(self.results.currentItem())
                return True
        return super().eventFilter(watched, event)

    def _on_result_chosen(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))

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
        if chosen:
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
