"""A manager's PIN at the desk on the manager pages (issue #10): a receptionist's save is refused with the
translated message and a PIN prompt; a manager's PIN given there allows that one save (audited as that
manager), a wrong PIN is refused in the prompt and nothing is written, and Cancel leaves the refusal."""

from __future__ import annotations

from datetime import time

import pytest
from PySide6.QtCore import Qt

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.ui import i18n
from salon_desk.ui.availability.grid import CELLS, DAY_ORDER
from salon_desk.ui.catalogue.page import CataloguePage
from salon_desk.ui.manager_pin import ManagerPinDialog
from salon_desk.ui.staff.page import StaffPage
from salon_desk.usecases.audit_view import AuditFilter
from salon_desk.usecases.desk import DeskService

WRONG_PIN = "9157"


def sign_in(desk: DeskService, role: Role) -> str:
    user = next(u for u in desk.users.list() if u.role is role)
    desk.users.sign_in(user.id, DEMO_PIN)
    return user.id


@pytest.fixture
def staff_page(qtbot, ui_context) -> StaffPage:
    page = StaffPage(ui_context)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    qtbot.waitUntil(lambda: page.list.count() > 0 and page.current is not None, timeout=10_000)
    return page


def prompt_of(qtbot, page) -> ManagerPinDialog:
    qtbot.waitUntil(lambda: getattr(page, "manager_pin_dialog", None) is not None, timeout=10_000)
    dialog: ManagerPinDialog = page.manager_pin_dialog
    return dialog


def type_pin(qtbot, dialog: ManagerPinDialog, pin: str) -> None:
    dialog.pin_field.setText(pin)
    qtbot.mouseClick(dialog.allow_button, Qt.MouseButton.LeftButton)


def title_of(desk: DeskService, staff_id: str) -> str:
    return next(s for s in desk.staff.list() if s.id == staff_id).title_en


def test_receptionist_refused_in_arabic_then_a_managers_pin_saves_once(qtbot, ui_desk, staff_page):
    receptionist_id = sign_in(ui_desk, Role.RECEPTIONIST)
    allowed_by = {u.id for u in ui_desk.users.list() if u.role in (Role.MANAGER, Role.OWNER)}  # demo: one PIN
    staff_id = staff_page.current
    staff_page.edits["title_en"].setText("Head stylist")
    staff_page.save_staff()
    dialog = prompt_of(qtbot, staff_page)
    assert "الموظفين" in dialog.reason_label.text()  # "Your role cannot change staff" in Arabic
    assert dialog.windowTitle() == "الرقم السري للمدير"
    assert title_of(ui_desk, staff_id) != "Head stylist"
    with qtbot.waitSignal(staff_page.saved, timeout=10_000):
        type_pin(qtbot, dialog, "٢٦٨٤")  # the demo PIN in Arabic-Indic digits
    assert title_of(ui_desk, staff_id) == "Head stylist"
    assert staff_page.manager_pin_dialog is None and not dialog.isVisible()
    trail = ui_desk.audit.lines(AuditFilter(entity="staff"), manager_pin=DEMO_PIN)
    saved = next(line for line in trail if line.entity_id == staff_id and line.after.get("title_en") == "Head stylist")
    assert saved.actor_id in allowed_by and saved.actor_id != receptionist_id  # who allowed it
    # the elevation was for that one save: the next one asks again
    staff_page.edits["title_en"].setText("Senior stylist")
    staff_page.save_staff()
    again = prompt_of(qtbot, staff_page)
    again.reject()
    qtbot.waitUntil(lambda: staff_page.message_label.text() != "", timeout=10_000)
    assert title_of(ui_desk, staff_id) == "Head stylist"


def test_a_wrong_pin_is_refused_in_the_prompt_and_nothing_is_written(qtbot, ui_desk, staff_page):
    sign_in(ui_desk, Role.RECEPTIONIST)
    i18n.set_ui_language("en", "latn")
    staff_id = staff_page.current
    before = title_of(ui_desk, staff_id)
    staff_page.edits["title_en"].setText("Head stylist")
    staff_page.save_staff()
    dialog = prompt_of(qtbot, staff_page)
    assert dialog.reason_label.text() == "Your role cannot change staff. A manager's PIN allows it once."
    type_pin(qtbot, dialog, WRONG_PIN)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert dialog.error_text() == "That is not the PIN of a manager who may allow this."
    assert dialog.isVisible() and dialog.pin_field.text() == ""
    assert title_of(ui_desk, staff_id) == before
    dialog.reject()  # Cancel: the page keeps the refusal
    qtbot.waitUntil(lambda: "Your role cannot change staff" in staff_page.message_label.text(), timeout=10_000)
    assert title_of(ui_desk, staff_id) == before


def test_receptionist_saves_working_hours_with_a_managers_pin(qtbot, ui_desk, staff_page):
    sign_in(ui_desk, Role.RECEPTIONIST)
    staff_page.start_new()
    staff_page.edits["name_en"].setText("Razan")
    staff_page.save_staff()
    with qtbot.waitSignal(staff_page.saved, timeout=10_000):
        type_pin(qtbot, prompt_of(qtbot, staff_page), DEMO_PIN)
    staff_id = staff_page.current
    assert staff_id is not None
    row = DAY_ORDER.index(0)
    for cell in range(20, 36):  # Monday 10:00 to 18:00
        staff_page.grid.cells[row][cell] = True
    assert CELLS > 36
    staff_page.save_week()
    dialog = prompt_of(qtbot, staff_page)
    assert ui_desk.availability.week(staff_id) == []
    with qtbot.waitSignal(staff_page.saved, timeout=10_000):
        type_pin(qtbot, dialog, DEMO_PIN)
    assert [(r.weekday, r.start, r.end) for r in ui_desk.availability.week(staff_id)] == [(0, time(10), time(18))]


def test_services_page_asks_for_a_pin_and_the_save_lands(qtbot, ui_context, ui_desk):
    sign_in(ui_desk, Role.RECEPTIONIST)
    i18n.set_ui_language("en", "latn")
    page = CataloguePage(ui_context)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10_000)
    page.start_new()
    page.name_en.setText("Fringe")
    page.category.setEditText("Hair")
    page.price.setText("25")
    page.save()
    dialog = prompt_of(qtbot, page)
    assert dialog.reason_label.text() == "Your role cannot change services. A manager's PIN allows it once."
    type_pin(qtbot, dialog, WRONG_PIN)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert not any(s.name_en == "Fringe" for s in ui_desk.catalogue.services())
    with qtbot.waitSignal(page.saved, timeout=10_000):
        type_pin(qtbot, dialog, DEMO_PIN)
    fringe = next(s for s in ui_desk.catalogue.services() if s.name_en == "Fringe")
    assert (fringe.category, fringe.price_halalas) == ("hair", 2500)  # "Hair" typed: the standard key


def test_a_manager_is_never_asked(qtbot, ui_desk, staff_page):
    sign_in(ui_desk, Role.MANAGER)
    staff_page.edits["title_en"].setText("Head stylist")
    with qtbot.waitSignal(staff_page.saved, timeout=10_000):
        staff_page.save_staff()
    assert getattr(staff_page, "manager_pin_dialog", None) is None


def test_a_manager_lacking_the_salon_settings_gets_the_prompt_and_the_owners_pin_saves(qtbot, ui_context, ui_desk):
    from salon_desk.ui.salon_profile.page import SalonProfilePage

    sign_in(ui_desk, Role.MANAGER)  # the salon's settings are the owner's
    i18n.set_ui_language("en", "latn")
    page = SalonProfilePage(ui_context)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.salon is not None, timeout=10_000)
    page.texts["address"].setText("Olaya Street, Riyadh")
    page.save()
    dialog = prompt_of(qtbot, page)
    assert dialog.reason_label.text() == "Your role cannot change the salon's settings. A manager's PIN allows it once."
    type_pin(qtbot, dialog, WRONG_PIN)
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=10_000)
    assert ui_desk.salon_profile.get().address != "Olaya Street, Riyadh"
    type_pin(qtbot, dialog, DEMO_PIN)  # the owner's (the demo's people share one PIN)
    qtbot.waitUntil(lambda: ui_desk.salon_profile.get().address == "Olaya Street, Riyadh", timeout=10_000)
