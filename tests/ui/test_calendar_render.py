"""Rendering from hand-built DayView/WeekView data (no database): lanes for inconsistent data, markers,
status colours, RTL order, the frozen header and gutter, and item reuse across days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPointF

from salon_desk.ui import i18n
from salon_desk.ui.calendar.board import CalendarBoard
from salon_desk.ui.calendar.content import day_content, move_refusal
from salon_desk.ui.calendar.grid_view import SLOT_HEIGHT
from salon_desk.ui.calendar.week_view import WeekCalendar
from tests.calendar_sample import sample_day_view, sample_week_view, with_attention_and_overlap

DAY = date(2025, 3, 2)


def name_ar(staff):
    return staff.name_ar


@pytest.fixture
def board(qtbot, ui_context):
    board = CalendarBoard(ui_context)
    qtbot.addWidget(board)
    board.resize(1200, 800)
    board.show()
    return board


def test_overlapping_blocks_share_the_column_side_by_side(board):
    view = with_attention_and_overlap(sample_day_view(DAY, 4, 20))
    board.show_content(day_content(view, name_ar, SLOT_HEIGHT))
    clash = board.scene.item_for("item-clash")
    first = next(b for b in view.blocks if b.staff_id == clash.block.staff_id)
    other = board.scene.item_for(first.item_id)
    assert clash.placed.lane.lanes == other.placed.lane.lanes == 2
    assert clash.boundingRect().width() - 4 <= board.scene.geometry.columns.column_width / 2  # 2px pen margin
    assert (
        not clash.sceneBoundingRect()
        .adjusted(3, 3, -3, -3)
        .intersects(other.sceneBoundingRect().adjusted(3, 3, -3, -3))
    )
    assert clash.needs_attention and not other.needs_attention


def test_pending_sync_marker_and_status_colours(board):
    view = sample_day_view(DAY, 3, 18)
    board.show_content(day_content(view, name_ar, SLOT_HEIGHT))
    # The fills as designed (written here, not read back from the theme): one hue per status.
    expected_fill = {"requested": "#fff4d6", "confirmed": "#dcebff", "checked_in": "#d3f2ec",
                     "in_service": "#e9e1fb", "completed": "#ddf3e1", "cancelled": "#eef1f4",
                     "no_show": "#fbe3ee", "needs_attention": "#fde2e1"}
    for item in board.scene.block_items():
        assert item.pending_sync == (item.block.sync_status == "pending")
        assert item._colours.fill.name() == expected_fill[item.block.status]
    assert any(item.pending_sync for item in board.scene.block_items())


def test_texts_are_translated_and_isolated(board, ui_context):
    view = sample_day_view(DAY, 2, 6)
    board.show_content(day_content(view, name_ar, SLOT_HEIGHT))
    item = board.scene.block_items()[0]
    assert item.texts.service == item.block.service_name_ar
    assert "\u2068" in item.texts.time_range  # each time isolated so "10:00 ص – 10:45 ص" keeps its order
    tooltip = board.tooltip_for(item.block)
    assert ui_context.l10n().status_label(item.block.status) in tooltip
    assert ui_context.l10n().phone(item.block.customer_phone) in tooltip


def test_items_are_reused_when_switching_days(board):
    board.show_content(day_content(sample_day_view(DAY, 5, 40), name_ar, SLOT_HEIGHT))
    pool = list(board.scene._pool)
    board.show_content(day_content(sample_day_view(DAY + timedelta(1), 5, 30), name_ar, SLOT_HEIGHT))
    assert board.scene._pool[: len(pool)] == pool
    visible = [i for i in board.scene._pool if i.isVisible()]
    assert len(visible) == len(board.scene.block_items()) == len(board.content.blocks)


def test_frozen_header_and_gutter_follow_scrolling(board, qtbot):
    board.show_content(day_content(sample_day_view(DAY, 12, 30), name_ar, SLOT_HEIGHT))
    body = board.grid.body
    qtbot.waitUntil(lambda: body.horizontalScrollBar().maximum() > 0)
    header, gutter = board.grid.header, board.grid.gutter
    first_column_x = board.scene.geometry.column_rect(0).right
    before = header.scene_to_local(QPointF(first_column_x, 0)).x()
    body.horizontalScrollBar().setValue(body.horizontalScrollBar().maximum())
    after = header.scene_to_local(QPointF(first_column_x, 0)).x()
    assert after != pytest.approx(before)
    assert header.y() == 0 and header.isVisible()  # the header itself never scrolls away
    y_before = gutter.scene_to_local(QPointF(0, 500)).y()
    body.verticalScrollBar().setValue(400)
    assert gutter.scene_to_local(QPointF(0, 500)).y() == pytest.approx(y_before - (400 - 0), abs=2)
    labels = [text for _y, text, _hour in gutter._labels]
    assert labels[0] == board.ctx.l10n().time(board.scene.geometry.axes[0].origin)


def test_drag_verdicts_come_from_the_domain(board):
    view = sample_day_view(DAY, 3, 12)
    content = day_content(view, name_ar, SLOT_HEIGHT)
    block = next(b for b in view.blocks if b.status == "confirmed")
    other = next(b for b in view.blocks if b.staff_id != block.staff_id and b.status == "confirmed")
    assert move_refusal(content, block, other.staff_id, other.start_at).code == "schedule.overlap"
    column = content.column(block.staff_id)
    on_break = move_refusal(content, block, block.staff_id, column.breaks[0].start)
    assert on_break.code == "schedule.outside_availability"
    before_opening = column.working[0].start - timedelta(minutes=15)
    assert move_refusal(content, block, block.staff_id, before_opening).code == "schedule.outside_availability"
    assert move_refusal(content, block, block.staff_id, block.start_at) is None
    done = next((b for b in view.blocks if b.status == "completed"), None)
    if done is not None:
        assert move_refusal(content, done, done.staff_id, done.start_at).code == "booking.not_movable"


def test_week_view_sunday_rightmost_in_arabic_and_leftmost_in_english(qtbot, ui_context):
    week = WeekCalendar(ui_context)
    qtbot.addWidget(week)
    week.resize(1200, 700)
    week.show()
    sunday = date(2025, 3, 2)
    week.show_week_view(sample_week_view(sunday))
    geometry = week.board.scene.geometry
    assert week.board.content.columns[0].key == sunday
    assert geometry.column_rect(0).x == max(geometry.column_rect(i).x for i in range(7))
    assert week.board.content.columns[5].closed  # Friday in the sample
    i18n.set_ui_language("en", "latn")
    week.retranslate()
    assert week.board.scene.geometry.column_rect(0).x == 0
    assert week.board.content.columns[0].title == "Sunday"


def test_a_drop_into_a_colours_processing_gap_fits_and_its_busy_phases_do_not(board):
    """Hand-built: a colour with the stylist busy 30 minutes, free 40 (processing), busy 20 again."""
    from dataclasses import replace

    from salon_desk.domain.model import Phase
    from salon_desk.domain.scheduling import busy_segments

    view = sample_day_view(DAY, 2, 0)  # two stylists, no bookings
    staff_id = view.columns[0].staff.id
    colour_start = view.window.start + timedelta(hours=1)
    phases = (Phase(30), Phase(40, staff_busy=False), Phase(20))
    template = sample_day_view(DAY, 2, 4).blocks[0]  # customer, service and sync fields to copy
    colour = replace(template, booking_id="colour", item_id="colour-1", staff_id=staff_id, status="confirmed",
                     start_at=colour_start, end_at=colour_start + timedelta(minutes=90),
                     busy_until=colour_start + timedelta(minutes=90),
                     segments=busy_segments(colour_start, 90, 0, phases))
    later = colour_start + timedelta(hours=3)
    blow = replace(colour, booking_id="blow", item_id="blow-1", start_at=later,
                   end_at=later + timedelta(minutes=30), busy_until=later + timedelta(minutes=35),
                   segments=busy_segments(later, 30, 5))
    content = day_content(replace(view, blocks=(colour, blow)), name_ar, SLOT_HEIGHT)
    assert move_refusal(content, blow, staff_id, colour_start + timedelta(minutes=30)) is None
    assert move_refusal(content, blow, staff_id, colour_start + timedelta(minutes=45)).code == "schedule.overlap"
    assert move_refusal(content, blow, staff_id, colour_start).code == "schedule.overlap"
