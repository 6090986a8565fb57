"""ConflictsPage: every open conflict card of the salon (salon-wide, so Desk 2 sees what Desk 1 pushed),
each with one-click fixes. A card disappears only when someone resolves it.

    page = ConflictsPage(ctx)     # refreshes after any change touching conflicts or bookings
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from salon_desk.domain.errors import DomainError
from salon_desk.domain.model import Changes
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.latest import Latest
from salon_desk.ui.message_line import show_message_line
from salon_desk.ui.named import named
from salon_desk.usecases.views import ConflictCard, ConflictFix, ResolveConflict

from . import text
from .card import ConflictCardWidget
from .watch import WATCHED

log = logging.getLogger(__name__)


# Refusals meaning "this card is gone": someone resolved it between the two reads.
GONE = frozenset({"conflict.not_found", "conflict.already_resolved"})
Board = list[tuple[ConflictCard, list[ConflictFix]]]


def load_board(desk: Any) -> tuple[Board, dict[str, BaseException]]:
    """Runs on the DB lane: the open cards with the fixes current data allows, and why a card has none when
    its fixes could not be worked out. Only a card resolved meanwhile is left out: nothing hides silently."""
    board: Board = []
    problems: dict[str, BaseException] = {}
    for card in desk.conflicts.open():
        try:
            fixes = desk.conflicts.fixes(card.id)
        except DomainError as refusal:
            if refusal.code in GONE:
                continue
            fixes, problems[card.id] = [], refusal
        except Exception as error:  # noqa: BLE001 - a bug must not hide the card: it shows, and is logged
            log.error("fixes for conflict %s failed", card.id, exc_info=error)
            fixes, problems[card.id] = [], error
        board.append((card, fixes))
    return board, problems


class ConflictsPage(QWidget):
    board_loaded = Signal(object)  # the (card, fixes) list now shown
    resolved = Signal(str)  # a conflict id this desk resolved

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConflictsPage")
        self._ctx = ctx
        self._loads = Latest(ctx.runner, parent=self)
        self.board: Board = []
        self.problems: dict[str, BaseException] = {}  # card id -> why its fixes could not be worked out
        self.cards: list[ConflictCardWidget] = []
        self.title_label = named(QLabel(), "PageTitle")
        self.subtitle_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.message_label = QLabel(wordWrap=True)
        self.message_label.setVisible(False)
        self.empty_label = named(QLabel(wordWrap=True), "PageSubtitle")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setSpacing(12)
        self._list_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._list)
        scroll.viewport().setAutoFillBackground(False)
        self._list.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        for widget in (self.title_label, self.subtitle_label, self.message_label, self.empty_label):
            layout.addWidget(widget)
        layout.addWidget(scroll, 1)
        ctx.events.changes_applied.connect(self._on_changes)
        ctx.events.minute_ticked.connect(self.reload)  # "starts in …" and urgency follow the clock
        ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if any(changes.touches(entity) for entity in WATCHED):
            self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._loads.run_now(load_board, self._ctx.desk, on_done=self._on_loaded)

    def _on_loaded(self, loaded: tuple[Board, dict[str, BaseException]]) -> None:
        board, self.problems = loaded
        self.board = board
        self._fill()
        self.board_loaded.emit(board)

    def _fill(self) -> None:
        for widget in self.cards:
            widget.setParent(None)
            widget.deleteLater()
        self.cards = []
        l10n = self._ctx.l10n()
        for card, fixes in self.board:
            widget = ConflictCardWidget(card, fixes, l10n, self._ctx.timezone)
            widget.fix_chosen.connect(self.resolve)
            self._list_layout.insertWidget(self._list_layout.count() - 1, widget)
            self.cards.append(widget)
        self._show_problems()
        self._retranslate_counts()

    def _show_problems(self) -> None:
        l10n = self._ctx.l10n()
        for widget in self.cards:
            problem = self.problems.get(widget.card.id)
            if problem is not None:
                widget.fixes_title.setText(text.error_text(l10n, problem))

    def resolve(self, conflict_id: str, fix: ConflictFix) -> None:
        for widget in self.cards:
            widget.set_busy(widget.card.id == conflict_id)
        self._ctx.runner.db(
            self._ctx.desk.conflicts.resolve,
            ResolveConflict(conflict_id, fix),
            on_done=lambda result: self._on_resolved(conflict_id, result),
            on_error=self._on_error,
            owner=self,
        )

    def _on_resolved(self, conflict_id: str, result: Any) -> None:
        self.show_message(_("Conflict resolved. The other desks will see it after the next sync."))
        self._ctx.events.changes_applied.emit(result.changes)
        self.resolved.emit(conflict_id)

    def _on_error(self, error: BaseException) -> None:
        self.show_message(text.error_text(self._ctx.l10n(), error), error=True)
        self.reload()  # the fixes on show may be out of date

    def show_message(self, message: str, error: bool = False) -> None:
        show_message_line(self.message_label, message, error)

    def _retranslate_counts(self) -> None:
        count = len(self.board)
        self.subtitle_label.setText(
            ngettext("{n} open conflict", "{n} open conflicts", count).format(
                n=self._ctx.l10n().number(count)
            )
        )
        self.empty_label.setVisible(count == 0)

    def retranslate(self, *_args: Any) -> None:
        self.title_label.setText(_("Conflicts"))
        self.empty_label.setText(_("No open conflicts. Every desk agrees with the server."))
        self._retranslate_counts()
        l10n = self._ctx.l10n()
        for widget in self.cards:
            widget.retranslate(l10n, self._ctx.timezone)
        self._show_problems()
