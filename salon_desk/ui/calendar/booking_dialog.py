"""The booking dialog: customer (find or create), one or more services with staff or "anyone", the next
free times as clickable choices, notes. Save stays disabled until the store's own check passes, and
every refusal is shown inline in the user's language.

    dialog = BookingDialog(ctx, staff_id="…", start_at=instant, parent=page)
    dialog.open()                  # saves itself through ctx.runner.db(ctx.desk.create_booking, cmd)
    command = BookingDialog(ctx).ask()   # or: returns the checked CreateBooking (or None), saving nothing
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.errors import DomainError
from salon_desk.domain.scheduling import SlotOption
from salon_desk.ui.i18n import _
from salon_desk.usecases.commands import CreateBooking

from .booking_plan import Draft, Plan, PlanProblem, create_in_lane, plan_in_lane, slots_in_lane
from .customer_field import CustomerPicker
from .geometry import floor_to_slot
from .qt_locale import date_locale
from .service_rows import ServiceRows

CHECK_DELAY_MS = 200
SLOT_BUTTONS = 9
SLOT_COLUMNS = 3
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
        ctx,
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
        self._check_token = 0
        self._slot_token = 0
        self._saving = False
        self._build(staff_id)
        self._connect()
        self.retranslate()
        self._set_start(start_at or self._default_start())
        self._load_catalog()
        self._schedule_check()

    # -- construction --------------------------------------------------------------------------------------
    def _build(self, staff_id: str | None) -> None:
        self.customer = CustomerPicker(self.ctx, self)
        self.services = ServiceRows(self.ctx, self)
        self.services.add_row(staff_id)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.time_edit = QTimeEdit(self)
        # Qt's time editor scrambles "1:00 م" in right-to-left; a 24-hour clock read left to right is clear.
        self.time_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.slots_box = QWidget(self)
        self.slots_grid = QGridLayout(self.slots_box)
        self.slots_grid.setContentsMargins(0, 0, 0, 0)
        self.slot_buttons: list[QPushButton] = []
        self.slots_hint = QLabel(self)
        self.slots_hint.setProperty("muted", True)
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
        time_row = QHBoxLayout()
        time_row.addWidget(self.date_edit, 1)
        time_row.addWidget(self.time_edit, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        for key, body in (
            ("customer", self.customer),
            ("services", self.services),
            ("time", time_row),
            ("slots", self.slots_box),
            ("notes", self.notes),
        ):
            layout.addWidget(self.headings[key])
            layout.addLayout(body) if isinstance(body, QHBoxLayout) else layout.addWidget(body)
            if key == "slots":
                layout.addWidget(self.slots_hint)
        layout.addWidget(self.confirmed)
        layout.addWidget(self.problems)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.problems.setVisible(False)
        self.setMinimumWidth(620)

    def _connect(self) -> None:
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._check)
        self.customer.changed.connect(self._schedule_check)
        self.services.changed.connect(self._on_services_changed)
        self.date_edit.dateChanged.connect(self._on_date_changed)
        self.time_edit.timeChanged.connect(lambda _t: self._on_time_changed())
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
        self.time_edit.setLocale(date_locale(l10n))
        self.date_edit.setDisplayFormat("yyyy/MM/dd" if l10n.is_rtl else "dd/MM/yyyy")
        self.time_edit.setDisplayFormat("HH:mm")
        self.customer.retranslate()
        self.services.retranslate()

    def _load_catalog(self) -> None:
        desk, runner = self.ctx.desk, self.ctx.runner
        runner.db(desk.salon_info, on_done=self._on_salon, owner=self)
        runner.db(
            lambda: (desk.list_services(), desk.list_staff()),
            on_done=lambda both: self.services.set_catalog(*both),
            owner=self,
        )

    def _on_salon(self, info) -> None:
        start = self.start()
        self.zone = ZoneInfo(info.timezone)
        if start is not None:
            self._set_start(start)

    # -- time ----------------------------------------------------------------------------------------------
    def _default_start(self) -> datetime:
        return floor_to_slot(self.ctx.now()) + timedelta(minutes=15)

    def _set_start(self, start: datetime) -> None:
        local = start.astimezone(self.zone)
        for widget in (self.date_edit, self.time_edit):
            widget.blockSignals(True)
        self.date_edit.setDate(QDate(local.year, local.month, local.day))
        self.time_edit.setTime(QTime(local.hour, local.minute))
        for widget in (self.date_edit, self.time_edit):
            widget.blockSignals(False)
        self._on_time_changed()

    def start(self) -> datetime | None:
        qdate, qtime = self.date_edit.date(), self.time_edit.time()
        if not qdate.isValid() or not qtime.isValid():
            return None
        local = datetime(
            qdate.year(), qdate.month(), qdate.day(), qtime.hour(), qtime.minute(), tzinfo=self.zone
        )
        return local.astimezone(UTC)

    def _on_date_changed(self, _date: QDate) -> None:
        self._on_time_changed()
        self._refresh_slots()

    def _on_time_changed(self) -> None:
        start = self.start()
        for button in self.slot_buttons:
            button.setChecked(button.property("start") == start)
        self._schedule_check()

    def _on_services_changed(self) -> None:
        self._refresh_slots()
        self._schedule_check()

    # -- free times ----------------------------------------------------------------------------------------
    def _refresh_slots(self) -> None:
        self._slot_token += 1
        token = self._slot_token
        draft = self.draft()
        if not draft.parts:
            self._show_slots(token, [])
            return
        earliest = max(self.ctx.now(), draft.start or self.ctx.now())
        self.ctx.runner.db(
            slots_in_lane,
            self.ctx.desk,
            draft,
            earliest,
            on_done=lambda options: self._show_slots(token, options),
            on_error=lambda _exc: self._show_slots(token, []),
            owner=self,
        )

    def _show_slots(self, token: int, options: list[SlotOption]) -> None:
        if token != self._slot_token:
            return
        for button in self.slot_buttons:
            button.setParent(None)
            button.deleteLater()
        self.slot_buttons = []
        start = self.start()
        for index, option in enumerate(options[:SLOT_BUTTONS]):
            button = QPushButton(self.slot_label(option), self.slots_box)
            button.setObjectName("SlotChoice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setProperty("start", option.start)
            button.setChecked(option.start == start)
            button.setToolTip(self.slot_tooltip(option))
            button.clicked.connect(lambda _c=False, s=option.start: self._set_start(s))
            self.slots_grid.addWidget(button, index // SLOT_COLUMNS, index % SLOT_COLUMNS)
            self.slot_buttons.append(button)
        no_parts = not self.draft().parts
        self.slots_hint.setText(
            _("Choose a service to see free times.")
            if no_parts
            else ""
            if options
            else _("No free time in the next two weeks.")
        )
        self.slots_hint.setVisible(bool(self.slots_hint.text()))

    def slot_label(self, option: SlotOption) -> str:
        """The time alone on the chosen day; the weekday and date too on other days."""
        l10n = self.ctx.l10n()
        time_text = l10n.time(option.start, self.zone)
        chosen = self.date_edit.date()
        local = option.start.astimezone(self.zone)
        if (local.year, local.month, local.day) == (chosen.year(), chosen.month(), chosen.day()):
            return time_text
        return f"{l10n.date(option.start, 'EEE d MMM', self.zone)} · {time_text}"

    def slot_tooltip(self, option: SlotOption) -> str:
        names = {s.id: self.services.staff_name(s) for s in self.services.staff}
        return "\n".join(
            f"{self.ctx.l10n().time(a.start, self.zone)} · {names.get(a.staff_id, '')}"
            for a in option.assignments
        )

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
        self.command = None
        self.save_button.setEnabled(False)
        self._check_token += 1
        self._check_timer.start()

    def _check(self) -> None:
        token = self._check_token
        if self.customer.new_toggle.isChecked() and self.customer.customer is None:
            problem = self._new_customer_problem()
            if problem:
                self._show_verdict(token, None, problem, muted=False)
                return
        if self.services.parts() is None:
            self._show_verdict(token, None, problem_text(PlanProblem.NO_SERVICE), muted=True)
            return
        self.ctx.runner.db(
            plan_in_lane,
            self.ctx.desk,
            self.draft(),
            on_done=lambda plan: self._on_plan(token, plan),
            on_error=lambda exc: self._on_plan_refused(token, exc),
            owner=self,
        )

    def _new_customer_problem(self) -> str | None:
        if not self.customer.new_name.text().strip():
            return self.ctx.l10n().message("name.required")
        if not self.customer.new_phone.text().strip():
            return self.ctx.l10n().message("phone.empty")
        return self.customer.phone_problem()

    def _on_plan(self, token: int, plan: Plan) -> None:
        if plan.problem is not None:
            muted = plan.problem is not PlanProblem.NOBODY_FREE
            self._show_verdict(token, None, problem_text(plan.problem), muted=muted)
        else:
            self._show_verdict(token, plan.command, "", muted=False)

    def _on_plan_refused(self, token: int, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            raise exc
        self._show_verdict(token, None, self.ctx.l10n().error(exc), muted=False)

    def _show_verdict(self, token: int, command: CreateBooking | None, text: str, muted: bool) -> None:
        if token != self._check_token:
            return  # the form changed since this check started
        self.command = command
        colour = "#4F5D6B" if muted else "#B3261E"
        self.problems.setStyleSheet(f"color: {colour}; font-weight: {'normal' if muted else 'bold'};")
        self.problems.setText(text)
        self.problems.setVisible(bool(text))
        self.summary.setText(self.describe(command) if command else "")
        self.save_button.setEnabled(command is not None and not self._saving)
        self.validated.emit(command is not None)

    def describe(self, command: CreateBooking) -> str:
        l10n = self.ctx.l10n()
        names = {s.id: self.services.staff_name(s) for s in self.services.staff}
        services = {s.id: (s.name_ar if l10n.lang == "ar" else s.name_en) for s in self.services.services}
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

    def _on_saved(self, result) -> None:
        self._saving = False
        self.ctx.events.changes_applied.emit(result.changes)
        self.booking_created.emit(result.id)
        self.accept()

    def _on_save_refused(self, exc: BaseException) -> None:
        """Another desk may have taken the time meanwhile: stay open with the reason and the form intact."""
        self._saving = False
        if not isinstance(exc, DomainError):
            raise exc
        self._check_token += 1
        self._show_verdict(self._check_token, None, self.ctx.l10n().error(exc), muted=False)
        self._refresh_slots()

    def ask(self) -> CreateBooking | None:
        """Runs the dialog modally and returns the checked command without saving it (None if cancelled)."""
        self.save_on_accept = False
        return self.command if self.exec() == QDialog.DialogCode.Accepted else None
