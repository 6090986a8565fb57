"""Settings → About Salon Desk (#13): the version from its one place (salon_desk.__version__), and a frozen
build's commit from the BUILD-INFO.json packaging/build.sh writes beside the executable; in both languages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import salon_desk
from salon_desk.buildinfo import build_kind
from salon_desk.ui.context import UiContext
from salon_desk.ui.settings_page import SettingsPage


def test_the_about_box_shows_the_version_in_arabic_and_english(qtbot, ui_context: UiContext) -> None:
    page = SettingsPage(ui_context)
    qtbot.addWidget(page)
    assert page.about_box.title() == "عن صالون ديسك"
    assert page.version_label.text() == f"الإصدار {salon_desk.__version__}"
    assert page.build_label.text() == "يعمل من الشيفرة المصدرية"
    ui_context.set_language("en")
    page.retranslate()
    assert page.about_box.title() == "About Salon Desk"
    assert page.version_label.text() == f"Version {salon_desk.__version__}"
    assert page.build_label.text() == "Running from source"


def test_a_frozen_build_shows_its_commit(qtbot, ui_context: UiContext, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "BUILD-INFO.json").write_text(json.dumps(
        {"version": salon_desk.__version__, "commit": "0123456789abcdef0123", "platform": "linux-x86_64"}))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "salon-desk"))
    ui_context.set_language("en")
    page = SettingsPage(ui_context)
    qtbot.addWidget(page)
    assert page.build_label.text() == "Build 0123456789ab (linux-x86_64)"
    assert build_kind() == "frozen build, commit 0123456789ab, linux-x86_64"
