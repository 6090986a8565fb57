"""The calendar shows a visit as it really ran (issue 9): an early finish shortens the block and leaves the
freed booked time as a faint outline that clicks pass through; an overrun lengthens it past the booked end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salon_desk.ui.calendar.board import CalendarBoard
from salon_desk.ui.calendar.content import day_content
from salon_desk.ui.calendar.grid_view import SLOT_HEIGHT
from salon_desk.usecases.commands import CreateBooking, ItemRequest, TransitionBooking
from tests.helpers import first_free_slot, service_named


@pytest.fixture
def board(qtbot, ui_context):
    board = CalendarBoard(ui_context)
    qtbot.addWidget(board)
    board.resize(1200, 800)
    board.show()
    return board


def _served_haircut(desk, clock):
    """A 45-minute haircut three hours from now, started on time."""
    haircut = service_named(desk, "Haircut")
    slot = first_free_slot(desk, haircut.id, clock.now + timedelta(hours=3))
    customer = desk.customers.search("", limit=1)[0].id
    booking_id = desk.bookings.create(CreateBooking(
        (ItemRequest(haircut.id, slot.assignments[0].staff_id, slot.start),), customer, confirmed=True)).id
    clock.now = slot.start
    for target in ("checked_in", "in_service"):
        desk.bookings.transition(TransitionBooking(booking_id, target))
    return desk.bookings.get(booking_id)


def _show_day(board, desk, start):
    view = desk.calendar.day_view(desk.calendar.business_day(start))
    board.show_content(day_content(view, lambda staff: staff.name_ar, SLOT_HEIGHT))
    return board.scene.geometry.axis_for(view.columns[0].staff.id).px_per_minute


def test_an_early_finish_shows_the_block_as_it_ran_and_the_freed_time_apart(board, desk_service, clock):
    visit = _served_haircut(desk_service, clock)
    item_id, start = visit.items[0].id, visit.start_at
    clock.now = start + timedelta(minutes=20)
    desk_service.bookings.transition(TransitionBooking(visit.id, "completed"))

    px = _show_day(board, desk_service, start)
    block = board.scene.item_for(item_id)

    assert block._size.height() == pytest.approx(20 * px, abs=0.5)  # 20 minutes as it ran, not 45 booked
    tail = block.booked_tail()
    assert tail is not None and tail.height() == pytest.approx(25 * px, abs=0.5)
    assert block.boundingRect().contains(tail)
    freed = block.mapToScene(tail.center())
    assert board.scene._block_item_at(freed) is None  # a click on the freed time reaches the free grid
    assert board.scene._block_item_at(block.mapToScene(block._size.center())) is block
    assert block.texts.time_range == board.format_range(start, start + timedelta(minutes=20))
    tooltip = board.tooltip_for(block.block)
    assert "موعد الحجز" in tooltip and board.format_range(start, start + timedelta(minutes=45)) in tooltip


def test_an_overrun_lengthens_the_block_and_marks_the_booked_end(board, desk_service, clock):
    visit = _served_haircut(desk_service, clock)
    item_id, start = visit.items[0].id, visit.start_at
    clock.now = start + timedelta(minutes=70)
    desk_service.bookings.transition(TransitionBooking(visit.id, "completed"))

    px = _show_day(board, desk_service, start)
    block = board.scene.item_for(item_id)

    assert block._size.height() == pytest.approx(70 * px, abs=0.5)
    assert block.booked_tail() is None
    assert block.booked_height == pytest.approx(45 * px, abs=0.5)  # the dashed line at the booked end


def test_a_visit_not_yet_finished_shows_its_booked_time(board, desk_service, clock):
    visit = _served_haircut(desk_service, clock)
    px = _show_day(board, desk_service, visit.start_at)
    block = board.scene.item_for(visit.items[0].id)
    assert block._size.height() == pytest.approx(45 * px, abs=0.5)
    assert block.booked_height is None and block.booked_tail() is None
