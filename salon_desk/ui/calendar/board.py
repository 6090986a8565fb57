"""A calendar board: the grid plus what happens when people touch it.

Shared by the day view (columns = staff) and the week view (columns = days of one staff member):
free time selected -> `booking_requested`; a block dragged -> live verdicts (the domain's own `check_fits`
on what the view holds, on every step; then the store's `check_move` on the DB lane, cached per target);
a block dropped -> `reschedule_booking` on the DB lane, snapping back with the reason when the store
refuses; status actions from the context menu and the keyboard.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QCursor, QFont, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from salon_desk.domain.errors import DomainError
from salon_desk.ui.bidi import isolate
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.messages.labels import message_line
from salon_desk.ui.names import local_name
from salon_desk.usecases.result import Result
from salon_desk.usecases.views import BookingBlock

from .actions import BookingActions
from .content import CalendarContent, PlacedBlock, move_refusal, reschedule_command
from .geometry import DropTarget
from .grid_view import SLOT_HEIGHT, CalendarGrid
from .items import BlockTexts

NOTICE_MS = 8000


class Notice(QLabel):
    """A refusal banner; a click dismisses it."""

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.setVisible(False)
        event.accept()


class CalendarBoard(QWidget):
    booking_requested = Signal(str, object)  # staff id, start (UTC): free time was clicked or selected
    booking_moved = Signal(str)  # booking id, after the store accepted the move
    move_refused = Signal(str, str)  # booking id, translated reason (the block went back)
    content_shown = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.content: CalendarContent | None = None
        self.notice = Notice(self)
        self.notice.setObjectName("CalendarNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.notice.setStyleSheet(
            "QLabel#CalendarNotice { background: #FCE8E6; color: #B3261E;"
            " border: 1px solid #B3261E; border-radius: 6px; padding: 6px 10px;"
            " font-weight: bold; }"
        )
        self._notice_timer = QTimer(self, singleShot=True, interval=NOTICE_MS)
        self._notice_timer.timeout.connect(lambda: self.notice.setVisible(False))
        self.grid = CalendarGrid(self)
        self.scene = self.grid.scene
        self.booking_actions = BookingActions(ctx, self)
        self._verdicts: dict[tuple[str, Hashable, datetime], str | None] = {}
        self._current_target: tuple[str, Hashable, datetime] | None = None
        self._times: dict[tuple[datetime, str, str], str] = {}
        self._lang, self._walk_in = "ar", ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.grid, 1)
        self._connect()

    def _connect(self) -> None:
        scene, body = self.scene, self.grid.body
        scene.range_selected.connect(self._on_range_selected)
        scene.drag_moved.connect(self._on_drag_moved)
        scene.block_dropped.connect(self._on_block_dropped)
        scene.context_requested.connect(self.booking_actions.open_menu)
        scene.block_activated.connect(lambda block: self.booking_actions.open_menu(block, QCursor.pos()))
        body.actions_requested.connect(self.booking_actions.open_menu)
        body.primary_requested.connect(self.booking_actions.run_primary)
        body.cancel_requested.connect(self.booking_actions.request_cancel)
        body.viewport_resized.connect(self._on_viewport_resized)
        self.booking_actions.action_refused.connect(lambda _booking, reason: self.show_notice(reason))

    # -- showing -------------------------------------------------------------------------------------------
    def show_content(self, content: CalendarContent) -> None:
        l10n = self.ctx.l10n()
        self.content = content
        self._verdicts.clear()
        self.scene.rtl = l10n.is_rtl
        block_font = QFont(self.font())
        block_font.setPointSizeF(max(self.font().pointSizeF() - 1.5, 7.5))
        self.scene.block_font = block_font
        self.scene.ghost.font = block_font
        self._lang, self._walk_in = l10n.lang, _("Walk-in customer")
        if len(self._times) > 5000:
            self._times.clear()
        self.scene.describe = self.describe
        self.scene.tooltip_for = self.tooltip_for
        self.scene.format_range = self.format_range
        self.grid.body.align_for(l10n.is_rtl)
        self.grid.gutter.format_time = lambda at: self.ctx.l10n().time(at, content.zone)
        width = self.grid.column_width(len(content.columns))
        self.scene.set_content(content, width, l10n.is_rtl, self.ctx.now())
        self.grid.refresh_frozen_parts()
        self.content_shown.emit()

    def update_now(self) -> None:
        self.scene.update_now(self.ctx.now())

    def scroll_to(self, instant: datetime) -> None:
        """Brings `instant` (e.g. now, or the first booking) near the top of the visible body."""
        geometry = self.scene.geometry
        if geometry is None or not geometry.axes:
            return
        y = max(geometry.axes[0].y_of(instant) - SLOT_HEIGHT * 2, 0.0)
        self.grid.body.verticalScrollBar().setValue(int(y))

    def _on_viewport_resized(self) -> None:
        if self.content is not None:
            self.scene.relayout(self.grid.column_width(len(self.content.columns)), self.ctx.now())
            self.grid.refresh_frozen_parts()

    def format_range(self, start: datetime, end: datetime) -> str:
        return f"{isolate(self._time(start))} – {isolate(self._time(end))}"

    def _time(self, instant: datetime) -> str:
        """Formatted once per instant and language: a day has a few dozen distinct quarter-hours."""
        l10n = self.ctx.l10n()
        key = (instant, l10n.lang, l10n.digit_style)
        text = self._times.get(key)
        if text is None:
            zone = self.content.zone if self.content else "Asia/Riyadh"
            text = self._times[key] = l10n.time(instant, zone)
        return text

    def describe(self, placed: PlacedBlock) -> BlockTexts:
        block = placed.block
        service = local_name(block.service_name_ar, block.service_name_en, self._lang)
        customer = block.customer_name or self._walk_in
        return BlockTexts(customer, service, self.format_range(block.start_at, block.shown_end))  # as it ran

    def tooltip_for(self, block: BookingBlock) -> str:
        l10n = self.ctx.l10n()
        service = local_name(block.service_name_ar, block.service_name_en, l10n.lang)
        lines = [
            block.customer_name or _("Walk-in customer"),
            l10n.phone(block.customer_phone),
            service,
            self.format_range(block.start_at, block.shown_end),
            l10n.status_label(block.status),
        ]
        if block.shown_end != block.end_at:  # the visit ended earlier or later than booked
            lines.insert(4, _("Booked {time_range}").format(time_range=self.format_range(block.start_at, block.end_at)))
        if block.sync_status == "pending":
            lines.append(_("Waiting to sync"))
        if block.status == "needs_attention":
            lines.append(_("This booking could not be placed and needs attention."))
        if block.notes:
            lines.append(block.notes)
        if block.message:
            lines.append(message_line(*block.message))
        return "\n".join(line for line in lines if line)

    # -- notices -------------------------------------------------------------------------------------------
    def show_notice(self, text: str) -> None:
        """A banner floating over the top of the calendar (it never pushes the grid down under the mouse);
        it goes away by itself, or when clicked."""
        self.notice.setText(text)
        self._place_notice()
        self.notice.setVisible(True)
        self.notice.raise_()
        self._notice_timer.start()
        self.ctx.events.message_posted.emit(text)

    def _place_notice(self) -> None:
        width = min(self.width() - 40, 720)
        self.notice.setFixedWidth(max(width, 200))
        self.notice.adjustSize()
        self.notice.move((self.width() - self.notice.width()) // 2, 56)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.notice.isVisible():
            self._place_notice()

    # -- free time -----------------------------------------------------------------------------------------
    def _on_range_selected(self, key: Hashable, start: datetime, end: datetime) -> None:
        column = self.content.column(key) if self.content else None
        if column is None or column.closed:
            return
        self.booking_requested.emit(column.staff_id, start)

    # -- dragging ------------------------------------------------------------------------------------------
    def _target_key(self, block: BookingBlock, target: DropTarget) -> tuple[str, Hashable, datetime]:
        return (block.item_id, target.key, target.start_at)

    def _on_drag_moved(self, block: BookingBlock, target: DropTarget) -> None:
        key = self._target_key(block, target)
        self._current_target = key
        content = self.content
        if content is None:
            return
        column = content.column(target.key)
        refusal = move_refusal(content, block, target.key, target.start_at)
        if refusal is not None:
            self._apply_verdict(key, self.ctx.l10n().error(refusal))
            return
        if column is None:
            return
        if key in self._verdicts:
            self._apply_verdict(key, self._verdicts[key])
            return
        self.ctx.runner.db(
            check_move_in_lane,
            self.ctx.desk,
            block.booking_id,
            block.item_id,
            column.staff_id,
            target.start_at,
            on_done=lambda _none: self._remember(key, None),
            on_error=lambda exc: self._remember(key, self._reason(exc)),
            owner=self,
        )

    def _remember(self, key: tuple[str, Hashable, datetime], reason: str | None) -> None:
        self._verdicts[key] = reason
        if key == self._current_target and self.scene.dragging:
            self._apply_verdict(key, reason)

    def _apply_verdict(self, key: tuple[str, Hashable, datetime], reason: str | None) -> None:
        self.scene.ghost.set_verdict(reason is None, reason or "")
        if reason:
            QToolTip.showText(QCursor.pos(), reason, self.grid.body)
        else:
            QToolTip.hideText()

    def _reason(self, exc: BaseException) -> str:
        if isinstance(exc, DomainError):
            return self.ctx.l10n().error(exc)
        raise exc

    def _on_block_dropped(self, block: BookingBlock, target: DropTarget) -> None:
        QToolTip.hideText()
        content = self.content
        if content is None:
            return
        column = content.column(target.key)
        refusal = move_refusal(content, block, target.key, target.start_at)
        known = self._verdicts.get(self._target_key(block, target))
        if refusal is not None or known:
            reason = self.ctx.l10n().error(refusal) if refusal is not None else (known or "")
            self.show_notice(reason)
            self.move_refused.emit(block.booking_id, reason)
            return
        if column is None:
            return
        item = self.scene.item_for(block.item_id)
        if item is not None:
            self.scene.move_item_to(item, target)
        self.ctx.runner.db(
            reschedule_in_lane,
            self.ctx.desk,
            block.booking_id,
            block.item_id,
            column.staff_id,
            target.start_at,
            on_done=lambda result: self._on_moved(block, result),
            on_error=lambda exc: self._on_move_refused(block, exc),
            owner=self,
        )

    def _on_moved(self, block: BookingBlock, result: Result) -> None:
        self.booking_moved.emit(block.booking_id)
        self.ctx.events.changes_applied.emit(result.changes)

    def _on_move_refused(self, block: BookingBlock, exc: BaseException) -> None:
        item = self.scene.item_for(block.item_id)
        if item is not None:
            self.scene.restore_item(item)
        reason = self._reason(exc)
        self.show_notice(reason)
        self.move_refused.emit(block.booking_id, reason)

    def open_actions_for(self, item_id: str) -> None:
        """Opens the status menu of a block (the keyboard's Enter does the same)."""
        item = self.scene.item_for(item_id)
        if item is not None and item.block is not None:
            self.scene.select(item)
            self.booking_actions.open_menu(item.block, self.grid.body.viewport().mapToGlobal(QPoint(0, 0)))


# -- run on the DB lane ----------------------------------------------------------------------------------
def check_move_in_lane(desk: Any, booking_id: str, item_id: str, staff_id: str, start: datetime) -> None:
    booking = desk.bookings.get(booking_id)
    desk.bookings.check_move(reschedule_command(booking, item_id, staff_id, start))


def reschedule_in_lane(desk: Any, booking_id: str, item_id: str, staff_id: str, start: datetime) -> Result:
    booking = desk.bookings.get(booking_id)
    result: Result = desk.bookings.reschedule(reschedule_command(booking, item_id, staff_id, start))
    return result
