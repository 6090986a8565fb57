"""The checkout page's online payments (issue #12) with pytest-qt on the real demo database: pay links as the
cloud replicated them (installed by the real pull path) shown live in Arabic and English with SAR amounts;
"Send pay link" while the cloud cannot be reached says so and queues nothing; "Refund" asks a receptionist
for a manager's PIN (the shared elevation widget) before anything goes out."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from salon_desk.demo.build import DEMO_PIN
from salon_desk.sync.api import SyncApi
from salon_desk.sync.apply import install_rows
from salon_desk.sync.payments_client import CloudPayments
from salon_desk.sync.protocol import encode_row
from salon_desk.ui import i18n
from salon_desk.ui.checkout.page import CheckoutPage
from salon_desk.usecases.commands import CreateBooking, ItemRequest
from tests.helpers import first_free_slot, service_named

PAID_LINK = "0190a000-0000-7000-8000-00000000c0a1"
WAITING_LINK = "0190a000-0000-7000-8000-00000000c0a2"
EXPIRED_LINK = "0190a000-0000-7000-8000-00000000c0a3"


@pytest.fixture
def visit(desk_service, clock):  # type: ignore[no-untyped-def]
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=1)).assignments[0]
    customer = desk_service.customers.search("", limit=1)[0].id
    return desk_service.bookings.create(CreateBooking((ItemRequest(slot.service_id, slot.staff_id, slot.start),),
                                                      customer)).id


def replicate(engine: Any, clock: Any, booking_id: str, manager_id: str) -> None:
    """Rows as a pull brings them (sync.apply.install_rows, the engine's own write path)."""
    now = clock.now
    base = {"booking_id": booking_id, "checkout_id": None, "language": "ar", "requested_by": "desk-1",
            "created_at": now - timedelta(hours=3), "updated_at": now - timedelta(minutes=20), "deleted_at": None,
            "salon_id": "", "message": None, "company": None, "payment_id": None, "payment_status": None,
            "paid_halalas": 0, "refunded_halalas": 0, "history": []}
    rows = [
        {**base, "id": PAID_LINK, "purpose": "balance", "amount_halalas": 12_000, "status": "paid",
         "paid_halalas": 12_000, "refunded_halalas": 6_000, "payment_id": "pay_0001", "payment_status": "refunded",
         "company": "mada", "expires_at": now + timedelta(hours=40),
         "history": [
             {"at": (now - timedelta(hours=3)).isoformat(), "action": "link.create", "actor": "device:d1",
              "status": "creating", "refunded_halalas": None},
             {"at": (now - timedelta(hours=2)).isoformat(), "action": "link.paid", "actor": "webhook:evt_1",
              "status": "paid", "refunded_halalas": None},
             {"at": (now - timedelta(minutes=20)).isoformat(), "action": "payment.refunded",
              "actor": f"user:{manager_id}", "status": "refunded", "refunded_halalas": 6_000},
         ]},
        {**base, "id": WAITING_LINK, "purpose": "deposit", "amount_halalas": 5_000, "status": "pending",
         "expires_at": now + timedelta(hours=47)},
        {**base, "id": EXPIRED_LINK, "purpose": "deposit", "amount_halalas": 5_000, "status": "pending",
         "expires_at": now - timedelta(hours=1)},
    ]
    with Session(engine) as session:
        install_rows(session, [("online_payment", 40 + i, encode_row("online_payment", r))
                               for i, r in enumerate(rows)])
        session.commit()


def settle(qtbot: Any, ctx: Any) -> None:
    qtbot.waitUntil(lambda: ctx.runner.pending == 0)


def manager_id(desk_service: Any) -> str:
    return next(u.id for u in desk_service.users.list() if u.role.value == "manager")


@pytest.fixture
def page(qtbot, ui_context, visit, desk_service, engine, clock):  # type: ignore[no-untyped-def]
    replicate(engine, clock, visit, manager_id(desk_service))
    page = CheckoutPage(ui_context)
    qtbot.addWidget(page)
    page.resize(1440, 1000)
    page.show()
    settle(qtbot, ui_context)
    with qtbot.waitSignal(page.online_panel.loaded, timeout=10_000):
        page.open_for_booking(visit)
    settle(qtbot, ui_context)
    return page


def outbox_size(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar() or 0)


def texts(page: CheckoutPage) -> list[str]:
    panel = page.online_panel
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_live_status_in_arabic_and_english(qtbot, ui_context, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shown = texts(page)
    assert len(shown) == 3
    assert "تم استرداد" in shown[0] and "120.00" in shown[0] and "60.00" in shown[0]
    assert "مديرة الصالون" in shown[0]  # who refunded, by the desk user's own name
    assert "بانتظار" in shown[1] and "انتهت" in shown[2]
    shots = Path(os.environ.get("SALON_SHOTS_DIR", tmp_path))
    page.grab().save(str(shots / "checkout-online-ar.png"))
    ui_context.set_language("en")
    settle(qtbot, ui_context)
    shown = texts(page)
    assert shown[0].startswith("Visit payment") and "Refunded" in shown[0]
    assert "SAR\xa060.00" in shown[0] and "SAR\xa0120.00" in shown[0] and "(\u2068mada\u2069)" in shown[0]
    assert shown[1].startswith("Deposit") and "Requested" in shown[1] and "Link valid until" in shown[1]
    assert "Expired" in shown[2]
    page.grab().save(str(shots / "checkout-online-en.png"))
    i18n.set_ui_language("ar", "latn")


def test_send_pay_link_offline_says_so_and_queues_nothing(qtbot, ui_context, page, engine) -> None:  # type: ignore[no-untyped-def]
    unreachable = SyncApi("http://127.0.0.1:9", "token-that-goes-nowhere-0000")
    ui_context.desk.online_payments.connect(lambda: CloudPayments(unreachable))
    panel = page.online_panel
    assert panel.amount_edit.text() != "" and panel.send_button.isEnabled()
    pending = outbox_size(engine)
    with qtbot.waitSignal(panel.failed, timeout=15_000) as failed:
        qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    assert "السحابة" in failed.args[0] and panel.message() == failed.args[0]
    assert outbox_size(engine) == pending
    assert panel.send_button.isEnabled()  # ready to try again


def test_refund_needs_a_manager_pin_then_goes_to_the_cloud(qtbot, ui_context, page) -> None:  # type: ignore[no-untyped-def]
    ui_context.desk.online_payments.connect(lambda: None)  # not enrolled: the refusal after the PIN says so
    panel = page.online_panel
    panel.list.setCurrentRow(1)  # a link still waiting: nothing to refund
    assert not panel.refund_button.isEnabled()
    panel.list.setCurrentRow(0)
    assert panel.refund_button.isEnabled()
    panel.refund_edit.setText("61")  # more than the 60.00 left: refused on the desk, after the PIN
    qtbot.mouseClick(panel.refund_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(panel, "manager_pin_dialog", None) is not None, timeout=10_000)
    dialog = panel.manager_pin_dialog
    dialog.pin_field.setText(DEMO_PIN)
    with qtbot.waitSignal(panel.failed, timeout=10_000) as failed:
        qtbot.mouseClick(dialog.allow_button, Qt.MouseButton.LeftButton)
    assert "60.00" in failed.args[0] or "6000" in failed.args[0]
    panel.refund_edit.setText("30")
    qtbot.mouseClick(panel.refund_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(panel, "manager_pin_dialog", None) is not None, timeout=10_000)
    dialog = panel.manager_pin_dialog
    dialog.pin_field.setText(DEMO_PIN)
    with qtbot.waitSignal(panel.failed, timeout=10_000) as failed:
        qtbot.mouseClick(dialog.allow_button, Qt.MouseButton.LeftButton)
    assert "غير مرتبط بسحابة الصالون" in failed.args[0]  # the PIN allowed it; only then the cloud is asked


REFUSED_LINK = "0190a000-0000-7000-8000-00000000c0a4"


def test_a_deposit_refund_moyasar_refused_tells_the_receptionist(  # type: ignore[no-untyped-def]
    qtbot, ui_context, page, engine, clock, visit, tmp_path: Path
) -> None:
    """The policy refunded a deposit, Moyasar refused: the money did not move, and the line says to return it
    another way (domain.online_payments.refund_refused_by_provider), in Arabic and English."""
    now = clock.now
    row = {"id": REFUSED_LINK, "booking_id": visit, "checkout_id": None, "language": "ar", "requested_by": "desk-1",
           "created_at": now - timedelta(hours=5), "updated_at": now - timedelta(minutes=5), "deleted_at": None,
           "salon_id": "", "message": None, "company": "mada", "payment_id": "pay_0004", "payment_status": "paid",
           "purpose": "deposit", "amount_halalas": 5_000, "status": "paid", "paid_halalas": 5_000,
           "refunded_halalas": 0, "expires_at": now + timedelta(hours=40), "history": [
               {"at": (now - timedelta(hours=4)).isoformat(), "action": "payment.paid", "actor": "webhook:evt_4",
                "status": "paid", "refunded_halalas": 0},
               {"at": (now - timedelta(minutes=6)).isoformat(), "action": "deposit.refund",
                "actor": "policy:desk_cancel", "status": None, "refunded_halalas": None},
               {"at": (now - timedelta(minutes=5)).isoformat(), "action": "deposit.refund_refused",
                "actor": "policy:desk_cancel", "status": None, "refunded_halalas": None},
           ]}
    with Session(engine) as session:
        install_rows(session, [("online_payment", 60, encode_row("online_payment", row))])
        session.commit()
    with qtbot.waitSignal(page.online_panel.loaded, timeout=10_000):
        page.open_for_booking(visit)
    settle(qtbot, ui_context)
    [refused] = [t for t in texts(page) if "رفضت ميسر" in t]
    assert "استرداد العربون" in refused and "50.00" in refused
    shots = Path(os.environ.get("SALON_SHOTS_DIR", tmp_path))
    page.grab().save(str(shots / "checkout-online-refund-refused-ar.png"))
    ui_context.set_language("en")
    settle(qtbot, ui_context)
    [refused] = [t for t in texts(page) if "Moyasar refused the deposit refund" in t]
    assert refused.startswith("Deposit") and "Paid" in refused
    page.grab().save(str(shots / "checkout-online-refund-refused-en.png"))
    i18n.set_ui_language("ar", "latn")
