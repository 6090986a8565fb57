"""The audit page over the real demo desk: a manager sees who did what in plain words (ar and en), filters by
person and record, exports CSV; a receptionist is told why it is closed; an edited row is caught."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.ui import i18n
from salon_desk.ui.audit.page import AuditPage
from salon_desk.usecases.commands import AddCustomer
from salon_desk.usecases.desk import DeskService


def sign_in(desk: DeskService, role: Role) -> str:
    user = next(u for u in desk.users.list() if u.role is role)
    desk.users.sign_in(user.id, DEMO_PIN)
    return user.id


@pytest.fixture
def trail(ui_desk: DeskService) -> dict[str, str]:
    """A few writes by two people: the receptionist adds a customer, the owner revokes the receptionist."""
    receptionist = sign_in(ui_desk, Role.RECEPTIONIST)
    customer = ui_desk.customers.add(AddCustomer("نورة القحطاني", "0551239876")).id
    owner = sign_in(ui_desk, Role.OWNER)
    ui_desk.users.revoke(receptionist)
    sign_in(ui_desk, Role.MANAGER)
    return {"receptionist": receptionist, "owner": owner, "customer": customer}


def loaded(qtbot, ctx) -> AuditPage:
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: bool(page.lines) or page.message_label.text() != "", timeout=10_000)
    return page


def cells(page: AuditPage) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


@pytest.mark.parametrize("lang,revoked,added", [
    ("en", "Changed a person's access", "Added a customer"),
    ("ar", "غيّر حق دخول شخص", "أضاف عميلًا"),
])
def test_manager_sees_who_did_what_in_plain_words(qtbot, ui_context, trail, lang, revoked, added):
    i18n.set_ui_language(lang, "latn")
    page = loaded(qtbot, ui_context)
    rows = cells(page)
    actions = [r[3] for r in rows]
    assert revoked in actions and added in actions
    revoke_row = rows[next(i for i, line in enumerate(page.lines) if line.after == {"active": False})]
    assert revoke_row[3] == revoked
    assert "مالكة الصالون" in revoke_row[1]
    assert ("Access: Allowed → Revoked" if lang == "en" else "حق الدخول: مسموح ← ملغى") in revoke_row[5]
    # the sign-ins' rehash shows as a PIN change, never the hash
    assert all("pin3$" not in cell and "pin2$" not in cell for row in rows for cell in row)


def test_filter_by_person_and_record(qtbot, ui_context, trail):
    i18n.set_ui_language("en", "latn")
    page = loaded(qtbot, ui_context)
    page.person_box.setCurrentIndex(page.person_box.findData(trail["owner"]))
    qtbot.waitUntil(lambda: all(line.actor_id == trail["owner"] for line in page.lines), timeout=10_000)
    assert page.lines
    page.person_box.setCurrentIndex(0)
    page.entity_box.setCurrentIndex(page.entity_box.findData("customer"))
    qtbot.waitUntil(lambda: page.lines and all(line.entity == "customer" for line in page.lines), timeout=10_000)
    assert [line.entity_id for line in page.lines] == [trail["customer"]]


def test_csv_export(qtbot, ui_context, trail, tmp_path: Path):
    page = loaded(qtbot, ui_context)
    out = tmp_path / "audit.csv"
    page.export_to(out)
    qtbot.waitUntil(out.exists, timeout=10_000)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:5] == ["time_utc", "person", "person_id", "desk", "action"]
    assert ["desk_user.patch", "desk_user", trail["receptionist"], "active", "True", "False"] in [r[4:] for r in rows]


def test_receptionist_is_told_why(qtbot, ui_context, ui_desk):
    i18n.set_ui_language("en", "latn")
    sign_in(ui_desk, Role.RECEPTIONIST)
    page = loaded(qtbot, ui_context)
    assert page.lines == []
    assert page.message_label.text() == "Your role cannot read reports. A manager's PIN allows it once."


def test_an_edited_row_is_caught(qtbot, ui_context, trail, engine):
    i18n.set_ui_language("en", "latn")
    page = loaded(qtbot, ui_context)
    page.verify()
    qtbot.waitUntil(lambda: "intact" in page.message_label.text(), timeout=10_000)
    with engine.begin() as con:
        seq = con.execute(text("SELECT min(seq) FROM audit_event WHERE action = 'desk_user.patch'")).scalar_one()
        con.execute(text("UPDATE audit_event SET after = '{\"active\": true}' WHERE seq = :s"), {"s": seq})
    page.verify()
    qtbot.waitUntil(lambda: "no longer matches" in page.message_label.text(), timeout=10_000)
    assert f"event number {seq}" in page.message_label.text()
