"""The main window: navigation, language switching (mirroring + retranslation, remembered), shortcuts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from salon_desk.ui.context import LANGUAGE_KEY, UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.main_window import MainWindow
from salon_desk.ui.pages import PAGES, PageFactory
from salon_desk.ui.settings_page import SettingsPage


class RecordingPage(QWidget):
    """A stand-in feature page: shows a translated title and counts retranslate() calls."""

    def __init__(self, ctx: UiContext, key: str) -> None:
        super().__init__()
        self.key = key
        self.retranslated = 0
        self.title = QLabel(self)
        self.title.setText(_("Calendar"))
        self.search = QLineEdit(self)
        self.search.move(0, 40)

    def retranslate(self) -> None:
        self.retranslated += 1
        self.title.setText(_("Calendar"))

    def refresh(self) -> None:
        """Nothing to load (a DeskPage)."""


def recording_pages() -> dict[str, PageFactory]:
    pages: dict[str, PageFactory] = {key: (lambda ctx, key=key: RecordingPage(ctx, key)) for key in PAGES}
    pages["settings"] = PAGES["settings"]  # the real settings page drives the language switch
    pages["reports"] = PAGES["reports"]  # a real "coming later" page (Staff became a real page in issue #10)
    return pages


@pytest.fixture
def window(ui_context: UiContext, show_active) -> Iterator[MainWindow]:
    yield show_active(MainWindow(ui_context, pages=recording_pages()), 1200, 800)


def nav_texts(win: MainWindow) -> list[str]:
    return [win.nav_list.item(row).text() for row in range(win.nav_list.count())]


def switch_language_by_clicking(qtbot, win: MainWindow, code: str) -> None:
    page = win.show_page("settings")
    assert isinstance(page, SettingsPage)
    button = page.findChild(QWidget, f"option_{code}")
    with qtbot.waitSignal(win.ctx.events.language_changed, timeout=2000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_arabic_is_the_default_with_the_rail_on_the_right(window: MainWindow) -> None:
    assert QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert nav_texts(window)[:3] == ["التقويم", "بدون موعد", "العملاء"]
    assert window.rail.x() > window.stack.x()
    assert window.ctx.runner.wait_idle(2000)
    assert window.salon_label.text() == "صالون لمسة الجمال"
    assert window.windowTitle() == "صالون لمسة الجمال — صالون ديسك"


def test_switching_to_english_mirrors_and_retranslates_everything(qtbot, window: MainWindow) -> None:
    calendar = window.show_page("calendar")
    staff_page = window.show_page("reports")
    qtbot.waitUntil(lambda: window.salon_label.text() == "صالون لمسة الجمال")

    switch_language_by_clicking(qtbot, window, "en")

    assert QApplication.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    qtbot.waitUntil(lambda: window.rail.x() < window.stack.x())  # the layout re-runs on the next event pass
    assert nav_texts(window) == [
        "Calendar",
        "Walk-ins",
        "Customers",
        "Conflicts",
        "Staff",
        "Checkout",
        "Reports",
        "Audit trail",
        "Settings",
    ]
    assert calendar.retranslated == 1 and calendar.title.text() == "Calendar"
    assert staff_page.state_label.text() == "Coming in a later version."
    assert window.salon_label.text() == "Lamsat Al-Jamal Salon"
    # Wednesday 25 November 2026 (the demo clock) is 15 Jumada II 1448 (Umm al-Qura).
    assert window.statusBar().date_label.text().startswith("Wednesday · November 25, 2026 · ")
    assert window.statusBar().date_label.text().endswith(" 1448 AH")

    switch_language_by_clicking(qtbot, window, "ar")
    qtbot.waitUntil(lambda: window.rail.x() > window.stack.x())
    assert calendar.title.text() == "التقويم"
    assert staff_page.state_label.text() == "ستتوفر هذه الصفحة في إصدار لاحق."


def test_language_and_digit_style_are_remembered(qtbot, window: MainWindow, ui_settings: QSettings) -> None:
    switch_language_by_clicking(qtbot, window, "en")
    assert ui_settings.value(LANGUAGE_KEY) == "en"

    reopened = QSettings(ui_settings.fileName(), QSettings.Format.IniFormat)
    restored = UiContext(desk=None, runner=window.ctx.runner, settings=reopened)
    restored.restore_language()
    assert restored.language == "en"


def test_digit_style_switch_reformats_the_status_bar_date(qtbot, window: MainWindow) -> None:
    page = window.show_page("settings")
    with qtbot.waitSignal(window.ctx.events.language_changed, timeout=2000):
        qtbot.mouseClick(page.findChild(QWidget, "option_arab"), Qt.MouseButton.LeftButton)
    assert window.ctx.digit_style == "arab"
    date_text = window.statusBar().date_label.text()
    assert "٢٠٢٦" in date_text and "2026" not in date_text


@pytest.mark.parametrize(
    ("key", "page"),
    [
        (Qt.Key.Key_F1, "calendar"),
        (Qt.Key.Key_F3, "customers"),
        (Qt.Key.Key_F7, "settings"),
        (Qt.Key.Key_F2, "walkins"),
    ],
)
def test_function_keys_open_pages(qtbot, window: MainWindow, key: Qt.Key, page: str) -> None:
    window.show_page("reports")
    qtbot.keyClick(window, key)
    assert window.current_key == page
    assert window.stack.currentWidget() is window.page(page)


def test_ctrl_n_opens_the_calendar_and_requests_a_new_booking(qtbot, window: MainWindow) -> None:
    window.show_page("customers")
    with qtbot.waitSignals(
        [window.new_booking_requested, window.ctx.events.new_booking_requested], timeout=1000
    ):
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "calendar"


def test_ctrl_f_opens_customer_search(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.ctx.events.customer_search_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "customers"


@pytest.mark.parametrize(
    ("key", "modifier"),
    [(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier), (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier)],
)
def test_today_shortcuts(qtbot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    window.show_page("settings")
    with qtbot.waitSignal(window.ctx.events.today_requested, timeout=1000):
        qtbot.keyClick(window, key, modifier)
    assert window.current_key == "calendar"


def test_home_inside_a_text_field_moves_the_cursor_not_the_calendar(qtbot, window: MainWindow) -> None:
    page = window.show_page("customers")
    page.search.setText("Noura")
    page.search.setFocus()
    qtbot.waitUntil(page.search.hasFocus)
    requests: list[bool] = []
    window.ctx.events.today_requested.connect(lambda: requests.append(True))
    qtbot.keyClick(page.search, Qt.Key.Key_Home)
    assert page.search.cursorPosition() == 0
    assert requests == [] and window.current_key == "customers"


def day_step_after(qtbot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier) -> int:
    with qtbot.waitSignal(window.ctx.events.day_step_requested, timeout=1000) as blocker:
        qtbot.keyClick(window, key, modifier)
    return blocker.args[0]


def test_page_up_down_step_days_in_time_order(qtbot, window: MainWindow) -> None:
    ctrl = Qt.KeyboardModifier.ControlModifier
    assert day_step_after(qtbot, window, Qt.Key.Key_PageDown, ctrl) == 1
    assert day_step_after(qtbot, window, Qt.Key.Key_PageUp, ctrl) == -1


def test_alt_arrows_follow_the_reading_direction(qtbot, window: MainWindow) -> None:
    alt = Qt.KeyboardModifier.AltModifier
    # Arabic reads right to left: the previous day lies to the right.
    assert day_step_after(qtbot, window, Qt.Key.Key_Right, alt) == -1
    assert day_step_after(qtbot, window, Qt.Key.Key_Left, alt) == 1
    window.ctx.set_language("en")
    assert day_step_after(qtbot, window, Qt.Key.Key_Left, alt) == -1
    assert day_step_after(qtbot, window, Qt.Key.Key_Right, alt) == 1


def test_a_page_that_fails_to_build_is_replaced_by_an_explanation(qtbot, ui_context: UiContext) -> None:
    def broken(_ctx: UiContext) -> QWidget:
        raise RuntimeError("page bug")

    win = MainWindow(ui_context, pages={"calendar": broken, "settings": PAGES["settings"]})
    qtbot.addWidget(win)
    page = win.page("calendar")
    assert page.state_label.text() == "تعذّر فتح هذه الصفحة."
    assert win.statusBar().message_label.text() == "حدث خطأ ولم يكتمل الإجراء. يُرجى المحاولة مرة أخرى."
    assert win.nav_list.count() == 2
