"""The week view: one staff member, seven business days from Sunday as columns (first day at the reading
start, so Sunday is rightmost in Arabic). Same blocks and interactions as the day view."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.latest import Latest
from salon_desk.ui.names import name_in
from salon_desk.usecases.views import WeekView

from .board import CalendarBoard
from .content import week_content
from .grid_view import SLOT_HEIGHT


class WeekCalendar(QWidget):
    """Shows `desk.calendar.week_view(staff_id, day)`; reloads on `reload()` (the page calls it on changes)."""

    loaded = Signal(object)  # WeekView

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.staff_id: str | None = None
        self.day: date | None = None
        self.view: WeekView | None = None
        self._loads = Latest(ctx.runner, parent=self)
        self.board = CalendarBoard(ctx, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.board)

    def show_week(self, staff_id: str | None, day: date) -> None:
        self.staff_id, self.day = staff_id, day
        self.reload()

    def reload(self) -> None:
        if self.staff_id is None or self.day is None:
            return
        self._loads.run_now(
            self.ctx.desk.calendar.week_view, self.staff_id, self.day, on_done=self.show_week_view, on_error=self._on_failed
        )

    def _on_failed(self, exc: BaseException) -> None:
        self.board.show_notice(error_text(exc, self.ctx.l10n(), _("The calendar could not be loaded.")))

    def show_week_view(self, view: WeekView) -> None:
        """Draws an already loaded WeekView (also used by tests and screenshots)."""
        self.view = view
        self.board.show_content(week_content(view, self.day_title, SLOT_HEIGHT))
        self.board.grid.header.highlight_key = self._today()
        self.board.grid.header.update()
        self.loaded.emit(view)

    def _today(self) -> date | None:
        if self.view is None or not self.view.days:
            return None
        now = self.ctx.now()
        for day_view in self.view.days:
            window = day_view.window
            if window is not None and window.start <= now < window.end:
                return day_view.day
        local_today = now.astimezone(self.board.content.zone).date() if self.board.content else None
        return local_today if any(d.day == local_today for d in self.view.days) else None

    def day_title(self, day: date) -> tuple[str, str]:
        l10n = self.ctx.l10n()
        return l10n.weekday(day), l10n.date(day, "d MMM")

    def retranslate(self) -> None:
        if self.view is not None:
            self.show_week_view(self.view)

    def staff_title(self) -> str:
        if self.view is None:
            return ""
        staff = self.view.staff
        return name_in(staff, self.ctx.l10n().lang)

    def empty_text(self) -> str:
        return _("Choose a staff member to see the week.")
