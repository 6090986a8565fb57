"""Keeps the open conflict cards in view: reloads them after any change touching conflicts or bookings (and
once a minute, since urgency depends on the time), and says which cards are new."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from salon_desk.domain.model import Changes
from salon_desk.ui.context import UiContext
from salon_desk.ui.latest import Latest
from salon_desk.usecases.views import ConflictCard

log = logging.getLogger(__name__)
WATCHED = ("sync_conflict", "booking", "booking_item")


class ConflictWatcher(QObject):
    loaded = Signal(object)  # list[ConflictCard], every reload
    arrived = Signal(object)  # list[ConflictCard] not seen before (never on the first load)

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._seen: set[str] | None = None
        self._loads = Latest(ctx.runner, parent=self)  # a newer reload wins
        self.cards: list[ConflictCard] = []
        ctx.events.changes_applied.connect(self._on_changes)
        ctx.events.minute_ticked.connect(self.reload)

    def _on_changes(self, changes: Changes) -> None:
        if any(changes.touches(entity) for entity in WATCHED):
            self.reload()

    def reload(self) -> None:
        self._loads.run_now(self._ctx.desk.conflicts.open, on_done=self._on_loaded)

    def _on_loaded(self, cards: list[ConflictCard]) -> None:
        self.cards = list(cards)
        ids = {c.id for c in cards}
        new = [c for c in cards if self._seen is not None and c.id not in self._seen]
        self._seen = ids if self._seen is None else self._seen | ids
        self.loaded.emit(self.cards)
        if new:
            self.arrived.emit(new)
