"""OnlinePaymentsPanel: a visit's Moyasar pay links on the checkout page (issue #12).

    panel = OnlinePaymentsPanel(ctx)
    panel.set_visit(booking_id, checkout_id, balance_halalas)

Each link shows its live state as the cloud last said (requested, paid, refunded x of y, expired, failed),
refreshed whenever rows arrive by sync. "Send pay link" asks the cloud for a link for the amount typed (the
bill's balance by default, or a deposit) and the cloud sends it to the customer by SMS/WhatsApp; "Refund"
returns money from the selected payment under a manager's authority (the manager-PIN dialog when a
receptionist is signed in); "Void" cancels a paid payment before Moyasar settles it, after a confirmation and
under the same authority (money a bill already counts is refunded instead, with its credit note). Both need the network: offline, the panel says so and nothing is queued.
Each request runs prepare (DB lane) -> ask the cloud (network lane) -> record (DB lane).
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Changes
from salon_desk.domain.online_payments import OnlineState
from salon_desk.ui.checkout.money_input import parse_riyals, riyals_field
from salon_desk.ui.checkout.online_text import detail, headline
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.manager_pin import run_elevated
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.usecases.online_payments import (
    CancelAnswer,
    CancelTicket,
    MoneyBackTicket,
    OnlinePaymentLine,
    PayLinkAnswer,
    PayLinkTicket,
    RefundAnswer,
    RefundOnlinePayment,
    SendPayLink,
    VoidAnswer,
    VoidOnlinePayment,
)

ATTENTION = frozenset({OnlineState.FAILED, OnlineState.EXPIRED, OnlineState.MISMATCH})
ATTENTION_COLOUR = "#C53030"  # the theme's needs-attention red


class OnlinePaymentsPanel(QWidget):
    loaded = Signal(object)  # the tuple of OnlinePaymentLine now shown
    link_sent = Signal(object)  # PayLinkAnswer
    refunded = Signal(object)  # RefundAnswer
    cancelled = Signal(object)  # CancelAnswer
    voided = Signal(object)  # VoidAnswer
    failed = Signal(str)  # the translated refusal shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OnlinePayments")
        self._ctx = ctx
        self._booking_id: str | None = None
        self._checkout_id: str | None = None
        self._balance = 0
        self._lines: tuple[OnlinePaymentLine, ...] = ()
        self._names: dict[str, str] = {}
        self._busy = False
        self.void_confirm: QMessageBox | None = None  # while "Void this payment?" is open (tests drive it)
        self._build()
        ctx.events.language_changed.connect(self.retranslate)
        ctx.events.changes_applied.connect(self._on_changes)
        self.retranslate()

    # -- public ------------------------------------------------------------------------------------------
    @property
    def lines(self) -> tuple[OnlinePaymentLine, ...]:
        return self._lines

    def set_visit(self, booking_id: str | None, checkout_id: str | None, balance_halalas: int) -> None:
        changed = (booking_id, checkout_id) != (self._booking_id, self._checkout_id)
        self._booking_id, self._checkout_id, self._balance = booking_id, checkout_id, balance_halalas
        if changed or not self.amount_edit.isModified():
            self.amount_edit.setText(riyals_field(balance_halalas, self._ctx.digit_style) if balance_halalas else "")
            self.amount_edit.setModified(False)
        if changed:
            show_message_line(self.message_label, "")
            self.refund_edit.clear()
        self.reload()

    def reload(self) -> None:
        booking_id, checkout_id = self._booking_id, self._checkout_id

        def load(desk: Any) -> tuple[tuple[OnlinePaymentLine, ...], dict[str, str]]:
            return desk.online_payments.for_visit(booking_id, checkout_id), desk.online_payments.user_names()

        self._ctx.runner.db(load, self._ctx.desk, on_done=self._on_loaded, on_error=self._show_error, owner=self)

    def send_link(self) -> None:
        """Asks the cloud for a link for the typed amount; it goes to the customer by SMS/WhatsApp."""
        amount = parse_riyals(self.amount_edit.text())
        if amount is None:
            self._say(_("Type the amount in riyals, e.g. 150 or 150.50."), error=True)
            return
        cmd = SendPayLink(self._booking_id, self._checkout_id, str(self.purpose_combo.currentData()), amount,
                          uuid.uuid4().hex)
        desk = self._ctx.desk.online_payments
        self._set_busy(True)
        self._ctx.runner.db(desk.prepare_link, cmd, on_done=self._ask_link, on_error=self._show_error, owner=self)

    def refund_selected(self) -> None:
        line = self.selected()
        if line is None or not line.refundable:
            self._say(_("Select a paid online payment to refund."), error=True)
            return
        text = self.refund_edit.text().strip()
        amount = parse_riyals(text) if text else None
        if text and amount is None:
            self._say(_("Type the amount in riyals, e.g. 150 or 150.50."), error=True)
            return
        cmd = RefundOnlinePayment(line.payment.id, amount, uuid.uuid4().hex)
        desk = self._ctx.desk.online_payments
        self._set_busy(True)
        run_elevated(self._ctx, self, lambda pin: desk.authorise_refund(cmd, pin),
                     on_done=self._ask_refund, on_error=self._show_error)

    def void_selected(self) -> None:
        """Asks to confirm, then voids the selected paid payment under a manager's authority (online only)."""
        line = self.selected()
        if line is None or not line.voidable:
            self._say(_("Select a paid online payment with nothing refunded to void it."), error=True)
            return
        l10n = self._ctx.l10n()
        box = QMessageBox(QMessageBox.Icon.Warning, _("Void this payment?"), "", QMessageBox.StandardButton.NoButton,
                          self)
        box.setObjectName("VoidOnlineConfirm")
        box.setText(_("Void the online payment of {amount}? All of it goes back to the customer's card, and the "
                      "link cannot be paid again. Moyasar refuses once the money has been settled to the salon; "
                      "then refund it instead.").format(amount=l10n.isolate(l10n.money(line.payment.paid_halalas))))
        void = box.addButton(_("Void payment"), QMessageBox.ButtonRole.DestructiveRole)
        void.setObjectName("ConfirmVoid")
        void.setProperty("danger", True)
        keep = box.addButton(_("Keep it"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        cmd = VoidOnlinePayment(line.payment.id, uuid.uuid4().hex)

        def answered(button: Any) -> None:
            self.void_confirm = None
            if button is void:
                self._void(cmd)

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _code: setattr(self, "void_confirm", None))
        self.void_confirm = box
        box.open()

    def _void(self, cmd: VoidOnlinePayment) -> None:
        desk = self._ctx.desk.online_payments
        self._set_busy(True)
        run_elevated(self._ctx, self, lambda pin: desk.authorise_void(cmd, pin),
                     on_done=self._ask_void, on_error=self._show_error)

    def cancel_selected(self) -> None:
        """Cancels the selected link while it still waits for the customer (online only)."""
        line = self.selected()
        if line is None or not line.cancellable:
            self._say(_("Select a payment link that is still waiting to cancel it."), error=True)
            return
        desk = self._ctx.desk.online_payments
        self._set_busy(True)
        self._ctx.runner.db(desk.prepare_cancel, line.payment.id, on_done=self._ask_cancel,
                            on_error=self._show_error, owner=self)

    def selected(self) -> OnlinePaymentLine | None:
        row = self.list.currentRow()
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def message(self) -> str:
        return "" if self.message_label.isHidden() else self.message_label.text()

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = named(QLabel(), "SectionTitle")
        self.title_label.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.list = named(QListWidget(), "OnlinePaymentList")
        self.list.setMinimumHeight(180)
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.empty_label = named(QLabel(wordWrap=True), "OnlinePaymentsEmpty")
        self.purpose_combo = named(QComboBox(), "PayLinkPurpose")
        self.purpose_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.amount_edit = named(QLineEdit(), "PayLinkAmount")
        self.send_button = named(QPushButton(), "SendPayLink")
        self.send_button.clicked.connect(self.send_link)
        self.refund_edit = named(QLineEdit(), "OnlineRefundAmount")
        self.refund_button = named(QPushButton(), "RefundOnline")
        self.refund_button.setProperty("danger", True)
        self.refund_button.clicked.connect(self.refund_selected)
        self.void_button = named(QPushButton(), "VoidOnline")
        self.void_button.setProperty("danger", True)
        self.void_button.clicked.connect(self.void_selected)
        self.cancel_button = named(QPushButton(), "CancelPayLink")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.message_label = named(QLabel(wordWrap=True), "OnlinePaymentsMessage")
        show_message_line(self.message_label, "")
        send_row = QHBoxLayout()
        send_row.addWidget(self.purpose_combo)
        send_row.addWidget(self.amount_edit, 1)
        send_row.addWidget(self.send_button)
        refund_row = QHBoxLayout()
        refund_row.addWidget(self.refund_edit, 1)
        refund_row.addWidget(self.refund_button)
        refund_row.addWidget(self.void_button)
        refund_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(send_row)
        layout.addLayout(refund_row)
        layout.addWidget(self.message_label)

    def retranslate(self, *_args: Any) -> None:
        show_message_line(self.message_label, "")  # said in the previous language
        self.title_label.setText(_("Online payments"))
        self.empty_label.setText(_("No payment link has been sent for this visit."))
        current = self.purpose_combo.currentIndex()
        self.purpose_combo.clear()
        self.purpose_combo.addItem(_("Balance"), "balance")
        self.purpose_combo.addItem(_("Deposit"), "deposit")
        self.purpose_combo.setCurrentIndex(max(0, current))
        self.amount_edit.setPlaceholderText(_("Amount (SAR)"))
        self.send_button.setText(_("Send pay link"))
        self.send_button.setToolTip(_("The customer gets the link by SMS or WhatsApp, in their language."))
        self.refund_edit.setPlaceholderText(_("Amount to refund (SAR)"))
        self.refund_edit.setToolTip(_("Leave it empty to refund all that is left."))
        self.refund_button.setText(_("Refund…"))
        self.void_button.setText(_("Void…"))
        self.void_button.setToolTip(_("Before Moyasar settles it: the whole payment goes back to the customer."))
        self.cancel_button.setText(_("Cancel link"))
        self.cancel_button.setToolTip(_("The customer can no longer pay with this link."))
        self._show_lines()

    # -- results -----------------------------------------------------------------------------------------
    def _on_changes(self, changes: Any) -> None:
        if not isinstance(changes, Changes) or changes.touches("online_payment") or not changes.entities:
            self.reload()

    def _on_loaded(self, answer: tuple[tuple[OnlinePaymentLine, ...], dict[str, str]]) -> None:
        selected = self.selected()
        self._lines, self._names = answer
        self._show_lines()
        if selected is not None:
            for row, line in enumerate(self._lines):
                if line.payment.id == selected.payment.id:
                    self.list.setCurrentRow(row)
        self.loaded.emit(self._lines)

    def _show_lines(self) -> None:
        l10n = self._ctx.l10n()
        self.list.clear()
        for line in self._lines:
            text = f"{headline(l10n, line)}\n{detail(l10n, line, self._ctx.timezone, self._names)}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, line.payment.id)
            if line.state in ATTENTION:
                item.setForeground(QBrush(QColor(ATTENTION_COLOUR)))
            self.list.addItem(item)
        self.list.setVisible(bool(self._lines))
        self.empty_label.setVisible(not self._lines)
        self._enable()

    def _enable(self) -> None:
        has_visit = self._booking_id is not None
        self.send_button.setEnabled(has_visit and not self._busy)
        self.amount_edit.setEnabled(has_visit)
        self.purpose_combo.setEnabled(has_visit)
        line = self.selected()
        refundable = line is not None and line.refundable
        self.refund_button.setEnabled(refundable and not self._busy)
        self.refund_edit.setEnabled(refundable)
        self.void_button.setEnabled(line is not None and line.voidable and not self._busy)
        self.cancel_button.setEnabled(line is not None and line.cancellable and not self._busy)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._enable()

    def _ask_link(self, ticket: PayLinkTicket) -> None:
        desk = self._ctx.desk.online_payments
        self._ctx.runner.net(desk.request_link, ticket, on_done=lambda answer: self._record_link(ticket, answer),
                             on_error=self._show_error, owner=self)

    def _record_link(self, ticket: PayLinkTicket, answer: PayLinkAnswer) -> None:
        desk = self._ctx.desk.online_payments

        def recorded(changes: Changes) -> None:
            self._set_busy(False)
            self.amount_edit.setModified(False)  # back to the bill's balance on the next refresh
            self._say(_("Pay link sent to the customer.") if answer.notified
                      else _("Pay link made, but the customer has no phone number to send it to."))
            self.link_sent.emit(answer)
            self._ctx.events.changes_applied.emit(changes)  # syncs now: the link's state arrives by pull

        self._ctx.runner.db(desk.record_link, ticket, answer, on_done=recorded, on_error=self._show_error,
                            owner=self)

    def _ask_refund(self, ticket: MoneyBackTicket) -> None:
        desk = self._ctx.desk.online_payments
        self._ctx.runner.net(desk.request_refund, ticket,
                             on_done=lambda answer: self._record_refund(ticket, answer),
                             on_error=self._show_error, owner=self)

    def _record_refund(self, ticket: MoneyBackTicket, answer: RefundAnswer) -> None:
        desk = self._ctx.desk.online_payments

        def recorded(changes: Changes) -> None:
            self._set_busy(False)
            self.refund_edit.clear()
            l10n = self._ctx.l10n()
            self._say(_("Refunded. {refunded} of {paid} is back with the customer.").format(
                refunded=l10n.isolate(l10n.money(answer.refunded_halalas)),
                paid=l10n.isolate(l10n.money(answer.amount_halalas))))
            self.refunded.emit(answer)
            self._ctx.events.changes_applied.emit(changes)

        self._ctx.runner.db(desk.record_refund, ticket, answer, on_done=recorded, on_error=self._show_error,
                            owner=self)

    def _ask_void(self, ticket: MoneyBackTicket) -> None:
        desk = self._ctx.desk.online_payments
        self._ctx.runner.net(desk.request_void, ticket,
                             on_done=lambda answer: self._record_void(ticket, answer),
                             on_error=self._show_error, owner=self)

    def _record_void(self, ticket: MoneyBackTicket, answer: VoidAnswer) -> None:
        desk = self._ctx.desk.online_payments

        def recorded(changes: Changes) -> None:
            self._set_busy(False)
            l10n = self._ctx.l10n()
            self._say(_("Payment voided. {amount} went back to the customer.").format(
                amount=l10n.isolate(l10n.money(answer.amount_halalas))))
            self.voided.emit(answer)
            self._ctx.events.changes_applied.emit(changes)  # syncs now: the voided state arrives by pull

        self._ctx.runner.db(desk.record_void, ticket, answer, on_done=recorded, on_error=self._show_error,
                            owner=self)

    def _ask_cancel(self, ticket: CancelTicket) -> None:
        desk = self._ctx.desk.online_payments
        self._ctx.runner.net(desk.request_cancel, ticket,
                             on_done=lambda answer: self._record_cancel(ticket, answer),
                             on_error=self._show_error, owner=self)

    def _record_cancel(self, ticket: CancelTicket, answer: CancelAnswer) -> None:
        desk = self._ctx.desk.online_payments

        def recorded(changes: Changes) -> None:
            self._set_busy(False)
            self._say(_("Payment link cancelled.") if answer.status == "cancelled"
                      else _("The customer paid before the link could be cancelled."))
            self.cancelled.emit(answer)
            self._ctx.events.changes_applied.emit(changes)  # syncs now: the link's state arrives by pull

        self._ctx.runner.db(desk.record_cancel, ticket, answer, on_done=recorded, on_error=self._show_error,
                            owner=self)

    def _show_error(self, error: BaseException) -> None:
        self._set_busy(False)
        text = error_text(error, self._ctx.l10n())
        self._say(text, error=True)
        self.failed.emit(text)

    def _say(self, text: str, error: bool = False) -> None:
        show_message_line(self.message_label, text, error=error)
