"""The weekly grid and the Staff page (issue #10), with pytest-qt: hours painted with the mouse and the
keyboard (left-to-right and right-to-left), saved through the use cases; a shorter week shows the bookings
it leaves outside before anything is saved; a receptionist is refused with a translated message."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.ui import i18n
from salon_desk.ui.availability.grid import CELLS, DAY_ORDER, WeekGrid
from salon_desk.ui.staff.page import StaffPage
from salon_desk.usecases.desk import DeskService

THURSDAY = date(2026, 11, 26)
MONDAY_ROW = DAY_ORDER.index(0)
THURSDAY_ROW = DAY_ORDER.index(3)


def sign_in(desk: DeskService, role: Role) -> None:
    desk.users.sign_in(next(u.id for u in desk.users.list() if u.role is role), DEMO_PIN)


def centre(grid: WeekGrid, row: int, cell: int) -> QPoint:
    return grid.cell_rect(row, cell).center()


@pytest.fixture
def grid(qtbot):
    widget = WeekGrid()
    qtbot.addWidget(widget)
    widget.resize(48 * 20 + 120, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def drag(qtbot, grid: WeekGrid, row: int, first: int, last: int) -> None:
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=centre(grid, row, first))
    for cell in range(first, last + 1):
        qtbot.mouseMove(grid, centre(grid, row, cell))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=centre(grid, row, last))


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft])
def test_mouse_paints_working_hours_and_a_second_stroke_clears_a_break(qtbot, grid, direction):
    grid.setLayoutDirection(direction)
    drag(qtbot, grid, MONDAY_ROW, 18, 35)  # 09:00 to 18:00
    assert grid.spans() == [WeeklySpan(0, time(9), time(18))]
    drag(qtbot, grid, MONDAY_ROW, 26, 27)  # starts on a painted cell: clears 13:00-14:00
    assert grid.spans() == [WeeklySpan(0, time(9), time(13)), WeeklySpan(0, time(14), time(18))]


def test_keyboard_paints_with_shift_arrows_and_space(qtbot, grid):
    grid.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # → is later in time (an Arabic test may run first)
    grid.setFocus()
    grid.at = (THURSDAY_ROW, 20)  # Thursday 10:00
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    for _ in range(3):
        qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyRelease(grid, Qt.Key.Key_Shift)
    assert grid.spans() == [WeeklySpan(3, time(10), time(12))]
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    qtbot.keyClick(grid, Qt.Key.Key_Space)
    assert WeeklySpan(4, time(11, 30), time(12)) in grid.spans()
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert grid.spans() == [WeeklySpan(4, time(11, 30), time(12))]


def test_past_midnight_shows_on_the_next_morning_and_round_trips(grid):
    grid.set_rules([WeeklySpan(3, time(21), time(3))])
    assert grid.cells[THURSDAY_ROW][CELLS - 1] and grid.cells[THURSDAY_ROW + 1][5]
    assert grid.spans() == [WeeklySpan(3, time(21), time(0)), WeeklySpan(4, time(0), time(3))]


def page_for(qtbot, ctx) -> StaffPage:
    page = StaffPage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    qtbot.waitUntil(lambda: page.list.count() > 0 and page.current is not None, timeout=10_000)
    return page


def test_manager_sets_up_a_new_stylists_week_by_painting(qtbot, ui_context, ui_desk):
    sign_in(ui_desk, Role.MANAGER)
    i18n.set_ui_language("en", "latn")
    page = page_for(qtbot, ui_context)
    page.start_new()
    page.edits["name_ar"].setText("رزان")
    page.edits["name_en"].setText("Razan")
    page.edits["title_ar"].setText("مصففة")
    page.edits["title_en"].setText("Stylist")
    with qtbot.waitSignal(page.saved, timeout=10_000):
        page.save_staff()
    staff_id = page.current
    assert staff_id is not None
    drag(qtbot, page.grid, MONDAY_ROW, 20, 35)  # Monday 10:00 to 18:00
    with qtbot.waitSignal(page.saved, timeout=10_000):
        page.save_week()
    week = ui_desk.availability.week(staff_id)
    assert [(r.weekday, r.start, r.end) for r in week] == [(0, time(10), time(18))]
    qtbot.waitUntil(lambda: any(page.list.item(i).text() == "Razan\nStylist" for i in range(page.list.count())))
    i18n.set_ui_language("ar", "latn")
    page.retranslate()
    assert any(page.list.item(i).text() == "رزان\nمصففة" for i in range(page.list.count()))


def test_a_shorter_week_shows_its_bookings_before_saving(qtbot, ui_context, ui_desk):
    sign_in(ui_desk, Role.MANAGER)
    busiest = Counter(b.staff_id for b in ui_desk.calendar.day_view(THURSDAY).blocks).most_common(1)[0][0]
    page = page_for(qtbot, ui_context)
    page.pick(busiest)
    qtbot.waitUntil(lambda: any(page.grid.cells[THURSDAY_ROW]), timeout=10_000)
    page.grid.setFocus()
    page.grid.at = (THURSDAY_ROW, 0)
    qtbot.keyClick(page.grid, Qt.Key.Key_Delete)  # Thursday off, every week
    page.save_week()
    qtbot.waitUntil(lambda: getattr(page, "consequences_dialog", None) is not None, timeout=10_000)
    dialog = page.consequences_dialog
    shown = dialog.table.rowCount()
    assert shown == len(dialog.affected) > 0
    assert all(rule.weekday == 3 for rule in ui_desk.availability.week(busiest) if rule.weekday == 3)
    assert any(rule.weekday == 3 for rule in ui_desk.availability.week(busiest))  # nothing saved yet
    for box in dialog.choices:
        box.setCurrentIndex(box.count() - 1)  # cancel and notify
    with qtbot.waitSignal(page.saved, timeout=10_000):
        dialog.done(QDialog.DialogCode.Accepted)
    assert all(rule.weekday != 3 for rule in ui_desk.availability.week(busiest))
    assert all(ui_desk.bookings.get(a.booking_id).status.value == "cancelled" for a in dialog.affected)


def test_receptionist_is_refused_with_a_translated_message(qtbot, ui_context, ui_desk):
    sign_in(ui_desk, Role.RECEPTIONIST)
    page = page_for(qtbot, ui_context)
    page.edits["title_en"].setText("Head stylist")
    page.save_staff()
    qtbot.waitUntil(lambda: getattr(page, "manager_pin_dialog", None) is not None, timeout=10_000)
    page.manager_pin_dialog.reject()  # no manager's PIN (tests/ui/test_manager_pin_prompt.py): the refusal stays
    qtbot.waitUntil(lambda: page.message_label.text() != "", timeout=10_000)
    assert "الموظفين" in page.message_label.text()


def test_services_page_refuses_a_negative_price_and_saves_a_new_service(qtbot, ui_context, ui_desk):
    from salon_desk.ui.catalogue.page import CataloguePage

    sign_in(ui_desk, Role.MANAGER)
    i18n.set_ui_language("en", "latn")
    page = CataloguePage(ui_context)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10_000)
    page.start_new()
    page.name_en.setText("Fringe")
    page.category.setEditText("hair")
    page.price.setText("-5")
    page.save()
    assert page.message_label.text() == "The amount cannot be negative."
    page.price.setText("25")
    with qtbot.waitSignal(page.saved, timeout=10_000):
        page.save()
    assert any(s.name_en == "Fringe" and s.price_halalas == 2500 for s in ui_desk.catalogue.services())


def test_owner_closes_a_day_and_settles_its_bookings_from_the_salon_page(qtbot, ui_context, ui_desk):
    from salon_desk.ui.salon_profile.page import SalonProfilePage

    sign_in(ui_desk, Role.OWNER)
    page = SalonProfilePage(ui_context)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.salon is not None, timeout=10_000)
    before = page.texts["closures"].text()
    page.texts["closures"].setText(", ".join(p for p in (before, THURSDAY.isoformat()) if p))
    page.save()
    qtbot.waitUntil(lambda: getattr(page, "consequences_dialog", None) is not None, timeout=10_000)
    dialog = page.consequences_dialog
    assert dialog.table.rowCount() > 0
    assert THURSDAY not in ui_desk.salon_profile.get().closures  # nothing saved before the choices
    dialog.done(QDialog.DialogCode.Accepted)  # every booking kept as an exception (the default)
    qtbot.waitUntil(lambda: THURSDAY in ui_desk.salon_profile.get().closures, timeout=10_000)
