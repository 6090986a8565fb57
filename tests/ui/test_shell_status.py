"""Status bar (dates, sync, user, messages), the minute ticker, and error display."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QMessageBox

from salon_desk.domain.errors import Conflict
from salon_desk.ui.context import ConnectionState, SignedInUser, SyncStatusView, UiContext
from salon_desk.ui.errors import show_error
from salon_desk.ui.status_bar import DeskStatusBar, MinuteTicker

# 06:30 UTC on 2 March 2025 is 09:30 in Riyadh: Sunday, 2 Ramadan 1446 (Umm al-Qura).
RAMADAN_MORNING = datetime(2025, 3, 2, 6, 30, tzinfo=UTC)


@pytest.fixture
def bar(qtbot, ui_context: UiContext, clock) -> DeskStatusBar:
    clock.now = RAMADAN_MORNING
    widget = DeskStatusBar(ui_context)
    qtbot.addWidget(widget)
    return widget


def test_shows_gregorian_and_hijri_date_for_the_fixed_clock(
    bar: DeskStatusBar, ui_context: UiContext
) -> None:
    assert bar.date_label.text() == "الأحد · 2 مارس 2025 · 2 رمضان 1446 هـ"
    ui_context.set_language("en")
    bar.retranslate()
    assert bar.date_label.text() == "Sunday · March 2, 2025 · 2 Ramadan 1446 AH"


def test_date_follows_riyadh_midnight_on_the_minute_tick(
    bar: DeskStatusBar, ui_context: UiContext, clock
) -> None:
    clock.now = datetime(2025, 3, 2, 20, 59, tzinfo=UTC)  # 23:59 in Riyadh
    ui_context.events.minute_ticked.emit()
    assert "2 مارس" in bar.date_label.text()
    clock.now = datetime(2025, 3, 2, 21, 0, tzinfo=UTC)  # 00:00 on 3 March in Riyadh
    ui_context.events.minute_ticked.emit()
    assert bar.date_label.text() == "الاثنين · 3 مارس 2025 · 3 رمضان 1446 هـ"


def test_minute_ticker_waits_until_the_next_minute_boundary(qtbot, ui_context: UiContext, clock) -> None:
    clock.now = datetime(2025, 3, 2, 6, 30, 45, 500_000, tzinfo=UTC)
    ticker = MinuteTicker(ui_context)
    remaining = ticker._timer.remainingTime()
    assert 14_000 <= remaining <= 14_600  # 14.5 s to 06:31:00, plus a small margin
    with qtbot.waitSignal(ui_context.events.minute_ticked, timeout=1000):
        ticker._timer.setInterval(1)
        ticker._timer.start()


def test_sync_indicator_counts_in_arabic_plurals(bar: DeskStatusBar, ui_context: UiContext) -> None:
    assert bar.sync_label.text() == "غير متصل"  # offline until the sync engine reports
    ui_context.publish_sync_status(SyncStatusView(ConnectionState.ONLINE, pending=2))
    assert bar.sync_label.text() == "متصل · تغييران بانتظار المزامنة"
    ui_context.publish_sync_status(SyncStatusView(ConnectionState.SYNCING, pending=11, open_conflicts=3))
    assert bar.sync_label.text() == "جارٍ المزامنة… · 11 تغييرًا بانتظار المزامنة · 3 تعارضات"
    assert bar.sync_label.property("state") == "syncing"


def test_last_sync_time_is_in_the_tooltip(bar: DeskStatusBar, ui_context: UiContext) -> None:
    ui_context.set_language("en")
    ui_context.publish_sync_status(
        SyncStatusView(ConnectionState.ONLINE, last_sync_at=datetime(2025, 3, 2, 6, 0, tzinfo=UTC))
    )
    assert bar.sync_label.text() == "Online"
    assert "9:00" in bar.sync_label.toolTip() and bar.sync_label.toolTip().startswith("Last sync:")


def test_user_name_is_isolated_beside_the_translated_role(bar: DeskStatusBar, ui_context: UiContext) -> None:
    assert bar.user_label.text() == "\u2068Noura\u2069 · موظف الاستقبال"
    ui_context.user = SignedInUser("مها", "manager")
    ui_context.set_language("en")
    bar.retranslate()
    assert bar.user_label.text() == "\u2068مها\u2069 · Manager"


def test_errors_stay_and_information_clears(qtbot, bar: DeskStatusBar, ui_context: UiContext) -> None:
    bar.show_error_message("تعذّر الحفظ")
    assert bar.message_label.property("level") == "error"
    assert not bar._clear_timer.isActive()
    ui_context.events.message_posted.emit("تم الحفظ")
    assert bar.message_label.text() == "تم الحفظ" and bar._clear_timer.isActive()
    bar._clear_timer.setInterval(1)
    bar._clear_timer.start()
    qtbot.waitUntil(lambda: bar.message_label.text() == "")


def test_domain_error_dialog_uses_the_translated_reason(qtbot, ui_context: UiContext) -> None:
    box = show_error(None, Conflict("booking.not_movable", status="completed"))
    qtbot.addWidget(box)
    assert box.text() == ui_context.l10n().error(Conflict("booking.not_movable", status="completed"))
    assert "مكتمل" in box.text()  # the status travels translated inside the sentence
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.detailedText() == ""


def test_unexpected_error_dialog_is_generic_with_details_and_logged(
    qtbot, ui_context: UiContext, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.ERROR, logger="salon_desk.ui.errors"):
        box = show_error(None, error)
    qtbot.addWidget(box)
    assert box.text() == "حدث خطأ ولم يكتمل الإجراء. يُرجى المحاولة مرة أخرى."
    assert "KeyError: 'missing'" in box.detailedText() and "Traceback" in box.detailedText()
    assert any(record.exc_info and record.exc_info[1] is error for record in caplog.records)


def test_unhandled_task_failure_reaches_the_window(qtbot, ui_context: UiContext) -> None:
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.pages import PAGES

    win = MainWindow(ui_context, pages={"settings": PAGES["settings"]})
    qtbot.addWidget(win)

    def refuse() -> None:
        raise Conflict("booking.not_movable", status="completed")

    ui_context.runner.db(refuse)
    assert ui_context.runner.wait_idle(5000)
    assert "مكتمل" in win.statusBar().message_label.text()
    assert win.statusBar().message_label.property("level") == "error"
