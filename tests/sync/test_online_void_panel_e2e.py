# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""Void from the checkout page's online payments panel (issue #12), against the real cloud and the fake Moyasar,
with pytest-qt: the receptionist presses Void, confirms, the manager's PIN allows it, and after the pull the
panel says voided; "Keep it" changes nothing; Moyasar's refusal after settlement is said in the desk's
language. Screenshots of the confirmation and of the panel in Arabic and English (SALON_SHOTS_DIR keeps them)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.domain.online_payments import OnlineState
from salon_desk.l10n import Localizer
from salon_desk.ui.tasks import TaskRunner
from salon_desk.usecases.online_payments import SendPayLink

from .conftest import SyncWorld
from .payments_sync_world import (  # noqa: F401 - fixtures
    DEMO_PIN,
    booked_visit,
    connected_desk,
    fake,
    pay_and_apply,
    pay_world,
)
from .test_online_payments_panel_e2e import open_page, pulled, runner, states  # noqa: F401 - fixture


def _plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "").replace("\xa0", " ")


def test_void_from_the_panel_with_a_managers_pin(
    qtbot: Any, pay_world: SyncWorld, fake: FakeMoyasar, runner: TaskRunner, tmp_path: Path,
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id = booked_visit(desk, "ar")
    gross = desk.service.checkout.preview(desk.service.checkout.booked_lines(booking_id)).gross
    # A deposit the bill counts when the page opens, and two payments of the whole bill that no longer fit it
    # (left for a manager): only those two may be voided.
    payments = []
    for purpose, amount in (("deposit", 5_000), ("balance", gross), ("balance", gross + 2_000)):
        sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, purpose, amount,
                                                                  uuid.uuid4().hex))
        payments.append(pay_and_apply(pay_world, fake, sent.link_id))
    desk.sync.sync_once()
    page = open_page(qtbot, desk, runner, tmp_path, booking_id)
    panel = page.online_panel
    assert states(page) == [OnlineState.PAID] * 3
    shots = Path(os.environ.get("SALON_SHOTS_DIR", tmp_path))

    def void_row(row: int, pin: str | None = DEMO_PIN) -> Any:
        """Selects `row`, presses Void and confirms; the manager's PIN allows it. The confirmation is returned
        as it looked."""
        panel.list.setCurrentRow(row)
        qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.void_confirm is not None, timeout=5_000)
        box = panel.void_confirm
        shot = box.grab()
        text = box.text()
        qtbot.mouseClick(next(b for b in box.buttons() if b.objectName() == "ConfirmVoid"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: getattr(panel, "manager_pin_dialog", None) is not None, timeout=10_000)
        panel.manager_pin_dialog.pin_field.setText(pin)
        return shot, text

    # The deposit the bill counts: refused at once with its own words, nothing asked of Moyasar.
    with qtbot.waitSignal(panel.failed, timeout=20_000) as failed:
        void_row(0)
        qtbot.mouseClick(panel.manager_pin_dialog.allow_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "هذه الدفعة محسوبة في فاتورة، فلا يمكن إلغاؤها. استردّها بدلًا من ذلك، ويصدر إشعار دائن بها."
    assert fake.payment(str(payments[0]["id"]))["status"] == "paid"

    with qtbot.waitSignal(panel.voided, timeout=20_000) as voided:
        shot, text = void_row(1)
        assert _plain(riyals(gross)) in _plain(text) and "إلغاء" in text
        shot.save(str(shots / "checkout-online-void-confirm-ar.png"))
        qtbot.mouseClick(panel.manager_pin_dialog.allow_button, Qt.MouseButton.LeftButton)
    assert (voided.args[0].status, voided.args[0].amount_halalas) == ("voided", gross)
    assert "أُلغيت الدفعة" in panel.message()
    pulled(qtbot, desk, page)
    assert states(page) == [OnlineState.PAID, OnlineState.VOIDED, OnlineState.PAID]
    assert fake.payment(str(payments[1]["id"]))["status"] == "voided"
    panel.list.setCurrentRow(1)
    assert not panel.void_button.isEnabled() and not panel.refund_button.isEnabled()
    assert "أُلغيت الدفعة" in panel.list.item(1).text()
    page.grab().save(str(shots / "checkout-online-voided-ar.png"))

    page._ctx.set_language("en")  # noqa: SLF001
    qtbot.waitUntil(lambda: runner.pending == 0)
    panel.list.setCurrentRow(1)
    assert "Voided: all of it went back to the customer" in _plain(panel.list.item(1).text())
    page.grab().save(str(shots / "checkout-online-voided-en.png"))
    panel.list.setCurrentRow(2)
    qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.void_confirm is not None, timeout=5_000)
    box = panel.void_confirm
    assert f"Void the online payment of {_plain(riyals(gross + 2_000, 'en'))}?" in _plain(box.text())
    box.grab().save(str(shots / "checkout-online-void-confirm-en.png"))
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "Keep it"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.void_confirm is None, timeout=5_000)
    assert getattr(panel, "manager_pin_dialog", None) is None  # "Keep it": nothing asked of anyone
    assert fake.payment(str(payments[2]["id"]))["status"] == "paid"

    fake.settle(str(payments[2]["id"]))  # Moyasar has paid the salon: void refused, said in English
    with qtbot.waitSignal(panel.failed, timeout=20_000) as failed:
        void_row(2)
        qtbot.mouseClick(panel.manager_pin_dialog.allow_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "This payment can no longer be voided; refund it instead."
    assert panel.message() == failed.args[0]
    pulled(qtbot, desk, page)
    assert states(page) == [OnlineState.PAID, OnlineState.VOIDED, OnlineState.PAID]


def riyals(halalas: int, lang: str = "ar") -> str:
    return Localizer(lang).money(halalas)
