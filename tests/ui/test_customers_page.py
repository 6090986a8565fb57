"""CustomersPage over the real demo desk database (tests/conftest.py `desk_service`), offscreen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from salon_desk.domain.digits import to_arabic_indic
from salon_desk.domain.errors import ValidationError
from salon_desk.domain.phone import format_national
from salon_desk.ui.customers.model import PHONE
from salon_desk.ui.customers.page import CustomersPage
from salon_desk.ui.customers.search import PAGE_SIZE
from salon_desk.ui.customers.selection import select_row

LRI, PDI = "\u2066", "\u2069"



@pytest.fixture
def page(qtbot: Any, ui_context: Any) -> CustomersPage:
    widget = CustomersPage(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    assert ui_context.runner.wait_idle(20_000)
    return widget


def type_text(widget: Any, text: str) -> None:
    """Key presses carrying each character (QTest.keyClicks only knows ASCII; Saudi keyboards type ٠-٩)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def test_a_typed_phone_prefix_in_arabic_digits_finds_matching_customers(qtbot, page, desk_service) -> None:
    target = desk_service.customers.search("", 1)[0]
    national = format_national(target.phone).replace(" ", "")  # 0561789225
    prefix = national[:6]
    with qtbot.waitSignal(page.search.results_loaded, timeout=10_000):
        type_text(page.search_edit, to_arabic_indic(prefix))
    assert page.search.text == prefix
    assert 0 < page.model.rowCount() <= desk_service.customers.count(prefix)
    phones = [page.model.data(page.model.index(row, PHONE)) for row in range(page.model.rowCount())]
    assert all(phone.startswith(LRI) and phone.endswith(PDI) for phone in phones)  # left to right in Arabic
    assert all(phone.strip(LRI + PDI).replace(" ", "").startswith(prefix) for phone in phones)
    assert target.id in {row.id for row in page.model.rows()}


def test_scrolling_to_the_end_loads_the_next_page(qtbot, page, desk_service) -> None:
    total = desk_service.customers.count("")
    assert total > PAGE_SIZE
    assert page.model.loaded == PAGE_SIZE and page.model.total == total
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.loaded == 2 * PAGE_SIZE, timeout=10_000)
    expected = [row.id for row in desk_service.customers.search("", PAGE_SIZE, PAGE_SIZE)]
    assert [row.id for row in page.model.rows()[PAGE_SIZE:]] == expected


def test_typing_quickly_runs_one_search_for_the_last_text(qtbot, page, monkeypatch) -> None:
    seen: list[str] = []
    original = page._ctx.desk.customers.search
    monkeypatch.setattr(
        page._ctx.desk.customers, "search", lambda text, *a: seen.append(text) or original(text, *a)
    )
    with qtbot.waitSignal(page.search.results_loaded, timeout=10_000):
        qtbot.keyClicks(page.search_edit, "0501")
    assert seen == ["0501"]


def test_selecting_a_customer_shows_the_profile(qtbot, page, desk_service) -> None:
    first = page.model.row_at(0)
    with qtbot.waitSignal(page.profile_shown, timeout=10_000) as shown:
        select_row(page.table, 0)
    profile = shown.args[0]
    assert profile.summary.id == first.id
    assert page.profile_panel.name_label.text() == first.name
    assert page.profile_panel.phone_label.text() == f"{LRI}{format_national(first.phone)}{PDI}"
    assert page.profile_panel.tabs.tabText(0).startswith("المواعيد القادمة")


def test_new_booking_from_a_profile_asks_the_shell_with_the_customer_id(qtbot, page) -> None:
    with qtbot.waitSignal(page.profile_shown, timeout=10_000):
        select_row(page.table, 0)
    with qtbot.waitSignal(page.booking_requested) as requested:
        qtbot.mouseClick(page.profile_panel.book_button, Qt.MouseButton.LeftButton)
    assert requested.args == [page.model.row_at(0).id]


def open_edit_dialog(qtbot: Any, page: CustomersPage) -> Any:
    with qtbot.waitSignal(page.profile_shown, timeout=10_000):
        select_row(page.table, 0)
    dialog = page.open_edit_dialog()
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_an_invalid_phone_is_refused_in_arabic_and_nothing_is_saved(
    qtbot, page, desk_service, ui_context
) -> None:
    dialog = open_edit_dialog(qtbot, page)
    customer_id = page.selected_customer_id()
    before = desk_service.customers.profile(customer_id)
    dialog.name_edit.setText("اسم جديد")
    dialog.phone_edit.setText("١٢٣٤٥")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert dialog.error_text() == ui_context.l10n().error(ValidationError("phone.invalid"))
    assert dialog.error_text().startswith(
        "رقم الجوال"
    )  # the Arabic catalog's sentence, not the English source
    assert dialog.isVisible() and dialog.phone_edit.property("invalid") is True
    after = desk_service.customers.profile(customer_id)
    assert after.summary.name == before.summary.name and after.summary.phone == before.summary.phone


def test_a_taken_phone_names_the_other_customer(qtbot, page, desk_service) -> None:
    dialog = open_edit_dialog(qtbot, page)
    other = page.model.row_at(1)
    dialog.phone_edit.setText(format_national(other.phone))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert other.name in dialog.error_text() and dialog.isVisible()


def test_a_valid_edit_is_saved_and_the_row_refreshes(qtbot, page, desk_service) -> None:
    dialog = open_edit_dialog(qtbot, page)
    customer_id = page.selected_customer_id()
    dialog.name_edit.setText("  ريم   العتيبي ")
    dialog.marketing_check.setChecked(True)
    with qtbot.waitSignal(page.search.results_loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved_command.fields == {"name": "ريم   العتيبي", "consent_marketing": True}
    saved = desk_service.customers.profile(customer_id)
    assert saved.summary.name == "ريم العتيبي" and saved.consent_marketing
    qtbot.waitUntil(lambda: page.profile_panel.name_label.text() == "ريم العتيبي", timeout=10_000)


def test_add_customer_selects_the_new_customer(qtbot, page, desk_service) -> None:
    dialog = page.open_add_dialog()
    dialog.name_edit.setText("Hala Saeed")
    dialog.phone_edit.setText("٠٥٩٩٩٨٨٧٧٦")
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    with qtbot.waitSignal(page.profile_shown, timeout=10_000) as shown:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    profile = shown.args[0]
    assert profile.summary.name == "Hala Saeed" and profile.summary.phone == "+966599988776"
    assert profile.summary.language == "en" and profile.consent_reminders and not profile.consent_marketing
    assert desk_service.customers.search("0599988776", 5)[0].id == profile.summary.id


def test_add_customer_without_a_name_stays_open_with_the_reason(qtbot, page, desk_service) -> None:
    before = desk_service.customers.count("")
    dialog = page.open_add_dialog()
    dialog.phone_edit.setText("0599988775")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert dialog.isVisible() and dialog.name_edit.property("invalid") is True
    assert desk_service.customers.count("") == before


def test_ctrl_f_focuses_the_search_box(qtbot, page) -> None:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    assert not page.search_edit.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is page.search_edit


def test_the_shells_search_request_focuses_the_search_box(qtbot, page, ui_context) -> None:
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    ui_context.events.customer_search_requested.emit()
    assert QApplication.focusWidget() is page.search_edit


def test_switching_to_english_retranslates_the_page(qtbot, page, ui_context) -> None:
    ui_context.set_language("en")
    assert page.title_label.text() == "Customers"
    assert page.model.headerData(PHONE, Qt.Orientation.Horizontal) == "Mobile"
    assert page.count_label.text().endswith("customers")


def test_an_older_search_answer_never_replaces_a_newer_one(qtbot, page, desk_service) -> None:
    page.search.set_text("Aisha")
    page.search.run_now()
    page.search.set_text("Emily")
    with qtbot.waitSignal(page.search.results_loaded, timeout=10_000) as loaded:
        page.search.run_now()
    assert page.search.text == "Emily"
    assert loaded.args == [desk_service.customers.count("Emily")]
    assert page.model.rowCount() > 0 and all("Emily" in row.name for row in page.model.rows())


def test_new_booking_from_a_profile_opens_the_calendar_dialog_with_that_customer(qtbot, ui_context):
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.screenshot import settle

    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    calendar = window.page("calendar") or window.show_page("calendar")
    someone = ui_context.desk.customers.search("", limit=1)[0]
    with qtbot.waitSignal(calendar.booking_dialog_opened, timeout=5000) as opened:
        ui_context.events.booking_for_customer_requested.emit(someone.id)
    dialog = opened.args[0]
    settle(ui_context)
    assert window.current_key == "calendar"
    assert dialog.customer.customer_id() == someone.id
    dialog.reject()
