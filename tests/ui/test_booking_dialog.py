"""The booking dialog over the real demo database: find-as-you-type, inline new customers (Arabic-Indic
digits), "anyone" resolved to a qualified staff member, free-time choices, ask(), keyboard, and a store
refusal that keeps the dialog open with the reason."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from salon_desk.ui.calendar.booking_dialog import BookingDialog
from salon_desk.usecases.commands import CreateBooking, ItemRequest
from tests.conftest import DEMO_NOW
from tests.helpers import first_free_slot, service_named, snapshot


def make_dialog(qtbot, ctx, **kwargs) -> BookingDialog:
    dialog = BookingDialog(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.services.rows[0].service.count() > 1)
    return dialog


def type_text(widget, text: str) -> None:
    """Key presses carrying `text` (QTest.keyClicks only knows Latin-1 keys; Saudi keyboards type Arabic)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def pick_service(dialog, service_id, row=0):
    combo = dialog.services.rows[row].service
    combo.setCurrentIndex(combo.findData(service_id))


def test_search_as_you_type_finds_by_phone_and_picks_with_enter(qtbot, ui_context, desk_service):
    customer = desk_service.search_customers("", limit=1)[0]
    dialog = make_dialog(qtbot, ui_context)
    national = "0" + customer.phone[4:]  # +9665… -> 05…
    arabic_digits = national.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    dialog.customer.search.setFocus()
    with qtbot.waitSignal(dialog.customer.searched, timeout=3000):
        type_text(dialog.customer.search, arabic_digits)
    assert dialog.customer.results.count() >= 1
    QTest.keyClick(dialog.customer.search, Qt.Key.Key_Return)
    assert dialog.customer.customer_id() == customer.id
    assert dialog.isVisible()  # Enter picked the customer; it did not save or close the dialog
    assert customer.name in dialog.customer.chosen.text()


def test_save_disabled_until_valid_and_new_customer_with_arabic_digits(qtbot, ui_context, desk_service):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, DEMO_NOW + timedelta(hours=1))
    dialog = make_dialog(qtbot, ui_context, start_at=slot.start)
    assert not dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.customer.searched, timeout=3000):
        type_text(dialog.customer.search, "زائرة جديدة تماما")
    assert dialog.customer.new_toggle.isChecked()  # nobody found: a new customer starts with the typed name
    assert dialog.customer.new_name.text() == "زائرة جديدة تماما"
    dialog.customer.new_phone.setText("٠٥٥١٢٣٤٥")  # too short
    with qtbot.waitSignal(dialog.validated, timeout=3000):
        pick_service(dialog, haircut.id)
    assert not dialog.save_button.isEnabled()
    assert dialog.customer.phone_hint.text() == ui_context.l10n().message("phone.invalid")  # under the field
    assert dialog.customer.new_phone.property("invalid")
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        dialog.customer.new_phone.setText("٠٥٥١٢٣٤٥٦٧")
    assert "055 123 4567" in dialog.customer.phone_hint.text()
    assert dialog.save_button.isEnabled()
    item = dialog.command.items[0]
    assert item.start_at == slot.start and item.staff_id in desk_service.qualified_staff(haircut.id)
    with qtbot.waitSignal(dialog.booking_created, timeout=5000) as created:
        QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter saves
    booking = desk_service.get_booking(created.args[0])
    assert booking.items[0].service_id == haircut.id
    assert desk_service.search_customers("0551234567")[0].name == "زائرة جديدة تماما"
    assert not dialog.isVisible()


def test_free_time_choices_set_the_start_and_anyone_gets_a_qualified_person(qtbot, ui_context, desk_service):
    colour = service_named(desk_service, "Hair colour")
    dialog = make_dialog(qtbot, ui_context)
    dialog.customer.choose(desk_service.search_customers("", limit=1)[0])
    pick_service(dialog, colour.id)
    qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 1, timeout=5000)
    second = dialog.slot_buttons[1]
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        QTest.mouseClick(second, Qt.MouseButton.LeftButton)
    assert second.isChecked() and dialog.start() == second.property("start")
    item = dialog.command.items[0]
    assert item.start_at == second.property("start")
    assert item.staff_id in desk_service.qualified_staff(colour.id)


def test_staff_choices_are_only_qualified_people(qtbot, ui_context, desk_service):
    manicure = service_named(desk_service, "Manicure")
    dialog = make_dialog(qtbot, ui_context)
    pick_service(dialog, manicure.id)
    row = dialog.services.rows[0]
    qualified = set(desk_service.qualified_staff(manicure.id))
    qtbot.waitUntil(lambda: {row.staff.itemData(i) for i in range(1, row.staff.count())} == qualified)
    assert row.staff.itemData(0) == ""  # "anyone" first


def test_two_services_in_sequence_and_removing_a_row(qtbot, ui_context, desk_service):
    blow = service_named(desk_service, "Blow-dry")
    cut = service_named(desk_service, "Haircut")
    dialog = make_dialog(qtbot, ui_context)
    dialog.customer.choose(desk_service.search_customers("", limit=1)[0])
    pick_service(dialog, cut.id)
    QTest.mouseClick(dialog.services.add_button, Qt.MouseButton.LeftButton)
    assert len(dialog.services.rows) == 2
    pick_service(dialog, blow.id, row=1)
    qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 0, timeout=5000)
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        QTest.mouseClick(dialog.slot_buttons[0], Qt.MouseButton.LeftButton)
    first, second = dialog.command.items
    assert (first.service_id, second.service_id) == (cut.id, blow.id)
    assert second.start_at >= first.start_at + timedelta(minutes=cut.duration_minutes)
    QTest.mouseClick(dialog.services.rows[1].remove, Qt.MouseButton.LeftButton)
    assert len(dialog.services.rows) == 1


def test_ask_returns_the_checked_command_without_saving(qtbot, ui_context, desk_service, demo_db):
    haircut = service_named(desk_service, "Haircut")
    before = snapshot(demo_db)
    dialog = BookingDialog(ui_context)
    qtbot.addWidget(dialog)

    def fill() -> None:
        dialog.validated.connect(lambda ok: ok and dialog.save_button.click())
        dialog.customer.choose(desk_service.search_customers("", limit=1)[0])
        qtbot.waitUntil(lambda: dialog.services.rows[0].service.count() > 1)
        pick_service(dialog, haircut.id)
        qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 0, timeout=5000)
        dialog.slot_buttons[0].click()

    QTimer.singleShot(0, fill)
    QTimer.singleShot(15000, dialog, dialog.reject)  # never hang the suite if something above fails
    command = dialog.ask()
    assert isinstance(command, CreateBooking) and command.items[0].service_id == haircut.id
    ui_context.runner.wait_idle(3000)
    assert snapshot(demo_db) == before


def test_escape_cancels_and_ask_returns_none(qtbot, ui_context):
    dialog = BookingDialog(ui_context)
    qtbot.addWidget(dialog)
    QTimer.singleShot(0, lambda: QTest.keyClick(dialog, Qt.Key.Key_Escape))
    QTimer.singleShot(15000, dialog, lambda: dialog.done(7))  # only if Escape did nothing
    assert dialog.ask() is None
    assert dialog.result() == 0  # rejected by Escape, not ended by the safety timer


def test_store_refusal_keeps_the_dialog_open_with_the_reason(qtbot, ui_context, desk_service, demo_db):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, DEMO_NOW + timedelta(hours=1))
    staff_id = slot.assignments[0].staff_id
    dialog = make_dialog(qtbot, ui_context, staff_id=staff_id, start_at=slot.start)
    customers = desk_service.search_customers("", limit=2)
    dialog.customer.choose(customers[0])
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        pick_service(dialog, haircut.id)
    # Another desk takes the same time before Save is pressed.
    desk_service.create_booking(
        CreateBooking((ItemRequest(haircut.id, staff_id, slot.start),), customer_id=customers[1].id)
    )
    before = snapshot(demo_db)
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: not ok):
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.problems.isVisible() and dialog.problems.text()
    assert "{" not in dialog.problems.text()
    assert not dialog.save_button.isEnabled()
    assert snapshot(demo_db) == before
    assert dialog.customer.customer_id() == customers[0].id  # the form is kept


def test_keyboard_only_tab_order_reaches_every_field(qtbot, ui_context):
    dialog = make_dialog(qtbot, ui_context)
    dialog.activateWindow()
    dialog.customer.search.setFocus()
    seen = []
    for _ in range(14):
        seen.append(dialog.focusWidget())
        QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    row = dialog.services.rows[0]
    for widget in (dialog.customer.search, row.service, row.staff, dialog.date_edit, dialog.notes):
        assert any(w is widget or (w is not None and widget.isAncestorOf(w)) for w in seen), widget
