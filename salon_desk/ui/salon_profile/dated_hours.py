"""DatedHoursEditor: the salon's dated hours (Ramadan): a list of named date ranges, each with its own weekly
hours painted in the same grid as the business hours (several spans a day, past midnight allowed). The
manager types the Gregorian first and last day; the Umm al-Qura date is shown beside each as a hint.

The grid shows a span past midnight as two (Thursday 21:00-24:00 and Friday 00:00-02:00); `join_past_midnight`
stores it as one span of the day it starts on, so the last evening of a range still runs to 02:00.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import DatedHours, OpeningHours
from salon_desk.domain.scheduling.dated_hours import dated_hours_to_json
from salon_desk.domain.scheduling.editing import LATEST_PAST_MIDNIGHT, WeeklySpan
from salon_desk.l10n import FSI, PDI, Localizer
from salon_desk.ui.availability.grid import WeekGrid
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named

DEFAULT_DAYS = 30  # a new range starts as a month from today (Ramadan is 29 or 30 days)


def join_past_midnight(spans: Sequence[WeeklySpan]) -> list[OpeningHours]:
    """Painted spans as opening hours: a span reaching midnight and the next day's span starting at midnight
    and ending in the small hours become one span past midnight (21:00-02:00)."""
    by_day = {(s.weekday, s.start): s for s in spans}
    used: set[tuple[int, time]] = set()
    out = []
    for s in spans:
        if (s.weekday, s.start) in used:
            continue
        end = s.end
        if end == time(0) and s.start != time(0):
            morning = by_day.get(((s.weekday + 1) % 7, time(0)))
            if morning is not None and morning.end <= LATEST_PAST_MIDNIGHT and morning.end != time(0):
                end = morning.end
                used.add((morning.weekday, morning.start))
        out.append(OpeningHours(s.weekday, s.start, end))
    return [h for h in out if (h.weekday, h.start) not in used]


@dataclass
class _Draft:
    name: str
    first_day: date
    last_day: date
    hours: list[OpeningHours] = field(default_factory=list)


class DatedHoursEditor(QWidget):
    changed = Signal()

    def __init__(self, today: Callable[[], date], l10n: Callable[[], Localizer],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DatedHoursEditor")
        self._today, self._l10n = today, l10n
        self.drafts: list[_Draft] = []
        self._current = -1
        self.help_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.ranges = named(QListWidget(), "DatedHoursList")
        self.ranges.setMaximumHeight(96)
        self.add_button = named(QPushButton(), "AddDatedHours")
        self.remove_button = named(QPushButton(), "RemoveDatedHours")
        self.name_label, self.from_label, self.to_label = QLabel(), QLabel(), QLabel()
        self.name = named(QLineEdit(), "DatedHoursName")
        self.first_day = named(QDateEdit(), "DatedHoursFrom")
        self.last_day = named(QDateEdit(), "DatedHoursTo")
        for edit in (self.first_day, self.last_day):
            edit.setCalendarPopup(True)
            # An ISO date reads left to right in Arabic too (an RTL date edit mirrors its sections at
            # setDisplayFormat, so the direction comes first).
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.first_hijri = named(QLabel(), "HijriHint")
        self.last_hijri = named(QLabel(), "HijriHint")
        self.grid = WeekGrid()
        self.grid.setObjectName("DatedHoursGrid")

        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.ranges, 1)
        top.addLayout(buttons)
        form = QGridLayout()
        form.addWidget(self.name_label, 0, 0)
        form.addWidget(self.name, 0, 1, 1, 3)
        form.addWidget(self.from_label, 1, 0)
        form.addWidget(self.first_day, 1, 1)
        form.addWidget(self.first_hijri, 1, 2, 1, 2)
        form.addWidget(self.to_label, 2, 0)
        form.addWidget(self.last_day, 2, 1)
        form.addWidget(self.last_hijri, 2, 2, 1, 2)
        form.setColumnStretch(3, 1)
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.addLayout(form)
        details.addWidget(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.help_label)
        layout.addLayout(top)
        layout.addWidget(self.details)

        self.add_button.clicked.connect(self.add_range)
        self.remove_button.clicked.connect(self.remove_range)
        self.ranges.currentRowChanged.connect(self._select)
        self.name.textEdited.connect(self._store)
        self.first_day.dateChanged.connect(self._store)
        self.last_day.dateChanged.connect(self._store)
        self.grid.changed.connect(self._store)
        self.retranslate()
        self._show_details()

    # -- model ---------------------------------------------------------------------------------------------
    def set_ranges(self, ranges: Sequence[DatedHours]) -> None:
        self.drafts = [_Draft(d.name, d.first_day, d.last_day, list(d.hours)) for d in ranges]
        self._current = -1
        self._refill(0 if self.drafts else -1)

    def values(self) -> list[dict[str, Any]]:
        """The ranges in their stored form (checked by the use case, so bad input gets its message there)."""
        self._store()
        return dated_hours_to_json(DatedHours(d.name.strip(), d.first_day, d.last_day,
                                              tuple(sorted(d.hours, key=lambda h: (h.weekday, h.start))))
                                   for d in sorted(self.drafts, key=lambda d: (d.first_day, d.last_day)))

    def add_range(self) -> None:
        self._store()
        first = self._today()
        self.drafts.append(_Draft(_("Ramadan"), first, first + timedelta(days=DEFAULT_DAYS - 1)))
        self._refill(len(self.drafts) - 1)
        self.name.setFocus()
        self.name.selectAll()
        self.changed.emit()

    def remove_range(self) -> None:
        row = self.ranges.currentRow()
        if 0 <= row < len(self.drafts):
            del self.drafts[row]
            self._current = -1
            self._refill(min(row, len(self.drafts) - 1))
            self.changed.emit()

    # -- view ----------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.help_label.setText(_(
            "Hours for a date range, such as Ramadan, replace the business hours on those days; closed days still "
            "win. Enter the Gregorian dates as announced; the Hijri date is shown as a hint."))
        self.add_button.setText(_("Add dated hours"))
        self.remove_button.setText(_("Remove"))
        self.name_label.setText(_("Name"))
        self.from_label.setText(_("From"))
        self.to_label.setText(_("To"))
        self._relabel()
        self._show_hijri()
        self.grid.update()

    def _refill(self, select: int) -> None:
        self.ranges.blockSignals(True)
        self.ranges.clear()
        for draft in self.drafts:
            self.ranges.addItem(self._label(draft))
        self.ranges.blockSignals(False)
        self._current = -1
        if select >= 0:
            self.ranges.setCurrentRow(select)
            self._select(select)
        self._show_details()

    def _select(self, row: int) -> None:
        if row == self._current:
            return
        self._store()
        self._current = row
        if 0 <= row < len(self.drafts):
            draft = self.drafts[row]
            for edit in (self.name, self.first_day, self.last_day, self.grid):
                edit.blockSignals(True)
            self.name.setText(draft.name)
            self.first_day.setDate(QDate(draft.first_day))
            self.last_day.setDate(QDate(draft.last_day))
            self.grid.set_rules(draft.hours)
            for edit in (self.name, self.first_day, self.last_day, self.grid):
                edit.blockSignals(False)
        self._show_hijri()
        self._show_details()

    def _store(self, *_args: object) -> None:
        if not 0 <= self._current < len(self.drafts):
            return
        draft = self.drafts[self._current]
        draft.name = self.name.text()
        draft.first_day = self.first_day.date().toPython()  # type: ignore[assignment]
        draft.last_day = self.last_day.date().toPython()  # type: ignore[assignment]
        draft.hours = join_past_midnight(self.grid.spans())
        item = self.ranges.item(self._current)
        if item is not None:
            item.setText(self._label(draft))
        self._show_hijri()

    def _relabel(self) -> None:
        for row, draft in enumerate(self.drafts):
            item = self.ranges.item(row)
            if item is not None:
                item.setText(self._label(draft))

    def _label(self, draft: _Draft) -> str:
        l10n = self._l10n()
        return _("{name}: {first} to {last}").format(
            name=f"{FSI}{draft.name.strip() or '…'}{PDI}", first=l10n.date(draft.first_day), last=l10n.date(draft.last_day))

    def _show_hijri(self) -> None:
        l10n = self._l10n()
        visible = 0 <= self._current < len(self.drafts)
        for edit, label in ((self.first_day, self.first_hijri), (self.last_day, self.last_hijri)):
            label.setText(l10n.hijri(edit.date().toPython()) if visible else "")  # type: ignore[arg-type]

    def _show_details(self) -> None:
        has = 0 <= self._current < len(self.drafts)
        self.details.setVisible(has)
        self.remove_button.setEnabled(has)
