"""The dated hours (Ramadan) editor on the salon profile page, with pytest-qt: a range is added, named, given
two spans a day (one past midnight) by painting the grid, and saved after the bookings it leaves outside
are shown; bad input shows its translated message and saves nothing."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.domain.model import OpeningHours
from salon_desk.domain.scheduling.editing import WeeklySpan
from salon_desk.ui.availability.grid import DAY_ORDER
from salon_desk.ui.salon_profile.dated_hours import join_past_midnight
from salon_desk.ui.salon_profile.page import SalonProfilePage

FIRST, LAST = date(2026, 12, 6), date(2026, 12, 12)  # a week of the demo's bookings (its "now" is 25 Nov 2026)


def sign_in(desk, role: Role) -> None:
    desk.users.sign_in(next(u.id for u in desk.users.list() if u.role is role), DEMO_PIN)


def test_painted_spans_past_midnight_are_stored_as_one_span_of_the_evening():
    painted = [WeeklySpan(3, time(13), time(17)), WeeklySpan(3, time(21), time(0)), WeeklySpan(4, time(0), time(2))]
    assert join_past_midnight(painted) == [OpeningHours(3, time(13), time(17)), OpeningHours(3, time(21), time(2))]
    saturday_night = [WeeklySpan(5, time(21), time(0)), WeeklySpan(6, time(0), time(2))]  # into Sunday
    assert join_past_midnight(saturday_night) == [OpeningHours(5, time(21), time(2))]


def paint_ramadan(page: SalonProfilePage) -> None:
    """13:00-17:00 and 21:00-02:00 every day (the grid's own painting is tested in test_availability_grid)."""
    grid = page.dated_hours.grid
    for row in range(7):
        for first, last in ((26, 33), (42, 47)):
            for cell in range(first, last + 1):
                grid.set_cell(row, cell, True)
        for cell in range(4):
            grid.set_cell((row + 1) % 7, cell, True)


def open_page(qtbot, ui_context, ui_desk) -> SalonProfilePage:
    sign_in(ui_desk, Role.MANAGER)
    page = SalonProfilePage(ui_context)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    qtbot.waitUntil(lambda: page.salon is not None, timeout=10_000)
    return page


def test_manager_adds_ramadan_hours_and_settles_the_bookings_they_leave_outside(qtbot, ui_context, ui_desk):
    page = open_page(qtbot, ui_context, ui_desk)
    editor = page.dated_hours
    assert not editor.details.isVisible()
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    assert editor.details.isVisible() and editor.ranges.count() == 1
    editor.name.clear()
    qtbot.keyClicks(editor.name, "Ramadan 1448")
    editor.first_day.setDate(QDate(FIRST))
    editor.last_day.setDate(QDate(LAST))
    assert "1448" in editor.first_hijri.text()  # the Umm al-Qura hint (Jumada al-Akhirah 1448)
    paint_ramadan(page)
    assert page.fields()["dated_hours"] == [{
        "name": "Ramadan 1448", "first_day": FIRST.isoformat(), "last_day": LAST.isoformat(),
        "hours": [h for wd in range(7) for h in ({"weekday": wd, "start": "13:00", "end": "17:00"},
                                                 {"weekday": wd, "start": "21:00", "end": "02:00"})]}]
    page.save()
    qtbot.waitUntil(lambda: getattr(page, "consequences_dialog", None) is not None, timeout=10_000)
    assert page.consequences_dialog.table.rowCount() > 0
    assert ui_desk.salon_profile.get().dated_hours == ()  # nothing saved before the choices
    page.consequences_dialog.done(QDialog.DialogCode.Accepted)  # each kept as an exception (the default)
    qtbot.waitUntil(lambda: ui_desk.salon_profile.get().dated_hours != (), timeout=10_000)
    saved = ui_desk.salon_profile.get().dated_hours[0]
    assert (saved.name, saved.first_day, saved.last_day) == ("Ramadan 1448", FIRST, LAST)
    assert OpeningHours(DAY_ORDER[0], time(21), time(2)) in saved.hours
    qtbot.waitUntil(lambda: page.salon is not None and page.salon.dated_hours != (), timeout=10_000)
    assert editor.ranges.count() == 1 and "Ramadan 1448" in editor.ranges.item(0).text()
    assert page.fields().get("dated_hours") is None  # reloaded as saved: nothing left to save


def test_bad_dated_hours_show_a_translated_message_and_save_nothing(qtbot, ui_context, ui_desk):
    page = open_page(qtbot, ui_context, ui_desk)
    editor = page.dated_hours
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.first_day.setDate(QDate(LAST))
    editor.last_day.setDate(QDate(FIRST))
    page.save()
    qtbot.waitUntil(lambda: page.message_label.text() != "", timeout=10_000)
    assert "2026-12-06" in page.message_label.text() and "تنتهي" in page.message_label.text()
    assert ui_desk.salon_profile.get().dated_hours == ()
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.ranges.count() == 0 and not editor.details.isVisible()
