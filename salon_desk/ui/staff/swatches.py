"""ColourSwatches: a staff member's colour chosen from a small fixed palette, by mouse or keyboard.

    swatches = ColourSwatches()
    swatches.set_value("#2F6FB0")      # the stored colour; one not in the palette is kept as an extra swatch
    swatches.value()                   # "#2F6FB0" ("" when none is chosen)
    swatches.changed.connect(...)      # the new value, after a click or a key

One tab stop: ←/→ (in reading order, so right to left in Arabic), Home/End move the choice; a click picks.
Every colour carries white text at 4.5:1 or better, and its pale tint (18 %) under dark text reads as a
calendar column background; the value itself is what `domain.catalogue.check_colour` accepts.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from salon_desk.domain.i18n import N_
from salon_desk.ui.i18n import _
from salon_desk.ui.theme import PALETTE

# (value, name read out by screen readers). Contrast with white text checked in tests/ui/test_staff_colours.py.
STAFF_COLOURS: tuple[tuple[str, str], ...] = (
    ("#6A4FB3", N_("Violet")),
    ("#2F6FB0", N_("Blue")),
    ("#0E7490", N_("Teal blue")),
    ("#1F7F74", N_("Green-blue")),
    ("#4F7127", N_("Olive green")),
    ("#A35F12", N_("Amber")),
    ("#A5452F", N_("Brick red")),
    ("#B0406C", N_("Rose")),
    ("#8E3FA0", N_("Plum")),
    ("#7A4F3A", N_("Brown")),
    ("#3F5E8C", N_("Slate blue")),
    ("#5E6470", N_("Grey")),
)
SIZE = 26  # one swatch, px
GAP = 8


class ColourSwatches(QWidget):
    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ColourSwatches")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._extra = ""  # a stored colour outside the palette, kept so saving does not change it
        self._value = ""

    # -- value ---------------------------------------------------------------------------------------------
    def colours(self) -> list[str]:
        palette = [value for value, _name in STAFF_COLOURS]
        return ([self._extra] if self._extra else []) + palette

    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        value = (value or "").strip()
        known = {v.lower(): v for v, _name in STAFF_COLOURS}
        value = known.get(value.lower(), value)
        self._extra = value if value and value not in known.values() else ""
        self._value = value
        self.updateGeometry()
        self._announce()
        self.update()

    def colour_name(self, value: str) -> str:
        name = next((n for v, n in STAFF_COLOURS if v == value), "")
        return _(name) if name else value

    def _choose(self, value: str) -> None:
        if value != self._value:
            self._value = value
            self._announce()
            self.update()
            self.changed.emit(value)

    def _announce(self) -> None:
        text = self.colour_name(self._value) if self._value else _("No colour")
        self.setAccessibleName(_("Colour"))
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    # -- geometry ------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        n = len(self.colours())
        return QSize(n * SIZE + (n - 1) * GAP + 8, SIZE + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

    def swatch_rect(self, index: int) -> QRect:
        """Swatch `index` in reading order: from the right edge in a right-to-left layout."""
        x = 4 + index * (SIZE + GAP)
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            x = self.width() - x - SIZE
        return QRect(x, 4, SIZE, SIZE)

    def _index_at(self, point: QPoint) -> int | None:
        return next((i for i in range(len(self.colours())) if self.swatch_rect(i).contains(point)), None)

    # -- input ---------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        index = self._index_at(event.position().toPoint())
        if index is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._choose(self.colours()[index])
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        colours = self.colours()
        current = colours.index(self._value) if self._value in colours else -1
        forward = Qt.Key.Key_Left if self.layoutDirection() == Qt.LayoutDirection.RightToLeft else Qt.Key.Key_Right
        backward = Qt.Key.Key_Right if forward == Qt.Key.Key_Left else Qt.Key.Key_Left
        key = event.key()
        if key == forward:
            self._choose(colours[min(current + 1, len(colours) - 1)])
        elif key == backward:
            self._choose(colours[max(current - 1, 0)])
        elif key == Qt.Key.Key_Home:
            self._choose(colours[0])
        elif key == Qt.Key.Key_End:
            self._choose(colours[-1])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for index, value in enumerate(self.colours()):
            rect = self.swatch_rect(index)
            painter.setPen(QPen(QColor(PALETTE["border"]), 1))
            painter.setBrush(QColor(value))
            painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
            if value == self._value:
                ring = QColor(PALETTE["text"])
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(ring, 3 if self.hasFocus() else 2))
                painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
                painter.setPen(QPen(QColor("#FFFFFF"), 2))  # a tick, so the choice does not rest on colour alone
                c = rect.center()
                painter.drawPolyline([QPoint(c.x() - 5, c.y()), QPoint(c.x() - 1, c.y() + 4),
                                      QPoint(c.x() + 5, c.y() - 4)])
        painter.end()
