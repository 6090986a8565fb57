# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""The checkout page's online payments against the real cloud and the fake Moyasar (issue #12), with pytest-qt:
a receptionist sends a pay link from the panel, the customer pays on Moyasar, both desks show it paid after
their pull; the receptionist's refund asks for the manager's PIN, and after it every desk shows half refunded.
Screenshots of the panel in Arabic and English (SALON_SHOTS_DIR keeps them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.domain.model import Changes
from salon_desk.domain.online_payments import OnlineState
from salon_desk.ui import i18n, theme
from salon_desk.ui.checkout.page import CheckoutPage
from salon_desk.ui.context import DeskEvents, UiContext
from salon_desk.ui.tasks import TaskRunner

from .conftest import Desk, SyncWorld
from .payments_sync_world import (  # noqa: F401 - fixtures
    DEMO_PIN,
    booked_visit,
    connected_desk,
    fake,
    pay_and_apply,
    pay_world,
)


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    theme.apply_theme(qapp, rtl=True)
    runner = TaskRunner()
    yield runner
    assert runner.shutdown()
    i18n.set_ui_language("ar", "latn")


def open_page(qtbot: Any, desk: Desk, runner: TaskRunner, tmp_path: Path, booking_id: str) -> CheckoutPage:
    from PySide6.QtCore import QSettings

    i18n.set_ui_language("ar", "latn")
    ctx = UiContext(desk=desk.service, runner=runner, events=DeskEvents(), now=desk.clock,
                    settings=QSettings(str(tmp_path / f"{desk.name}.ini"), QSettings.Format.IniFormat))
    page = CheckoutPage(ctx)
    qtbot.addWidget(page)
    page.resize(1440, 1000)
    page.show()
    with qtbot.waitSignal(page.online_panel.loaded, timeout=10_000):
        page.open_for_booking(booking_id)
    qtbot.waitUntil(lambda: runner.pending == 0)
    return page


def pulled(qtbot: Any, desk: Desk, page: CheckoutPage) -> None:
    """The desk's sync ran; its controller would now tell every page (changes_applied)."""
    qtbot.waitUntil(lambda: page._ctx.runner.pending == 0)  # noqa: SLF001 - no older reload still in flight
    desk.sync.sync_once()
    with qtbot.waitSignal(page.online_panel.loaded, timeout=10_000):
        page._ctx.events.changes_applied.emit(Changes({"online_payment": frozenset({"*"})}))  # noqa: SLF001


def states(page: CheckoutPage) -> list[OnlineState]:
    return [line.state for line in page.online_panel.lines]


def test_send_pay_refund_from_the_panel_every_desk_agrees(
    qtbot: Any, pay_world: SyncWorld, fake: FakeMoyasar, runner: TaskRunner, tmp_path: Path,
) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id = booked_visit(desk1, "ar")
    desk2.sync.sync_once()
    page1 = open_page(qtbot, desk1, runner, tmp_path, booking_id)
    page2 = open_page(qtbot, desk2, runner, tmp_path, booking_id)
    panel = page1.online_panel
    assert states(page1) == [] and panel.amount_edit.text()  # the bill's balance, ready to send
    panel.amount_edit.setText("120")
    with qtbot.waitSignal(panel.link_sent, timeout=20_000) as sent:
        qtbot.mouseClick(panel.send_button, Qt.MouseButton.LeftButton)
    assert sent.args[0].notified and "أُرسل رابط الدفع" in panel.message()
    pulled(qtbot, desk1, page1)
    assert states(page1) == [OnlineState.REQUESTED]

    pay_and_apply(pay_world, fake, sent.args[0].link_id)
    for desk, page in ((desk1, page1), (desk2, page2)):
        pulled(qtbot, desk, page)
        assert states(page) == [OnlineState.PAID]

    pay_world.cloud.clock.advance(600)  # the manager refunds later
    panel2 = page2.online_panel
    panel2.list.setCurrentRow(0)
    panel2.refund_edit.setText("60")
    qtbot.mouseClick(panel2.refund_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(panel2, "manager_pin_dialog", None) is not None, timeout=10_000)
    panel2.manager_pin_dialog.pin_field.setText(DEMO_PIN)
    with qtbot.waitSignal(panel2.refunded, timeout=20_000) as refunded:
        qtbot.mouseClick(panel2.manager_pin_dialog.allow_button, Qt.MouseButton.LeftButton)
    assert refunded.args[0].refunded_halalas == 6_000
    for desk, page in ((desk1, page1), (desk2, page2)):
        pulled(qtbot, desk, page)
        assert states(page) == [OnlineState.PARTLY_REFUNDED]
    text = page1.online_panel.list.item(0).text()
    assert "تم استرداد" in text and "60.00" in text and "120.00" in text
    assert "مالكة الصالون" in text or "مديرة الصالون" in text  # whose PIN allowed it (the demo's share one PIN)
    shots = Path(os.environ.get("SALON_SHOTS_DIR", tmp_path))
    page1.grab().save(str(shots / "checkout-online-refunded-ar.png"))
    page1._ctx.set_language("en")  # noqa: SLF001
    qtbot.waitUntil(lambda: runner.pending == 0)
    text = page1.online_panel.list.item(0).text()
    assert "Refunded SAR\xa060.00 of SAR\xa0120.00" in text.replace("\u2068", "").replace("\u2069", "")
    page1.grab().save(str(shots / "checkout-online-refunded-en.png"))
