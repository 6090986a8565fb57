"""WalkInsPage over the real demo desk database (tests/conftest.py `desk_service`), offscreen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from salon_desk.domain.booking import BookingSource, BookingStatus
from salon_desk.domain.model import Changes, WaitlistState, WalkInState
from salon_desk.ui.walkins.model import L_STATE, W_ESTIMATE, W_NAME, W_STATE, W_WAITED
from salon_desk.ui.walkins.page import WalkInsPage
from salon_desk.usecases.commands import AddWaitlistEntry, FindSlots
from tests.conftest import DEMO_NOW


@pytest.fixture
def page(qtbot: Any, ui_context: Any) -> WalkInsPage:
    widget = WalkInsPage(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    assert ui_context.runner.wait_idle(20_000)
    return widget


def waiting_names(page: WalkInsPage) -> list[str]:
    return [
        page.waiting_model.data(page.waiting_model.index(r, W_NAME))
        for r in range(page.waiting_model.rowCount())
    ]


def test_the_board_shows_waiting_walkins_with_estimates_and_todays_history(page) -> None:
    waiting = page.waiting_model.rows()
    assert waiting and all(line.state == WalkInState.WAITING for line in waiting)
    assert {line.state for line in page.history_model.rows()} == {WalkInState.SEATED, WalkInState.LEFT}
    first = page.waiting_model.index(0, W_ESTIMATE)
    assert waiting[0].estimated_staff.name_ar in page.waiting_model.data(first)  # Arabic name in Arabic
    assert page.waiting_model.data(page.waiting_model.index(0, W_WAITED)).endswith("دقيقة")
    greyed = page.history_model.data(page.history_model.index(0, W_NAME), Qt.ItemDataRole.ForegroundRole)
    assert greyed is not None


def service_free_now(desk_service: Any) -> str:
    """A service someone can start at DEMO_NOW in the demo salon (the morning is busy for most)."""
    for service in desk_service.reference.services():
        slots = desk_service.calendar.find_slots(FindSlots(parts=((service.id, None),), earliest=DEMO_NOW, limit=1))
        if slots and slots[0].start == DEMO_NOW:
            return service.id
    raise AssertionError("the demo salon has nobody free at DEMO_NOW")


def test_add_a_walkin_then_seat_them_creates_a_booking_in_service(qtbot, page, desk_service) -> None:
    service_id = service_free_now(desk_service)
    page.form.service_combo.setCurrentIndex(page.form.service_combo.findData(service_id))
    page.form.name_edit.setText("لولوة")
    page.form.phone_edit.setText("٠٥٠١١١٢٢٣٣")
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        qtbot.mouseClick(page.form.add_button, Qt.MouseButton.LeftButton)
    assert "لولوة" in waiting_names(page) and page.form.name_edit.text() == ""
    assert page.select_walkin(page.waiting_model.rows()[waiting_names(page).index("لولوة")].id)
    assert page.seat_combo.currentData() is None  # "free soonest" unless someone is chosen
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        qtbot.mouseClick(page.seat_button, Qt.MouseButton.LeftButton)
    assert "لولوة" not in waiting_names(page)
    seated = next(line for line in page.history_model.rows() if line.name == "لولوة")
    assert seated.state == WalkInState.SEATED and seated.booking_id
    booking = desk_service.bookings.get(seated.booking_id)
    assert booking.status == BookingStatus.IN_SERVICE and booking.source == BookingSource.WALK_IN
    assert booking.start_at == DEMO_NOW
    row = page.history_model.row_of(seated.id)
    assert page.history_model.data(page.history_model.index(row, W_STATE)) == "بدأت الخدمة"
    assert "لولوة" in page.message_label.text()


def test_a_refused_seat_shows_the_translated_reason(qtbot, page, desk_service, clock) -> None:
    busy = page.waiting_model.rows()[0]
    clock.now = DEMO_NOW.replace(hour=6, minute=30)  # 09:30 in Riyadh: the salon opens at 10:00
    page.select_walkin(busy.id)
    qtbot.mouseClick(page.seat_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_label.isVisible(), timeout=10_000)
    staff_names = {person.name_ar for person in desk_service.reference.staff()}
    assert any(
        name in page.message_label.text() for name in staff_names
    )  # "… the soonest is <name> at <time>"
    assert "{" not in page.message_label.text()
    assert page.waiting_model.row_of(busy.id) >= 0


def test_mark_left_keeps_the_walkin_greyed_in_history(qtbot, page, desk_service) -> None:
    line = page.waiting_model.rows()[0]
    page.select_walkin(line.id)
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        qtbot.mouseClick(page.left_button, Qt.MouseButton.LeftButton)
    assert page.waiting_model.row_of(line.id) < 0
    row = page.history_model.row_of(line.id)
    assert row >= 0 and page.history_model.rows()[row].state == WalkInState.LEFT
    assert (
        page.history_model.data(page.history_model.index(row, W_NAME), Qt.ItemDataRole.ForegroundRole)
        is not None
    )
    assert any(
        w.id == line.id and w.state == WalkInState.LEFT for w in desk_service.walkins.board(DEMO_NOW).walkins
    )


def test_waiting_minutes_move_on_with_the_minute_tick(qtbot, page, ui_context, clock) -> None:
    index = page.waiting_model.index(0, W_WAITED)
    before = page.waiting_model.data(index)
    clock.advance(minutes=5)
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        ui_context.events.minute_ticked.emit()
    after = page.waiting_model.data(page.waiting_model.index(0, W_WAITED))
    minutes = lambda text: int(text.split()[0])  # noqa: E731 - "12 دقيقة"
    assert minutes(after) == minutes(before) + 5


def offer_a_slot(desk_service: Any) -> tuple[str, Any]:
    """A waitlist entry for later today; the use case offers the first free slot at once."""
    customer = desk_service.customers.search("", 1)[0]
    service = desk_service.walkins.board(DEMO_NOW).walkins[0].service
    result = desk_service.waitlist.add(
        AddWaitlistEntry(
            service.id, DEMO_NOW + timedelta(hours=1), DEMO_NOW + timedelta(hours=8), customer_id=customer.id
        )
    )
    return result.id, customer


def test_an_offered_entry_is_highlighted_and_can_be_booked(qtbot, page, desk_service, ui_context) -> None:
    entry_id, customer = offer_a_slot(desk_service)
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        ui_context.events.changes_applied.emit(Changes({"waitlist_entry": frozenset({entry_id})}))
    row = page.waitlist_model.row_of(entry_id)
    line = page.waitlist_model.rows()[row]
    assert line.state == WaitlistState.OFFERED and line.offered_start is not None
    index = page.waitlist_model.index(row, L_STATE)
    assert page.waitlist_model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert line.offered_staff.name_ar in page.waitlist_model.data(index)
    assert not page.book_slot_button.isEnabled()
    page.select_waitlist_entry(entry_id)
    assert page.book_slot_button.isEnabled()
    with qtbot.waitSignal(page.board_actions.slot_booked, timeout=10_000) as booked:
        qtbot.mouseClick(page.book_slot_button, Qt.MouseButton.LeftButton)
    booking = desk_service.bookings.get(booked.args[0])
    assert booking.customer_id == customer.id
    assert (
        booking.items[0].start_at == line.offered_start and booking.items[0].staff_id == line.offered_staff.id
    )
    assert booking.status == BookingStatus.CONFIRMED
    qtbot.waitUntil(
        lambda: (
            page.waitlist_model.row_of(entry_id) < 0
            or page.waitlist_model.rows()[page.waitlist_model.row_of(entry_id)].state == WaitlistState.BOOKED
        )
    )


def test_remove_takes_an_entry_off_the_waitlist(qtbot, page, desk_service) -> None:
    entry = page.waitlist_model.rows()[0]
    page.select_waitlist_entry(entry.id)
    with qtbot.waitSignal(page.board_loaded, timeout=10_000):
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert all(
        line.id != entry.id or line.state == WaitlistState.REMOVED for line in page.waitlist_model.rows()
    )


def test_waitlist_dialog_adds_an_existing_customer(qtbot, page, desk_service, ui_context) -> None:
    dialog = page.open_waitlist_dialog()
    chosen = next(c for c in desk_service.customers.search("", limit=5) if c.phone)
    with qtbot.waitSignal(dialog.picker.searched, timeout=10_000):
        QTest.keyClicks(dialog.picker.search, "0" + chosen.phone[4:])  # +9665… typed as 05…
    assert dialog.picker.model.row_at(0).id == chosen.id
    QTest.keyClick(dialog.picker.search, Qt.Key.Key_Return)  # picks the highlighted customer, saves nothing
    assert dialog.isVisible() and dialog.picker.customer_id() == chosen.id
    with qtbot.waitSignal(page.board_loaded, timeout=10_000), qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved_command.customer_id == chosen.id and dialog.saved_command.new_customer is None
    row = page.waitlist_model.row_of(saved.args[0].id)
    assert row >= 0 and page.waitlist_model.rows()[row].name == chosen.name


def test_waitlist_dialog_refuses_a_past_window_in_arabic_and_stays_open(qtbot, page, desk_service) -> None:
    before = len(desk_service.walkins.board(DEMO_NOW).waitlist)
    dialog = page.open_waitlist_dialog()
    dialog.picker.new_toggle.setChecked(True)
    dialog.picker.new_name.setText("جود")
    dialog.picker.new_phone.setText("0501112299")
    dialog.date_edit.setDate(QDate(2026, 11, 20))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert dialog.isVisible() and "passed" not in dialog.error_text()
    assert len(desk_service.walkins.board(DEMO_NOW).waitlist) == before


def test_switching_to_english_retranslates_names_and_times(qtbot, page, ui_context, desk_service) -> None:
    ui_context.set_language("en")
    assert page.title_label.text() == "Walk-ins and waitlist"
    english_services = {service.name_en for service in desk_service.reference.services()}
    assert page.form.service_combo.currentText() in english_services
    assert page.waiting_model.data(page.waiting_model.index(0, W_WAITED)).endswith("min")
    assert page.seat_combo.itemText(0) == "Free soonest"
