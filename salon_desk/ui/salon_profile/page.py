"""SalonProfilePage: the owner's page for what checkout, invoices, links and notifications rely on: names,
VAT number, commercial registration, address, SMS sender name, digit style, business hours (painted in the
same weekly grid as staff hours; past midnight allowed), dated hours such as Ramadan's (DatedHoursEditor) and
closures, cancellation cutoff, deposit and what happens to it (DepositChoiceBox), discount
limit, idle lock, link expiry and ZATCA phase. New hours or closures that leave bookings outside working
time show them first (ConsequencesDialog)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.model import Salon
from salon_desk.domain.money import parse_amount
from salon_desk.domain.scheduling.dated_hours import dated_hours_to_json
from salon_desk.ui.availability.consequences import ConsequencesDialog, load_choices
from salon_desk.ui.availability.grid import WeekGrid
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text, read_form
from salon_desk.ui.i18n import _
from salon_desk.ui.manager_pin import run_elevated
from salon_desk.ui.named import named
from salon_desk.ui.names import name_in
from salon_desk.ui.salon_profile.dated_hours import DatedHoursEditor
from salon_desk.ui.salon_profile.deposit_policy import FIELD_LABELS, DepositChoiceBox


def _spin(lo: int, hi: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    return box


class SalonProfilePage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SalonProfilePage")
        self._ctx = ctx
        self.salon: Salon | None = None
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.message_label = QLabel(wordWrap=True)
        self.texts = {k: QLineEdit() for k in ("name_ar", "name_en", "vat_number", "commercial_registration",
                                                "address", "sms_sender", "deposit", "closures")}
        self.digits = QComboBox()
        self.zatca = QComboBox()
        self.spins = {"cancel_cutoff_minutes": _spin(0, 7 * 24 * 60), "discount_limit_percent": _spin(0, 100),
                      "idle_lock_minutes": _spin(1, 240), "link_expiry_hours": _spin(1, 720)}
        self.deposit_policy = {key: DepositChoiceBox(key) for key in FIELD_LABELS}
        self.hours = WeekGrid()
        self.dated_hours = DatedHoursEditor(
            lambda: ctx.now().astimezone(ZoneInfo(ctx.timezone)).date(), ctx.l10n)
        self.save_button = QPushButton()
        self.form = QFormLayout()
        self.row_labels: dict[str, QLabel] = {}
        for key in ("name_ar", "name_en", "vat_number", "commercial_registration", "address", "sms_sender",
                    "digit_style", "cancel_cutoff_minutes", "deposit", *self.deposit_policy,
                    "discount_limit_percent", "idle_lock_minutes", "link_expiry_hours", "zatca_phase", "closures"):
            label = QLabel()
            self.row_labels[key] = label
            field: QWidget = (self.texts.get(key) or self.spins.get(key) or self.deposit_policy.get(key)
                              or (self.digits if key == "digit_style" else self.zatca))
            self.form.addRow(label, field)
        self.hours_label = named(QLabel(), "SectionTitle")
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addLayout(self.form)
        column.addWidget(self.hours_label)
        column.addWidget(self.hours)
        self.dated_label = named(QLabel(), "SectionTitle")
        column.addWidget(self.dated_label)
        column.addWidget(self.dated_hours)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        for widget in (self.title_label, self.subtitle_label, self.message_label):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        self.save_button.clicked.connect(self.save)
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.title_label.setText(_("Salon profile"))
        self.subtitle_label.setText(_("What invoices, payment links and messages rely on. Only the owner can "
                                      "change these; business hours and closures also a manager."))
        texts = {"name_ar": _("Name (Arabic)"), "name_en": _("Name (English)"), "vat_number": _("VAT number"),
                 "commercial_registration": _("Commercial registration"), "address": _("Address"),
                 "sms_sender": _("SMS sender name"), "digit_style": _("Digits"),
                 "cancel_cutoff_minutes": _("Cancellation cutoff (minutes)"), "deposit": _("Deposit (SAR)"),
                 "discount_limit_percent": _("Discount limit (%)"), "idle_lock_minutes": _("Lock after idle (minutes)"),
                 "link_expiry_hours": _("Payment links expire after (hours)"), "zatca_phase": _("ZATCA phase"),
                 "closures": _("Closed days (YYYY-MM-DD, comma separated)")}
        texts.update({key: _(text) for key, text in FIELD_LABELS.items()})
        for key, label in self.row_labels.items():
            label.setText(texts[key])
        current_digits, current_phase = self.digits.currentData(), self.zatca.currentData()
        self.digits.clear()
        self.digits.addItem(_("Latin digits (123)"), "latn")
        self.digits.addItem(_("Arabic-Indic digits (١٢٣)"), "arab")
        self.zatca.clear()
        self.zatca.addItem(_("Phase 1 (generation)"), 1)
        self.zatca.addItem(_("Phase 2 (integration)"), 2)
        if current_digits:
            self.digits.setCurrentIndex(self.digits.findData(current_digits))
        if current_phase:
            self.zatca.setCurrentIndex(self.zatca.findData(current_phase))
        for box in self.deposit_policy.values():
            box.retranslate()
        self.hours_label.setText(_("Business hours"))
        self.dated_label.setText(_("Dated hours (Ramadan)"))
        self.dated_hours.retranslate()
        self.save_button.setText(_("Save salon profile"))
        self.hours.update()

    def refresh(self) -> None:
        self._ctx.runner.db(self._ctx.desk.salon_profile.get, on_done=self._show, on_error=self._show_error,
                            owner=self)

    def _show(self, salon: Salon) -> None:
        self.salon = salon
        for key in ("name_ar", "name_en", "vat_number", "commercial_registration", "address", "sms_sender"):
            self.texts[key].setText(getattr(salon, key))
        self.texts["deposit"].setText(f"{salon.deposit_halalas // 100}.{salon.deposit_halalas % 100:02d}")
        self.texts["closures"].setText(", ".join(d.isoformat() for d in salon.closures))
        for key, box in self.spins.items():
            box.setValue(getattr(salon, key))
        self.digits.setCurrentIndex(max(0, self.digits.findData(salon.digit_style)))
        self.zatca.setCurrentIndex(max(0, self.zatca.findData(salon.zatca_phase)))
        for key, choice in self.deposit_policy.items():
            choice.select(getattr(salon, key))
        self.hours.set_rules(salon.opening_hours)
        self.dated_hours.set_ranges(salon.dated_hours)

    def fields(self) -> dict[str, Any]:
        closures = []
        for part in self.texts["closures"].text().replace("،", ",").split(","):
            if part.strip():
                try:
                    closures.append(date.fromisoformat(part.strip()).isoformat())
                except ValueError:
                    raise ValidationError("salon.bad_value", field=part.strip()) from None
        values: dict[str, Any] = {key: self.texts[key].text() for key in
                                  ("name_ar", "name_en", "vat_number", "commercial_registration", "address",
                                   "sms_sender")}
        values.update({key: box.value() for key, box in self.spins.items()})
        values["deposit_halalas"] = parse_amount(self.texts["deposit"].text() or "0")
        values["digit_style"] = self.digits.currentData()
        values["zatca_phase"] = self.zatca.currentData()
        values.update({key: choice.value() for key, choice in self.deposit_policy.items()})
        values["closures"] = closures
        values["opening_hours"] = [{"weekday": s.weekday, "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}"}
                                   for s in self.hours.spans()]
        values["dated_hours"] = self.dated_hours.values()
        salon = self.salon
        if salon is not None:  # only what changed, so a manager may change hours and closures alone
            current: dict[str, Any] = {k: getattr(salon, k) for k in values if hasattr(salon, k)}
            current["closures"] = [d.isoformat() for d in salon.closures]
            current["dated_hours"] = dated_hours_to_json(salon.dated_hours)
            current["opening_hours"] = [{"weekday": h.weekday, "start": f"{h.start:%H:%M}", "end": f"{h.end:%H:%M}"}
                                        for h in salon.opening_hours]
            values = {k: v for k, v in values.items() if current.get(k) != v}
            if "opening_hours" in values and sorted(map(str, values["opening_hours"])) == sorted(
                    map(str, current["opening_hours"])):
                del values["opening_hours"]
        return values

    def save(self) -> None:
        fields = read_form(self.fields, self._show_error)
        if fields is None:
            return
        if not fields:
            self.message_label.setText(_("Nothing to save."))
            return
        area = self._ctx.desk.salon_profile
        self._ctx.runner.db(area.preview, fields, on_done=lambda affected: self._settle(fields, affected),
                            on_error=self._show_error, owner=self)

    def _settle(self, fields: dict[str, Any], affected: list[Any]) -> None:
        area = self._ctx.desk.salon_profile
        if not affected:
            run_elevated(self._ctx, self, lambda pin: area.update(fields, None, pin), on_done=self._done,
                         on_error=self._show_error)  # a manager's PIN allows a refused role once
            return
        self._ctx.runner.db(load_choices, self._ctx.desk, affected,
                            on_done=lambda free: self._ask(fields, affected, free), on_error=self._show_error,
                            owner=self)

    def _ask(self, fields: dict[str, Any], affected: list[Any], free: dict[str, list[str]]) -> None:
        lang = self._ctx.l10n().lang
        names = {s.id: name_in(s, lang) for s in self._ctx.desk.reference.staff()}
        dialog = ConsequencesDialog(affected, free, lambda sid: names.get(sid, ""), lang, self._ctx.timezone, self)
        self.consequences_dialog = dialog

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                settlements, area = dialog.settlements(), self._ctx.desk.salon_profile
                run_elevated(self._ctx, self, lambda pin: area.update(fields, settlements, pin),
                             on_done=self._done, on_error=self._show_error)

        dialog.finished.connect(finished)
        dialog.open()

    def _done(self, result: Any) -> None:
        self.message_label.setText(_("Saved."))
        if result.changes:
            self._ctx.events.changes_applied.emit(result.changes)
        self.refresh()

    def _show_error(self, error: BaseException) -> None:
        self.message_label.setText(error_text(error, self._ctx.l10n(), _("This could not be saved.")))
