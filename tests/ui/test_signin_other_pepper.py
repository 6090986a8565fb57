"""The sign-in screen when this desk cannot check a PIN (it was set on a desk before that desk joined the
cloud, with that desk's own pepper: domain.pin): a clear sentence in Arabic and English, not "wrong PIN"."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from salon_desk.domain.pin import hash_pin
from salon_desk.ui import i18n
from salon_desk.ui.signin.view import SignInView

EXPECTED = {
    "ar": "لا يستطيع هذا الجهاز التحقق من هذا الرقم السري بعد",
    "en": "This desk cannot check this PIN yet",
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_pin_set_with_another_desks_pepper_is_explained(qtbot, ui_context, engine, lang, tmp_path):
    i18n.set_ui_language(lang, "latn")
    view = SignInView(ui_context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: bool(view.users), timeout=10_000)
    person = view.users[0]
    with engine.begin() as con:
        con.execute(text("UPDATE desk_user SET pin_hash = :h WHERE id = :i"),
                    {"h": hash_pin("5827", b"another desk's own pepper, 32 b"), "i": person.id})
    view.choose(person.id)
    view.pin_field.setText("5827")
    view.submit()
    qtbot.waitUntil(lambda: bool(view.message_label.text()), timeout=10_000)
    assert view.message_label.text().startswith(EXPECTED[lang])
    view.resize(900, 640)
    view.show()
    qtbot.waitExposed(view)
    view.grab().save(str(os.environ.get("SALON_SHOT_DIR", tmp_path)) + f"/signin-other-pepper-{lang}.png")
