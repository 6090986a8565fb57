"""The checkout screen with pytest-qt on the real demo database: a two-service visit plus a product, a
discount, part cash (change due) and part card, the invoice and its receipt, then a refund of one service
with a credit note through the refund dialog and the daily close with a cash count."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from salon_desk.domain.booking import Role
from salon_desk.domain.checkout import CheckoutStatus
from salon_desk.domain.model import Actor
from salon_desk.ui.checkout.page import CheckoutPage
from salon_desk.ui.receipts import Paper
from salon_desk.usecases.commands import CreateBooking, ItemRequest
from salon_desk.usecases.desk import DeskService
from tests.helpers import first_free_slot, service_named

OWNER = Actor("00000000-0000-7000-8000-0000000000ff", Role.OWNER, "desk-test", "Owner")


@pytest.fixture
def visit(desk_service, clock):  # type: ignore[no-untyped-def]
    haircut = service_named(desk_service, "Haircut")
    a = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=1)).assignments[0]
    other = next(s for s in desk_service.reference.services() if s.id != haircut.id and s.price_halalas > 0
                 and not s.phases)
    b = first_free_slot(desk_service, other.id, a.end + timedelta(minutes=30)).assignments[0]
    customer = desk_service.customers.search("", limit=1)[0].id
    return desk_service.bookings.create(CreateBooking(
        (ItemRequest(a.service_id, a.staff_id, a.start), ItemRequest(b.service_id, b.staff_id, b.start)),
        customer)).id


def settle(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: ctx.runner.pending == 0)


def test_split_tender_invoice_receipt_refund_and_close(qtbot, ui_context, visit, desk_service, tmp_path: Path):
    page = CheckoutPage(ui_context)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    settle(qtbot, ui_context)
    with qtbot.waitSignal(page.bill_loaded):
        page.open_for_booking(visit)
    assert page.table.rowCount() == 2
    # A retail product typed at the desk, then 10 % off the whole bill (within the receptionist's limit).
    page.product_name.setText("Argan shampoo")
    page.product_price.setText("45")
    qtbot.mouseClick(page.add_product_button, Qt.MouseButton.LeftButton)
    assert page.table.rowCount() == 3
    subtotal = page.bill.subtotal
    page.discount_value.setText("10")
    page.discount_kind.setCurrentIndex(page.discount_kind.findData("percent"))
    qtbot.mouseClick(page.bill_discount_button, Qt.MouseButton.LeftButton)
    gross = page.bill.gross
    assert gross == subtotal - (subtotal + 5) // 10 and page.bill.net + page.bill.vat == gross
    # Bad input: a fractional halala is refused with a message and nothing is taken.
    page.amount_edit.setText("12.345")
    qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    assert page.message_label.isVisible() and page.view is None
    # Part cash, with change due.
    cash = 10_000
    page.method_combo.setCurrentIndex(page.method_combo.findData("cash"))
    page.amount_edit.setText("100")
    page.received_edit.setText("200")
    assert page.change_label.text().replace("\xa0", " ").count("100.00") == 1
    with qtbot.waitSignal(page.bill_loaded, timeout=10_000):
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    view = page.view
    assert view is not None and view.status is CheckoutStatus.OPEN and view.balance_halalas == gross - cash
    settle(qtbot, ui_context)
    assert page.open_list.count() == 1  # a partly paid visit stays open and visible
    # The rest by card: mada, approval code and last four.
    page.method_combo.setCurrentIndex(page.method_combo.findData("card_terminal"))
    assert page.amount_edit.text() == f"{(gross - cash) // 100}.{(gross - cash) % 100:02d}"
    page.approval_edit.setText("A1B2C3")
    page.last4_edit.setText("4242")
    with qtbot.waitSignal(page.receipt_ready, timeout=10_000) as issued:
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    invoice = issued.args[0]
    assert invoice.gross == gross and page.view.status is CheckoutStatus.INVOICED
    assert page.pay_stack.currentIndex() == 1 and not page.receipt_label.pixmap().isNull()
    settle(qtbot, ui_context)
    assert page.open_list.count() == 0
    pdf = page.save_pdf(tmp_path / "a4.pdf", Paper.A4)
    roll = page.save_pdf(tmp_path / "roll.pdf", Paper.ROLL_80, copy=True)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF") and roll is not None
    # Refund the second service with a credit note, in cash, by a manager.
    ui_context.desk.actor = OWNER
    dialog = page.open_refund_dialog()
    assert dialog is not None
    dialog.checks[1].setChecked(True)
    dialog.reason.setText("Blow-dry redone elsewhere")
    dialog.to_cash.setChecked(True)
    with qtbot.waitSignal(dialog.refunded, timeout=10_000) as refunded:
        dialog.submit()
    note = refunded.args[0]
    assert note.gross == invoice.lines[1].gross and note.original_number == invoice.number_text
    settle(qtbot, ui_context)
    assert page.credit_button.isVisibleTo(page)
    credit_pdf = page.save_credit_note_pdf(tmp_path / "credit.pdf")
    assert credit_pdf is not None and credit_pdf.read_bytes().startswith(b"%PDF")
    # Daily close: 5 SAR short in the drawer.
    close = page.open_daily_close()
    settle(qtbot, ui_context)
    close.float_edit.setText("500")
    expected = 50_000 + cash - note.gross
    close.count_edit.setText(f"{(expected - 500) / 100:.2f}")
    assert close.variance.text().replace("\xa0", " ").count("5.00") == 1
    close.submit()
    settle(qtbot, ui_context)
    assert close.closed is not None and close.closed.variance_halalas == -500
    assert close.save_button.isVisibleTo(close) and not close.ok.isVisibleTo(close)  # closed: nothing to change
    slip = close.save_pdf(tmp_path / "close.pdf")
    assert slip is not None and slip.read_bytes().startswith(b"%PDF")
    assert DeskService(desk_service._seat.uow_factory, OWNER).checkout.verify_invoices() == []


def test_walk_in_sale_discount_over_the_limit_needs_a_manager_pin(qtbot, ui_context, desk_service):
    from salon_desk.demo.build import DEMO_PIN

    page = CheckoutPage(ui_context)
    qtbot.addWidget(page)
    page.show()
    settle(qtbot, ui_context)
    page.new_sale()
    page.product_name.setText("Keratin mask")
    page.product_price.setText("200")
    qtbot.mouseClick(page.add_product_button, Qt.MouseButton.LeftButton)
    # More than 100 % is refused at once and the bill is left as it was.
    page.discount_value.setText("150")
    page.discount_kind.setCurrentIndex(page.discount_kind.findData("percent"))
    qtbot.mouseClick(page.bill_discount_button, Qt.MouseButton.LeftButton)
    assert page.message_label.isVisible() and page.bill.gross == 20_000
    # 50 % is above the receptionist's limit: the manager PIN field appears; without it nothing is written.
    page.discount_value.setText("50")
    qtbot.mouseClick(page.bill_discount_button, Qt.MouseButton.LeftButton)
    assert page.bill.gross == 10_000 and page.pin_edit.isVisibleTo(page)
    page.amount_edit.setText("100")
    with qtbot.waitSignal(page.pay_button.clicked):
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    settle(qtbot, ui_context)
    assert page.view is None and desk_service.checkout.open_bills() == []
    assert "الرقم السري للمدير" in page.message_label.text()  # ar: the manager's PIN is needed
    page.pin_edit.setText(DEMO_PIN)
    with qtbot.waitSignal(page.receipt_ready, timeout=10_000) as issued:
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    assert issued.args[0].gross == 10_000 and issued.args[0].discount == 10_000


def test_checkout_from_the_calendar_menu_opens_the_visits_bill(qtbot, ui_context, desk_service):
    from salon_desk.ui.main_window import MainWindow

    window = MainWindow(ui_context, start_page="calendar")
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    calendar = window.show_page("calendar")
    qtbot.waitUntil(lambda: getattr(calendar, "view", None) is not None and bool(calendar.view.blocks), timeout=10_000)
    block = next(b for b in calendar.view.blocks if b.status == "confirmed")
    with qtbot.waitSignal(calendar.board.booking_actions.menu_shown, timeout=3000) as shown:
        calendar.board.open_actions_for(block.item_id)
    menu = shown.args[0]
    checkout = next(a for a in menu.actions() if a.objectName() == "CheckoutBooking")
    page = window.show_page("checkout")
    window.show_page("calendar")
    with qtbot.waitSignal(page.bill_loaded, timeout=5000):
        checkout.trigger()
    menu.close()
    assert window.stack.currentWidget() is page  # the shell switched to the checkout page
    booked = desk_service.checkout.booked_lines(block.booking_id)
    assert page.table.rowCount() == len(booked) and page.bill.subtotal == sum(x.unit_price_halalas for x in booked)


def test_a_deposit_paid_by_link_is_deducted_before_the_bill_exists(qtbot, ui_context, visit, demo_db):
    import sqlite3
    import uuid

    with sqlite3.connect(demo_db) as db:  # as the cloud's Moyasar webhook would replicate it to the desk
        salon = db.execute("SELECT id FROM salon").fetchone()[0]
        db.execute("INSERT INTO payment (id, salon_id, created_at, updated_at, sync_status, booking_id, method, "
                   "amount_halalas, status, external_id, idempotency_key, device_id, change_halalas, taken_by) "
                   "VALUES (?, ?, '2026-11-24T07:00:00.000000Z', '2026-11-24T07:00:00.000000Z', 'synced', ?, "
                   "'moyasar_link', 2000, 'paid', 'pay_123', ?, '', 0, '')",
                   (str(uuid.uuid4()), salon, visit, str(uuid.uuid4())))
    page = CheckoutPage(ui_context)
    qtbot.addWidget(page)
    settle(qtbot, ui_context)
    with qtbot.waitSignal(page.bill_loaded):
        page.open_for_booking(visit)
    due = page.bill.gross - 2000
    assert page.amount_edit.text() == f"{due // 100}.{due % 100:02d}"  # the whole balance, deposit deducted
    with qtbot.waitSignal(page.receipt_ready, timeout=10_000) as issued:
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    assert dict(issued.args[0].payments) == {"moyasar_link": 2000, "cash": due}


def test_cancelling_a_partly_paid_bill_gives_the_money_back(qtbot, ui_context, visit, desk_service):
    from salon_desk.demo.build import DEMO_PIN

    page = CheckoutPage(ui_context)
    qtbot.addWidget(page)
    settle(qtbot, ui_context)
    with qtbot.waitSignal(page.bill_loaded):
        page.open_for_booking(visit)
    page.amount_edit.setText("50")
    with qtbot.waitSignal(page.bill_loaded, timeout=10_000):
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    assert page.void_button.isVisibleTo(page)
    dialog = page.open_void_dialog()
    dialog.reason.setText("Customer left before the service")
    dialog.submit()  # without a manager PIN a receptionist may not cancel a paid bill
    settle(qtbot, ui_context)
    assert dialog.message.isVisible() and desk_service.checkout.get(page.view.id).status is CheckoutStatus.OPEN
    dialog.pin.setText(DEMO_PIN)
    with qtbot.waitSignal(page.bill_loaded, timeout=10_000):
        dialog.submit()
    view = page.view
    assert view.status is CheckoutStatus.VOID and sum(r.amount_halalas for r in view.refunds) == 5_000
    assert not page.void_button.isVisibleTo(page)
