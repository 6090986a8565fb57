"""CustomerSearch: turns what the receptionist types into pages of CustomerTableModel rows.

Typing restarts a short debounce timer; when it fires, the DB lane counts the matches and loads the first
page in one job. Later pages are loaded when the view asks (fetchMore). Every answer carries the search
generation it was made for, so a slow answer to an older search never overwrites a newer one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from salon_desk.ui.context import UiContext
from salon_desk.ui.customers.model import CustomerTableModel
from salon_desk.ui.customers.text import search_text
from salon_desk.usecases.views import CustomerSummary

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
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_now)
        model.more_requested.connect(self._on_more_requested)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, typed: str) -> None:
        """Schedules a search for `typed` (debounced)."""
        self._text = search_text(typed)
        self._timer.start()

    def run_now(self) -> None:
        """Runs the current search immediately (also used to refresh after a change)."""
        self._timer.stop()
        self._generation += 1
        generation, text = self._generation, self._text
        self._ctx.runner.db(
            _first_page,
            self._ctx.desk,
            text,
            on_done=lambda answer: self._on_first_page(generation, answer),
            on_error=self._on_failed,
            owner=self,
        )

    def _on_first_page(self, generation: int, answer: tuple[list[CustomerSummary], int]) -> None:
        if generation != self._generation:
            return
        rows, total = answer
        self._model.set_rows(rows, total)
        self.results_loaded.emit(total)
        self.page_loaded.emit(len(rows))

    def _on_more_requested(self, offset: int) -> None:
        generation, text = self._generation, self._text
        self._ctx.runner.db(
            self._ctx.desk.search_customers,
            text,
            PAGE_SIZE,
            offset,
            on_done=lambda rows: self._on_next_page(generation, rows),
            on_error=self._on_page_failed,
            owner=self,
        )

    def _on_next_page(self, generation: int, rows: list[CustomerSummary]) -> None:
        if generation != self._generation:
            return
        self._model.append_rows(rows)
        self.page_loaded.emit(self._model.loaded)

    def _on_page_failed(self, error: BaseException) -> None:
        self._model.page_failed()
        self.search_failed.emit(error)

    def _on_failed(self, error: BaseException) -> None:
        self.search_failed.emit(error)


def _first_page(desk: Any, text: str) -> tuple[list[CustomerSummary], int]:
    """Runs on the DB lane: the first page and the number of matches, read together."""
    rows = list(desk.search_customers(text, PAGE_SIZE, 0))
    total = desk.count_customers(text) if len(rows) >= PAGE_SIZE else len(rows)
    return rows, total
