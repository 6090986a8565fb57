"""Graphics items of the calendar scene. They only paint what they were given: no lookups in paint().

GridItem      one item for every column's background, shading, hatching and grid lines
BlockTile     the tile drawing one booking block (pooled and reused across days; not domain.model.BookingItem)
NowLineItem   the current-time line
GhostItem     where a dragged block would land (red with the reason when it may not)
RangeItem     the free time being selected for a new booking
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from salon_desk.ui.theme import PALETTE, STATUS_COLOURS, StatusColours
from salon_desk.usecases.views import BookingBlock

from .block_text import FSI, PDI, TextLine, draw_line, script_font, text_line
from .content import PlacedBlock
from .geometry import GridLine, Rect

Z_GRID, Z_BLOCK, Z_SELECTED, Z_NOW, Z_GHOST = 0, 10, 20, 30, 40
BLOCK_RADIUS = 5.0
STRIPE = 4.0
PADDING = 5.0
OFF_HOURS = QColor("#E6EAEE")
BREAK_HATCH = QColor("#B9C2CC")
LINE_QUARTER = QColor("#EEF1F4")
LINE_HALF = QColor("#E1E6EB")
LINE_HOUR = QColor("#C3CCD5")
COLUMN_EDGE = QColor(PALETTE["border"])
NOW_COLOUR = QColor(PALETTE["danger"])
PENDING_COLOUR = QColor("#B7791F")


TEXT_TOP = 2.0


def qrect(rect: Rect) -> QRectF:
    return QRectF(rect.x, rect.y, rect.width, rect.height)


@dataclass(frozen=True, slots=True)
class ColumnPaint:
    rect: QRectF
    working: tuple[QRectF, ...]
    breaks: tuple[QRectF, ...]
    closed: bool


class GridItem(QGraphicsItem):
    """Backgrounds of every column; paints only the exposed part (thousands of lines would be slow items)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(Z_GRID)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self._bounds = QRectF()
        self._columns: tuple[ColumnPaint, ...] = ()
        self._lines: tuple[GridLine, ...] = ()

    def set_layout(
        self, bounds: QRectF, columns: tuple[ColumnPaint, ...], lines: tuple[GridLine, ...]
    ) -> None:
        self.prepareGeometryChange()
        self._bounds, self._columns, self._lines = bounds, columns, lines
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect if option.exposedRect.isValid() else self._bounds
        painter.fillRect(exposed, OFF_HOURS)
        hatch = QBrush(BREAK_HATCH, Qt.BrushStyle.BDiagPattern)
        for column in self._columns:
            if not column.rect.intersects(exposed):
                continue
            for span in column.working:
                painter.fillRect(span, QColor(PALETTE["surface"]))
            for span in column.breaks:
                painter.fillRect(span, QColor(PALETTE["surface_alt"]))
                painter.fillRect(span, hatch)
            if column.closed:
                painter.fillRect(column.rect, hatch)
        self._paint_lines(painter, exposed)

    def _paint_lines(self, painter: QPainter, exposed: QRectF) -> None:
        left, right = self._bounds.left(), self._bounds.right()
        for line in self._lines:
            if line.y < exposed.top() - 1 or line.y > exposed.bottom() + 1:
                continue
            colour = LINE_HOUR if line.is_hour else LINE_HALF if line.is_half_hour else LINE_QUARTER
            painter.setPen(QPen(colour, 1.2 if line.is_hour else 1.0))
            painter.drawLine(QPointF(left, line.y), QPointF(right, line.y))
        painter.setPen(QPen(COLUMN_EDGE, 1.0))
        for column in self._columns:
            x = column.rect.left()
            painter.drawLine(QPointF(x, self._bounds.top()), QPointF(x, self._bounds.bottom()))
        painter.drawLine(QPointF(right, self._bounds.top()), QPointF(right, self._bounds.bottom()))


@dataclass(frozen=True, slots=True)
class BlockTexts:
    """Already translated and formatted; the item only elides and draws them."""

    customer: str
    service: str
    time_range: str


class BlockTile(QGraphicsItem):
    """A booking item in its column. Pooled: `assign` gives it a new booking without recreating it."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(Z_BLOCK)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.placed: PlacedBlock | None = None
        self.texts = BlockTexts("", "", "")
        self.rtl = False
        self.selected = False
        self.pending_sync = False
        self.needs_attention = False
        self._size = QRectF()
        self._colours: StatusColours = STATUS_COLOURS["confirmed"]
        self._lines: tuple[TextLine, ...] | None = None  # fitted at first paint: only visible blocks pay
        self._plain = QFont()
        self.booked_height: float | None = None  # the booked interval's height when the visit ran otherwise

    @property
    def block(self) -> BookingBlock | None:
        return None if self.placed is None else self.placed.block

    def assign(self, placed: PlacedBlock, rect: QRectF, texts: BlockTexts, rtl: bool, font: QFont) -> None:
        self.prepareGeometryChange()
        self.placed, self.texts, self.rtl = placed, texts, rtl
        self._colours = STATUS_COLOURS.get(placed.block.status, STATUS_COLOURS["confirmed"])
        self.pending_sync = placed.block.sync_status == "pending"
        self.needs_attention = placed.block.status == "needs_attention"
        self._plain = QFont(font)
        self.setPos(rect.topLeft())
        self._size = QRectF(0, 0, max(rect.width(), 4.0), max(rect.height(), 4.0))
        self._lines = None
        self.setVisible(True)
        self.update()

    def set_booked_height(self, height: float | None) -> None:
        """A visit that ran otherwise than booked: the block shows it as it ran; the booked end is drawn apart
        (a faint dashed outline of the freed time after an early end, a dashed line inside an overrun)."""
        if height == self.booked_height:
            return
        self.prepareGeometryChange()
        self.booked_height = height
        self.update()

    def booked_tail(self) -> QRectF | None:
        """The booked time after an early end (freed), in item coordinates; None when there is none."""
        if self.booked_height is None or self.booked_height <= self._size.height() + 0.5:
            return None
        return QRectF(0, self._size.height(), self._size.width(), self.booked_height - self._size.height())

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.setZValue(Z_SELECTED if selected else Z_BLOCK)
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        tail = self.booked_tail()
        return (self._size if tail is None else self._size.united(tail)).adjusted(-2, -2, 2, 2)

    def shape(self) -> QPainterPath:
        """The block as it ran: a click on freed booked time reaches the grid (a new booking there)."""
        path = QPainterPath()
        path.addRect(self._size.adjusted(-2, -2, 2, 2))
        return path

    def _fit_lines(self) -> tuple[TextLine, ...]:
        """Customer, service, time (as many as fit), elided to the block's width, computed once per assign.
        A block too short for two lines shows "customer · service" on one line, centred vertically."""
        width = max(self._size.width() - STRIPE - 2 * PADDING - (12 if self.pending_sync else 0), 0.0)
        height = self._size.height() - 2 * TEXT_TOP
        texts = [(self.texts.customer, True), (self.texts.service, False), (self.texts.time_range, False)]
        lines: list[TextLine] = []
        used = 0.0
        for text, bold in texts:
            line = text_line(text, self._plain, bold, width)
            if used + line.height > height + 2:
                break
            lines.append(line)
            used += line.height
        if len(lines) < 2:
            joined = f"{FSI}{self.texts.customer}{PDI} · {FSI}{self.texts.service}{PDI}"
            lines = [text_line(joined, self._plain, True, width)]
        return tuple(lines)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colours, rect = self._colours, self._size
        path = QPainterPath()
        path.addRoundedRect(rect, BLOCK_RADIUS, BLOCK_RADIUS)
        painter.fillPath(path, colours.fill)
        if self.needs_attention:
            painter.fillPath(
                path, QBrush(QColor(colours.border.red(), 48, 48, 90), Qt.BrushStyle.BDiagPattern)
            )
        stripe_x = rect.right() - STRIPE if self.rtl else rect.left()
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(QRectF(stripe_x, rect.top(), STRIPE, rect.height()), colours.border)
        self._paint_text(painter, colours.text)
        painter.restore()
        edge = QColor(PALETTE["text"]) if self.selected else colours.border
        painter.setPen(QPen(edge, 2.5 if self.selected else 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if self.pending_sync:
            self._paint_pending_marker(painter)
        if self.booked_height is not None:
            self._paint_booked_end(painter, colours)

    def _paint_booked_end(self, painter: QPainter, colours: StatusColours) -> None:
        """Finished early: the freed booked time as a faint dashed outline under the block. Overran: a dashed
        line across the block where the booking was meant to end."""
        pen = QPen(colours.border, 1.2, Qt.PenStyle.DashLine)
        tail = self.booked_tail()
        if tail is not None:
            faint = QColor(colours.fill)
            faint.setAlpha(70)
            path = QPainterPath()
            path.addRoundedRect(tail.adjusted(1, 1, -1, -1), BLOCK_RADIUS, BLOCK_RADIUS)
            painter.fillPath(path, faint)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        elif self.booked_height is not None and 0 < self.booked_height < self._size.height():
            painter.setPen(pen)
            y = self.booked_height
            painter.drawLine(QPointF(self._size.left() + 2, y), QPointF(self._size.right() - 2, y))

    def _paint_text(self, painter: QPainter, colour: QColor) -> None:
        if self._lines is None:
            self._lines = self._fit_lines()
        inset_start = STRIPE + PADDING
        inset_end = PADDING + (12 if self.pending_sync else 0)
        left, right = (inset_end, inset_start) if self.rtl else (inset_start, inset_end)
        area = self._size.adjusted(left, TEXT_TOP, -right, -TEXT_TOP)
        total = sum(line.height for line in self._lines)
        y = area.top() if len(self._lines) > 1 or total < area.height() else area.center().y() - total / 2
        if len(self._lines) == 1:
            y = max(area.center().y() - total / 2, self._size.top() - 4)
        painter.setPen(colour)
        for line in self._lines:
            painter.setFont(line.font)
            draw_line(painter, QRectF(area.left(), y, area.width(), line.height), line.text, self.rtl)
            y += line.height

    def _paint_pending_marker(self, painter: QPainter) -> None:
        """A small hollow clock-like ring at the block's end corner: "waiting for sync"."""
        x = self._size.left() + 8 if self.rtl else self._size.right() - 8
        centre = QPointF(x, self._size.top() + 8)
        painter.setPen(QPen(PENDING_COLOUR, 1.6))
        painter.setBrush(QColor(PALETTE["surface"]))
        painter.drawEllipse(centre, 4.5, 4.5)
        painter.drawLine(centre, centre + QPointF(0, -3))
        painter.drawLine(centre, centre + QPointF(2.2, 0))


class NowLineItem(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.setZValue(Z_NOW)
        self._segments: tuple[tuple[float, float, float], ...] = ()  # (x1, x2, y)
        self._rtl = False
        self._bounds = QRectF()

    def set_segments(self, segments: tuple[tuple[float, float, float], ...], rtl: bool = False) -> None:
        self.prepareGeometryChange()
        self._segments, self._rtl = segments, rtl
        if segments:
            xs = [x for s in segments for x in s[:2]]
            ys = [s[2] for s in segments]
            self._bounds = QRectF(min(xs) - 5, min(ys) - 5, max(xs) - min(xs) + 10, max(ys) - min(ys) + 10)
        else:
            self._bounds = QRectF()
        self.setVisible(bool(segments))
        self.update()

    @property
    def segments(self) -> tuple[tuple[float, float, float], ...]:
        return self._segments

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(NOW_COLOUR, 2.0))
        painter.setBrush(NOW_COLOUR)
        for x1, x2, y in self._segments:
            painter.drawLine(QPointF(x1, y), QPointF(x2, y))
        if self._segments:  # one dot where the line starts, on the time gutter's side
            x = max(s[1] for s in self._segments) - 4 if self._rtl else min(s[0] for s in self._segments) + 4
            y = self._segments[0][2] if not self._rtl else max(self._segments, key=lambda s: s[1])[2]
            painter.drawEllipse(QPointF(x, y), 4.0, 4.0)


class GhostItem(QGraphicsItem):
    """The landing place of a dragged block: accent outline when allowed, hatched red when not, with the
    reason in a bubble under it."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(Z_GHOST)
        self.setVisible(False)
        self.allowed: bool | None = None  # None: not decided yet
        self.reason = ""
        self.label = ""
        self.rtl = False
        self.font = QFont()
        self._size = QRectF()
        self._bubble = QRectF()

    def show_at(self, rect: QRectF, label: str, rtl: bool) -> None:
        self.prepareGeometryChange()
        self.setPos(rect.topLeft())
        self._size = QRectF(0, 0, rect.width(), rect.height())
        self.label, self.rtl = label, rtl
        self.allowed, self.reason, self._bubble = None, "", QRectF()
        self.setVisible(True)
        self.update()

    def set_verdict(self, allowed: bool, reason: str = "") -> None:
        self.prepareGeometryChange()
        self.allowed, self.reason = allowed, reason
        self._bubble = QRectF()
        if not allowed and reason:
            font, metrics = script_font(self.font, reason, True)
            width = max(self._size.width(), 180.0)
            flags = (Qt.TextFlag.TextWordWrap).value
            needed = metrics.boundingRect(QRectF(0, 0, width - 16, 1000), flags, reason)
            left = self._size.right() - width if self.rtl else self._size.left()
            self._bubble = QRectF(left, self._size.bottom() + 4, width, needed.height() + 12)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._size.united(self._bubble).adjusted(-2, -2, 2, 2)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        refused = self.allowed is False
        colour = QColor(PALETTE["danger"]) if refused else QColor(PALETTE["accent"])
        fill = QColor(colour)
        fill.setAlpha(45)
        path = QPainterPath()
        path.addRoundedRect(self._size, BLOCK_RADIUS, BLOCK_RADIUS)
        cover = QColor(PALETTE["surface"])
        cover.setAlpha(235)  # hide the text of whatever lies under the ghost, so its own label reads
        painter.fillPath(path, cover)
        painter.fillPath(path, fill)
        if refused:
            painter.fillPath(
                path,
                QBrush(QColor(colour.red(), colour.green(), colour.blue(), 110), Qt.BrushStyle.BDiagPattern),
            )
        painter.setPen(QPen(colour, 2.0, Qt.PenStyle.DashLine))
        painter.drawPath(path)
        font, metrics = script_font(self.font, self.label, True)
        painter.setFont(font)
        painter.setPen(QColor(PALETTE["text"]))
        box = self._size.adjusted(6, 2, -6, 0)
        draw_line(painter, QRectF(box.left(), box.top(), box.width(), metrics.height()), self.label, self.rtl)
        if not self._bubble.isNull():
            self._paint_bubble(painter)

    def _paint_bubble(self, painter: QPainter) -> None:
        painter.setPen(QPen(QColor(PALETTE["danger"]), 1.0))
        painter.setBrush(QColor(PALETTE["danger_soft"]))
        painter.drawRoundedRect(self._bubble, 6, 6)
        font, _metrics = script_font(self.font, self.reason, True)
        painter.setFont(font)
        painter.setPen(QColor(PALETTE["danger"]))
        align = Qt.AlignmentFlag.AlignRight if self.rtl else Qt.AlignmentFlag.AlignLeft
        direction = Qt.TextFlag.TextForceRightToLeft if self.rtl else Qt.TextFlag.TextForceLeftToRight
        flags = (align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter).value
        flags |= (Qt.TextFlag.TextWordWrap | direction).value
        painter.drawText(self._bubble.adjusted(8, 6, -8, -6), flags, self.reason)


class RangeItem(QGraphicsItem):
    """Free time being selected with the mouse (press, drag, release opens the booking dialog)."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(Z_GHOST)
        self.setVisible(False)
        self._size = QRectF()

    def show_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.setPos(rect.topLeft())
        self._size = QRectF(0, 0, rect.width(), rect.height())
        self.setVisible(True)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._size.adjusted(-1, -1, 1, 1)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        fill = QColor(PALETTE["accent_soft"])
        fill.setAlpha(200)
        painter.fillRect(self._size, fill)
        painter.setPen(QPen(QColor(PALETTE["accent"]), 1.5))
        painter.drawRect(self._size)
