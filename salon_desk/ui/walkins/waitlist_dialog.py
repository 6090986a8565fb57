"""WaitlistDialog: put a customer on the waitlist for a service in a time window (salon time).

The dialog saves through the use case itself, so a refusal (no customer, window end before start) is shown
translated under the form and nothing typed is lost.

    command = WaitlistDialog(ctx, reference, parent).ask()   # the saved AddWaitlistEntry, or None
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from salon_desk.ui.command_dialog import CommandDialog
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.picker import CustomerPicker
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.walkins.choices import ReferenceData, fill_services, fill_staff
from salon_desk.usecases.commands import AddWaitlistEntry
from salon_desk.usecases.result import Result

DEFAULT_WINDOW_HOURS = 3


def window_instants(day: date, start: time, end: time, timezone: str) -> tuple[datetime, datetime]:
    """The window in UTC. An end at or before the start runs past midnight (late nights, Ramadan)."""
    zone = ZoneInfo(timezone)
    start_at = datetime.combine(day, start, tzinfo=zone)
    end_at = datetime.combine(day, end, tzinfo=zone)
    if end_at <= start_at:
        end_at += timedelta(days=1)
    return start_at.astimezone(UTC), end_at.astimezone(UTC)


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _py_time(value: QTime) -> time:
    return time(value.hour(), value.minute(), value.second(), value.msec() * 1000)


class WaitlistDialog(CommandDialog[AddWaitlistEntry]):
    def __init__(self, ctx: UiContext, reference: ReferenceData, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._reference = reference
        self._build()
        self._set_default_window()
        self.retranslate()

    # -- public ------------------------------------------------------------------------------------------
    def command(self) -> AddWaitlistEntry | None:
        service_id = self.service_combo.currentData()
        if service_id is None:
            return None
        customer_id, new_customer = self.picker.customer_id(), self.picker.new_customer()
        start, end = window_instants(
            _py_date(self.date_edit.date()),
            _py_time(self.from_edit.time()),
            _py_time(self.to_edit.time()),
            self._reference.timezone,
        )
        return AddWaitlistEntry(
            service_id=service_id,
            window_start=start,
            window_end=end,
            customer_id=customer_id,
            new_customer=new_customer,
            staff_id=self.staff_combo.currentData(),
            notes=self.notes_edit.text().strip(),
        )

    def retranslate(self) -> None:
        self.setWindowTitle(_("Add to waitlist"))
        for key, text in (
            ("customer", _("Customer")),
            ("service", _("Service")),
            ("staff", _("Staff member")),
            ("window", _("Wanted time")),
            ("notes", _("Notes")),
        ):
            self._labels[key].setText(text)
        self._to_label.setText(_("to"))
        self.picker.retranslate()
        lang = self._ctx.l10n().lang
        fill_services(self.service_combo, self._reference.services, lang)
        self._on_service_changed()
        self.save_button.setText(_("Add to waitlist"))
        self.cancel_button.setText(_("Cancel"))

    # -- building ----------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setMinimumWidth(460)
        self.picker = CustomerPicker(self._ctx, self)
        self.service_combo = named(QComboBox(), "WaitlistService")
        self.staff_combo = named(QComboBox(), "WaitlistStaff")
        self.date_edit = named(QDateEdit(), "WaitlistDate")
        self.date_edit.setCalendarPopup(True)
        self.from_edit = named(QTimeEdit(), "WaitlistFrom")
        self.to_edit = named(QTimeEdit(), "WaitlistTo")
        for edit, display in (
            (self.date_edit, "dd/MM/yyyy"),
            (self.from_edit, "HH:mm"),
            (self.to_edit, "HH:mm"),
        ):
            # A QDateTimeEdit built right-to-left swaps its sections (10:15 reads 15:10); the direction must be
            # set before the display format.
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            edit.setDisplayFormat(display)
        self.notes_edit = named(QLineEdit(), "WaitlistNotes")
        self._labels = {key: QLabel() for key in ("customer", "service", "staff", "window", "notes")}
        self._to_label = QLabel()
        window = QHBoxLayout()
        for widget in (self.date_edit, self.from_edit, self._to_label, self.to_edit):
            window.addWidget(widget)
        form = QFormLayout()
        form.addRow(self._labels["customer"], self.picker)
        form.addRow(self._labels["service"], self.service_combo)
        form.addRow(self._labels["staff"], self.staff_combo)
        form.addRow(self._labels["window"], window)
        form.addRow(self._labels["notes"], self.notes_edit)
        self.lay_out(form)
        self.service_combo.currentIndexChanged.connect(self._on_service_changed)
        self.picker.changed.connect(self.error_label.hide)

    def _set_default_window(self) -> None:
        local = self._ctx.now().astimezone(ZoneInfo(self._reference.timezone))
        start = (local + timedelta(minutes=15 - local.minute % 15)).replace(second=0, microsecond=0)
        end = start + timedelta(hours=DEFAULT_WINDOW_HOURS)
        self.date_edit.setDate(QDate(start.year, start.month, start.day))
        self.from_edit.setTime(QTime(start.hour, start.minute))
        self.to_edit.setTime(QTime(end.hour, end.minute))

    def _on_service_changed(self, *_args: object) -> None:
        staff = self._reference.staff_for(self.service_combo.currentData())
        fill_staff(self.staff_combo, staff, self._ctx.l10n().lang, _("Anyone"))

    # -- saving ------------------------------------------------------------------------------------------
    def write(self, command: AddWaitlistEntry) -> Result:
        return self._ctx.desk.waitlist.add(command)
