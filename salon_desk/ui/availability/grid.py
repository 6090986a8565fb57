"""WeekGrid: one person's working hours as a grid of days (rows, the Saudi week from Sunday) by half-hours
(columns, 00:00 to 24:00), painted with the mouse or the keyboard.

Mouse: press on a cell and drag; the first cell decides whether the stroke paints working time or clears it.
Keyboard: arrows move the cursor, Space toggles the cell, Shift+arrows extend the state of the cell the
stroke starts on (working or not) as they move,
Delete clears the cursor's row. Spans past midnight are two spans (Thursday 21:00-24:00 and Friday
00:00-03:00), which the domain accepts as touching, not overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from salon_desk.domain.i18n import N_
from salon_desk.domain.model import AvailabilityRule, OpeningHours
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.ui.i18n import _
from salon_desk.ui.theme import PALETTE

STEP_MINUTES = 30
CELLS = 24 * 60 // STEP_MINUTES
DAY_ORDER = (6, 0, 1, 2, 3, 4, 5)  # rows: Sunday first (Python weekday numbers)
DAY_LABELS = (N_("Sunday"), N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
              N_("Saturday"))
LABEL_WIDTH = 96
HEADER_HEIGHT = 24
ROW_HEIGHT = 34


class WeekGrid(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WeekGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.cells: list[list[bool]] = [[False] * CELLS for _ in range(7)]  # [row][cell]
        self.at = (0, 18)  # row, cell (09:00 on Sunday)
        self._paint_value: bool | None = None

    # -- model ---------------------------------------------------------------------------------------------
    def set_rules(self, rules: Sequence[AvailabilityRule | WeeklySpan | OpeningHours]) -> None:
        """Shows a week (rules valid today; dated variants are kept out of the painter)."""
        self.cells = [[False] * CELLS for _ in range(7)]
        for rule in rules:
            if getattr(rule, "valid_from", None) is not None or getattr(rule, "valid_to", None) is not None:
                continue
            row = DAY_ORDER.index(rule.weekday)
            lo = _cell(rule.start)
            hi = _cell(rule.end) if rule.end > rule.start else CELLS
            for c in range(lo, hi):
                self.cells[row][c] = True
            if rule.end <= rule.start and rule.end != time(0):  # past midnight: into the next row
                for c in range(_cell(rule.end)):
                    self.cells[(row + 1) % 7][c] = True
        self.update()

    def spans(self) -> list[WeeklySpan]:
        out = []
        for row, cells in enumerate(self.cells):
            weekday, c = DAY_ORDER[row], 0
            while c < CELLS:
                if not cells[c]:
                    c += 1
                    continue
                start = c
                while c < CELLS and cells[c]:
                    c += 1
                out.append(WeeklySpan(weekday, _time(start), _time(c % CELLS)))
        return out

    def set_cell(self, row: int, cell: int, value: bool) -> None:
        if self.cells[row][cell] != value:
            self.cells[row][cell] = value
            self.update()
            self.changed.emit()

    # -- geometry ------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(LABEL_WIDTH + CELLS * 16, HEADER_HEIGHT + 7 * ROW_HEIGHT + 1)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(LABEL_WIDTH + CELLS * 8, HEADER_HEIGHT + 7 * ROW_HEIGHT + 1)

    def _cell_width(self) -> float:
        return max(4.0, (self.width() - LABEL_WIDTH - 1) / CELLS)

    def _rtl(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def cell_rect(self, row: int, cell: int) -> QRect:
        w = self._cell_width()
        left, right = round(LABEL_WIDTH + cell * w), round(LABEL_WIDTH + (cell + 1) * w)
        if self._rtl():
            left, right = self.width() - right, self.width() - left
        return QRect(left, HEADER_HEIGHT + row * ROW_HEIGHT, right - left, ROW_HEIGHT)

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        x = point.x() if not self._rtl() else self.width() - point.x()
        row = (point.y() - HEADER_HEIGHT) // ROW_HEIGHT
        cell = int((x - LABEL_WIDTH) // self._cell_width())
        if 0 <= row < 7 and 0 <= cell < CELLS:
            return row, cell
        return None

    # -- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        rtl = self._rtl()
        text = QColor(PALETTE["text"])
        work = QColor(PALETTE["accent"])
        grid = QColor(PALETTE["border"])
        painter.setPen(text)
        for hour in range(0, 24, 3):
            rect = self.cell_rect(0, hour * 60 // STEP_MINUTES)
            label_rect = QRect(rect.x() - (40 if rtl else 0), 0, 44, HEADER_HEIGHT)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft), f"{hour:02d}:00")
        for row in range(7):
            y = HEADER_HEIGHT + row * ROW_HEIGHT
            label = QRect(self.width() - LABEL_WIDTH if rtl else 0, y, LABEL_WIDTH - 6, ROW_HEIGHT)
            painter.setPen(text)
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignRight if not rtl else Qt.AlignmentFlag.AlignLeft), _(DAY_LABELS[row]))
            for cell in range(CELLS):
                rect = self.cell_rect(row, cell).adjusted(0, 2, 0, -2)
                if self.cells[row][cell]:
                    painter.fillRect(rect, work)
                painter.setPen(QPen(grid, 1))
                if cell % 2 == 0:
                    painter.drawLine(rect.topLeft() if not rtl else rect.topRight(),
                                     rect.bottomLeft() if not rtl else rect.bottomRight())
            painter.setPen(QPen(grid, 1))
            painter.drawLine(0, y, self.width(), y)
        if self.hasFocus():
            row, cell = self.at
            painter.setPen(QPen(QColor(PALETTE["text"]), 2))
            painter.drawRect(self.cell_rect(row, cell).adjusted(1, 2, -1, -2))
        painter.end()

    # -- mouse ---------------------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self.cell_at(event.position().toPoint())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            return
        row, cell = hit
        self.at = hit
        self._paint_value = not self.cells[row][cell]
        self.set_cell(row, cell, self._paint_value)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._paint_value is None:
            return
        hit = self.cell_at(event.position().toPoint())
        if hit is not None:
            self.at = hit
            self.set_cell(hit[0], hit[1], self._paint_value)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._paint_value = None

    # -- keyboard ------------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        row, cell = self.at
        key = event.key()
        forward, back = (Qt.Key.Key_Left, Qt.Key.Key_Right) if self._rtl() else (Qt.Key.Key_Right, Qt.Key.Key_Left)
        moves = {forward: (0, 1), back: (0, -1), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Up: (-1, 0)}
        if key in moves:
            d_row, d_cell = moves[Qt.Key(key)]
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if not shift:
                self._paint_value = None
            elif self._paint_value is None:
                self._paint_value = self.cells[row][cell]  # the stroke extends the cell it starts on
            row, cell = min(6, max(0, row + d_row)), min(CELLS - 1, max(0, cell + d_cell))
            self.at = (row, cell)
            if shift and self._paint_value is not None:
                self.set_cell(row, cell, self._paint_value)
            self.update()
        elif key == Qt.Key.Key_Space:
            self.set_cell(row, cell, not self.cells[row][cell])
        elif key == Qt.Key.Key_Delete:
            for c in range(CELLS):
                self.set_cell(row, c, False)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Shift:
            self._paint_value = None
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self._paint_value = None
        super().focusOutEvent(event)


def _cell(t: time) -> int:
    return (t.hour * 60 + t.minute) // STEP_MINUTES


def _time(cell: int) -> time:
    minutes = cell * STEP_MINUTES
    return time(minutes // 60, minutes % 60)
