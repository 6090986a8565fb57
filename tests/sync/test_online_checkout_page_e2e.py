# ruff: noqa: F811 - the pay_world and runner fixtures are imported
"""The checkout page with a deposit paid online (issue #12), pytest-qt against the real cloud and the fake
Moyasar: opening the visit shows the online money as received ("Paid online · mada"), the balance is what is
left, and the cash for the rest issues the invoice with both tenders. Screenshots in Arabic and English
(SALON_SHOTS_DIR keeps them)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.domain.checkout import TenderMethod
from salon_desk.domain.model import Changes
from salon_desk.domain.online_payments import OnlineState
from salon_desk.ui.tasks import TaskRunner
from salon_desk.usecases.online_payments import SendPayLink

from .conftest import SyncWorld
from .payments_sync_world import booked_visit, connected_desk, fake, pay_world  # noqa: F401 - fixtures
from .test_online_checkout import paid_deposit
from .test_online_payments_panel_e2e import open_page, runner  # noqa: F401 - fixture


def _items(page: Any) -> list[str]:
    return [page.payments_list.item(i).text() for i in range(page.payments_list.count())]


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "").replace("\xa0", " ")


def test_the_checkout_page_shows_the_online_deposit_as_received(
    qtbot: Any, pay_world: SyncWorld, fake: FakeMoyasar, runner: TaskRunner, tmp_path: Path,
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, _link_id, deposit = paid_deposit(pay_world, fake, desk, "ar")
    page = open_page(qtbot, desk, runner, tmp_path, booking_id)
    view = page.view
    assert view is not None and view.paid_halalas == deposit
    gross = view.bill.gross
    online = [text for text in _items(page) if "مدفوع إلكترونيًا" in text]
    assert len(online) == 1 and f"{deposit / 100:.2f}" in _plain(online[0]) and "مدى" in online[0]
    assert f"{(gross - deposit) / 100:.2f}" in _plain(page.total_labels["balance"][1].text())
    assert page.amount_edit.text() == f"{(gross - deposit) / 100:.2f}"  # the receptionist collects the rest
    shots = Path(os.environ.get("SALON_SHOTS_DIR", tmp_path))
    page.grab().save(str(shots / "checkout-online-deposit-ar.png"))

    page._ctx.set_language("en")  # noqa: SLF001
    qtbot.waitUntil(lambda: runner.pending == 0)
    online = [text for text in _items(page) if "Paid online" in text]
    assert len(online) == 1 and "mada" in online[0]
    assert "Balance due" in page.total_labels["balance"][0].text()
    page.grab().save(str(shots / "checkout-online-deposit-en.png"))

    method = page.method_combo.findData(TenderMethod.CASH)
    page.method_combo.setCurrentIndex(method)
    with qtbot.waitSignal(page.receipt_ready, timeout=20_000) as issued:
        qtbot.mouseClick(page.pay_button, Qt.MouseButton.LeftButton)
    assert dict(issued.args[0].payments) == {"moyasar_link": deposit, "cash": gross - deposit}


def test_cancel_a_waiting_link_from_the_panel(
    qtbot: Any, pay_world: SyncWorld, fake: FakeMoyasar, runner: TaskRunner, tmp_path: Path,  # noqa: ARG001
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id = booked_visit(desk, "ar")
    desk.service.online_payments.send_link(SendPayLink(booking_id, None, "balance", 5_000, uuid.uuid4().hex))
    desk.sync.sync_once()
    page = open_page(qtbot, desk, runner, tmp_path, booking_id)
    panel = page.online_panel
    panel.list.setCurrentRow(0)
    assert panel.cancel_button.isEnabled() and not panel.refund_button.isEnabled()
    with qtbot.waitSignal(panel.cancelled, timeout=20_000) as cancelled:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert cancelled.args[0].status == "cancelled" and "تم إلغاء رابط الدفع" in panel.message()
    qtbot.waitUntil(lambda: runner.pending == 0)
    desk.sync.sync_once()
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        page._ctx.events.changes_applied.emit(Changes({"online_payment": frozenset({"*"})}))  # noqa: SLF001
    assert [line.state for line in panel.lines] == [OnlineState.CANCELLED]
    panel.list.setCurrentRow(0)
    assert not panel.cancel_button.isEnabled()
    panel.cancel_selected()  # pressed anyway (a stale screen): said, nothing asked
    assert "بانتظار الدفع" in panel.message()
