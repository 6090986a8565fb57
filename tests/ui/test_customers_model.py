"""CustomerTableModel and VisitTableModel fed hand-built rows, without a window."""

from __future__ import annotations

import os
from datetime import UTC, datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QModelIndex, Qt

from salon_desk.domain.model import Language
from salon_desk.ui import i18n
from salon_desk.ui.customers.model import (
    ID_ROLE,
    LANGUAGE,
    LAST_VISIT,
    NAME,
    PHONE,
    VISITS,
    CustomerTableModel,
)
from salon_desk.ui.customers.visits_model import STATUS, TOTAL, VisitTableModel
from salon_desk.usecases.views import CustomerSummary, VisitLine

pytestmark = pytest.mark.qt_log_level_fail("WARNING")
LRI, PDI = "\u2066", "\u2069"


def summary(n: int, **overrides: object) -> CustomerSummary:
    values: dict[str, object] = {
        "id": f"c{n:06d}",
        "name": f"Customer {n}",
        "phone": f"+9665{n:08d}",
        "language": Language.AR,
        "visits": n % 7,
        "no_shows": n % 3,
        "last_visit": datetime(2025, 3, 1, 18, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return CustomerSummary(**values)  # type: ignore[arg-type]


@pytest.fixture
def english(qapp):
    i18n.set_ui_language("en")
    yield
    i18n.set_ui_language("ar")


@pytest.fixture
def arabic(qapp):
    i18n.set_ui_language("ar")
    yield


def test_customer_model_passes_qt_model_tester(qtmodeltester, english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(n) for n in range(1, 30)], total=120)
    qtmodeltester.check(model)
    model.append_rows([summary(n) for n in range(30, 60)])
    qtmodeltester.check(model)


def test_rows_show_national_phone_left_to_right_and_language(english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(1, phone="+966501234567", language=Language.EN, visits=12)])
    cell = lambda column: model.data(model.index(0, column))  # noqa: E731
    assert cell(NAME) == "Customer 1"
    assert cell(PHONE) == f"{LRI}050 123 4567{PDI}"
    assert cell(LANGUAGE) == "English"
    assert cell(VISITS) == "12"
    assert "2025" in cell(LAST_VISIT)
    assert model.data(model.index(0, NAME), ID_ROLE) == "c000001"
    assert model.headerData(PHONE, Qt.Orientation.Horizontal) == "Mobile"


def test_arabic_headers_and_labels_are_translated(arabic) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(1, language=Language.AR, phone=None)])
    assert model.headerData(NAME, Qt.Orientation.Horizontal) == "الاسم"
    assert model.data(model.index(0, LANGUAGE)) == "العربية"
    assert model.data(model.index(0, PHONE)) == ""


def test_fetch_more_asks_for_the_next_page_once_until_it_arrives(qtbot, english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(n) for n in range(100)], total=250)
    asked: list[int] = []
    model.more_requested.connect(asked.append)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # a second scroll while the page is in flight asks nothing
    assert asked == [100]
    model.append_rows([summary(n) for n in range(100, 200)])
    assert model.rowCount() == 200 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.append_rows([summary(n) for n in range(200, 250)])
    assert asked == [100, 200]
    assert model.rowCount() == 250 and not model.canFetchMore(QModelIndex())


def test_an_empty_page_stops_asking_when_the_total_was_stale(english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(n) for n in range(10)], total=50)
    model.fetchMore(QModelIndex())
    model.append_rows([])
    assert not model.canFetchMore(QModelIndex())
    assert model.total == 10


def test_replace_row_updates_a_loaded_customer(qtbot, english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(1), summary(2)])
    with qtbot.waitSignal(model.dataChanged):
        assert model.replace_row(summary(2, name="Renamed"))
    assert model.data(model.index(1, NAME)) == "Renamed"
    assert not model.replace_row(summary(99))


def test_a_hundred_thousand_rows_are_plain_data(english) -> None:
    model = CustomerTableModel()
    model.set_rows([summary(n) for n in range(100_000)])
    assert model.rowCount() == 100_000
    assert model.data(model.index(99_999, NAME)) == "Customer 99999"
    assert model.row_of("c099999") == 99_999


def visit(n: int, status: str) -> VisitLine:
    return VisitLine(
        booking_id=f"b{n}",
        start_at=datetime(2025, 3, n, 15, 0, tzinfo=UTC),
        status=status,
        services=("Haircut", "Blow-dry"),
        staff_names=("Noura",),
        total_halalas=15_000,
    )


def test_visit_model_passes_qt_model_tester_and_shows_status(qtmodeltester, english) -> None:
    model = VisitTableModel()
    model.set_rows([visit(1, "completed"), visit(2, "no_show"), visit(3, "cancelled")])
    qtmodeltester.check(model)
    assert model.data(model.index(1, STATUS)) == "No-show"
    assert "150.00" in model.data(model.index(0, TOTAL))
    assert model.data(model.index(1, STATUS), Qt.ItemDataRole.ForegroundRole) is not None
