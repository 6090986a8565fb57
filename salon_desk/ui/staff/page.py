"""StaffPage: the staff list and editor (names and job titles in Arabic and English, phone, colour, display
order, active) and each person's week, painted in the grid, with time off over date ranges. A change that
leaves bookings outside working hours shows them first (ConsequencesDialog). Managers and owners only: a
receptionist's save is refused with the use case's own translated message, and a manager's PIN typed in the
prompt that follows (ui.manager_pin) allows that one save."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.i18n import N_
from salon_desk.domain.model import Changes, ExceptionKind, Staff
from salon_desk.domain.phone import format_national
from salon_desk.ui.availability.consequences import ConsequencesDialog, load_choices
from salon_desk.ui.availability.grid import WeekGrid
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _
from salon_desk.ui.manager_pin import run_elevated
from salon_desk.ui.named import named
from salon_desk.ui.names import name_in
from salon_desk.ui.staff.swatches import STAFF_COLOURS, ColourSwatches
from salon_desk.usecases.availability import NewException

FIELDS = ("name_ar", "name_en", "title_ar", "title_en", "phone")  # text fields; the colour is a swatch
KIND_LABELS = {ExceptionKind.TIME_OFF: N_("Time off"), ExceptionKind.EXTRA_HOURS: N_("Extra shift")}


class StaffPage(QWidget):
    saved = Signal(str)  # what was saved: "staff", "week", "exception"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StaffPage")
        self._ctx = ctx
        self.staff: list[Staff] = []
        self.current: str | None = None
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.message_label = QLabel(wordWrap=True)
        self.message_label.setObjectName("StaffMessage")
        self.list = QListWidget()
        self.list.setObjectName("StaffList")
        self.list.setMinimumWidth(220)
        self.new_button = QPushButton()
        self.edits = {name: QLineEdit() for name in FIELDS}
        self.colour = ColourSwatches()
        self.colour_value = named(QLabel(), "ColourValue")
        self.colour.changed.connect(lambda _v: self._show_colour())
        self.order = QSpinBox()
        self.order.setRange(0, 10_000)
        self.active = QCheckBox()
        self.save_button = QPushButton()
        self.grid = WeekGrid()
        self.save_week_button = QPushButton()
        self.kind_box = QComboBox()
        self.from_date, self.to_date = QDateEdit(), QDateEdit()
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
        self.add_exception_button = QPushButton()
        self._build()
        self.list.currentItemChanged.connect(self._on_pick)
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save_staff)
        self.save_week_button.clicked.connect(self.save_week)
        self.add_exception_button.clicked.connect(self.add_exception)
        ctx.events.changes_applied.connect(self._on_changes)
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.refresh()

    def _build(self) -> None:
        self.form = QFormLayout()
        self.form_labels: dict[str, QLabel] = {}
        colour_row = QHBoxLayout()
        colour_row.addWidget(self.colour)
        colour_row.addWidget(self.colour_value)
        colour_row.addStretch(1)
        for name in (*FIELDS, "color", "order", "active"):
            row_label = QLabel()
            self.form_labels[name] = row_label
            if name == "color":
                row_label.setBuddy(self.colour)
                self.form.addRow(row_label, colour_row)
                continue
            field: QWidget = self.edits.get(name) or (self.order if name == "order" else self.active)
            self.form.addRow(row_label, field)
        self.hours_label = named(QLabel(), "SectionTitle")
        self.hint_label = named(QLabel(wordWrap=True), "PageSubtitle")
        away = QHBoxLayout()
        self.away_label, self.from_label, self.to_label = QLabel(), QLabel(), QLabel()
        for part in (self.away_label, self.kind_box, self.from_label, self.from_date, self.to_label, self.to_date,
                     self.add_exception_button):
            away.addWidget(part)
        away.addStretch(1)
        editor = QVBoxLayout()
        editor.addLayout(self.form)
        editor.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeading)
        editor.addWidget(self.hours_label)
        editor.addWidget(self.hint_label)
        editor.addWidget(self.grid)
        editor.addWidget(self.save_week_button, 0, Qt.AlignmentFlag.AlignLeading)
        editor.addLayout(away)
        editor.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(editor, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addWidget(self.message_label)
        layout.addLayout(body, 1)

    # -- language ------------------------------------------------------------------------------------------
    def _lang(self) -> str:
        return self._ctx.l10n().lang

    def retranslate(self) -> None:
        self.title_label.setText(_("Staff"))
        self.subtitle_label.setText(_("Who works here, what each person does, and when they work."))
        labels = {"name_ar": _("Name (Arabic)"), "name_en": _("Name (English)"), "title_ar": _("Job title (Arabic)"),
                  "title_en": _("Job title (English)"), "phone": _("Mobile"), "color": _("Colour"),
                  "order": _("Display order"), "active": _("Works here")}
        for name, label in self.form_labels.items():
            label.setText(labels[name])
        self.new_button.setText(_("New staff member"))
        self.save_button.setText(_("Save details"))
        self.hours_label.setText(_("Working hours"))
        self.hint_label.setText(_("Paint working time with the mouse, or use the arrow keys and Space "
                                  "(Shift+arrows to stretch). Gaps are breaks."))
        self.save_week_button.setText(_("Save working hours"))
        self.away_label.setText(_("Away or extra:"))
        self.from_label.setText(_("From"))
        self.to_label.setText(_("To"))
        self.add_exception_button.setText(_("Add"))
        self.kind_box.clear()
        for kind, kind_label in KIND_LABELS.items():
            self.kind_box.addItem(_(kind_label), kind)
        self.grid.update()
        self._show_colour()
        self._fill_list()

    # -- loading -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._ctx.runner.db(self._ctx.desk.staff.list, on_done=self._on_staff, on_error=self._show_error, owner=self)

    def _on_changes(self, changes: Changes) -> None:
        if changes:
            self.refresh()

    def _on_staff(self, staff: tuple[Staff, ...]) -> None:
        self.staff = list(staff)
        self._fill_list()
        if self.current is None and self.staff:
            self.pick(self.staff[0].id)

    def _fill_list(self) -> None:
        lang, current = self._lang(), self.current
        self.list.blockSignals(True)
        self.list.clear()
        for person in self.staff:
            title = person.title_in(lang)
            text = name_in(person, lang) + (f"\n{title}" if title else "")
            if not person.active:
                text += f"  ({_('no longer works here')})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.list.addItem(item)
            if person.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def pick(self, staff_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == staff_id:
                self.list.setCurrentRow(row)
                return

    def _on_pick(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        staff_id = item.data(Qt.ItemDataRole.UserRole)
        self.current = staff_id
        person = next((s for s in self.staff if s.id == staff_id), None)
        if person is not None:
            for name in FIELDS:
                value = getattr(person, name) or ""
                self.edits[name].setText(format_national(value) if name == "phone" and value else value)
            self.colour.set_value(person.color)
            self._show_colour()
            self.order.setValue(person.sort_order)
            self.active.setChecked(person.active)
        self._load_week(staff_id)

    def _load_week(self, staff_id: str) -> None:
        self._ctx.runner.db(self._ctx.desk.availability.week, staff_id,
                            on_done=lambda rules: self._show_week(staff_id, rules), on_error=self._show_error,
                            owner=self)

    def _show_week(self, staff_id: str, rules: list[Any]) -> None:
        if staff_id == self.current:  # an answer for someone no longer on show is dropped
            self.grid.set_rules(rules)

    def start_new(self) -> None:
        self.current = None
        self.list.clearSelection()
        for edit in self.edits.values():
            edit.clear()
        self.colour.set_value(self._unused_colour())
        self._show_colour()
        self.order.setValue(len(self.staff))
        self.active.setChecked(True)
        self.grid.set_rules([])
        self.edits["name_ar"].setFocus()

    def _show_colour(self) -> None:
        value = self.colour.value()
        hex_code = f"\u2066{value}\u2069"  # left to right inside Arabic text (#6A4FB3, never 6A4FB3#)
        self.colour_value.setText(f"{self.colour.colour_name(value)}  {hex_code}" if value else _("No colour"))

    def _unused_colour(self) -> str:
        """A new person's first colour: the first one of the palette nobody has yet."""
        taken = {s.color.lower() for s in self.staff}
        colours = [value for value, _name in STAFF_COLOURS]
        return next((c for c in colours if c.lower() not in taken), colours[0])

    # -- saving --------------------------------------------------------------------------------------------
    def fields(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: self.edits[name].text() for name in FIELDS}
        values["color"] = self.colour.value()
        values["sort_order"], values["active"] = self.order.value(), self.active.isChecked()
        return values

    def save_staff(self) -> None:
        area, fields, staff_id = self._ctx.desk.staff, self.fields(), self.current
        if staff_id is None:
            run_elevated(self._ctx, self, lambda pin: area.add(fields, pin), on_done=self._on_added,
                         on_error=self._show_error)
        else:
            run_elevated(self._ctx, self, lambda pin: area.update(staff_id, fields, pin),
                         on_done=lambda r: self._done("staff", r), on_error=self._show_error)

    def _on_added(self, result: Any) -> None:
        self.current = result.id
        self._done("staff", result)
        self.refresh()

    def save_week(self) -> None:
        if self.current is None:
            return
        staff_id, spans = self.current, self.grid.spans()
        self._ctx.runner.db(self._ctx.desk.availability.preview_week, staff_id, spans,
                            on_done=lambda affected: self._settle_then(
                                affected, lambda s, pin: self._ctx.desk.availability.save_week(staff_id, spans, s, pin),
                                "week"),
                            on_error=self._show_error, owner=self)

    def time_away(self) -> NewException | None:
        if self.current is None:
            return None
        first: date = self.from_date.date().toPython()  # type: ignore[assignment]  # a QDate gives a date
        last: date = self.to_date.date().toPython()  # type: ignore[assignment]
        return NewException(self.current, self.kind_box.currentData(), first, last)

    def add_exception(self) -> None:
        new = self.time_away()
        if new is None:
            return
        self._ctx.runner.db(self._ctx.desk.availability.preview_exception, new,
                            on_done=lambda affected: self._settle_then(
                                affected, lambda s, pin: self._ctx.desk.availability.add_exception(new, s, pin),
                                "exception"),
                            on_error=self._show_error, owner=self)

    def _settle_then(self, affected: list[Any], save: Any, what: str) -> None:
        if not affected:
            self._save_elevated(save, {}, what)
            return
        self._ctx.runner.db(load_choices, self._ctx.desk, affected,
                            on_done=lambda free: self._ask(affected, free, save, what),
                            on_error=self._show_error, owner=self)

    def _ask(self, affected: list[Any], free: dict[str, list[str]], save: Any, what: str) -> None:
        names = {s.id: name_in(s, self._lang()) for s in self.staff}
        dialog = ConsequencesDialog(affected, free, lambda sid: names.get(sid, ""), self._lang(),
                                    self._ctx.timezone, self)
        self.consequences_dialog = dialog
        dialog.finished.connect(lambda code: self._after_dialog(code, dialog, save, what))
        dialog.open()

    def _after_dialog(self, code: int, dialog: ConsequencesDialog, save: Any, what: str) -> None:
        if code != QDialog.DialogCode.Accepted:
            return
        self._save_elevated(save, dialog.settlements(), what)

    def _save_elevated(self, save: Any, settlements: dict[str, Any], what: str) -> None:
        """`save(settlements, manager_pin)`, asking for a manager's PIN when the role is refused."""
        run_elevated(self._ctx, self, lambda pin: save(settlements, pin), on_done=lambda r: self._done(what, r),
                     on_error=self._show_error)

    def _done(self, what: str, result: Any = None) -> None:
        texts = {"staff": _("Saved."), "week": _("Working hours saved."), "exception": _("Added.")}
        self.message_label.setText(texts[what])
        changes = getattr(result, "changes", None)
        if changes:  # the calendar and every other page show the change (moved or cancelled bookings too)
            self._ctx.events.changes_applied.emit(changes)
        self.saved.emit(what)
        if what != "staff" and self.current is not None:
            self._load_week(self.current)

    def _show_error(self, error: BaseException) -> None:
        self.message_label.setText(error_text(error, self._ctx.l10n(), _("This could not be saved.")))

    def today(self) -> date:
        return self._ctx.now().astimezone(ZoneInfo(self._ctx.timezone)).date()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        if self.from_date.date() == QDate(2000, 1, 1):
            today = self.today()
            self.from_date.setDate(QDate(today + timedelta(days=1)))
            self.to_date.setDate(QDate(today + timedelta(days=1)))
        super().showEvent(event)
