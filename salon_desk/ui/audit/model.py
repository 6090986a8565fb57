"""AuditTableModel: the salon's audit lines from every desk, newest first: when, who, on which desk (by
name), what, which record, what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from salon_desk.ui import i18n
from salon_desk.ui.i18n import _
from salon_desk.ui.table_model import RowsTableModel
from salon_desk.usecases.audit_view import AuditLine

from .text import action_text, changes_text, desk_text, entity_text

WHEN, WHO, DESK, ACTION, RECORD, CHANGES = range(6)


class AuditTableModel(RowsTableModel[AuditLine]):
    def __init__(self, timezone: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(i18n.current_localizer, parent)
        self._timezone = timezone

    def headers(self) -> tuple[str, ...]:
        return (_("When"), _("Who"), _("Desk"), _("What"), _("Record"), _("Before → after"))

    def key(self, row: AuditLine) -> str:
        return row.event_id

    def display(self, row: AuditLine, column: int) -> str:
        l10n = self._l10n()
        if column == WHEN:
            return l10n.datetime(row.at, self._timezone())
        if column == WHO:
            return l10n.isolate(row.actor_name) if row.actor_name else _("Unknown person")
        if column == DESK:
            return desk_text(l10n, row)
        if column == ACTION:
            return action_text(row.action)
        if column == RECORD:
            label = l10n.isolate(row.record_name) if row.record_name else row.entity_id[-6:]
            return f"{entity_text(row.entity)}: {label}"
        return changes_text(l10n, row)

    def decoration(self, row: AuditLine, column: int, role: int) -> Any:
        return None
