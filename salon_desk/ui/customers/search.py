"""CustomerSearch: turns what the receptionist types into pages of CustomerTableModel rows.

Typing restarts a short pause (`Latest`, the one debounced latest-answer-wins helper); when it ends, the DB
lane counts the matches and loads the first page in one job. Later pages are loaded when the view asks
(fetchMore). A slow answer to an older search never overwrites a newer one: a new search drops the answers
of the old one still on their way, pages included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.model import CustomerTableModel
from salon_desk.ui.customers.text import search_text
from salon_desk.ui.latest import Latest
from salon_desk.usecases.views import CustomerSummary

if TYPE_CHECKING:
    from salon_desk.usecases.desk import DeskService

DEBOUNCE_MS = 150
PAGE_SIZE = 100


class CustomerSearch(QObject):
    results_loaded = Signal(int)  # the total number of matches of the current search
    page_loaded = Signal(int)  # rows loaded so far
    search_failed = Signal(object)  # the exception

    def __init__(self, ctx: UiContext, model: CustomerTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._model = model
        self._text = ""
        self._first = Latest(ctx.runner, DEBOUNCE_MS, parent=self)
        self._pages = Latest(ctx.runner, parent=self)
        model.more_requested.connect(self._on_more_requested)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, typed: str) -> None:
        """Schedules a search for `typed` (debounced)."""
        self._text = search_text(typed)
        self._pages.cancel()
        self._first.request(
            _first_page, self._ctx.desk, self._text, on_done=self._on_first_page, on_error=self._on_failed
        )

    def run_now(self) -> None:
        """Runs the current search immediately (also used to refresh after a change)."""
        self._pages.cancel()
        self._first.run_now(
            _first_page, self._ctx.desk, self._text, on_done=self._on_first_page, on_error=self._on_failed
        )

    def _on_first_page(self, answer: tuple[list[CustomerSummary], int]) -> None:
        rows, total = answer
        self._model.set_rows(rows, total)
        self.results_loaded.emit(total)
        self.page_loaded.emit(len(rows))

    def _on_more_requested(self, offset: int) -> None:
        self._pages.run_now(
            self._ctx.desk.customers.search,
            self._text,
            PAGE_SIZE,
            offset,
            on_done=self._on_next_page,
            on_error=self._on_page_failed,
        )

    def _on_next_page(self, rows: list[CustomerSummary]) -> None:
        self._model.append_rows(rows)
        self.page_loaded.emit(self._model.loaded)

    def _on_page_failed(self, error: BaseException) -> None:
        self._model.page_failed()
        self.search_failed.emit(error)

    def _on_failed(self, error: BaseException) -> None:
        self.search_failed.emit(error)


def _first_page(desk: DeskService, text: str) -> tuple[list[CustomerSummary], int]:
    """Runs on the DB lane: the first page and the number of matches, read together."""
    rows = list(desk.customers.search(text, PAGE_SIZE, 0))
    total = desk.customers.count(text) if len(rows) >= PAGE_SIZE else len(rows)
    return rows, total
