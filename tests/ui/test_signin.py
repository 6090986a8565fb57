"""The sign-in screen with pytest-qt over the real demo desk: choose a person, type the PIN in Arabic-Indic
digits, see a clear refusal for a wrong PIN, create the owner on a first run, lock after idle time and switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy import text

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.ui import i18n
from salon_desk.ui.signin.lock import DeskLock
from salon_desk.ui.signin.view import SignInView

ARABIC_DEMO_PIN = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in DEMO_PIN)


def make_view(qtbot, ctx) -> SignInView:
    view = SignInView(ctx)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: bool(view.users) or view.first_run, timeout=10_000)
    return view


def test_manager_signs_in_with_arabic_digits(qtbot, ui_context):
    view = make_view(qtbot, ui_context)
    assert {u.role for u in view.users} == {Role.OWNER, Role.MANAGER, Role.RECEPTIONIST}
    manager = next(u for u in view.users if u.role is Role.MANAGER)
    view.choose(manager.id)
    view.pin_field.insert(ARABIC_DEMO_PIN)  # as an Arabic keyboard types it (QTest cannot send non-ASCII keys)
    with qtbot.waitSignal(view.signed_in, timeout=10_000) as signed:
        qtbot.keyClick(view.pin_field, Qt.Key.Key_Return)
    assert signed.args[0].user_id == manager.id and signed.args[0].role is Role.MANAGER
    assert ui_context.desk.actor.role is Role.MANAGER
    assert ui_context.user.name == manager.name


@pytest.mark.parametrize("lang,expected", [("ar", "الرقم السري غير صحيح."), ("en", "Wrong PIN.")])
def test_wrong_pin_is_refused_in_words(qtbot, ui_context, lang, expected):
    i18n.set_ui_language(lang, "latn")
    view = make_view(qtbot, ui_context)
    view.choose(view.users[0].id)
    view.pin_field.setText("9071")
    view.submit()
    qtbot.waitUntil(lambda: bool(view.message_label.text()), timeout=10_000)
    assert view.message_label.text() == expected
    assert view.pin_field.text() == ""


def test_first_run_creates_the_owner(qtbot, ui_context, engine):
    with engine.begin() as con:
        con.execute(text("DELETE FROM desk_user"))
    view = make_view(qtbot, ui_context)
    assert view.first_run and view.name_field.isVisibleTo(view)
    view.name_field.setText("أمل")
    view.pin_field.setText("0000")
    view.confirm_field.setText("0000")
    view.submit()
    qtbot.waitUntil(lambda: bool(view.message_label.text()), timeout=10_000)
    assert "1234" in view.message_label.text()  # "too easy to guess (like 1234 or 0000)"
    view.pin_field.setText("٣٩٠٥")
    view.confirm_field.setText("3905")
    with qtbot.waitSignal(view.signed_in, timeout=10_000) as signed:
        view.submit()
    assert signed.args[0].role is Role.OWNER


def test_lock_after_idle_and_quick_switch(qtbot, ui_context):
    window = QWidget()
    window.resize(900, 600)
    qtbot.addWidget(window)
    window.show()
    lock = DeskLock(ui_context, window)
    assert lock.is_locked
    qtbot.waitUntil(lambda: bool(lock.view.users), timeout=10_000)
    receptionist = next(u for u in lock.view.users if u.role is Role.RECEPTIONIST)
    lock.view.choose(receptionist.id)
    lock.view.pin_field.setText(DEMO_PIN)
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        lock.view.submit()
    assert not lock.is_locked and lock.idle.isActive()
    assert lock.idle.interval() == int(timedelta(minutes=5).total_seconds() * 1000)  # the salon's default
    with qtbot.waitSignal(lock.locked, timeout=10_000):
        lock.idle.setInterval(1)  # idle time passes
        lock.idle.start()
    assert lock.is_locked and lock.view.pin_field.text() == ""
    qtbot.waitUntil(lambda: bool(lock.view.users), timeout=10_000)
    owner = next(u for u in lock.view.users if u.role is Role.OWNER)
    lock.view.choose(owner.id)  # someone else takes the desk
    lock.view.pin_field.setText(DEMO_PIN)
    with qtbot.waitSignal(lock.unlocked, timeout=10_000) as unlocked:
        lock.view.submit()
    assert unlocked.args[0].role is Role.OWNER and ui_context.desk.actor.role is Role.OWNER
    lock.stop()
