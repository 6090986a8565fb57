"""DailyCloseDialog: this desk's drawer for the current business day: takings per method, refunds, discounts,
VAT, the invoice range, the cash counted against what should be there, and who closes. A closed day never
changes; the use case refuses a second close."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from salon_desk.ui.checkout.money_input import parse_riyals
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.ui.receipts import Paper, ReceiptOptions
from salon_desk.ui.receipts.close_report import render_close_pdf
from salon_desk.usecases.checkout import CloseDay

METHODS = {"cash": "Cash", "card_terminal": "Card", "moyasar_link": "Payment link"}


class DailyCloseDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DailyCloseDialog")
        self._ctx = ctx
        self._figures: Any = None
        self._salon_name = ""
        self._timezone = "Asia/Riyadh"
        self.closed: Any = None
        self.setWindowTitle(_("Daily close"))
        self.title = named(QLabel(), "SectionTitle")
        self.figures = QFormLayout()
        self.float_edit = named(QLineEdit("0"), "OpeningFloat")
        self.count_edit = named(QLineEdit(), "CashCounted")
        self.expected = named(QLabel(), "ExpectedCash")
        self.variance = named(QLabel(), "CashVariance")
        self.variance.setStyleSheet("font-weight: bold;")
        for edit in (self.float_edit, self.count_edit):
            edit.textChanged.connect(self._show_variance)
        count = QFormLayout()
        count.addRow(_("Opening float (SAR)"), self.float_edit)
        count.addRow(_("Cash expected"), self.expected)
        count.addRow(_("Cash counted (SAR)"), self.count_edit)
        count.addRow(_("Variance"), self.variance)
        self.closed_by = QLabel(_("Closed by {name}").format(name=ctx.user.name if ctx.user else ""))
        self.message = named(QLabel(wordWrap=True), "PageMessage")
        self.message.hide()
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(_("Close the day"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button = buttons.addButton(_("Save the close as PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.hide()
        self.save_button.clicked.connect(self._on_save)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.figures)
        layout.addLayout(count)
        layout.addWidget(self.closed_by)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.day: date | None = None
        ctx.runner.db(self._load, ctx.desk, ctx.now(), on_done=self._show, on_error=self._failed, owner=self)

    @staticmethod
    def _load(desk: Any, now: Any) -> tuple[Any, Any, Any, Any, Any]:
        day = desk.calendar.business_day(now)
        return (day, desk.checkout.close_preview(day), desk.checkout.series(), desk.checkout.salon_summary(day),
                desk.reference.salon_info())

    def _show(self, answer: tuple[Any, Any, Any, Any, Any]) -> None:
        day, self._figures, series, salon, info = answer
        self._salon_name = info.name_ar or info.name_en
        self._timezone = info.timezone
        self.day = day
        l10n = self._ctx.l10n()
        f = self._figures
        self.title.setText(_("Daily close of {day}").format(day=l10n.date(day, "full")))
        rows: list[tuple[str, str]] = []
        for method, amount in sorted(f.takings.items()):
            rows.append((_("Takings: {method}").format(method=_(METHODS.get(method, method))), l10n.money(amount)))
        for method, amount in sorted(f.refunds.items()):
            rows.append((_("Refunds: {method}").format(method=_(METHODS.get(method, method))), l10n.money(-amount)))
        rows += [
            (_("Net takings"), l10n.money(f.net_takings)),
            (_("Discounts given"), l10n.money(f.discounts_halalas)),
            (_("VAT collected"), l10n.money(f.vat_halalas)),
            (_("Invoices"), f"{f.invoice_first or '—'} … {f.invoice_last or '—'} ({l10n.number(f.invoice_count)})"),
            (_("Credit notes"), l10n.number(f.credit_note_count)),
            (_("ZATCA phase"), str(series.zatca_phase.value)),
        ]
        if series.phase_2_note:
            rows.append((_("Note"), _("Reporting to ZATCA (Phase 2) is not built yet.")))
        if f.adjustments:
            rows.append((_("Late payments from earlier days"), l10n.number(len(f.adjustments))))
        if salon.closes:  # every desk of the salon that closed this day (as synced to this desk)
            rows.append((_("Salon, desks closed so far"), _("{count}: takings {takings}, variance {variance}").format(
                count=l10n.number(len(salon.closes)), takings=l10n.money(sum(salon.takings.values())
                                                                         - sum(salon.refunds.values())),
                variance=l10n.money(salon.variance_halalas))))
        for caption, value in rows:
            self.figures.addRow(caption, named(QLabel(value), "CloseFigure"))
        self._show_variance()

    def _expected(self) -> int | None:
        opening = parse_riyals(self.float_edit.text() or "0")
        if self._figures is None or opening is None:
            return None
        return int(self._figures.expected_cash_halalas) + opening

    def _show_variance(self) -> None:
        l10n = self._ctx.l10n()
        expected = self._expected()
        self.expected.setText(l10n.money(expected) if expected is not None else "—")
        counted = parse_riyals(self.count_edit.text())
        self.variance.setText(l10n.money(counted - expected) if counted is not None and expected is not None else "—")

    def submit(self) -> None:
        opening = parse_riyals(self.float_edit.text() or "0")
        counted = parse_riyals(self.count_edit.text())
        if opening is None or counted is None or self.day is None:
            show_message_line(self.message, _("Type the cash counted in riyals, e.g. 1250.50."), True)
            return
        self.ok.setEnabled(False)
        self._ctx.runner.db(self._ctx.desk.checkout.close_day, CloseDay(self.day, counted, opening),
                            on_done=self._done, on_error=self._failed, owner=self)

    def _done(self, close: Any) -> None:
        """Closed: the figures stay on screen, the close can be saved or printed, and nothing can change."""
        self.closed = close
        show_message_line(self.message, _("The day is closed. Variance: {variance}.").format(
            variance=self._ctx.l10n().money(close.variance_halalas)))
        self.ok.hide()
        for edit in (self.float_edit, self.count_edit):
            edit.setReadOnly(True)
        self.save_button.show()
        self.cancel.setText(_("Done"))

    def save_pdf(self, path: Path, paper: Paper = Paper.ROLL_80) -> Path | None:
        if self.closed is None:
            return None
        english = str(self._ctx.settings.value("receipts/english", "true")).lower() != "false"
        return render_close_pdf(self.closed, path, ReceiptOptions(paper, english=english, timezone=self._timezone),
                                self._salon_name)

    def _on_save(self) -> None:
        if self.closed is None:
            return
        name, _filter = QFileDialog.getSaveFileName(self, _("Save the close as PDF…"),
                                                    f"close-{self.closed.business_day.isoformat()}.pdf", "PDF (*.pdf)")
        if name:
            out = self.save_pdf(Path(name))
            if out is not None:
                show_message_line(self.message, _("Saved {file}.").format(file=out.name))

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        show_message_line(self.message, error_text(error, self._ctx.l10n(), _("Something went wrong.")), True)
