"""The booking dialog over the real demo database: find-as-you-type, inline new customers (Arabic-Indic
digits), "anyone" resolved to a qualified staff member, free-time choices, ask(), keyboard, and a store
refusal that keeps the dialog open with the reason."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from salon_desk.ui.calendar.booking_dialog import BookingDialog, problem_text
from salon_desk.ui.calendar.booking_plan import PlanProblem
from salon_desk.usecases.commands import CancelBooking, CreateBooking, FindSlots, ItemRequest
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
    customer = desk_service.customers.search("", limit=1)[0]
    dialog = make_dialog(qtbot, ui_context)
    national = "0" + customer.phone[4:]  # +9665… -> 05…
    arabic_digits = national.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    dialog.customer.search.setFocus()
    with qtbot.waitSignal(dialog.customer.searched, timeout=3000):
        type_text(dialog.customer.search, arabic_digits)
    assert dialog.customer.model.rowCount() >= 1
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
    assert item.start_at == slot.start and item.staff_id in desk_service.reference.qualified_staff(haircut.id)
    with qtbot.waitSignal(dialog.booking_created, timeout=5000) as created:
        QTest.keyClick(dialog, Qt.Key.Key_Return)  # Enter saves
    booking = desk_service.bookings.get(created.args[0])
    assert booking.items[0].service_id == haircut.id
    assert desk_service.customers.search("0551234567")[0].name == "زائرة جديدة تماما"
    assert not dialog.isVisible()


def test_free_time_choices_set_the_start_and_anyone_gets_a_qualified_person(qtbot, ui_context, desk_service):
    colour = service_named(desk_service, "Hair colour")
    dialog = make_dialog(qtbot, ui_context)
    dialog.customer.choose(desk_service.customers.search("", limit=1)[0])
    pick_service(dialog, colour.id)
    qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 1, timeout=5000)
    second = dialog.slot_buttons[1]
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        QTest.mouseClick(second, Qt.MouseButton.LeftButton)
    assert second.isChecked() and dialog.start() == second.property("start")
    item = dialog.command.items[0]
    assert item.start_at == second.property("start")
    assert item.staff_id in desk_service.reference.qualified_staff(colour.id)


def test_staff_choices_are_only_qualified_people(qtbot, ui_context, desk_service):
    manicure = service_named(desk_service, "Manicure")
    dialog = make_dialog(qtbot, ui_context)
    pick_service(dialog, manicure.id)
    row = dialog.services.rows[0]
    qualified = set(desk_service.reference.qualified_staff(manicure.id))
    qtbot.waitUntil(lambda: {row.staff.itemData(i) for i in range(1, row.staff.count())} == qualified)
    assert row.staff.itemData(0) == ""  # "anyone" first


def test_two_services_in_sequence_and_removing_a_row(qtbot, ui_context, desk_service):
    blow = service_named(desk_service, "Blow-dry")
    cut = service_named(desk_service, "Haircut")
    dialog = make_dialog(qtbot, ui_context)
    dialog.customer.choose(desk_service.customers.search("", limit=1)[0])
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
        dialog.customer.choose(desk_service.customers.search("", limit=1)[0])
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
    customers = desk_service.customers.search("", limit=2)
    dialog.customer.choose(customers[0])
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        pick_service(dialog, haircut.id)
    # Another desk takes the same time before Save is pressed.
    desk_service.bookings.create(
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


def quiet_start(desk_service, cut, blow):
    """Two stylists and a start time with nothing booked for either in the two hours after it (the demo's
    bookings stop about five weeks after its clock)."""
    stylists = [s for s in desk_service.reference.qualified_staff(cut.id) if s in desk_service.reference.qualified_staff(blow.id)]
    for first in stylists:
        for second in (s for s in stylists if s != first):
            query = FindSlots(((cut.id, first), (blow.id, second)), DEMO_NOW + timedelta(days=45), 14, 100)
            for slot in desk_service.calendar.find_slots(query):
                blocks = desk_service.calendar.day_view(desk_service.calendar.business_day(slot.start)).blocks
                if not any(b.staff_id in (first, second) and b.start_at < slot.start + timedelta(hours=2)
                           and slot.start < b.busy_until for b in blocks):
                    return first, second, slot.start
    raise AssertionError("no quiet time for two stylists")


def test_later_services_start_when_the_slot_finder_says_never_by_usual_durations(
    qtbot, ui_context, desk_service, demo_db
):
    """The first stylist's own haircut takes 60 minutes (the usual one 45): the blow-dry with the second starts
    at +60, and when the second is busy from +80 nothing is offered, rather than a blow-dry at +45 while the
    customer is still in the first chair."""
    cut, blow = service_named(desk_service, "Haircut"), service_named(desk_service, "Blow-dry")
    noura, sara, start = quiet_start(desk_service, cut, blow)
    with sqlite3.connect(demo_db) as db:
        db.execute("UPDATE staff_service SET duration_minutes = 60 WHERE staff_id = ? AND service_id = ?",
                   (noura, cut.id))
    customers = desk_service.customers.search("", limit=2)
    blocker = desk_service.bookings.create(CreateBooking(
        (ItemRequest(blow.id, sara, start + timedelta(minutes=80)),), customer_id=customers[1].id)).id

    dialog = make_dialog(qtbot, ui_context, staff_id=noura, start_at=start)
    dialog.customer.choose(customers[0])
    pick_service(dialog, cut.id)
    QTest.mouseClick(dialog.services.add_button, Qt.MouseButton.LeftButton)
    pick_service(dialog, blow.id, row=1)
    staff_combo = dialog.services.rows[1].staff
    qtbot.waitUntil(lambda: staff_combo.findData(sara) > 0)
    staff_combo.setCurrentIndex(staff_combo.findData(sara))
    nobody = problem_text(PlanProblem.NOBODY_FREE)
    qtbot.waitUntil(lambda: dialog.problems.text() == nobody and not dialog._checks.waiting, timeout=5000)
    ui_context.runner.wait_idle(5000)
    assert dialog.problems.text() == nobody and dialog.command is None and not dialog.save_button.isEnabled()

    desk_service.bookings.cancel(CancelBooking(blocker, "Sara is free again"))
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: ok):
        dialog.notes.setPlainText("second look")
    first, second = dialog.command.items
    assert (first.staff_id, first.start_at) == (noura, start)
    assert (second.staff_id, second.start_at) == (sara, start + timedelta(minutes=60))


RIYADH_0215 = datetime(2026, 11, 24, 23, 15, tzinfo=UTC)  # Wednesday 25 November 2026, 02:15 in Riyadh
OPENING_0215 = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 10:00 in Riyadh, when the salon opens that day


def test_at_2_15_at_night_the_dialog_opens_at_the_next_bookable_time_in_the_calendars_format(
    qtbot, ui_context, clock
):
    clock.now = RIYADH_0215
    dialog = make_dialog(qtbot, ui_context)
    qtbot.waitUntil(lambda: dialog.start() == OPENING_0215, timeout=5000)
    assert dialog.time_choice.currentText() == "10:00 ص"  # 12-hour with ص/م, as the calendar writes it
    texts = [dialog.time_choice.itemText(i) for i in range(dialog.time_choice.count())]
    assert "2:30 م" in texts and "14:30" not in texts
    ui_context.set_language("en")
    dialog.retranslate()
    assert dialog.time_choice.currentText() == "10:00\u202fAM" and dialog.start() == OPENING_0215  # CLDR: narrow space


def test_a_clicked_slot_is_kept_and_picking_a_time_stops_following_the_free_times(
    qtbot, ui_context, desk_service, clock
):
    clock.now = RIYADH_0215
    clicked = OPENING_0215 + timedelta(hours=5, minutes=15)
    dialog = make_dialog(qtbot, ui_context, start_at=clicked)
    pick_service(dialog, service_named(desk_service, "Haircut").id)
    qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 0, timeout=5000)
    ui_context.runner.wait_idle(5000)
    assert dialog.start() == clicked and dialog.time_choice.currentText() == "3:15 م"

    fresh = make_dialog(qtbot, ui_context)
    qtbot.waitUntil(lambda: fresh.start() == OPENING_0215, timeout=5000)
    index = fresh.time_choice.findText("1:45 م")
    fresh.time_choice.setCurrentIndex(index)
    fresh.time_choice.activated.emit(index)  # what a click on the entry does
    pick_service(fresh, service_named(desk_service, "Blow-dry").id)
    qtbot.waitUntil(lambda: len(fresh.slot_buttons) > 0, timeout=5000)
    ui_context.runner.wait_idle(5000)
    assert fresh.start() == OPENING_0215 + timedelta(hours=3, minutes=45)
