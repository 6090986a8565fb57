"""RefundDialog: gives back part or all of an invoice with a credit note (manager's PIN unless a manager is
signed in), by the original method or in cash. Each line shows what is still refundable; the use case refuses
anything above what was paid."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.checkout import RefundLine
from salon_desk.ui.checkout.money_input import parse_riyals, riyals_field
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.usecases.checkout import CheckoutView, RefundInvoice, VoidCheckout


class RefundDialog(QDialog):
    refunded = Signal(object)  # the credit note (IssuedInvoice)

    def __init__(self, ctx: UiContext, view: CheckoutView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RefundDialog")
        assert view.invoice is not None
        self._ctx = ctx
        self._invoice = view.invoice
        credited = [0] * len(self._invoice.lines)
        for note in view.credit_notes:  # what earlier credit notes took, matched by names (as the use case does)
            for nl in note.lines:
                for i, line in enumerate(self._invoice.lines):
                    if (line.name_ar, line.name_en) == (nl.name_ar, nl.name_en) and credited[i] < line.gross:
                        credited[i] += nl.gross
                        break
        self._left = [line.gross - c for line, c in zip(self._invoice.lines, credited, strict=True)]
        l10n = ctx.l10n()
        self.setWindowTitle(_("Refund with a credit note"))
        self.title = named(QLabel(), "SectionTitle")
        self.title.setText(_("Invoice {number}").format(number=self._invoice.number_text))
        form = QFormLayout()
        self.checks: list[QCheckBox] = []
        self.amounts: list[QLineEdit] = []
        for i, line in enumerate(self._invoice.lines):
            name = (line.name_ar if l10n.lang == "ar" else line.name_en) or line.name_en
            check = named(QCheckBox(_("{item} (up to {amount})").format(item=name, amount=l10n.money(self._left[i]))),
                          f"RefundLine{i}")
            amount = named(QLineEdit(riyals_field(self._left[i])), f"RefundAmount{i}")
            amount.setMaximumWidth(110)
            check.setEnabled(self._left[i] > 0)
            amount.setEnabled(self._left[i] > 0)
            form.addRow(check, amount)
            self.checks.append(check)
            self.amounts.append(amount)
        self.all_button = named(QPushButton(_("Everything left")), "RefundAll")
        self.all_button.clicked.connect(self.check_everything)
        self.reason = named(QLineEdit(), "RefundReason")
        self.reason.setPlaceholderText(_("Reason (printed on the credit note)"))
        self.to_cash = named(QCheckBox(_("Give everything back in cash")), "RefundToCash")
        self.pin = named(QLineEdit(), "RefundPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(_("Manager PIN (not needed when a manager is signed in)"))
        self.message = named(QLabel(wordWrap=True), "PageMessage")
        self.message.hide()
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(_("Refund"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.all_button)
        layout.addWidget(self.reason)
        layout.addWidget(self.to_cash)
        layout.addWidget(self.pin)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def check_everything(self) -> None:
        for check in self.checks:
            check.setChecked(check.isEnabled())

    def command(self) -> RefundInvoice | None:
        lines = []
        for i, (check, amount) in enumerate(zip(self.checks, self.amounts, strict=True)):
            if not check.isChecked():
                continue
            value = parse_riyals(amount.text())
            if value is None or value == 0:
                show_message_line(self.message, _("Type each amount in riyals, e.g. 50 or 50.25."), True)
                return None
            lines.append(RefundLine(i, value, self._invoice.lines[i].quantity))
        if not lines:
            show_message_line(self.message, _("Choose what to refund."), True)
            return None
        whole = len(lines) == len(self._invoice.lines) and all(
            r.gross_halalas == self._invoice.lines[r.line_index].gross for r in lines)
        return RefundInvoice(self._invoice.id, self.reason.text(), () if whole else tuple(lines),
                             self.to_cash.isChecked(), self.pin.text().strip() or None)

    def submit(self) -> None:
        cmd = self.command()
        if cmd is None:
            return
        self.ok.setEnabled(False)
        self._ctx.runner.db(self._ctx.desk.checkout.refund, cmd, on_done=self._done, on_error=self._failed,
                            owner=self)

    def _done(self, note: object) -> None:
        self.refunded.emit(note)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        show_message_line(self.message, error_text(error, self._ctx.l10n(), _("Something went wrong.")), True)


class VoidDialog(QDialog):
    """Cancels a bill that has no invoice yet; whatever was taken is paid back (a manager's authority)."""

    voided = Signal(str)  # the checkout id

    def __init__(self, ctx: UiContext, view: CheckoutView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VoidDialog")
        self._ctx = ctx
        self._view = view
        self.setWindowTitle(_("Cancel the bill"))
        info = QLabel(_("Everything paid on this bill ({amount}) is given back. No invoice was issued.").format(
            amount=ctx.l10n().money(view.paid_halalas)))
        info.setWordWrap(True)
        self.reason = named(QLineEdit(), "VoidReason")
        self.reason.setPlaceholderText(_("Reason for cancelling"))
        self.to_cash = named(QCheckBox(_("Give everything back in cash")), "VoidToCash")
        self.pin = named(QLineEdit(), "VoidPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(_("Manager PIN (not needed when a manager is signed in)"))
        self.message = named(QLabel(wordWrap=True), "PageMessage")
        self.message.hide()
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(_("Cancel the bill"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setProperty("danger", True)
        buttons.addButton(_("Keep the bill"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (info, self.reason, self.to_cash, self.pin, self.message, buttons):
            layout.addWidget(w)

    def submit(self) -> None:
        cmd = VoidCheckout(self._view.id, self.reason.text(), self.to_cash.isChecked(), self.pin.text().strip() or None)
        self.ok.setEnabled(False)
        self._ctx.runner.db(self._ctx.desk.checkout.void, cmd, on_done=lambda _r: self._done(), on_error=self._failed,
                            owner=self)

    def _done(self) -> None:
        self.voided.emit(self._view.id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        show_message_line(self.message, error_text(error, self._ctx.l10n(), _("Something went wrong.")), True)
