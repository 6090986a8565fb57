"""CustomerTableModel: search results as plain CustomerSummary rows, loaded a page at a time.

The model never queries. It holds the rows it was given and the total the search reported; when a view
scrolls near the end it asks for the next page through `more_requested(offset)`, and whoever runs the
search (CustomerSearch) appends the page with `append_rows`. So 100,000 customers cost one page of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal

from salon_desk.domain.model import Language
from salon_desk.ui.i18n import _
from salon_desk.ui.table_model import LEADING, ROW_ROLE, AnyIndex, RowsTableModel
from salon_desk.usecases.views import CustomerSummary

__all__ = ["ID_ROLE", "ROW_ROLE", "CustomerTableModel", "language_label"]
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the customer id

NAME, PHONE, LANGUAGE, VISITS, NO_SHOWS, LAST_VISIT = range(6)
COLUMN_COUNT = 6


def language_label(language: Language | str) -> str:
    return _("Arabic") if language == Language.AR else _("English")


def _headers() -> tuple[str, ...]:
    return (_("Name"), _("Mobile"), _("Language"), _("Visits"), _("No-shows"), _("Last visit"))


class CustomerTableModel(RowsTableModel[CustomerSummary]):
    """Rows of CustomerSummary; `total` is how many the current search matches (for lazy loading)."""

    more_requested = Signal(int)  # offset of the next page the view wants

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._total = 0
        self._loading = False

    # -- columns ---------------------------------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return _headers()

    def key(self, row: CustomerSummary) -> str:
        return row.id

    def header_alignment(self) -> int | None:
        return LEADING

    def decoration(self, row: CustomerSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEADING
        if role == ID_ROLE:
            return row.id
        return None

    def display(self, row: CustomerSummary, column: int) -> str:
        loc = self._l10n()
        if column == NAME:
            return row.name
        if column == PHONE:
            return loc.phone(row.phone)  # national form in a left-to-right isolate
        if column == LANGUAGE:
            return language_label(row.language)
        if column == VISITS:
            return loc.number(row.visits)
        if column == NO_SHOWS:
            return loc.number(row.no_shows)
        return loc.date(row.last_visit) if row.last_visit else ""

    # -- feeding ---------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[CustomerSummary], total: int | None = None) -> None:
        """Replaces every row (a new search); `total` defaults to the rows given (nothing more to fetch)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._total = max(len(self._rows), total if total is not None else len(self._rows))
        self._loading = False
        self.endResetModel()

    def append_rows(self, rows: Sequence[CustomerSummary]) -> None:
        """Adds the next page below the loaded rows (rows already present are skipped)."""
        self._loading = False
        known = {row.id for row in self._rows} if rows else set()
        fresh = [row for row in rows if row.id not in known]
        if not fresh:
            # Nothing new came back: the total was stale; stop asking for more.
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self._total = max(self._total, len(self._rows))
        self.endInsertRows()

    def replace_row(self, row: CustomerSummary) -> bool:
        """Updates one customer in place (after an edit); False when it is not loaded."""
        position = self.row_of(row.id)
        if position < 0:
            return False
        self._rows[position] = row
        self.dataChanged.emit(self.index(position, 0), self.index(position, COLUMN_COUNT - 1))
        return True

    # -- reading ---------------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    @property
    def loaded(self) -> int:
        return len(self._rows)

    # -- lazy loading ----------------------------------------------------------------------------------
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: N802 - Qt API
        if self.canFetchMore(parent):
            self._loading = True
            self.more_requested.emit(len(self._rows))

    def page_failed(self) -> None:
        """The page request failed: allow the view to ask again."""
        self._loading = False
