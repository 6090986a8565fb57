"""The calendar page: a header (today, previous, next, date picker, Gregorian + Hijri date, day/week toggle,
new booking) over the day view (one column per staff member working that day) or the week view.

    page = CalendarPage(ctx)          # loads today's business day on the DB lane
    page.show_day(date(2025, 3, 2))   # any business day
    page.set_mode("week")             # one staff member's week
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Changes, Staff
from salon_desk.domain.scheduling import week_start
from salon_desk.ui.conflicts.banner import EscalationBanner
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.fitting_label import FittingLabel
from salon_desk.ui.i18n import _
from salon_desk.ui.latest import Latest
from salon_desk.ui.named import named
from salon_desk.ui.names import name_in
from salon_desk.ui.theme import PALETTE, icon
from salon_desk.usecases.views import DayView

from .board import CalendarBoard
from .content import day_content
from .grid_view import SLOT_HEIGHT
from .qt_locale import date_locale
from .week_view import WeekCalendar

if TYPE_CHECKING:
    from .booking_dialog import BookingDialog

DAY, WEEK = "day", "week"
# Entities whose change can alter what the calendar shows.
CALENDAR_ENTITIES = (
    "booking",
    "booking_item",
    "staff",
    "availability_rule",
    "availability_exception",
    "salon",
)


class CalendarPage(QWidget):
    day_changed = Signal(object)  # the business date now shown
    mode_changed = Signal(str)  # "day" | "week"
    day_loaded = Signal(object)  # the DayView just drawn
    booking_dialog_opened = Signal(object)  # the BookingDialog (tests drive it)
    booking_created = Signal(str)  # booking id, after the dialog saved it

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CalendarPage")
        self.ctx = ctx
        self.day: date | None = None
        self.mode = DAY
        self.view: DayView | None = None
        self._loads = Latest(ctx.runner, parent=self)  # a newer day asked for wins over an older answer
        self._staff: tuple[Staff, ...] = ()
        self._build()
        self._connect()
        self.retranslate()
        self._reload_timer = QTimer(self, singleShot=True, interval=0)
        self._reload_timer.timeout.connect(self.reload)
        ctx.runner.db(ctx.desk.calendar.today, on_done=self.show_day, on_error=self._on_load_failed, owner=self)
        ctx.runner.db(
            ctx.desk.reference.staff, on_done=self._on_staff_loaded, on_error=self._on_load_failed, owner=self
        )

    # -- construction --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self._build_header()
        self.board = CalendarBoard(self.ctx, self)
        self.week = WeekCalendar(self.ctx, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.board)
        self.stack.addWidget(self.week)
        self.scene = self.board.scene  # the day view's scene, kept referenced
        self._lay_out()

    def _build_header(self) -> None:
        self.today_button = QPushButton(self)
        self.today_button.setObjectName("CalendarToday")
        self.prev_button = QToolButton(self)
        self.next_button = QToolButton(self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setObjectName("CalendarDate")
        # Long week titles never force the window wider than a 1366-pixel front-desk screen, and never
        # show a word cut in half: they shorten, with the whole title as a tooltip.
        self.date_label = named(FittingLabel(self), "PageTitle")
        self.hijri_label = named(FittingLabel(self), "PageSubtitle")
        for label in (self.date_label, self.hijri_label):
            label.setMinimumWidth(120)
        self.day_button = QPushButton(self)
        self.week_button = QPushButton(self)
        self.mode_group = QButtonGroup(self)
        for button in (self.day_button, self.week_button):
            button.setCheckable(True)
            self.mode_group.addButton(button)
        self.day_button.setChecked(True)
        toggle_style = (
            f"QPushButton:checked {{ background: {PALETTE['accent_soft']}; border: 2px solid "
            f"{PALETTE['accent']}; color: {PALETTE['accent']}; padding: 5px 13px; }}"
        )
        for button in (self.day_button, self.week_button):
            button.setStyleSheet(toggle_style)
        self.staff_picker = QComboBox(self)
        self.staff_picker.setObjectName("CalendarStaffPicker")
        self.staff_picker.setMinimumContentsLength(14)
        self.staff_picker.setVisible(False)
        self.new_button = QPushButton(self)
        self.new_button.setProperty("primary", True)
        self.closed_label = QLabel(self)
        self.closed_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.closed_label.setObjectName("PageSubtitle")
        self.closed_label.setVisible(False)

    def _lay_out(self) -> None:
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.date_label)
        titles.addWidget(self.hijri_label)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        for widget in (self.today_button, self.prev_button, self.next_button, self.date_edit):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addLayout(titles, 1)
        for control in (self.staff_picker, self.day_button, self.week_button):
            bar.addWidget(control)
        bar.addSpacing(12)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(bar)
        layout.addWidget(EscalationBanner(self.ctx, self))  # urgent conflicts, for everyone
        layout.addWidget(self.closed_label)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.today_button, self.prev_button)
        self.setTabOrder(self.prev_button, self.next_button)
        self.setTabOrder(self.next_button, self.date_edit)

    def _connect(self) -> None:
        self.today_button.clicked.connect(self.go_today)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.date_edit.dateChanged.connect(self._on_date_edited)
        self.day_button.clicked.connect(lambda: self.set_mode(DAY))
        self.week_button.clicked.connect(lambda: self.set_mode(WEEK))
        self.staff_picker.currentIndexChanged.connect(self._on_staff_picked)
        self.new_button.clicked.connect(lambda: self.open_booking_dialog())
        for board in (self.board, self.week.board):
            board.booking_requested.connect(self.open_booking_dialog)
        events = self.ctx.events
        events.changes_applied.connect(self._on_changes_applied)
        events.minute_ticked.connect(self._on_minute_ticked)
        # The shell's keys (Ctrl+N, Ctrl+T / Home, Ctrl+PgUp/PgDown, Alt+arrows): it shows this page first.
        events.new_booking_requested.connect(self._on_new_booking_requested)
        events.today_requested.connect(self.go_today)
        events.day_step_requested.connect(self.step)

    # -- navigation ----------------------------------------------------------------------------------------
    def show_day(self, day: date) -> None:
        """Shows business day `day` (in the current mode) and loads it on the DB lane."""
        self.day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self._update_titles()
        self.day_changed.emit(day)
        self.reload()

    def go_today(self) -> None:
        self.ctx.runner.db(
            self.ctx.desk.calendar.today, on_done=self.show_day, on_error=self._on_load_failed, owner=self
        )

    def step(self, direction: int) -> None:
        if self.day is not None:
            self.show_day(self.day + timedelta(days=direction * (7 if self.mode == WEEK else 1)))

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.day_button.setChecked(mode == DAY)
        self.week_button.setChecked(mode == WEEK)
        self.staff_picker.setVisible(mode == WEEK)
        self.stack.setCurrentWidget(self.week if mode == WEEK else self.board)
        self._update_titles()
        self.mode_changed.emit(mode)
        self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        if self.day is None:
            return
        if self.mode == WEEK:
            self.week.show_week(self.staff_picker.currentData(), self.day)
            return
        self._loads.run_now(
            self.ctx.desk.calendar.day_view, self.day, on_done=self._on_day_loaded, on_error=self._on_load_failed
        )

    def _on_day_loaded(self, view: DayView) -> None:
        if view.day == self.day:
            self.show_day_view(view)

    def show_day_view(self, view: DayView) -> None:
        """Draws an already loaded DayView (used by reloads, tests, screenshots and the benchmark)."""
        first_time = self.view is None or self.view.day != view.day
        self.view = view
        window = view.window
        self.closed_label.setVisible(window is None)
        self.board.show_content(day_content(view, self.staff_name, SLOT_HEIGHT, self.staff_title))
        if first_time and window is not None:
            now = self.ctx.now()
            inside = window.start <= now < window.end
            self.board.scroll_to(now if inside else window.start)
        self.day_loaded.emit(view)

    def _on_date_edited(self, qdate: QDate) -> None:
        self.show_day(date(qdate.year(), qdate.month(), qdate.day()))

    def _on_staff_loaded(self, staff: tuple[Staff, ...]) -> None:
        self._staff = tuple(staff)
        self._fill_staff_picker()
        if self.mode == WEEK:  # the week was asked for before anyone could be picked
            self.reload()

    def _fill_staff_picker(self) -> None:
        current = self.staff_picker.currentData()
        self.staff_picker.blockSignals(True)
        self.staff_picker.clear()
        for member in self._staff:
            self.staff_picker.addItem(self.staff_name(member), member.id)
        index = self.staff_picker.findData(current)
        self.staff_picker.setCurrentIndex(max(index, 0))
        self.staff_picker.blockSignals(False)

    def _on_staff_picked(self, _index: int) -> None:
        if self.mode == WEEK:
            self.reload()

    def show_week_of(self, staff_id: str) -> None:
        index = self.staff_picker.findData(staff_id)
        if index >= 0:
            self.staff_picker.setCurrentIndex(index)
        self.set_mode(WEEK)

    # -- events --------------------------------------------------------------------------------------------
    def _on_changes_applied(self, changes: Changes) -> None:
        if any(changes.touches(entity) for entity in CALENDAR_ENTITIES):
            if changes.touches("staff"):
                self.ctx.runner.db(self.ctx.desk.reference.staff, on_done=self._on_staff_loaded, owner=self)
            self._reload_timer.start()  # several changes in one event-loop turn reload once

    def _on_minute_ticked(self) -> None:
        self.board.update_now()
        self.week.board.update_now()

    def _on_load_failed(self, exc: BaseException) -> None:
        text = error_text(exc, self.ctx.l10n(), _("The calendar could not be loaded."))
        self.current_board().show_notice(text)

    def current_board(self) -> CalendarBoard:
        return self.week.board if self.mode == WEEK else self.board

    # -- booking dialog ------------------------------------------------------------------------------------
    def _on_new_booking_requested(self) -> None:
        if QApplication.activeModalWidget() is None:  # one booking dialog at a time
            self.open_booking_dialog()

    def open_booking_dialog(self, staff_id: str | None = None, start_at: datetime | None = None,
                            customer_id: str | None = None) -> BookingDialog:
        from .booking_dialog import BookingDialog

        dialog = BookingDialog(self.ctx, staff_id=staff_id, start_at=start_at, parent=self)
        if customer_id is not None:  # booked from a customer's profile: that customer is already chosen
            self.ctx.runner.db(self.ctx.desk.customers.profile, customer_id,
                               on_done=lambda profile: dialog.customer.choose(profile.summary), owner=dialog)
        dialog.booking_created.connect(self.booking_created)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.booking_dialog_opened.emit(dialog)
        return dialog

    # -- language ------------------------------------------------------------------------------------------
    def staff_name(self, staff: Staff) -> str:
        return name_in(staff, self.ctx.l10n().lang)

    def staff_title(self, staff: Staff) -> str:
        """The job title in the UI language (issue #10: no English title under an Arabic name)."""
        return staff.title_in(self.ctx.l10n().lang)

    def retranslate(self) -> None:
        rtl = self.ctx.l10n().is_rtl
        self.today_button.setText(_("Today"))
        self.today_button.setIcon(icon("today", rtl=rtl))
        self.prev_button.setIcon(icon("prev", rtl=rtl))
        self.next_button.setIcon(icon("next", rtl=rtl))
        self.prev_button.setToolTip(_("Previous"))
        self.next_button.setToolTip(_("Next"))
        self.prev_button.setAccessibleName(_("Previous"))
        self.next_button.setAccessibleName(_("Next"))
        self.date_edit.setToolTip(_("Choose a date"))
        self.date_edit.setDisplayFormat("yyyy/MM/dd" if rtl else "dd/MM/yyyy")
        self.date_edit.setLocale(date_locale(self.ctx.l10n()))
        self.day_button.setText(_("Day view"))
        self.week_button.setText(_("Week view"))
        self.staff_picker.setToolTip(_("Staff member"))
        self.new_button.setText(_("New booking"))
        self.new_button.setIcon(icon("plus", color="#FFFFFF", rtl=rtl))
        self.closed_label.setText(_("The salon is closed on this day."))
        self._fill_staff_picker()
        self._update_titles()
        if self.view is not None:
            self.show_day_view(self.view)
        self.week.retranslate()

    def _update_titles(self) -> None:
        if self.day is None:
            return
        l10n = self.ctx.l10n()
        if self.mode == WEEK:
            sunday = week_start(self.day)
            saturday = sunday + timedelta(days=6)
            self.date_label.set_texts(
                f"{l10n.date(sunday, 'd MMMM')} – {l10n.date(saturday, 'd MMMM y')}",
                f"{l10n.date(sunday, 'd MMM')} – {l10n.date(saturday, 'd MMM y')}",
            )
            first, last = l10n.hijri(sunday), l10n.hijri(saturday)
            first_day, _space, first_rest = first.partition(" ")
            last_rest = last.partition(" ")[2]
            short = f"{first_day} – {last}" if first_rest == last_rest else ""  # one Hijri month: "19 – 25 …"
            self.hijri_label.set_texts(f"{first} – {last}", *((short,) if short else ()))
        else:
            self.date_label.set_texts(l10n.date(self.day, "full"), l10n.date(self.day, "medium"))
            self.hijri_label.set_texts(l10n.hijri(self.day))
