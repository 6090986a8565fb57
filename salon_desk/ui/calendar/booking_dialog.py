"""The booking dialog: customer (find or create), one or more services with staff or "anyone", the next
free times as clickable choices, notes. Save stays disabled until the store's own check passes, and
every refusal is shown inline in the user's language.

    dialog = BookingDialog(ctx, staff_id="…", start_at=instant, parent=page)
    dialog.open()                  # saves itself through ctx.runner.db(ctx.desk.bookings.create, cmd)
    command = BookingDialog(ctx).ask()   # or: returns the checked CreateBooking (or None), saving nothing
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.errors import DomainError
from salon_desk.domain.scheduling import SlotOption
from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.picker import CustomerPicker
from salon_desk.ui.i18n import _
from salon_desk.ui.latest import Latest
from salon_desk.ui.names import name_in
from salon_desk.usecases.commands import CreateBooking
from salon_desk.usecases.result import Result
from salon_desk.usecases.views import SalonInfo

from .booking_plan import (
    Draft,
    Plan,
    PlanProblem,
    create_in_lane,
    next_bookable_in_lane,
    plan_in_lane,
    slots_in_lane,
)
from .geometry import floor_to_slot
from .qt_locale import date_locale
from .service_rows import ServiceRows
from .slot_choices import SlotChoices

CHECK_DELAY_MS = 200
DEFAULT_ZONE = "Asia/Riyadh"


def problem_text(problem: PlanProblem) -> str:
    return {
        PlanProblem.NO_CUSTOMER: _("Choose a customer or enter a new one."),
        PlanProblem.NO_SERVICE: _("Choose at least one service."),
        PlanProblem.NO_TIME: _("Choose a time."),
        PlanProblem.NOBODY_FREE: _(
            "Nobody who performs this service is free at that time. Choose one of the free times."
        ),
    }[problem]


class BookingDialog(QDialog):
    booking_created = Signal(str)  # booking id, after the store saved it
    validated = Signal(bool)  # after each check: True when Save is enabled

    def __init__(
        self,
        ctx: UiContext,
        staff_id: str | None = None,
        start_at: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BookingDialog")
        self.ctx = ctx
        self.save_on_accept = True
        self.command: CreateBooking | None = None
        self.zone = ZoneInfo(DEFAULT_ZONE)
        # The store's verdict after a pause in typing, and the free times; only the newest answer counts.
        self._checks = Latest(ctx.runner, CHECK_DELAY_MS, parent=self)
        self._slot_search = Latest(ctx.runner, parent=self)
        self._saving = False
        # A clicked slot is the receptionist's choice; otherwise the dialog opens at the next bookable time
        # and follows the free times offered until someone picks a time.
        self._time_chosen = start_at is not None
        self._build(staff_id)
        self._connect()
        self.retranslate()
        self._set_start(start_at or floor_to_slot(self.ctx.now()) + timedelta(minutes=15))
        self._load_catalog()
        self._schedule_check()

    # -- construction --------------------------------------------------------------------------------------
    def _build(self, staff_id: str | None) -> None:
        self.customer = CustomerPicker(self.ctx, self)
        self.services = ServiceRows(self.ctx, self)
        self.services.add_row(staff_id)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        # The quarter-hours of the chosen day, written as the calendar writes them ("12:30 م", "12:30 PM").
        self.time_choice = QComboBox(self)
        self.time_choice.setObjectName("BookingTime")
        self.time_choice.setMaxVisibleItems(16)
        self.slots = SlotChoices(self.ctx, self)
        self.slots.staff_name = self._staff_name
        self.slots.chosen.connect(self._on_slot_chosen)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.setObjectName("BookingNotes")
        self.notes.setStyleSheet("QPlainTextEdit#BookingNotes { min-height: 48px; max-height: 48px; }")
        self.confirmed = QCheckBox(self)
        self.problems = QLabel(self)
        self.problems.setObjectName("BookingProblems")
        self.problems.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setAutoDefault(False)
        self.headings = {key: QLabel(self) for key in ("customer", "services", "time", "slots", "notes")}
        for heading in self.headings.values():
            heading.setStyleSheet("font-weight: bold;")
        self._lay_out()

    def _lay_out(self) -> None:
        """A form with labels at the reading start: compact enough for a 768-pixel-high laptop screen."""
        time_row = QHBoxLayout()
        time_row.addWidget(self.date_edit, 1)
        time_row.addWidget(self.time_choice, 1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(10)
        form.addRow(self.headings["customer"], self.customer)
        form.addRow(self.headings["services"], self.services)
        form.addRow(self.headings["time"], time_row)
        form.addRow(self.headings["slots"], self.slots)
        form.addRow(self.headings["notes"], self.notes)
        form.addRow("", self.confirmed)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.problems.setVisible(False)
        self.setMinimumWidth(760)

    def _connect(self) -> None:
        self.customer.changed.connect(self._schedule_check)
        self.services.changed.connect(self._on_services_changed)
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self.time_choice.activated.connect(lambda _index: self._on_time_picked())
        self.notes.textChanged.connect(self._schedule_check)
        self.confirmed.toggled.connect(lambda _c: self._schedule_check())
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)

    def retranslate(self) -> None:
        l10n = self.ctx.l10n()
        self.setWindowTitle(_("New booking"))
        self.headings["customer"].setText(_("Customer"))
        self.headings["services"].setText(_("Services"))
        self.headings["time"].setText(_("Date and time"))
        self.headings["slots"].setText(_("Next free times"))
        self.headings["notes"].setText(_("Notes"))
        self.notes.setPlaceholderText(_("Anything the staff member should know"))
        self.confirmed.setText(_("The customer has confirmed this appointment"))
        self.save_button.setText(_("Save booking"))
        self.cancel_button.setText(_("Cancel"))
        self.date_edit.setLocale(date_locale(l10n))
        self.date_edit.setDisplayFormat("yyyy/MM/dd" if l10n.is_rtl else "dd/MM/yyyy")
        self._fill_times(self.start())
        self.customer.retranslate()
        self.services.retranslate()

    def _load_catalog(self) -> None:
        desk, runner = self.ctx.desk, self.ctx.runner
        runner.db(desk.reference.salon_info, on_done=self._on_salon, owner=self)
        if not self._time_chosen:
            runner.db(next_bookable_in_lane, desk, self.ctx.now(), on_done=self._on_next_bookable, owner=self)
        runner.db(
            lambda: (desk.catalogue.by_category(), desk.reference.staff()),
            on_done=lambda both: self.services.set_catalog(*both),
            owner=self,
        )

    def _on_salon(self, info: SalonInfo) -> None:
        start = self.start()
        self.zone = ZoneInfo(info.timezone)
        if start is not None:
            self._set_start(start)

    # -- time ----------------------------------------------------------------------------------------------
    def _on_next_bookable(self, start: datetime | None) -> None:
        if start is not None and not self._time_chosen:
            self._set_start(start)
            self._refresh_slots()

    def _fill_times(self, start: datetime | None) -> None:
        """The day's quarter-hours in the calendar's own format; an off-grid start gets its own entry."""
        qdate = self.date_edit.date()
        midnight = datetime(qdate.year(), qdate.month(), qdate.day(), tzinfo=self.zone)
        minutes = set(range(0, 24 * 60, 15))
        local = start.astimezone(self.zone) if start is not None else None
        if local is not None:
            minutes.add(local.hour * 60 + local.minute)
        l10n = self.ctx.l10n()
        self.time_choice.blockSignals(True)
        self.time_choice.clear()
        for minute in sorted(minutes):
            self.time_choice.addItem(l10n.time(midnight + timedelta(minutes=minute), self.zone), minute)
        if local is not None:
            self.time_choice.setCurrentIndex(self.time_choice.findData(local.hour * 60 + local.minute))
        self.time_choice.blockSignals(False)

    def _set_start(self, start: datetime) -> None:
        local = start.astimezone(self.zone)
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(local.year, local.month, local.day))
        self.date_edit.blockSignals(False)
        self._fill_times(start)
        self._on_time_changed()

    def start(self) -> datetime | None:
        qdate, minute = self.date_edit.date(), self.time_choice.currentData()
        if not qdate.isValid() or minute is None:
            return None
        local = datetime(qdate.year(), qdate.month(), qdate.day(), tzinfo=self.zone) + timedelta(minutes=minute)
        return local.astimezone(UTC)

    def _on_date_changed(self, _date: QDate) -> None:
        self._time_chosen = True
        minute = self.time_choice.currentData()
        self._fill_times(None)
        self.time_choice.setCurrentIndex(max(self.time_choice.findData(minute), 0))
        self._on_time_changed()
        self._refresh_slots()

    def _on_time_picked(self) -> None:
        self._time_chosen = True
        self._on_time_changed()

    def _on_slot_chosen(self, start: datetime) -> None:
        self._time_chosen = True
        self._set_start(start)

    def _on_time_changed(self) -> None:
        start = self.start()
        self.slots.mark(start)
        self._schedule_check()

    def _on_services_changed(self) -> None:
        self._refresh_slots()
        self._schedule_check()

    # -- free times ----------------------------------------------------------------------------------------
    def _refresh_slots(self) -> None:
        draft = self.draft()
        if not draft.parts:
            self._slot_search.cancel()
            self._show_slots([])
            return
        now = self.ctx.now()
        earliest = max(now, draft.start or now) if self._time_chosen else now
        self._slot_search.run_now(
            slots_in_lane,
            self.ctx.desk,
            draft,
            earliest,
            on_done=self._show_slots,
            on_error=lambda _exc: self._show_slots([]),
        )

    def _show_slots(self, options: list[SlotOption]) -> None:
        if options and not self._time_chosen:
            self._set_start(options[0].start)  # follow the first free time until a time is picked
        qdate = self.date_edit.date()
        day = date(qdate.year(), qdate.month(), qdate.day())
        self.slots.show_options(options, self.start(), day, self.zone, bool(self.draft().parts))

    @property
    def slot_buttons(self) -> list[QPushButton]:
        return self.slots.buttons

    def _staff_name(self, staff_id: str) -> str:
        member = next((s for s in self.services.staff if s.id == staff_id), None)
        return self.services.staff_name(member) if member else ""

    # -- checking ------------------------------------------------------------------------------------------
    def draft(self) -> Draft:
        return Draft(
            self.services.parts() or (),
            self.start(),
            self.customer.customer_id(),
            self.customer.new_customer(),
            self.notes.toPlainText().strip(),
            self.confirmed.isChecked(),
        )

    def _schedule_check(self) -> None:
        """What the form says now: a problem the dialog sees itself at once, else the store's verdict on
        the DB lane after a short pause (an answer to an older form is dropped)."""
        self.command = None
        self.save_button.setEnabled(False)
        problem, muted = None, False
        if self.customer.new_toggle.isChecked() and self.customer.customer is None:
            problem = self._new_customer_problem()
        if problem is None and self.services.parts() is None:
            problem, muted = problem_text(PlanProblem.NO_SERVICE), True
        if problem is not None:
            self._checks.cancel()
            self._show_verdict(None, problem, muted=muted)
            return
        self._checks.request(
            plan_in_lane, self.ctx.desk, self.draft(), on_done=self._on_plan, on_error=self._on_plan_refused
        )

    def _new_customer_problem(self) -> str | None:
        if not self.customer.new_name.text().strip():
            return self.ctx.l10n().message("name.required")
        if not self.customer.new_phone.text().strip():
            return self.ctx.l10n().message("phone.empty")
        return None if self.customer.phone_problem() is None else ""  # shown in red under the mobile field

    def _on_plan(self, plan: Plan) -> None:
        if plan.problem is not None:
            muted = plan.problem is not PlanProblem.NOBODY_FREE
            self._show_verdict(None, problem_text(plan.problem), muted=muted)
        else:
            self._show_verdict(plan.command, "", muted=False)

    def _on_plan_refused(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            raise exc
        self._show_verdict(None, self.ctx.l10n().error(exc), muted=False)

    def _show_verdict(self, command: CreateBooking | None, text: str, muted: bool) -> None:
        self.command = command
        colour = "#4F5D6B" if muted else "#B3261E"
        self.problems.setStyleSheet(f"color: {colour}; font-weight: {'normal' if muted else 'bold'};")
        self.problems.setText(text)
        self.problems.setVisible(bool(text))
        self.summary.setText(self.describe(command) if command else "")
        self._fit_height()
        self.save_button.setEnabled(command is not None and not self._saving)
        self.validated.emit(command is not None)

    def _fit_height(self) -> None:
        """A refusal naming several things wraps onto more lines; Qt does not grow a window for a wrapped
        label's height, so grow the dialog (up to the screen) rather than squeeze the buttons above it."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        needed = self.heightForWidth(self.width())
        screen = self.screen()
        if screen is not None:
            needed = min(needed, screen.availableGeometry().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def describe(self, command: CreateBooking) -> str:
        l10n = self.ctx.l10n()
        names = {s.id: self.services.staff_name(s) for s in self.services.staff}
        services = {s.id: name_in(s, l10n.lang) for s in self.services.services}
        parts = [
            f"{l10n.time(i.start_at, self.zone)} · {services.get(i.service_id, '')} · "
            f"{l10n.isolate(names.get(i.staff_id, ''))}"
            for i in command.items
        ]
        return "\n".join(parts)

    # -- saving --------------------------------------------------------------------------------------------
    def _on_save(self) -> None:
        command = self.command
        if command is None or self._saving:
            return
        if not self.save_on_accept:
            self.accept()
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.ctx.runner.db(
            create_in_lane,
            self.ctx.desk,
            command,
            on_done=self._on_saved,
            on_error=self._on_save_refused,
            owner=self,
        )

    def _on_saved(self, result: Result) -> None:
        self._saving = False
        self.ctx.events.changes_applied.emit(result.changes)
        self.booking_created.emit(result.id)
        self.accept()

    def _on_save_refused(self, exc: BaseException) -> None:
        """Another desk may have taken the time meanwhile: stay open with the reason and the form intact."""
        self._saving = False
        if not isinstance(exc, DomainError):
            raise exc
        self._checks.cancel()
        self._show_verdict(None, self.ctx.l10n().error(exc), muted=False)
        self._refresh_slots()

    def ask(self) -> CreateBooking | None:
        """Runs the dialog modally and returns the checked command without saving it (None if cancelled)."""
        self.save_on_accept = False
        return self.command if self.exec() == QDialog.DialogCode.Accepted else None
