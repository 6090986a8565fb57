"""The scrolling calendar body with a frozen column header and a frozen time gutter.

    [corner][ header (column titles, scrolls sideways with the body) ]
    [gutter][ body: QGraphicsView over the CalendarScene               ]

The header and gutter are painted widgets that follow the body's scroll position, so they stay put while
the body scrolls. The grid layout mirrors itself in right-to-left (gutter on the right, by the first column).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QGridLayout, QWidget

from salon_desk.ui.theme import PALETTE

from .scene import CalendarScene

HEADER_HEIGHT = 66  # two lines of Noto Sans Arabic (taller than Latin) with padding
GUTTER_WIDTH = 80
MIN_COLUMN_WIDTH = 150
SLOT_HEIGHT = 24.0  # one quarter-hour


class CalendarBodyView(QGraphicsView):
    """Keyboard: arrows move the selection between blocks; Enter or the menu key opens the actions;
    space runs the next step (confirm, check in, start, complete); Delete cancels."""

    actions_requested = Signal(object, QPoint)  # BookingBlock, global position
    primary_requested = Signal(object)  # BookingBlock
    cancel_requested = Signal(object)  # BookingBlock
    viewport_resized = Signal()

    def __init__(self, scene: CalendarScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self._calendar_scene = scene
        self.setObjectName("CalendarBody")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setBackgroundBrush(QColor(PALETTE["window"]))

    def calendar_scene(self) -> CalendarScene:
        return self._calendar_scene

    def align_for(self, rtl: bool) -> None:
        side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        self.setAlignment(side | Qt.AlignmentFlag.AlignTop)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        scene = self.calendar_scene()
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right):
            item = scene.move_selection(key)
            if item is not None:
                self.ensureVisible(item.sceneBoundingRect(), 24, 24)
            event.accept()
            return
        block = scene.selected.block if scene.selected is not None else None
        if block is None:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Menu):
            self.actions_requested.emit(block, self._selected_global_pos())
        elif key == Qt.Key.Key_Space:
            self.primary_requested.emit(block)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.cancel_requested.emit(block)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _selected_global_pos(self) -> QPoint:
        item = self.calendar_scene().selected
        point = self.mapFromScene(item.sceneBoundingRect().center()) if item else QPoint(0, 0)
        return self.viewport().mapToGlobal(point)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.viewport_resized.emit()


class _FollowingStrip(QWidget):
    """A painted strip that follows the body's scroll position along one axis."""

    def __init__(self, body: CalendarBodyView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body = body
        body.horizontalScrollBar().valueChanged.connect(self.update)
        body.verticalScrollBar().valueChanged.connect(self.update)

    def scene_to_local(self, point: QPointF) -> QPointF:
        viewport = self.body.viewport()
        in_viewport = self.body.mapFromScene(point)
        return QPointF(self.mapFromGlobal(viewport.mapToGlobal(in_viewport)))


class ColumnHeader(_FollowingStrip):
    """Column titles (a staff member's own name, or a weekday and date) above the body."""

    def __init__(self, body: CalendarBodyView, parent: QWidget | None = None) -> None:
        super().__init__(body, parent)
        self.setObjectName("CalendarColumnHeader")
        self.setFixedHeight(HEADER_HEIGHT)
        self.highlight_key: object = None  # e.g. today's column in the week view

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(400, HEADER_HEIGHT)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(PALETTE["surface"]))
        scene = self.body.calendar_scene()
        if scene.content is not None and scene.geometry is not None:
            self._paint_titles(painter, scene)
        painter.setPen(QPen(QColor(PALETTE["border_strong"]), 1))
        painter.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        painter.end()

    def _paint_titles(self, painter: QPainter, scene: CalendarScene) -> None:
        content, geometry = scene.content, scene.geometry
        if content is None or geometry is None:
            return
        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1.5, 7.0))
        rtl = scene.rtl
        align = (
            Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
        ) | Qt.AlignmentFlag.AlignAbsolute
        for index, column in enumerate(content.columns):
            rect = geometry.column_rect(index)
            left = self.scene_to_local(QPointF(rect.x, 0)).x()
            right = self.scene_to_local(QPointF(rect.right, 0)).x()
            if right < 0 or left > self.width():
                continue
            box = QRectF(left, 0, right - left, self.height()).adjusted(8, 4, -8, -4)
            if column.key == self.highlight_key:
                painter.fillRect(QRectF(left, 0, right - left, self.height()), QColor(PALETTE["accent_soft"]))
            painter.setPen(QPen(QColor(PALETTE["border"]), 1))
            painter.drawLine(QPointF(left, 6), QPointF(left, self.height() - 6))
            self._draw_line(painter, bold, QColor(PALETTE["text"]), column.title, box, align)
            below = box.adjusted(0, QFontMetricsF(bold).lineSpacing(), 0, 0)  # never over the name
            self._draw_line(painter, small, QColor(PALETTE["text_muted"]), column.subtitle, below, align)

    @staticmethod
    def _draw_line(
        painter: QPainter,
        font: QFont,
        colour: QColor,
        text: str,
        box: QRectF,
        align: Qt.AlignmentFlag,
    ) -> None:
        if not text:
            return
        metrics = QFontMetricsF(font)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(box, int(align | Qt.AlignmentFlag.AlignTop), elided)


class TimeGutter(_FollowingStrip):
    """Hour and half-hour labels beside the body, formatted by the current Localizer."""

    def __init__(self, body: CalendarBodyView, parent: QWidget | None = None) -> None:
        super().__init__(body, parent)
        self.setObjectName("CalendarTimeGutter")
        self.setFixedWidth(GUTTER_WIDTH)
        self.format_time: Callable[[datetime], str] = lambda at: at.strftime("%H:%M")
        self._labels: list[tuple[float, str, bool]] = []  # (scene y, text, is_hour)

    def refresh_labels(self) -> None:
        """Formats the labels once per content change (not on every paint)."""
        scene = self.body.calendar_scene()
        axes = scene.geometry.axes if scene.geometry is not None else ()
        lines = axes[0].grid_lines() if axes else []
        self._labels = [
            (line.y, self.format_time(line.at), line.is_hour)
            for line in lines
            if line.is_hour or line.is_half_hour
        ]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(PALETTE["surface"]))
        hour_font = QFont(self.font())
        hour_font.setBold(True)
        hour_font.setPointSizeF(max(self.font().pointSizeF() - 1.5, 7.5))
        half_font = QFont(self.font())
        half_font.setPointSizeF(max(self.font().pointSizeF() - 2.5, 7.0))
        for y, text, is_hour in self._labels:
            local_y = self.scene_to_local(QPointF(0, y)).y()
            if local_y < -20 or local_y > self.height():
                continue
            painter.setFont(hour_font if is_hour else half_font)
            painter.setPen(QColor(PALETTE["text"] if is_hour else PALETTE["text_muted"]))
            box = QRectF(4, local_y + 1, self.width() - 10, 20)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), text)
        painter.setPen(QPen(QColor(PALETTE["border_strong"]), 1))
        edge = 0 if self.isRightToLeft() else self.width() - 1
        painter.drawLine(edge, 0, edge, self.height())
        painter.end()


class CalendarGrid(QWidget):
    """The body with its frozen header and gutter. Owns the scene (kept referenced as `self.scene`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene = CalendarScene(self)
        self.body = CalendarBodyView(self.scene, self)
        self.header = ColumnHeader(self.body, self)
        self.gutter = TimeGutter(self.body, self)
        corner = QWidget(self)
        corner.setFixedSize(GUTTER_WIDTH, HEADER_HEIGHT)
        corner.setAutoFillBackground(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(corner, 0, 0)
        layout.addWidget(self.header, 0, 1)
        layout.addWidget(self.gutter, 1, 0)
        layout.addWidget(self.body, 1, 1)

    def column_width(self, columns: int) -> float:
        """Fill the visible width when there are few columns; scroll sideways when there are many."""
        available = self.body.viewport().width()
        if columns <= 0:
            return float(MIN_COLUMN_WIDTH)
        return max(float(MIN_COLUMN_WIDTH), available / columns)

    def refresh_frozen_parts(self) -> None:
        self.gutter.refresh_labels()
        self.header.update()
