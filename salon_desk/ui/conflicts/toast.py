"""A non-modal toast when a conflict arrives: what could not be kept, by which desk and when, with Resolve.
It floats over the window's bottom corner and hides itself after a while; nothing is blocked."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from salon_desk.l10n import Localizer
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.theme import PALETTE
from salon_desk.usecases.views import ConflictCard

from . import text

SHOW_MS = 12_000
WIDTH = 460
MARGIN = 16
TOAST_QSS = (
    f"QFrame#ConflictToast {{ background: {PALETTE['danger_soft']}; border: 1px solid {PALETTE['danger']}; "
    "border-radius: 8px; }"
)


class ConflictToast(QFrame):
    resolve_requested = Signal()

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("ConflictToast")
        self.setStyleSheet(TOAST_QSS)
        self.setFixedWidth(WIDTH)
        self.label = QLabel(wordWrap=True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.resolve_button = QPushButton()
        self.resolve_button.setProperty("primary", True)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 8, 10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.resolve_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self._timer.timeout.connect(self.hide)
        self.close_button.clicked.connect(self.hide)
        self.resolve_button.clicked.connect(self._on_resolve)
        self.hide()

    def show_cards(self, cards: list[ConflictCard], l10n: Localizer, tz: str) -> None:
        first = cards[0]
        message = text.reason(l10n, first, tz)
        source = text.fill(
            l10n,
            _("({desk}, {time})"),
            desk=first.attempted_by_device or "—",
            time=l10n.time(first.created_at, tz),
        )
        more = ""
        if len(cards) > 1:
            others = len(cards) - 1
            more = "\n" + ngettext("and {n} more conflict", "and {n} more conflicts", others).format(
                n=l10n.number(others)
            )
        self.label.setText(f"{message} {source}{more}")
        self.resolve_button.setText(_("Resolve"))
        layout = self.layout()
        assert layout is not None  # built in __init__
        self.setFixedHeight(layout.totalHeightForWidth(WIDTH))
        self._place()
        self.show()
        self.raise_()
        self._timer.start()

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        rtl = host.layoutDirection() == Qt.LayoutDirection.RightToLeft
        x = MARGIN if rtl else host.width() - self.width() - MARGIN  # the reading end's bottom corner
        self.move(max(0, x), max(0, host.height() - self.height() - MARGIN - 28))

    def _on_resolve(self) -> None:
        self.hide()
        self.resolve_requested.emit()
