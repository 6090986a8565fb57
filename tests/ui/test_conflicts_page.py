"""The Conflicts page, the toast and the calendar's escalation banner over the real desk facade."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget
from sqlalchemy import Engine

from salon_desk.domain.errors import NotFound, ValidationError
from salon_desk.domain.model import Changes
from salon_desk.ui.conflicts.banner import EscalationBanner
from salon_desk.ui.conflicts.page import ConflictsPage
from salon_desk.ui.context import UiContext
from tests.conftest import FixedClock
from tests.usecases.test_conflicts import Quarantined, quarantine

SHOTS = Path(os.environ.get("SALON_SCREENSHOTS", "/tmp"))


@pytest.fixture
def quarantined(engine: Engine, ui_context: UiContext) -> Quarantined:
    return quarantine(engine, ui_context.desk)


def _page(qtbot: Any, ctx: UiContext) -> ConflictsPage:
    page = ConflictsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    qtbot.waitUntil(lambda: bool(page.board) and len(page.cards) == len(page.board), timeout=5000)
    return page


def test_a_card_speaks_arabic_first_then_english(
    qtbot: Any, ui_context: UiContext, quarantined: Quarantined
) -> None:
    page = _page(qtbot, ui_context)
    [card] = page.cards
    assert page.title_label.text() == "التعارضات"
    assert card.title_label.text().startswith("تعارض في المواعيد")
    assert "لا يمكن الاحتفاظ بحجز" in card.reason_label.text()
    assert "\u2068" in card.reason_label.text()  # names and times are isolated
    assert card.fix_buttons[0].text().startswith("نقل إلى")
    assert [b.text() for b in card.fix_buttons][-2:] == [
        "إضافة إلى قائمة الانتظار",
        "إلغاء الحجز وإبلاغ العميل",
    ]
    page.grab().save(str(SHOTS / "conflicts-ar.png"))

    ui_context.set_language("en")
    assert page.title_label.text() == "Conflicts"
    assert card.reason_label.text().startswith("Booking for")
    assert card.fix_buttons[-1].text() == "Cancel and notify the customer"
    assert "Desk 2" in card.tried_label.text()
    page.grab().save(str(SHOTS / "conflicts-en.png"))


def test_one_click_fix_resolves_and_the_card_goes(
    qtbot: Any, ui_context: UiContext, quarantined: Quarantined
) -> None:
    page = _page(qtbot, ui_context)
    with qtbot.waitSignal(page.resolved, timeout=5000):
        page.cards[0].fix_buttons[0].click()
    qtbot.waitUntil(lambda: not page.board and not page.cards, timeout=5000)
    assert page.empty_label.isVisibleTo(page)
    assert ui_context.desk.bookings.get(quarantined.booking_id).status.value == "requested"


def test_a_fix_taken_meanwhile_is_refused_in_words(
    qtbot: Any, ui_context: UiContext, quarantined: Quarantined
) -> None:
    page = _page(qtbot, ui_context)
    fix = page.board[0][1][0]
    page.resolve(
        quarantined.conflict_id,
        type(fix)(
            fix.kind, fix.start_at, fix.staff, ((fix.moves[0][0], fix.moves[0][1], quarantined.start),)
        ),
    )
    qtbot.waitUntil(lambda: page.message_label.isVisibleTo(page), timeout=5000)
    assert page.message_label.text().startswith("لم يعد هذا الحل ممكنًا")
    assert len(page.board) == 1


def test_banner_and_toast(qtbot: Any, engine: Engine, ui_context: UiContext, clock: FixedClock) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1100, 300)
    nav = QListWidget(host, objectName="NavList")  # as the main window's rail
    nav_item = QListWidgetItem("")
    nav_item.setData(Qt.ItemDataRole.UserRole, "conflicts")
    nav.addItem(nav_item)
    nav.hide()
    banner = EscalationBanner(ui_context, host)
    banner.resize(1000, 48)
    host.show()
    qtbot.waitUntil(lambda: banner.watcher.cards == [] and banner.watcher._seen is not None, timeout=5000)
    assert not banner.isVisible()

    quarantined = quarantine(engine, ui_context.desk)
    clock.now = quarantined.start - timedelta(minutes=90)
    with qtbot.waitSignal(banner.watcher.arrived, timeout=5000):
        ui_context.events.changes_applied.emit(
            Changes({"sync_conflict": frozenset({quarantined.conflict_id})})
        )
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert "خلال ساعتين" in banner.label.text()
    assert banner.toast is not None and banner.toast.isVisible()
    assert "Desk 2\u2069، " in banner.toast.label.text()  # the Arabic comma of the ar catalog
    assert nav_item.text() == "التعارضات (1)"
    host.grab().save(str(SHOTS / "conflicts-banner-ar.png"))


def fixes_fail(monkeypatch: pytest.MonkeyPatch, ctx: UiContext, failure: BaseException) -> None:
    """The real desk, except that working out fixes fails the way it may in the field: a refusal with a
    code, or a bug. Everything else (the cards, the database) is the real thing."""

    def fail(conflict_id: str) -> Any:
        raise failure

    monkeypatch.setattr(ctx.desk.conflicts, "fixes", fail)


@pytest.mark.parametrize(
    ("failure", "expected_ar"),
    [
        (ValidationError("salon.not_set_up"), None),  # a refusal: its own translated words
        (RuntimeError("a bug"), "حدث خطأ"),  # anything else: the calm generic sentence
    ],
)
def test_a_card_whose_fixes_fail_stays_with_the_reason(
    qtbot: Any, ui_context: UiContext, quarantined: Quarantined, failure: BaseException, expected_ar: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixes_fail(monkeypatch, ui_context, failure)
    page = _page(qtbot, ui_context)
    [card] = page.cards
    assert card.card.id == quarantined.conflict_id and card.fix_buttons == []
    reason = ui_context.l10n().error(failure) if expected_ar is None else card.fixes_title.text()
    assert card.fixes_title.text() == reason and reason
    if expected_ar is not None:
        assert card.fixes_title.text().startswith(expected_ar)
    ui_context.set_language("en")
    assert card.fixes_title.text() != "No fix is possible right now." and "{" not in card.fixes_title.text()


def test_a_card_resolved_between_the_two_reads_is_left_out(
    qtbot: Any, ui_context: UiContext, quarantined: Quarantined, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixes_fail(monkeypatch, ui_context, NotFound("conflict.not_found"))
    page = ConflictsPage(ui_context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.board_loaded, timeout=5000):
        pass
    assert page.board == [] and page.cards == []
