"""CustomerTableModel: search results as plain CustomerSummary rows, loaded a page at a time.

The model never queries. It holds the rows it was given and the total the search reported; when a view
scrolls near the end it asks for the next page through `more_requested(offset)`, and whoever runs the
search (CustomerSearch) appends the page with `append_rows`. So 100,000 customers cost one page of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from salon_desk.domain.model import Language
from salon_desk.ui import i18n
from salon_desk.ui.i18n import _
from salon_desk.usecases.views import CustomerSummary

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

AnyIndex = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole  # the CustomerSummary of a row
ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the customer id

NAME, PHONE, LANGUAGE, VISITS, NO_SHOWS, LAST_VISIT = range(6)
COLUMN_COUNT = 6


def language_label(language: Language | str) -> str:
    return _("Arabic") if language == Language.AR else _("English")


def _headers() -> tuple[str, ...]:
    return (_("Name"), _("Mobile"), _("Language"), _("Visits"), _("No-shows"), _("Last visit"))


class CustomerTableModel(QAbstractTableModel):
    """Rows of CustomerSummary; `total` is how many the current search matches (for lazy loading)."""

    more_requested = Signal(int)  # offset of the next page the view wants

    def __init__(self, l10n: Callable[[], Localizer] = i18n.current_localizer, parent: Any = None) -> None:
        super().__init__(parent)
        self._l10n = l10n
        self._rows: list[CustomerSummary] = []
        self._total = 0
        self._loading = False

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

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1))

    # -- reading ---------------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return self._total

    @property
    def loaded(self) -> int:
        return len(self._rows)

    def rows(self) -> tuple[CustomerSummary, ...]:
        return tuple(self._rows)

    def row_at(self, position: int) -> CustomerSummary | None:
        return self._rows[position] if 0 <= position < len(self._rows) else None

    def row_of(self, customer_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row.id == customer_id), -1)

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

    # -- Qt model API ----------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _headers()[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= COLUMN_COUNT:
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        return None

    def _display(self, row: CustomerSummary, column: int) -> str:
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
