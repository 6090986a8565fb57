"""One conflict card: the reason in the user's language, what was tried beside what the server has, and
one-click fix buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from salon_desk.l10n import Localizer
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.theme import PALETTE, STATUS_COLOURS
from salon_desk.usecases.views import ConflictCard, ConflictFix

from . import text

FIX_COLUMNS = 3
ATTENTION = STATUS_COLOURS["needs_attention"]
CARD_QSS = (
    f"QFrame#ConflictCard {{ background: {PALETTE['surface']}; border: 1px solid {PALETTE['border']}; "
    f"border-top: 4px solid {ATTENTION.border.name()}; border-radius: 8px; }}"
    f"QFrame#ConflictSide {{ background: {PALETTE['surface_alt']}; border: 1px solid {PALETTE['border']}; "
    "border-radius: 6px; }"
)


def _label(text_: str = "", object_name: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text_, wordWrap=True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    if bold:
        label.setStyleSheet("font-weight: bold;")
    return label


class ConflictCardWidget(QFrame):
    fix_chosen = Signal(str, object)  # conflict id, ConflictFix

    def __init__(
        self,
        card: ConflictCard,
        fixes: list[ConflictFix],
        l10n: Localizer,
        tz: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ConflictCard")
        self.card, self.fixes = card, fixes
        self.setStyleSheet(CARD_QSS)
        self.title_label = _label(object_name="ConflictTitle", bold=True)
        self.urgency_label = _label()
        self.reason_label = _label(object_name="ConflictReason")
        self.tried_title, self.tried_label = _label(bold=True), _label()
        self.server_title, self.server_label = _label(bold=True), _label()
        self.fixes_title = _label(bold=True)
        self.fix_buttons: list[QPushButton] = []
        self._build(l10n, tz)

    def _side(self, heading: QLabel, body: QLabel) -> QFrame:
        frame = named(QFrame(), "ConflictSide")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(1)  # both sides read from the top, whatever their length
        return frame

    def _build(self, l10n: Localizer, tz: str) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title_label, 1)
        header.addWidget(self.urgency_label)
        sides = QHBoxLayout()  # mirrors in RTL: what was tried reads first
        sides.addWidget(self._side(self.tried_title, self.tried_label), 1)
        sides.addWidget(self._side(self.server_title, self.server_label), 1)
        grid = QGridLayout()
        for index, fix in enumerate(self.fixes):
            button = QPushButton()
            button.setProperty("primary", index == 0)
            button.clicked.connect(lambda _checked=False, f=fix: self.fix_chosen.emit(self.card.id, f))
            grid.addWidget(button, index // FIX_COLUMNS, index % FIX_COLUMNS)
            self.fix_buttons.append(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.reason_label)
        layout.addLayout(sides)
        layout.addWidget(self.fixes_title)
        layout.addLayout(grid)
        self.retranslate(l10n, tz)

    def retranslate(self, l10n: Localizer, tz: str) -> None:
        card = self.card
        self.title_label.setText(f"{text.title(card)} — {l10n.isolate(card.customer_name or '—')}")
        self.urgency_label.setText(text.starts_in(l10n, card))
        colour = PALETTE["danger"] if card.urgent else PALETTE["text_muted"]
        self.urgency_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.reason_label.setText(text.reason(l10n, card, tz))
        self.tried_title.setText(_("What was tried"))
        self.tried_label.setText("\n".join(text.tried_lines(l10n, card, tz)))
        self.server_title.setText(_("What the server has"))
        self.server_label.setText("\n".join(text.server_lines(l10n, card, tz)))
        self.fixes_title.setText(_("Fixes") if self.fixes else _("No fix is possible right now."))
        for button, fix in zip(self.fix_buttons, self.fixes, strict=True):
            button.setText(text.fix_label(l10n, fix, tz, card.attempted_start))

    def set_busy(self, busy: bool) -> None:
        for button in self.fix_buttons:
            button.setEnabled(not busy)
