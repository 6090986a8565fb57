"""The audit page lists the salon's events from every desk (issue #10): this desk's own chain and the other
desks' events pulled from the cloud, with a Desk column naming each desk, filters by person, record and date
working across all, and the CSV naming the desk. (The pull itself runs through the real cloud in
tests/sync/test_salon_audit_trail.py; here another desk's chain is installed as a pulled page.)"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from sqlalchemy.orm import Session

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.audit_chain import GENESIS, chain_fields, event_hash
from salon_desk.domain.booking import Role
from salon_desk.store.repo_salon_audit import SalonAuditRepository
from salon_desk.store.types import instant_text
from salon_desk.sync.protocol import SalonAuditEventWire, SalonAuditPage
from salon_desk.ui import i18n
from salon_desk.ui.audit.model import DESK
from salon_desk.ui.audit.page import AuditPage
from salon_desk.usecases.commands import AddCustomer
from salon_desk.usecases.desk import DeskService

OTHER_DESK = "0193a1b2-0000-7000-8000-00000000000b"
BOOKING_ID = "0193a1b2-0000-7000-8000-0000000000b1"


def sign_in(desk: DeskService, role: Role) -> str:
    user = next(u for u in desk.users.list() if u.role is role)
    desk.users.sign_in(user.id, DEMO_PIN)
    return user.id


def loaded(qtbot, ctx) -> AuditPage:  # type: ignore[no-untyped-def]
    page = AuditPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: bool(page.lines) or page.message_label.text() != "", timeout=10_000)
    return page


def cells(page: AuditPage) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def other_desk_chain(salon_id: str, actor_id: str, at: Any) -> list[SalonAuditEventWire]:
    """Two events of another desk's chain, hashed as that desk would."""
    specs = [("customer.create", "customer", "0193a1b2-0000-7000-8000-0000000000c1", None, None),
             ("booking.cancel", "booking", BOOKING_ID, {"status": "confirmed"}, {"status": "cancelled"})]
    prev, out = GENESIS, []
    for seq, (action, entity, entity_id, before, after) in enumerate(specs, start=1):
        event_id = f"0193a1b2-0000-7000-8000-00000000{seq:04d}"
        when = instant_text(at + timedelta(minutes=seq))
        digest = event_hash(prev, chain_fields(event_id, salon_id, actor_id, OTHER_DESK, action, entity,
                                               entity_id, before, after, when))
        out.append(SalonAuditEventWire(seq=seq, id=event_id, salon_id=salon_id, device_id=OTHER_DESK,
                                       actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
                                       before=before, after=after, at=when, prev_hash=prev, hash=digest,
                                       desk_id=OTHER_DESK))
        prev = digest
    return out


@pytest.fixture
def two_desks(ui_desk: DeskService, engine, clock) -> dict[str, str]:  # type: ignore[no-untyped-def]
    receptionist = sign_in(ui_desk, Role.RECEPTIONIST)
    ui_desk.customers.add(AddCustomer("نورة القحطاني", "0551239876"))
    owner = next(u.id for u in ui_desk.users.list() if u.role is Role.OWNER)
    sign_in(ui_desk, Role.MANAGER)
    with Session(engine) as session:
        salon_id = session.connection().exec_driver_sql("SELECT id FROM salon").scalar_one()
        page = SalonAuditPage(events=other_desk_chain(salon_id, owner, clock() - timedelta(hours=2)),
                              desks={OTHER_DESK: "Front desk 2", "desk-test": "Reception"})
        assert SalonAuditRepository(session).install(page) == 2
        session.commit()
    return {"receptionist": receptionist, "owner": owner}


@pytest.mark.parametrize("lang,cancelled", [("en", "Cancelled a booking"), ("ar", "ألغى حجزًا")])
def test_the_page_lists_every_desk_with_its_name(qtbot, ui_context, two_desks, lang, cancelled):
    i18n.set_ui_language(lang, "latn")
    page = loaded(qtbot, ui_context)
    rows = cells(page)
    desks = {row[DESK] for row in rows}
    assert {d.strip("\u2068\u2069") for d in desks} == {"Front desk 2", "Reception"}  # names, in isolates
    other = [row for row, line in zip(rows, page.lines, strict=True) if line.desk_id == OTHER_DESK]
    assert [row[3] for row in other] == [cancelled, "Added a customer" if lang == "en" else "أضاف عميلًا"]
    assert not any(line.own for line in page.lines if line.desk_id == OTHER_DESK)


def test_filters_work_across_desks(qtbot, ui_context, two_desks):
    i18n.set_ui_language("en", "latn")
    page = loaded(qtbot, ui_context)
    assert {line.desk_id for line in page.lines} == {"desk-test", OTHER_DESK}
    page.person_box.setCurrentIndex(page.person_box.findData(two_desks["owner"]))
    qtbot.waitUntil(lambda: page.lines and all(line.actor_id == two_desks["owner"] for line in page.lines),
                    timeout=10_000)
    assert {line.desk_id for line in page.lines} == {OTHER_DESK}
    page.person_box.setCurrentIndex(0)
    page.entity_box.setCurrentIndex(page.entity_box.findData("booking"))
    qtbot.waitUntil(lambda: [line.entity_id for line in page.lines] == [BOOKING_ID], timeout=10_000)
    page.entity_box.setCurrentIndex(0)
    page.from_date.setDate(page.to_date.date().addDays(1))  # a day with no events on any desk
    qtbot.waitUntil(lambda: page.lines == [], timeout=10_000)
    page.from_date.setDate(QDate(page.to_date.date().addDays(-6)))
    qtbot.waitUntil(lambda: {line.desk_id for line in page.lines} == {"desk-test", OTHER_DESK}, timeout=10_000)


def test_csv_names_the_desk(qtbot, ui_context, two_desks, tmp_path: Path):
    page = loaded(qtbot, ui_context)
    out = tmp_path / "audit.csv"
    page.export_to(out)
    qtbot.waitUntil(out.exists, timeout=10_000)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {row["desk"] for row in rows} == {"Front desk 2", "Reception"}
    assert any(row["desk"] == "Front desk 2" and row["action"] == "booking.cancel" and row["field"] == "status"
               and (row["before"], row["after"]) == ("confirmed", "cancelled") for row in rows)
    assert "0551239876" not in out.read_text(encoding="utf-8-sig")


def test_this_desk_before_the_cloud_named_it(qtbot, ui_context, ui_desk, engine):
    sign_in(ui_desk, Role.MANAGER)
    ui_desk.customers.add(AddCustomer("Noura", "0551239877"))
    i18n.set_ui_language("ar", "latn")
    page = loaded(qtbot, ui_context)
    assert {row[DESK] for row in cells(page)} == {"هذا الجهاز"}
