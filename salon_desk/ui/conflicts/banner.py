"""The escalation banner on the calendar header (specs/sync.md §3.9 step 4): unresolved conflicts whose
appointment starts within two hours, shown in red to everyone. It also keeps the navigation's conflict count
and raises the toast when a new conflict arrives, because the calendar is always open.

    layout.addWidget(EscalationBanner(ctx, self))
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidget, QPushButton, QWidget

from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.pages import NAV_BY_KEY
from salon_desk.ui.theme import PALETTE
from salon_desk.usecases.views import ConflictCard

from . import text
from .toast import ConflictToast
from .watch import ConflictWatcher

PAGE_KEY = "conflicts"
BANNER_QSS = (
    f"QFrame#EscalationBanner {{ background: {PALETTE['danger']}; border-radius: 6px; }}"
    f"QFrame#EscalationBanner QLabel {{ color: {PALETTE['on_accent']}; font-weight: bold; }}"
)


def set_nav_count(window: QWidget, count: int, shown: str) -> None:
    """Shows the open conflict count (`shown`: in the screen's digits) beside the Conflicts entry of the navigation, if the window has one."""
    nav = window.findChild(QListWidget, "NavList")
    entry = NAV_BY_KEY.get(PAGE_KEY)
    if nav is None or entry is None:
        return
    for row in range(nav.count()):
        item = nav.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == PAGE_KEY:
            title = _(entry.title)
            item.setText(f"{title} ({shown})" if count else title)


def open_conflicts_page(widget: QWidget) -> None:
    show_page = getattr(widget.window(), "show_page", None)
    if show_page is not None:
        show_page(PAGE_KEY)


class EscalationBanner(QFrame):
    urgent_changed = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("EscalationBanner")
        self._ctx = ctx
        self.urgent: list[ConflictCard] = []
        self.setStyleSheet(BANNER_QSS)
        self.label = QLabel(wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton()
        self.button.clicked.connect(lambda: open_conflicts_page(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.toast: ConflictToast | None = None
        self.watcher = ConflictWatcher(ctx, self)
        self.watcher.loaded.connect(self._on_loaded)
        self.watcher.arrived.connect(self.show_toast)
        ctx.events.language_changed.connect(self.retranslate)
        self.setVisible(False)
        self.watcher.reload()

    def _on_loaded(self, cards: list[ConflictCard]) -> None:
        self.urgent = [c for c in cards if c.urgent]
        self.retranslate()
        self.setVisible(bool(self.urgent))
        self.urgent_changed.emit(len(self.urgent))

    def show_toast(self, cards: list[ConflictCard]) -> None:
        host = self.window()
        if self.toast is None or self.toast.parentWidget() is not host:
            self.toast = ConflictToast(host)
            self.toast.resolve_requested.connect(lambda: open_conflicts_page(self))
        self.toast.show_cards(cards, self._ctx.l10n(), self._ctx.timezone)

    def retranslate(self, *_args: Any) -> None:
        count = len(self.watcher.cards)
        set_nav_count(self.window(), count, self._ctx.l10n().number(count))
        self.button.setText(_("Resolve"))
        if not self.urgent:
            self.label.clear()
            return
        l10n, tz = self._ctx.l10n(), self._ctx.timezone
        first = self.urgent[0]
        headline = ngettext(
            "{n} unresolved conflict starts within two hours:",
            "{n} unresolved conflicts start within two hours:",
            len(self.urgent),
        ).format(n=l10n.number(len(self.urgent)))
        detail = text.fill(
            l10n,
            _("{customer} at {time} with {staff}"),
            customer=first.customer_name or "—",
            time=l10n.time(first.attempted_start, tz) if first.attempted_start else "—",
            staff=text.name_of(l10n, first.staff[0] if first.staff else None),
        )
        self.label.setText(f"{headline} {detail}")
