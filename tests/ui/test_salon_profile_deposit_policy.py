"""The salon's deposit policy on the salon profile page (issue #12): four translated choices, saved with the
other fields as one `salon.patch`; owner-only (a manager is asked for a PIN and nothing is saved)."""

from __future__ import annotations

from pathlib import Path

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.ui import i18n
from salon_desk.ui.salon_profile.page import SalonProfilePage
from salon_desk.usecases.audit_view import AuditFilter

CHOSEN = {"deposit_on_cancel": "keep", "deposit_on_late_cancel": "keep", "deposit_on_no_show": "refund",
          "deposit_on_reschedule": "refund"}


def sign_in(desk, role: Role) -> None:
    desk.users.sign_in(next(u.id for u in desk.users.list() if u.role is role), DEMO_PIN)


def open_page(qtbot, ui_context) -> SalonProfilePage:
    page = SalonProfilePage(ui_context)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    qtbot.waitUntil(lambda: page.salon is not None, timeout=10_000)
    return page


def policy_of(desk) -> dict[str, str]:
    salon = desk.salon_profile.get()
    return {key: getattr(salon, key) for key in CHOSEN}


def test_owner_chooses_the_policy_in_arabic_and_it_is_saved_with_the_profile(qtbot, ui_context, ui_desk,
                                                                             tmp_path: Path):
    sign_in(ui_desk, Role.OWNER)
    page = open_page(qtbot, ui_context)
    boxes = page.deposit_policy
    assert page.row_labels["deposit_on_no_show"].text() == "العربون عند عدم الحضور"
    assert [boxes["deposit_on_cancel"].itemText(i) for i in range(2)] == ["استرداده", "الاحتفاظ به (دون استرداد)"]
    assert [boxes["deposit_on_reschedule"].itemData(i) for i in range(2)] == ["refund", "carry_over"]
    assert {k: b.value() for k, b in boxes.items()} == policy_of(ui_desk) == {  # today's policy, shown as is
        "deposit_on_cancel": "refund", "deposit_on_late_cancel": "keep", "deposit_on_no_show": "keep",
        "deposit_on_reschedule": "carry_over"}
    assert page.fields() == {}  # nothing changed yet
    for key, value in CHOSEN.items():
        boxes[key].setCurrentIndex(boxes[key].findData(value))
    assert page.fields() == {"deposit_on_cancel": "keep", "deposit_on_no_show": "refund",
                             "deposit_on_reschedule": "refund"}
    page.save()
    qtbot.waitUntil(lambda: policy_of(ui_desk) == CHOSEN, timeout=10_000)
    qtbot.waitUntil(lambda: page.salon is not None and page.salon.deposit_on_cancel == "keep", timeout=10_000)
    assert page.fields() == {}  # the refreshed page shows what was saved
    trail = ui_desk.audit.lines(AuditFilter(entity="salon"), manager_pin=DEMO_PIN)
    assert any(line.after == {"deposit_on_cancel": "keep", "deposit_on_no_show": "refund",
                              "deposit_on_reschedule": "refund"} for line in trail)
    page.grab().save(str(tmp_path / "salon_profile_deposit_policy_ar.png"))
    i18n.set_ui_language("en", "latn")
    ui_context.events.language_changed.emit("en")
    assert page.row_labels["deposit_on_cancel"].text() == "Deposit if cancelled before the cutoff"
    assert boxes["deposit_on_cancel"].currentText() == "Keep it (no refund)"  # the choice survives the switch
    assert boxes["deposit_on_reschedule"].currentText() == "Refund it"
    english = open_page(qtbot, ui_context)  # as the desk opens it in English
    assert english.deposit_policy["deposit_on_no_show"].currentText() == "Refund it"
    english.grab().save(str(tmp_path / "salon_profile_deposit_policy_en.png"))


def test_a_manager_is_asked_for_a_pin_and_nothing_is_saved(qtbot, ui_context, ui_desk):
    sign_in(ui_desk, Role.MANAGER)
    i18n.set_ui_language("en", "latn")
    page = open_page(qtbot, ui_context)
    before = policy_of(ui_desk)
    box = page.deposit_policy["deposit_on_no_show"]
    box.setCurrentIndex(box.findData("refund"))
    page.save()
    qtbot.waitUntil(lambda: getattr(page, "manager_pin_dialog", None) is not None, timeout=10_000)
    dialog = page.manager_pin_dialog
    assert "salon's settings" in dialog.reason_label.text()
    dialog.reject()
    qtbot.waitUntil(lambda: page.message_label.text() != "", timeout=10_000)
    assert policy_of(ui_desk) == before
