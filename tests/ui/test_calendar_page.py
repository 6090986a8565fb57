"""The calendar page over a real migrated demo database: RTL columns, booking by clicking free time,
refused drags that change nothing, and status actions from the menu and the keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from salon_desk.domain.booking import MOVABLE
from salon_desk.ui.calendar.actions import CancelChoice, CancelReasonDialog
from salon_desk.ui.calendar.day_view import CalendarPage
from salon_desk.ui.calendar.geometry import floor_to_slot
from salon_desk.usecases.commands import CreateBooking, FindSlots, ItemRequest, NewCustomer
from tests.conftest import DEMO_NOW
from tests.helpers import first_free_slot, service_named, snapshot


@pytest.fixture
def page(qtbot, ui_context):
    page = CalendarPage(ui_context)
    qtbot.addWidget(page)
    page.resize(1500, 950)
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        page.show()
    ui_context.runner.wait_idle(5000)
    return page


def scene_point_for(page, staff_id, instant, dx=0.5) -> QPointF:
    geometry = page.scene.geometry
    index = geometry.index_of(staff_id)
    rect = geometry.column_rect(index)
    return QPointF(rect.x + rect.width * dx, geometry.axes[index].y_of(instant) + 3)


def show_in_view(page, point: QPointF) -> QPoint:
    view = page.board.grid.body
    view.centerOn(point)
    return view.mapFromScene(point)


def drag(page, start: QPointF, end: QPointF, steps: int = 6) -> None:
    view = page.board.grid.body
    view.centerOn((start + end) / 2)
    viewport = view.viewport()
    p0, p1 = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p0)
    for step in range(1, steps + 1):
        QTest.mouseMove(viewport, p0 + (p1 - p0) * step / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p1)


def hold_over(page, block, staff_id, instant):
    """Presses on `block` and drags it until its top is over `instant` in `staff_id`'s column, the button
    still down; returns the release (the drop)."""
    item = page.scene.item_for(block.item_id)
    view = page.board.grid.body
    start = item.sceneBoundingRect().center()
    end = scene_point_for(page, staff_id, instant)
    end.setY(end.y() + (start.y() - item.y()) - 3)  # grab offset: the block's top lands on `instant`
    view.centerOn((start + end) / 2)
    viewport = view.viewport()
    p0, p1 = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p0)
    for step in range(1, 7):
        QTest.mouseMove(viewport, p0 + (p1 - p0) * step / 6)
    return lambda: QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p1)


def movable_block(page, later_than=DEMO_NOW):
    return next(
        b
        for b in page.view.blocks
        if b.status in MOVABLE
        and b.start_at > later_than + timedelta(hours=1)
        and b.status != "needs_attention"
    )


def test_arabic_puts_first_staff_column_on_the_right_and_english_on_the_left(page, ui_context, qtbot):
    first, second = page.view.columns[0].staff.id, page.view.columns[1].staff.id
    geometry = page.scene.geometry
    assert geometry.columns.rtl
    assert geometry.column_rect(geometry.index_of(first)).right == pytest.approx(geometry.width)
    assert (
        geometry.column_rect(geometry.index_of(first)).x > geometry.column_rect(geometry.index_of(second)).x
    )
    # the time gutter sits on the reading-start side too (the grid layout mirrors)
    assert page.board.grid.gutter.x() > page.board.grid.body.x()

    ui_context.set_language("en")
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        page.retranslate()
    geometry = page.scene.geometry
    assert not geometry.columns.rtl
    assert geometry.column_rect(geometry.index_of(first)).x == 0
    qtbot.waitUntil(lambda: page.board.grid.gutter.x() < page.board.grid.body.x())  # after the relayout


def test_blocks_show_every_visible_booking_of_the_day(page):
    shown = {item.block.item_id for item in page.scene.block_items()}
    expected = {b.item_id for b in page.view.blocks if b.status != "cancelled"}
    assert shown == expected and shown
    columns = {c.staff.id for c in page.view.columns}
    assert all(item.placed.key in columns for item in page.scene.block_items())


def test_click_free_time_books_through_the_dialog_and_the_block_appears(page, qtbot, desk_service):
    haircut = service_named(desk_service, "Haircut")
    staff_id = page.view.columns[0].staff.id
    slot = first_free_slot(desk_service, haircut.id, DEMO_NOW + timedelta(hours=1), staff_id)
    if desk_service.calendar.business_day(slot.start) != page.view.day:
        pytest.skip("the demo's first staff member has no free time left today")
    point = scene_point_for(page, staff_id, slot.start)
    viewport_point = show_in_view(page, point)
    with qtbot.waitSignal(page.booking_dialog_opened, timeout=3000) as opened:
        QTest.mouseClick(
            page.board.grid.body.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            viewport_point,
        )
    dialog = opened.args[0]
    row = dialog.services.rows[0]
    qtbot.waitUntil(lambda: row.service.count() > 1)  # services and staff arrive from the DB lane
    assert dialog.start() == floor_to_slot(slot.start)
    assert row.staff_id() == staff_id

    customer = desk_service.customers.search("", limit=1)[0]
    dialog.customer.choose(customer)
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        row.service.setCurrentIndex(row.service.findData(haircut.id))
    with (
        qtbot.waitSignal(page.booking_created, timeout=5000) as created,
        qtbot.waitSignal(page.day_loaded, timeout=5000),
    ):
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    booking = desk_service.bookings.get(created.args[0])
    assert booking.customer_id == customer.id and booking.items[0].staff_id == staff_id
    item = page.scene.item_for(booking.items[0].id)
    assert item is not None and item.isVisible()
    column = page.scene.geometry.column_rect(page.scene.geometry.index_of(staff_id))
    assert column.x <= item.x() < column.right
    assert item.y() == pytest.approx(page.scene.geometry.axes[0].y_of(booking.items[0].start_at))


def test_drag_onto_an_occupied_slot_is_refused_and_nothing_changes(page, qtbot, desk_service, demo_db):
    moving = movable_block(page)
    occupied = next(
        b
        for b in page.view.blocks
        if b.staff_id != moving.staff_id
        and b.status in ("confirmed", "checked_in", "in_service", "requested")
        and b.booking_id != moving.booking_id
    )
    before = snapshot(demo_db)
    item = page.scene.item_for(moving.item_id)
    old_pos = item.pos()
    start = item.sceneBoundingRect().center()
    end = scene_point_for(page, occupied.staff_id, occupied.start_at)
    end.setY(end.y() + (start.y() - item.y()) - 3)  # grab offset: the block's top lands on the occupied start
    with qtbot.waitSignal(page.board.move_refused, timeout=5000) as refused:
        drag(page, start, end)
    reason = refused.args[1]
    assert reason and "{" not in reason
    assert page.board.notice.isVisible() and page.board.notice.text() == reason
    page.ctx.runner.wait_idle(5000)
    assert item.pos() == old_pos
    assert desk_service.bookings.get(moving.booking_id).items[0].start_at == moving.start_at
    assert snapshot(demo_db) == before


def test_store_refusal_after_another_desk_took_the_slot_snaps_back(page, qtbot, desk_service, demo_db):
    moving = movable_block(page)
    staff_id = moving.staff_id
    service = next(s for s in desk_service.reference.services() if staff_id in desk_service.reference.qualified_staff(s.id))
    slot = first_free_slot(desk_service, service.id, moving.end_at + timedelta(hours=1), staff_id)
    if desk_service.calendar.business_day(slot.start) != page.view.day:
        pytest.skip("no free time later today for this staff member")
    # Another desk books that time; this page has not reloaded, so its quick check still sees it free.
    desk_service.bookings.create(
        CreateBooking(
            (ItemRequest(service.id, staff_id, slot.start),),
            new_customer=NewCustomer("Other Desk", "0509998877"),
        )
    )
    before = snapshot(demo_db)
    item = page.scene.item_for(moving.item_id)
    old_pos = item.pos()
    start = item.sceneBoundingRect().center()
    end = scene_point_for(page, staff_id, slot.start)
    end.setY(end.y() + (start.y() - item.y()) - 3)
    with qtbot.waitSignal(page.board.move_refused, timeout=5000) as refused:
        drag(page, start, end)
    page.ctx.runner.wait_idle(5000)
    assert refused.args[0] == moving.booking_id and refused.args[1]
    qtbot.waitUntil(lambda: item.pos() == old_pos)
    assert desk_service.bookings.get(moving.booking_id).items[0].start_at == moving.start_at
    assert snapshot(demo_db) == before


def test_drag_to_free_time_moves_the_booking(page, qtbot, desk_service):
    moving = movable_block(page)
    booking = desk_service.bookings.get(moving.booking_id)
    service_ids = {i.service_id for i in booking.items}
    if len(booking.items) != 1:
        pytest.skip("a single-service booking keeps this test simple")
    slot = first_free_slot(
        desk_service, next(iter(service_ids)), moving.end_at + timedelta(hours=2), moving.staff_id
    )
    if desk_service.calendar.business_day(slot.start) != page.view.day:
        pytest.skip("no free time later today for this staff member")
    item = page.scene.item_for(moving.item_id)
    start = item.sceneBoundingRect().center()
    end = scene_point_for(page, moving.staff_id, slot.start)
    end.setY(end.y() + (start.y() - item.y()) - 3)
    with (
        qtbot.waitSignal(page.board.booking_moved, timeout=5000),
        qtbot.waitSignal(page.day_loaded, timeout=5000),
    ):
        drag(page, start, end)
    assert desk_service.bookings.get(moving.booking_id).items[0].start_at == slot.start


def test_live_drag_feedback_marks_an_occupied_target_red_with_a_reason(page, qtbot):
    moving = movable_block(page)
    occupied = next(b for b in page.view.blocks if b.staff_id != moving.staff_id and b.status == "confirmed")
    drop = hold_over(page, moving, occupied.staff_id, occupied.start_at)
    ghost = page.scene.ghost
    qtbot.waitUntil(lambda: ghost.allowed is False, timeout=3000)
    assert ghost.isVisible() and ghost.reason
    drop()
    assert not ghost.isVisible()


def test_context_menu_offers_only_allowed_actions_and_checks_in(page, qtbot, desk_service):
    block = next(b for b in page.view.blocks if b.status == "confirmed")
    board = page.board
    with qtbot.waitSignal(board.booking_actions.menu_shown, timeout=3000) as shown:
        board.open_actions_for(block.item_id)
    menu = shown.args[0]
    offered = {a.data() for a in menu.actions() if a.data()}
    assert offered == set(desk_service.bookings.allowed_transitions(block.booking_id))
    check_in = next(a for a in menu.actions() if a.data() == "checked_in")
    with (
        qtbot.waitSignal(board.booking_actions.action_done, timeout=3000),
        qtbot.waitSignal(page.day_loaded, timeout=5000),
    ):
        check_in.trigger()
    menu.close()
    assert desk_service.bookings.get(block.booking_id).status == "checked_in"
    assert page.scene.item_for(block.item_id).block.status == "checked_in"


def test_keyboard_selects_blocks_and_space_takes_the_next_step(page, qtbot, desk_service):
    view = page.board.grid.body
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert page.scene.selected is not None
    target = next(b for b in page.view.blocks if b.status == "requested")
    assert page.scene.select_block(target.item_id)
    with qtbot.waitSignal(page.board.booking_actions.menu_shown, timeout=3000) as shown:
        QTest.keyClick(view, Qt.Key.Key_Return)  # Enter opens the actions of the selected block
    offered = {a.data() for a in shown.args[0].actions() if a.data()}
    assert offered == set(desk_service.bookings.allowed_transitions(target.booking_id))
    shown.args[0].close()
    with qtbot.waitSignal(page.board.booking_actions.action_done, timeout=3000) as done:
        QTest.keyClick(view, Qt.Key.Key_Space)
    assert done.args == [target.booking_id, "confirmed"]
    assert desk_service.bookings.get(target.booking_id).status == "confirmed"


def test_arrow_keys_follow_the_screen_in_rtl(page):
    scene = page.scene
    items = sorted(scene.block_items(), key=lambda i: (-i.x(), i.y()))  # rightmost column first
    scene.select(items[0])
    right_x = items[0].x()
    moved = scene.move_selection(Qt.Key.Key_Left)
    assert moved is not None and moved.x() < right_x
    assert scene.move_selection(Qt.Key.Key_Right).x() >= moved.x()


def test_delete_cancels_with_a_reason_and_the_block_disappears(page, qtbot, desk_service, demo_db):
    target = next(b for b in page.view.blocks if b.status == "confirmed")
    page.board.booking_actions.ask_reason = lambda block, parent: CancelChoice("ظرف طارئ")
    view = page.board.grid.body
    view.setFocus()
    page.scene.select_block(target.item_id)
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        QTest.keyClick(view, Qt.Key.Key_Delete)
    booking = desk_service.bookings.get(target.booking_id)
    assert booking.status == "cancelled" and booking.cancel_reason == "ظرف طارئ"
    assert page.scene.item_for(target.item_id) is None
    assert _cancel_args(demo_db, target.booking_id) == {"reason": "ظرف طارئ"}  # the customer's doing


def test_a_cancellation_by_the_salon_says_so_to_the_cloud(page, qtbot, demo_db):
    """Ticked in the dialog, "the salon is cancelling" travels with the mutation: the cloud refunds a paid
    deposit in full whatever the policy (domain.deposit_policy, SALON_CANCEL)."""
    target = next(b for b in page.view.blocks if b.status == "confirmed")
    dialog = CancelReasonDialog(target.customer_name, page)
    dialog.reason.setCurrentIndex(2)  # "The staff member is unavailable" is the salon's doing: ticked for her
    assert dialog.by_salon.isChecked()
    dialog.reason.setCurrentIndex(0)  # "At the customer's request"
    assert not dialog.by_salon.isChecked()
    dialog.reason.setEditText("الموظفة غير متاحة")
    dialog.by_salon.setChecked(True)
    assert dialog.answer() == CancelChoice("الموظفة غير متاحة", by_salon=True)
    page.board.booking_actions.ask_reason = lambda block, parent: dialog.answer()
    page.scene.select_block(target.item_id)
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        page.board.booking_actions.request_cancel(target)
    assert _cancel_args(demo_db, target.booking_id) == {"reason": "الموظفة غير متاحة", "by_salon": True}


def _cancel_args(db_path, booking_id: str) -> dict:
    import json
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT args FROM outbox WHERE name = 'booking.cancel' AND entity_id = ? "
                           "ORDER BY device_seq DESC LIMIT 1", (booking_id,)).fetchone()
    return json.loads(row[0])


def test_cancel_without_a_reason_changes_nothing(page, qtbot, desk_service, demo_db):
    target = next(b for b in page.view.blocks if b.status == "confirmed")
    page.board.booking_actions.ask_reason = lambda block, parent: None
    before = snapshot(demo_db)
    page.board.booking_actions.run(target, "cancelled")
    page.ctx.runner.wait_idle(3000)
    assert snapshot(demo_db) == before


def test_navigation_and_week_toggle(page, qtbot, desk_service):
    day = page.day
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        QTest.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.day == day + timedelta(days=1) and page.view.day == page.day
    assert page.hijri_label.text()
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        QTest.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    assert page.day == desk_service.calendar.today()
    with qtbot.waitSignal(page.week.loaded, timeout=5000):
        QTest.mouseClick(page.week_button, Qt.MouseButton.LeftButton)
    week = page.week
    assert len(week.board.content.columns) == 7
    assert week.board.content.columns[0].key.weekday() == 6  # Sunday first
    geometry = week.board.scene.geometry
    assert geometry.column_rect(0).x == max(
        geometry.column_rect(i).x for i in range(7)
    )  # rightmost in Arabic


def test_changes_from_elsewhere_refresh_the_day(page, qtbot, desk_service):
    block = next(b for b in page.view.blocks if b.status == "confirmed")
    from salon_desk.usecases.commands import TransitionBooking

    result = desk_service.bookings.transition(TransitionBooking(block.booking_id, "checked_in"))
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        page.ctx.events.changes_applied.emit(result.changes)
    assert page.scene.item_for(block.item_id).block.status == "checked_in"


def test_minute_tick_moves_the_current_time_line(page, clock):
    before = page.scene.now_line.segments
    assert before  # 10:00 in the demo: the salon is open
    clock.instant += timedelta(minutes=30)
    page.ctx.events.minute_ticked.emit()
    after = page.scene.now_line.segments
    assert after[0][2] - before[0][2] == pytest.approx(page.scene.geometry.axes[0].px_per_minute * 30)


def test_week_view_drag_to_another_day_moves_the_booking(page, qtbot, desk_service):
    with qtbot.waitSignal(page.week.loaded, timeout=5000):
        page.set_mode("week")
    week = page.week
    staff_id = week.view.staff.id
    blocks = [
        b
        for d in week.view.days
        for b in d.blocks
        if b.status in ("confirmed", "requested") and b.start_at > DEMO_NOW + timedelta(hours=1)
    ]
    moving = next((b for b in blocks if len(desk_service.bookings.get(b.booking_id).items) == 1), None)
    if moving is None:
        pytest.skip("no movable single-service booking this week for the first staff member")
    service_id = desk_service.bookings.get(moving.booking_id).items[0].service_id
    after = moving.start_at + timedelta(days=1)
    slot = first_free_slot(desk_service, service_id, after.replace(hour=max(after.hour, 8)), staff_id)
    target_day = desk_service.calendar.business_day(slot.start)
    if (
        target_day == desk_service.calendar.business_day(moving.start_at)
        or week.board.content.column(target_day) is None
    ):
        pytest.skip("no free time on another day of this week")
    scene = week.board.scene
    geometry = scene.geometry
    item = scene.item_for(moving.item_id)
    index = geometry.index_of(target_day)
    start = item.sceneBoundingRect().center()
    rect = geometry.column_rect(index)
    end = QPointF(rect.x + rect.width / 2, geometry.axes[index].y_of(slot.start) + (start.y() - item.y()))
    view = week.board.grid.body
    view.centerOn((start + end) / 2)
    p0, p1 = view.mapFromScene(start), view.mapFromScene(end)
    viewport = view.viewport()
    with (
        qtbot.waitSignal(week.board.booking_moved, timeout=5000),
        qtbot.waitSignal(week.loaded, timeout=5000),
    ):
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p0)
        for step in range(1, 7):
            QTest.mouseMove(viewport, p0 + (p1 - p0) * step / 6)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p1)
    moved = desk_service.bookings.get(moving.booking_id).items[0]
    assert moved.start_at == slot.start and moved.staff_id == staff_id


def test_week_asked_for_before_the_staff_list_arrives_still_shows_the_week(qtbot, ui_context):
    page = CalendarPage(ui_context)
    qtbot.addWidget(page)
    page.set_mode("week")  # before the staff list has come back from the DB lane
    for _ in range(5):
        ui_context.runner.wait_idle(5000)
    week = page.week.view
    assert week is not None and week.staff.id == page.staff_picker.currentData()
    assert any(day.blocks for day in week.days)


def colour_and_blow_dry_same_day(desk_service):
    """A colour (apply 30, process 40 with the stylist free, finish 20) with nothing else around it, and a
    later blow-dry (30 + 5 cleanup), for one stylist on one business day after the demo clock."""
    colour, blow = service_named(desk_service, "Hair colour"), service_named(desk_service, "Blow-dry")
    both = [s for s in desk_service.reference.qualified_staff(colour.id) if s in desk_service.reference.qualified_staff(blow.id)]
    customers = desk_service.customers.search("", limit=2)
    for staff_id in both:
        query = FindSlots(((colour.id, staff_id),), DEMO_NOW + timedelta(days=1), days_ahead=7, limit=200)
        for slot in desk_service.calendar.find_slots(query):
            day = desk_service.calendar.business_day(slot.start)
            around = (slot.start - timedelta(hours=1), slot.start + timedelta(hours=3))
            if any(b.staff_id == staff_id and b.start_at < around[1] and around[0] < b.busy_until
                   for b in desk_service.calendar.day_view(day).blocks):
                continue
            later = first_free_slot(desk_service, blow.id, slot.start + timedelta(hours=3), staff_id)
            if desk_service.calendar.business_day(later.start) != day:
                continue
            desk_service.bookings.create(CreateBooking(
                (ItemRequest(colour.id, staff_id, slot.start),), customer_id=customers[0].id))
            blow_id = desk_service.bookings.create(CreateBooking(
                (ItemRequest(blow.id, staff_id, later.start),), customer_id=customers[1].id)).id
            return staff_id, slot.start, blow_id
    pytest.fail("no day with room for a colour and a blow-dry")


def test_a_blow_dry_dragged_into_a_colours_processing_gap_is_accepted(page, qtbot, desk_service):
    staff_id, colour_start, blow_id = colour_and_blow_dry_same_day(desk_service)
    gap_start = colour_start + timedelta(minutes=30)  # the colour processes: the stylist is free for 40 minutes
    with qtbot.waitSignal(page.day_loaded, timeout=5000):
        page.show_day(desk_service.calendar.business_day(colour_start))
    moving = next(b for b in page.view.blocks if b.booking_id == blow_id)
    drop = hold_over(page, moving, staff_id, gap_start)
    ghost = page.scene.ghost
    assert ghost.isVisible() and ghost.allowed is not False and ghost.reason == ""  # the domain's verdict
    qtbot.waitUntil(lambda: ghost.allowed is True, timeout=5000)  # and the store's check_move agrees
    assert ghost.reason == ""
    with (
        qtbot.waitSignal(page.board.booking_moved, timeout=5000),
        qtbot.waitSignal(page.day_loaded, timeout=5000),
    ):
        drop()
    moved = desk_service.bookings.get(blow_id).items[0]
    assert (moved.staff_id, moved.start_at) == (staff_id, gap_start)
