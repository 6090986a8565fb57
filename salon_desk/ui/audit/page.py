"""AuditPage: the salon's audit trail for managers: who did what, when, on which desk, before and after in
plain words; filters by person, record type and dates; CSV export; the chain checked for edited rows.

    page = AuditPage(ctx)        # loads on the DB lane; a receptionist sees why it is closed to her
    page.export_to(path)         # the lines on show, as CSV (the page's button asks where)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salon_desk.domain.model import Changes
from salon_desk.ui.context import UiContext
from salon_desk.ui.errors import error_text
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.latest import Latest
from salon_desk.ui.named import named
from salon_desk.ui.table_model import rows_view
from salon_desk.ui.theme import PALETTE
from salon_desk.usecases.audit_view import AuditFilter, AuditLine, AuditPeople

from .model import AuditTableModel
from .text import ENTITIES, entity_text

DEFAULT_DAYS = 7


def load(desk: Any, flt: AuditFilter) -> tuple[list[AuditLine], AuditPeople]:
    """On the DB lane: the lines (raises Forbidden for a receptionist) and who appears in the trail."""
    return desk.audit.lines(flt), desk.audit.people()


class AuditPage(QWidget):
    lines_loaded = Signal(object)  # list[AuditLine]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AuditPage")
        self._ctx = ctx
        self._loads = Latest(ctx.runner, parent=self)
        self.lines: list[AuditLine] = []
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.message_label = QLabel(wordWrap=True)
        self.message_label.setVisible(False)
        self.person_box = QComboBox()
        self.entity_box = QComboBox()
        today = self._local_today()
        self.from_date = QDateEdit(QDate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.to_date = QDateEdit(QDate(today))
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
        self.export_button = QPushButton()
        self.verify_button = QPushButton()
        self.model = AuditTableModel(lambda: ctx.timezone, self)
        self.table = rows_view(self.model, "AuditTable", alternating=True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._build()
        for box in (self.person_box, self.entity_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMinimumContentsLength(10)
            box.currentIndexChanged.connect(self.reload)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self.reload)
        self.export_button.clicked.connect(self._ask_export)
        self.verify_button.clicked.connect(self.verify)
        ctx.events.changes_applied.connect(self._on_changes)
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.reload()

    def _build(self) -> None:
        filters = QHBoxLayout()
        self.person_label, self.entity_label = QLabel(), QLabel()
        self.from_label, self.to_label = QLabel(), QLabel()
        for widget in (self.person_label, self.person_box, self.entity_label, self.entity_box, self.from_label,
                       self.from_date, self.to_label, self.to_date):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.verify_button)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        for widget in (self.title_label, self.subtitle_label):
            layout.addWidget(widget)
        layout.addLayout(filters)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)

    def _local_today(self) -> Any:
        return self._ctx.now().astimezone(ZoneInfo(self._ctx.timezone)).date()

    # -- loading

    def current_filter(self) -> AuditFilter:
        zone = ZoneInfo(self._ctx.timezone)
        first: date = self.from_date.date().toPython()  # type: ignore[assignment]  # a QDate gives a date
        last: date = self.to_date.date().toPython()  # type: ignore[assignment]
        since = datetime.combine(first, time(0), zone).astimezone(UTC)
        until = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
        return AuditFilter(self.person_box.currentData() or None, self.entity_box.currentData() or None,
                           since, until)

    def reload(self, *_args: Any) -> None:
        self._loads.run_now(load, self._ctx.desk, self.current_filter(), on_done=self._on_loaded,
                            on_error=self._on_error)

    def refresh(self) -> None:
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes:
            self.reload()

    def _on_loaded(self, loaded: tuple[list[AuditLine], AuditPeople]) -> None:
        self.lines, people = loaded
        self.model.set_rows(self.lines)
        self._fill_people(people)
        self.table.setVisible(True)
        self.export_button.setEnabled(True)
        self._retranslate_count()
        self.lines_loaded.emit(self.lines)

    def _on_error(self, error: BaseException) -> None:
        self.lines = []
        self.model.set_rows([])
        self.export_button.setEnabled(False)
        self.show_message(error_text(error), error=True)

    def _fill_people(self, people: AuditPeople) -> None:
        chosen = self.person_box.currentData()
        self.person_box.blockSignals(True)
        self.person_box.clear()
        self.person_box.addItem(_("Everyone"), None)
        l10n = self._ctx.l10n()
        for person_id, name in sorted(people.names.items(), key=lambda item: item[1]):
            self.person_box.addItem(l10n.isolate(name), person_id)
        self.person_box.setCurrentIndex(max(0, self.person_box.findData(chosen)) if chosen else 0)
        self.person_box.blockSignals(False)

    # -- acting

    def _ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the audit trail"), "audit.csv", "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        self._ctx.runner.db(self._ctx.desk.audit.export_csv, self.current_filter(),
                            on_done=lambda text: self._write(path, text), on_error=self._on_error, owner=self)

    def _write(self, path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8-sig")  # the BOM lets spreadsheet programs read Arabic
        self.show_message(_("Exported to {file}.").format(file=self._ctx.l10n().isolate(path.name)))

    def verify(self) -> None:
        self._ctx.runner.db(self._ctx.desk.audit.verify, on_done=self._on_verified, on_error=self._on_error,
                            owner=self)

    def _on_verified(self, broken: Any) -> None:
        if broken is None:
            self.show_message(_("The audit trail is intact: no event was changed after it was written."))
        else:
            self.show_message(_("The audit trail was changed: event number {seq} no longer matches its chain.")
                              .format(seq=self._ctx.l10n().number(broken.seq)), error=True)

    def show_message(self, message: str, error: bool = False) -> None:
        self.message_label.setText(message)
        colour = PALETTE["danger" if error else "success"]
        self.message_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.message_label.setVisible(bool(message))

    def _retranslate_count(self) -> None:
        count = len(self.lines)
        self.subtitle_label.setText(
            ngettext("{n} event", "{n} events", count).format(n=self._ctx.l10n().number(count))
        )

    def retranslate(self, *_args: Any) -> None:
        self.title_label.setText(_("Audit trail"))
        self.person_label.setText(_("Person"))
        self.entity_label.setText(_("Record"))
        self.from_label.setText(_("From"))
        self.to_label.setText(_("To"))
        self.export_button.setText(_("Export CSV"))
        self.verify_button.setText(_("Check the trail"))
        chosen = self.entity_box.currentData()
        self.entity_box.blockSignals(True)
        self.entity_box.clear()
        self.entity_box.addItem(_("All records"), None)
        for entity in ENTITIES:
            self.entity_box.addItem(entity_text(entity), entity)
        self.entity_box.setCurrentIndex(max(0, self.entity_box.findData(chosen)) if chosen else 0)
        self.entity_box.blockSignals(False)
        if self.person_box.count():
            self.person_box.setItemText(0, _("Everyone"))
        self.model.refresh()
        self._retranslate_count()
