"""The booking dialog's "next free times": up to eight buttons, the chosen one checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from salon_desk.domain.scheduling import SlotOption
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _

SLOT_BUTTONS = 8
SLOT_COLUMNS = 4


class SlotChoices(QWidget):
    chosen = Signal(object)  # the start (UTC) of the clicked free time

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.buttons: list[QPushButton] = []
        self.staff_name: Callable[[str], str] = lambda staff_id: ""
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.hint = QLabel(self)
        self.hint.setProperty("muted", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._grid)
        layout.addWidget(self.hint)

    def show_options(
        self, options: list[SlotOption], chosen: datetime | None, day: date, zone: tzinfo, have_services: bool
    ) -> None:
        """Replaces the buttons; `day` is the date field's day (its times are shown without the date)."""
        for button in self.buttons:
            button.setParent(None)
            button.deleteLater()
        self.buttons = []
        for index, option in enumerate(options[:SLOT_BUTTONS]):
            button = QPushButton(self.label(option, day, zone), self)
            button.setObjectName("SlotChoice")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setProperty("start", option.start)
            button.setChecked(option.start == chosen)
            button.setToolTip(self.tooltip(option, zone))
            button.clicked.connect(lambda _c=False, start=option.start: self.chosen.emit(start))
            self._grid.addWidget(button, index // SLOT_COLUMNS, index % SLOT_COLUMNS)
            self.buttons.append(button)
        if not have_services:
            self.hint.setText(_("Choose a service to see free times."))
        else:
            self.hint.setText("" if options else _("No free time in the next two weeks."))
        self.hint.setVisible(bool(self.hint.text()))

    def mark(self, start: datetime | None) -> None:
        for button in self.buttons:
            button.setChecked(button.property("start") == start)

    def label(self, option: SlotOption, day: date, zone: tzinfo) -> str:
        """The time alone on the chosen day; the date too on other days."""
        l10n = self.ctx.l10n()
        time_text = l10n.time(option.start, zone)
        if option.start.astimezone(zone).date() == day:
            return time_text
        return f"{l10n.date(option.start, 'd MMM', zone)} · {time_text}"

    def tooltip(self, option: SlotOption, zone: tzinfo) -> str:
        l10n = self.ctx.l10n()
        return "\n".join(
            f"{l10n.time(a.start, zone)} · {self.staff_name(a.staff_id)}" for a in option.assignments
        )
