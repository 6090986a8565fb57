"""The shell's keys over the real pages and the demo database: each one works from every page, whatever has
the focus, and the test checks what the receptionist sees (the dialog is open, the day changed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from salon_desk.ui.calendar.booking_dialog import BookingDialog
from salon_desk.ui.calendar.day_view import CalendarPage
from salon_desk.ui.context import UiContext
from salon_desk.ui.main_window import MainWindow

CTRL, ALT, NONE = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.AltModifier,
    Qt.KeyboardModifier.NoModifier,
)


@pytest.fixture
def window(ui_context: UiContext, show_active) -> Iterator[MainWindow]:
    win = show_active(MainWindow(ui_context), 1400, 860)
    yield win
    for dialog in win.findChildren(BookingDialog):
        dialog.reject()


def calendar(qtbot, window: MainWindow) -> CalendarPage:
    page = window.page("calendar")
    assert isinstance(page, CalendarPage)
    qtbot.waitUntil(lambda: page.view is not None and page.view.day == page.day, timeout=5000)
    return page


def focus(qtbot, widget: QWidget) -> QWidget:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    return widget


def press(qtbot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    """The key goes where a real key goes: to the widget that has the focus."""
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def test_ctrl_n_opens_the_booking_dialog_from_the_customer_search_field(qtbot, window: MainWindow) -> None:
    customers = window.show_page("customers")
    focus(qtbot, customers.search_edit)
    press(qtbot, window, Qt.Key.Key_N, CTRL)
    page = calendar(qtbot, window)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(BookingDialog)), timeout=3000)
    assert window.current_key == "calendar"
    assert len([d for d in page.findChildren(BookingDialog) if d.isVisible()]) == 1


def test_ctrl_page_keys_step_days_with_the_focus_in_the_date_field(qtbot, window: MainWindow) -> None:
    page = calendar(qtbot, window)
    today = page.day
    focus(qtbot, page.date_edit)
    press(qtbot, window, Qt.Key.Key_PageDown, CTRL)
    qtbot.waitUntil(lambda: page.day == today + timedelta(days=1))
    press(qtbot, window, Qt.Key.Key_PageUp, CTRL)
    press(qtbot, window, Qt.Key.Key_PageUp, CTRL)
    qtbot.waitUntil(lambda: page.day == today - timedelta(days=1))
    qtbot.waitUntil(lambda: page.view is not None and page.view.day == today - timedelta(days=1), timeout=5000)


def test_alt_arrows_step_days_in_reading_order_from_another_page(qtbot, window: MainWindow) -> None:
    page = calendar(qtbot, window)
    today = page.day
    walkins = window.show_page("walkins")
    focus(qtbot, walkins.seat_combo)
    press(qtbot, window, Qt.Key.Key_Left, ALT)  # Arabic reads right to left: left is the next day
    qtbot.waitUntil(lambda: page.day == today + timedelta(days=1))
    assert window.current_key == "calendar"
    window.ctx.set_language("en")
    focus(qtbot, page.board.grid.body)
    press(qtbot, window, Qt.Key.Key_Left, ALT)
    press(qtbot, window, Qt.Key.Key_Left, ALT)
    qtbot.waitUntil(lambda: page.day == today - timedelta(days=1))


@pytest.mark.parametrize(("key", "modifier"), [(Qt.Key.Key_T, CTRL), (Qt.Key.Key_Home, NONE)])
def test_today_keys_bring_the_calendar_back_to_today(qtbot, window: MainWindow, key, modifier) -> None:
    page = calendar(qtbot, window)
    today = page.day
    page.show_day(today + timedelta(days=9))
    window.show_page("settings")
    focus(qtbot, window.nav_list)
    press(qtbot, window, key, modifier)
    qtbot.waitUntil(lambda: page.day == today, timeout=5000)
    assert window.current_key == "calendar"
