"""WalkInTableModel and WaitlistTableModel fed hand-built rows, without a window."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QModelIndex, Qt

from salon_desk.domain.model import Service, Staff
from salon_desk.ui import i18n
from salon_desk.ui.customers.picker import CustomerListModel
from salon_desk.ui.walkins.model import (
    L_NAME,
    L_SERVICE,
    L_STATE,
    L_WINDOW,
    W_ESTIMATE,
    W_NAME,
    W_STAFF,
    W_STATE,
    W_WAITED,
    WaitlistTableModel,
    WalkInTableModel,
)
from salon_desk.usecases.views import CustomerSummary, WaitlistLine, WalkInLine

pytestmark = pytest.mark.qt_log_level_fail("WARNING")
NOW = datetime(2025, 3, 2, 14, 0, tzinfo=UTC)  # 17:00 in Riyadh
CUT = Service("s1", "قص شعر", "Haircut", "hair", 30, 5, 8_000)
NOURA = Staff("st1", "نورة", "Noura", "stylist", "#aa66cc", 1)


def walkin(n: int, state: str = "waiting", **overrides: object) -> WalkInLine:
    values: dict[str, object] = {
        "id": f"w{n}",
        "name": f"Guest {n}",
        "phone": None,
        "service": CUT,
        "preferred_staff": None,
        "arrived_at": NOW - timedelta(minutes=25),
        "state": state,
        "estimated_start": NOW + timedelta(minutes=10),
        "estimated_staff": NOURA,
        "booking_id": None,
    }
    values.update(overrides)
    return WalkInLine(**values)  # type: ignore[arg-type]


def entry(n: int, state: str = "waiting", **overrides: object) -> WaitlistLine:
    values: dict[str, object] = {
        "id": f"l{n}",
        "name": f"Waiting {n}",
        "phone": "+966501234567",
        "service": CUT,
        "staff": None,
        "window_start": NOW + timedelta(hours=1),
        "window_end": NOW + timedelta(hours=4),
        "state": state,
        "offered_start": None,
        "offered_staff": None,
    }
    values.update(overrides)
    return WaitlistLine(**values)  # type: ignore[arg-type]


@pytest.fixture
def english(qapp):
    i18n.set_ui_language("en")
    yield
    i18n.set_ui_language("ar")


def make_walkins() -> WalkInTableModel:
    return WalkInTableModel(i18n.current_localizer, lambda: NOW)


def make_waitlist() -> WaitlistTableModel:
    return WaitlistTableModel(i18n.current_localizer, lambda: NOW)


def test_walkin_model_passes_qt_model_tester(qtmodeltester, english) -> None:
    model = make_walkins()
    model.set_rows([walkin(1), walkin(2, "seated"), walkin(3, "left", estimated_start=None)])
    qtmodeltester.check(model)


def test_waiting_walkin_shows_minutes_waited_and_the_estimate(english) -> None:
    model = make_walkins()
    model.set_rows([walkin(1), walkin(2, name="", phone="+966501234567", estimated_start=None)])
    cell = lambda row, column: model.data(model.index(row, column))  # noqa: E731
    assert cell(0, W_WAITED) == "25 min"
    assert cell(0, W_STAFF) == "Anyone"
    assert (
        "5:10" in cell(0, W_ESTIMATE)
        and "in 10 min" in cell(0, W_ESTIMATE)
        and "Noura" in cell(0, W_ESTIMATE)
    )
    assert cell(1, W_NAME) == "050 123 4567"  # no name given: the mobile stands in
    assert cell(1, W_ESTIMATE) == "Nobody free today"


def test_minutes_follow_the_clock(english) -> None:
    clock = [NOW]
    model = WalkInTableModel(i18n.current_localizer, lambda: clock[0])
    model.set_rows([walkin(1)])
    clock[0] = NOW + timedelta(minutes=10)
    model.refresh()
    assert model.data(model.index(0, W_WAITED)) == "35 min"
    assert model.data(model.index(0, W_ESTIMATE)).startswith("now")


def test_seated_and_departed_walkins_are_greyed(english) -> None:
    model = make_walkins()
    model.set_rows([walkin(1), walkin(2, "seated"), walkin(3, "left")])
    colour = lambda row: model.data(model.index(row, W_NAME), Qt.ItemDataRole.ForegroundRole)  # noqa: E731
    assert colour(0) is None
    assert colour(1) is not None and colour(2) is not None
    assert model.data(model.index(2, W_STATE)) == "Left"
    assert model.data(model.index(1, W_WAITED)) == ""


def test_arabic_estimate_uses_arabic_names_and_words(qapp) -> None:
    i18n.set_ui_language("ar")
    model = make_walkins()
    model.set_rows([walkin(1, preferred_staff=NOURA)])
    assert "نورة" in model.data(model.index(0, W_ESTIMATE))
    assert model.data(model.index(0, W_WAITED)) == "25 دقيقة"
    assert model.data(model.index(0, W_STAFF)) == "نورة"
    assert model.headerData(W_WAITED, Qt.Orientation.Horizontal) == "مدة الانتظار"


def test_waitlist_model_highlights_offered_entries(qtmodeltester, english) -> None:
    model = make_waitlist()
    offered = entry(2, "offered", offered_start=NOW + timedelta(hours=2), offered_staff=NOURA)
    model.set_rows([entry(1), offered, entry(3, "booked")])
    qtmodeltester.check(model)
    background = lambda row: model.data(model.index(row, L_NAME), Qt.ItemDataRole.BackgroundRole)  # noqa: E731
    assert background(0) is None and background(1) is not None
    offer = model.data(model.index(1, L_STATE))
    assert (
        offer.startswith("Offered:") and "Noura" in offer and "7:00" in offer and "Mar" not in offer
    )  # today
    assert model.data(model.index(0, L_STATE)) == "Waiting"
    assert model.data(model.index(2, L_STATE)) == "Booked"
    assert model.data(model.index(0, L_SERVICE)) == "Haircut"


def test_other_days_show_their_date_and_today_only_hours(english) -> None:
    model = make_waitlist()
    tomorrow = NOW + timedelta(days=1)
    model.set_rows(
        [
            entry(1),
            entry(
                2,
                "offered",
                window_start=tomorrow,
                window_end=tomorrow + timedelta(hours=3),
                offered_start=tomorrow,
                offered_staff=NOURA,
            ),
        ]
    )
    assert model.data(model.index(0, L_WINDOW)).replace("\u202f", " ") == "6:00 PM–9:00 PM"
    assert model.data(model.index(1, L_WINDOW)).replace("\u202f", " ") == "Mon 3 Mar 5:00 PM–8:00 PM"
    assert "Mon 3 Mar" in model.data(model.index(1, L_STATE))


def test_waitlist_service_names_the_wanted_staff_member(english) -> None:
    model = make_waitlist()
    model.set_rows([entry(1, staff=NOURA, name="")])
    assert model.data(model.index(0, L_SERVICE)) == "Haircut with Noura"
    assert model.data(model.index(0, L_NAME)) == "050 123 4567"


def test_long_waits_read_in_hours_and_minutes(english) -> None:
    model = make_walkins()
    model.set_rows(
        [
            walkin(1, arrived_at=NOW - timedelta(minutes=100)),
            walkin(2, arrived_at=NOW - timedelta(minutes=120)),
        ]
    )
    assert model.data(model.index(0, W_WAITED)) == "1 h 40 min"
    assert model.data(model.index(1, W_WAITED)) == "2 h"


def test_customer_list_model_passes_qt_model_tester(qtmodeltester, english) -> None:
    model = CustomerListModel()
    model.set_rows(
        [
            CustomerSummary("c1", "Sara", "+966501234567", "ar", 2, 0, None),
            CustomerSummary("c2", "Hind", None, "en", 0, 0, None),
        ]
    )
    qtmodeltester.check(model)
    assert "050 123 4567" in model.data(model.index(0, 0)) and model.rowCount(QModelIndex()) == 2


def test_a_waitlist_window_past_midnight_ends_the_next_day() -> None:
    from datetime import date, time

    from salon_desk.ui.walkins.waitlist_dialog import window_instants

    start, end = window_instants(date(2026, 3, 1), time(21, 0), time(3, 0), "Asia/Riyadh")  # Ramadan nights
    assert start == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    start, end = window_instants(date(2026, 3, 1), time(10, 0), time(14, 0), "Asia/Riyadh")
    assert (start.hour, end.hour, end.day) == (7, 11, 1)
