"""The calendar scene: lays out a CalendarContent with pooled items and turns mouse input into requests.

It knows nothing about the desk: the board listens to its signals (a range of free time was selected, a
block is being dragged over a target, a block was dropped, a menu was asked for) and answers with verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QTransform
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QToolTip,
)

from salon_desk.domain.booking import MOVABLE
from salon_desk.usecases.views import BookingBlock, Span

from .content import CalendarContent, PlacedBlock
from .geometry import SLOT_MINUTES, CalendarGeometry, DropTarget, Lane, TimeAxis
from .items import BlockTexts, BlockTile, ColumnPaint, GhostItem, GridItem, NowLineItem, RangeItem, qrect

Describe = Callable[[PlacedBlock], BlockTexts]
FormatRange = Callable[[datetime, datetime], str]
_SLOT = timedelta(minutes=SLOT_MINUTES)


class CalendarScene(QGraphicsScene):
    range_selected = Signal(object, object, object)  # column key, start, end
    drag_moved = Signal(object, object)  # BookingBlock, DropTarget
    block_dropped = Signal(object, object)  # BookingBlock, DropTarget
    context_requested = Signal(object, QPoint)  # BookingBlock, global position
    block_activated = Signal(object)  # BookingBlock (double click)
    selection_changed = Signal(object)  # BookingBlock | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.content: CalendarContent | None = None
        self.geometry: CalendarGeometry | None = None
        self.rtl = False
        self.block_font = QFont()
        self.describe: Describe = lambda placed: BlockTexts("", "", "")
        self.tooltip_for: Callable[[BookingBlock], str] = lambda block: ""
        self.format_range: FormatRange = lambda start, end: ""
        self.grid = GridItem()
        self.now_line = NowLineItem()
        self.ghost = GhostItem()
        self.range = RangeItem()
        for item in (self.grid, self.now_line, self.ghost, self.range):
            self.addItem(item)
        self._pool: list[BlockTile] = []
        self._by_item_id: dict[str, BlockTile] = {}
        self.selected: BlockTile | None = None
        self._press: _Press | None = None

    # -- layout ------------------------------------------------------------------------------------------
    def set_content(self, content: CalendarContent, column_width: float, rtl: bool, now: datetime) -> None:
        """Shows `content`, reusing block items; keeps the selection when the same item is still there."""
        selected_id = self.selected.block.item_id if self.selected and self.selected.block else None
        self.content, self.rtl = content, rtl
        self.geometry = content.geometry(column_width, rtl)
        self._layout_background()
        self._layout_blocks()
        self.update_now(now)
        self._cancel_press()
        self.selected = None
        if selected_id and selected_id in self._by_item_id:
            self.select(self._by_item_id[selected_id])

    def relayout(self, column_width: float, now: datetime) -> None:
        geometry = self.geometry
        if self.content is not None and geometry and abs(column_width - geometry.columns.column_width) > 0.5:
            self.set_content(self.content, column_width, self.rtl, now)

    def _layout_background(self) -> None:
        geometry, content = self.geometry, self.content
        if geometry is None or content is None:
            return
        columns = []
        for index, column in enumerate(content.columns):
            rect = qrect(geometry.column_rect(index))
            axis = geometry.axes[index]
            columns.append(
                ColumnPaint(
                    rect,
                    self._span_rects(rect, axis, column.working),
                    self._span_rects(rect, axis, column.breaks),
                    column.closed,
                )
            )
        bounds = QRectF(0, 0, geometry.width, geometry.height)
        lines = tuple(geometry.axes[0].grid_lines()) if geometry.axes else ()
        self.grid.set_layout(bounds, tuple(columns), lines)
        self.setSceneRect(bounds)

    @staticmethod
    def _span_rects(column: QRectF, axis: TimeAxis, spans: tuple[Span, ...]) -> tuple[QRectF, ...]:
        rects = []
        for span in spans:
            top, height = axis.span_y(span.start, span.end)
            if height > 0:
                rects.append(QRectF(column.left(), top, column.width(), height))
        return tuple(rects)

    def _layout_blocks(self) -> None:
        geometry, content = self.geometry, self.content
        if geometry is None or content is None:
            return
        blocks = content.blocks
        while len(self._pool) < len(blocks):
            item = BlockTile()
            self.addItem(item)
            self._pool.append(item)
        self._by_item_id = {}
        for item, placed in zip(self._pool, blocks, strict=False):
            block = placed.block
            rect = geometry.span_rect(placed.key, block.start_at, block.shown_end, placed.lane)
            assert rect is not None  # every placed block's column is in the geometry
            item.assign(placed, qrect(rect), self.describe(placed), self.rtl, self.block_font)
            ran_otherwise = block.shown_end != block.end_at  # finished early or overran: show the booked end too
            booked = geometry.span_rect(placed.key, block.start_at, block.end_at) if ran_otherwise else None
            item.set_booked_height(None if booked is None else booked.height)
            item.set_selected(False)
            self._by_item_id[placed.block.item_id] = item
        for item in self._pool[len(blocks) :]:
            if item.isVisible():
                item.setVisible(False)
            item.placed = None

    def update_now(self, now: datetime) -> None:
        if self.geometry is None:
            return
        segments = tuple((rect.x, rect.right, y) for rect, y in self.geometry.now_line(now))
        self.now_line.set_segments(segments, self.rtl)

    # -- lookups used by the board and the tests ------------------------------------------------------------
    def block_items(self) -> list[BlockTile]:
        return [item for item in self._pool if item.placed is not None]

    def item_for(self, item_id: str) -> BlockTile | None:
        return self._by_item_id.get(item_id)

    def rect_for(self, key: Hashable, start: datetime, duration: timedelta) -> QRectF | None:
        rect = self.geometry.span_rect(key, start, start + duration) if self.geometry else None
        return None if rect is None else qrect(rect)

    def move_item_to(self, item: BlockTile, target: DropTarget) -> None:
        """Optimistic placement after a drop; set_content (reload) or restore_item puts it right."""
        block = item.block
        if block is None or self.geometry is None:
            return
        rect = self.geometry.span_rect(
            target.key, target.start_at, target.start_at + (block.end_at - block.start_at)
        )
        if rect is not None:
            item.setPos(rect.x, rect.y)

    def restore_item(self, item: BlockTile) -> None:
        placed = item.placed
        if placed is not None and self.geometry is not None:
            rect = self.geometry.span_rect(
                placed.key, placed.block.start_at, placed.block.end_at, placed.lane
            )
            if rect is not None:
                item.setPos(rect.x, rect.y)

    # -- selection -----------------------------------------------------------------------------------------
    def select(self, item: BlockTile | None) -> None:
        if self.selected is item:
            return
        if self.selected is not None:
            self.selected.set_selected(False)
        self.selected = item
        if item is not None:
            item.set_selected(True)
        self.selection_changed.emit(item.block if item else None)

    def select_block(self, item_id: str) -> bool:
        item = self._by_item_id.get(item_id)
        self.select(item)
        return item is not None

    def move_selection(self, key: Qt.Key) -> BlockTile | None:
        """Arrow keys: up/down to the previous/next block in the column, left/right to the nearest block
        in the next column on screen (so the arrows follow what the eye sees in both directions)."""
        items = self.block_items()
        if not items:
            return None
        if self.selected is None or self.selected.placed is None:
            self.select(
                min(items, key=lambda i: (_placed(i).block.start_at, i.x() if not self.rtl else -i.x()))
            )
            return self.selected
        target = _neighbour(self.selected, items, key)
        if target is not None:
            self.select(target)
        return self.selected

    # -- mouse ---------------------------------------------------------------------------------------------
    def _block_item_at(self, pos: QPointF) -> BlockTile | None:
        for item in self.items(
            pos, Qt.ItemSelectionMode.IntersectsItemShape, Qt.SortOrder.DescendingOrder, QTransform()
        ):
            if isinstance(item, BlockTile) and item.placed is not None and item.isVisible():
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.geometry is None:
            return
        pos = event.scenePos()
        item = self._block_item_at(pos)
        if item is not None:
            self.select(item)
            if event.button() == Qt.MouseButton.RightButton:
                self.context_requested.emit(item.block, event.screenPos())
            elif event.button() == Qt.MouseButton.LeftButton:
                self._press = _Press(pos, item, pos.y() - item.y())
            event.accept()
            return
        self.select(None)
        slot = self.geometry.slot_at(pos.x(), pos.y())
        if slot is not None and event.button() == Qt.MouseButton.LeftButton:
            self._press = _Press(pos, None, 0.0, slot)
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        press = self._press
        if press is None:
            return
        pos = event.scenePos()
        if not press.dragging:
            if (pos - press.origin).manhattanLength() < QApplication.startDragDistance():
                return
            press.dragging = True
        if press.item is not None:
            self._drag_block_to(press, pos)
        else:
            self._extend_range(press, pos)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        press, self._press = self._press, None
        if press is None:
            return
        if press.item is not None:
            self._finish_block_drag(press)
        elif press.slot is not None:
            self.range.setVisible(False)
            start, end = press.range_bounds()
            self.range_selected.emit(press.slot.key, start, end)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt API
        """Tooltips are written when asked for, not for all 400 blocks on every day switch."""
        item = self._block_item_at(event.scenePos())
        if item is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.screenPos(), self.tooltip_for(_placed(item).block), event.widget())
        event.accept()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        item = self._block_item_at(event.scenePos())
        if item is not None:
            self.block_activated.emit(item.block)
        event.accept()

    def _drag_block_to(self, press: _Press, pos: QPointF) -> None:
        item, geometry = press.item, self.geometry
        block = item.block if item is not None else None
        if item is None or block is None or geometry is None or block.status not in MOVABLE:
            return
        duration = block.end_at - block.start_at
        target = geometry.drop_target(pos.x(), pos.y() - press.grab_dy, duration)
        if target is None or target == press.target:
            return
        press.target = target
        item.setOpacity(0.45)
        rect = self.rect_for(target.key, target.start_at, duration)
        if rect is None:
            return
        self.ghost.show_at(rect, self.format_range(target.start_at, target.start_at + duration), self.rtl)
        self.drag_moved.emit(block, target)

    def _finish_block_drag(self, press: _Press) -> None:
        item = press.item
        if item is None:
            return
        item.setOpacity(1.0)
        target, block, placed = press.target, item.block, item.placed
        self.ghost.setVisible(False)
        if not press.dragging or target is None or block is None or placed is None:
            return
        if target.key == placed.key and target.start_at == block.start_at:
            return
        self.block_dropped.emit(block, target)

    def _extend_range(self, press: _Press, pos: QPointF) -> None:
        slot, geometry = press.slot, self.geometry
        index = None if slot is None or geometry is None else geometry.index_of(slot.key)
        if slot is None or geometry is None or index is None:
            return
        axis = geometry.axes[index]
        y = min(max(pos.y(), 0.0), axis.height - 1)
        press.range_end = max(axis.instant_at(y), slot.start_at)
        start, end = press.range_bounds()
        rect = geometry.span_rect(slot.key, start, end, Lane(0, 1), margin=1)
        if rect is not None:
            self.range.show_rect(qrect(rect))

    def _cancel_press(self) -> None:
        if self._press is not None and self._press.item is not None:
            self._press.item.setOpacity(1.0)
        self._press = None
        self.ghost.setVisible(False)
        self.range.setVisible(False)

    @property
    def dragging(self) -> bool:
        return self._press is not None and self._press.dragging and self._press.item is not None


class _Press:
    """One mouse gesture: on a block (a possible drag) or on free time (a possible range)."""

    def __init__(
        self, origin: QPointF, item: BlockTile | None, grab_dy: float, slot: DropTarget | None = None
    ) -> None:
        self.origin, self.item, self.grab_dy, self.slot = origin, item, grab_dy, slot
        self.dragging = False
        self.target: DropTarget | None = None
        self.range_end: datetime | None = None

    def range_bounds(self) -> tuple[datetime, datetime]:
        assert self.slot is not None  # only a gesture that began on free time has a range
        start = self.slot.start_at
        end = start + _SLOT
        if self.range_end is not None:
            quarters = (self.range_end - start) // _SLOT + 1
            end = start + quarters * _SLOT
        return start, end


def _placed(item: BlockTile) -> PlacedBlock:
    """What an item on screen shows (`block_items()` returns only items that show a block)."""
    assert item.placed is not None
    return item.placed


def _neighbour(current: BlockTile, items: list[BlockTile], key: Qt.Key) -> BlockTile | None:
    here = _placed(current)
    if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
        same = sorted((i for i in items if _placed(i).key == here.key), key=lambda i: (i.y(), i.x()))
        index = same.index(current) + (1 if key == Qt.Key.Key_Down else -1)
        return same[index] if 0 <= index < len(same) else None
    step = 1 if key == Qt.Key.Key_Right else -1
    x = current.x() + current.boundingRect().width() / 2
    others = [i for i in items if (i.x() + i.boundingRect().width() / 2 - x) * step > 1]
    if not others:
        return None
    nearest_x = min(abs(i.x() - current.x()) for i in others)
    column = [i for i in others if abs(abs(i.x() - current.x()) - nearest_x) < 1]
    return min(column, key=lambda i: abs(i.y() - current.y()))


def block_of(item: BlockTile | None) -> BookingBlock | None:
    return None if item is None else item.block
