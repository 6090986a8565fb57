"""Theme, fonts, icons, Qt's own translations, the shell's catalog, and offscreen screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from PySide6.QtCore import QCoreApplication, QLocale, QSettings
from PySide6.QtGui import QColor, QFontDatabase, QImage, QTextLayout

from salon_desk.l10n import read_po_file
from salon_desk.ui import i18n, theme
from salon_desk.ui.context import LANGUAGE_KEY, UiContext
from salon_desk.ui.screenshot import render_view

ROOT = Path(__file__).resolve().parents[2]
SHELL_MODULES = (
    "context",
    "tasks",
    "i18n",
    "theme",
    "pages",
    "errors",
    "main_window",
    "status_bar",
    "settings_page",
    "screenshot",
)
REQUIRED_ICONS = {
    "calendar",
    "walkins",
    "customers",
    "staff",
    "checkout",
    "reports",
    "settings",
    "sync_online",
    "sync_offline",
    "sync_syncing",
    "sync_blocked",
    "prev",
    "next",
    "today",
    "plus",
    "search",
    "user",
}


def glyph_runs(text: str, rtl: bool) -> list[tuple[str, list[int]]]:
    layout = QTextLayout(text, theme.ui_font(rtl))
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), list(run.glyphIndexes())) for run in layout.glyphRuns()]


def test_bundled_fonts_are_small_licensed_and_registered() -> None:
    fonts = ROOT / "resources" / "fonts"
    assert sum(path.stat().st_size for path in fonts.glob("*.ttf")) < 3_000_000
    assert "SIL Open Font License" in (fonts / "OFL.txt").read_text(encoding="utf-8")
    assert set(theme.load_fonts()) == {"Noto Sans", "Noto Sans Arabic"}
    assert "Noto Sans Arabic" in QFontDatabase.families()


@pytest.mark.parametrize("rtl", [True, False])
def test_arabic_latin_and_both_digit_sets_render_with_real_glyphs(rtl: bool) -> None:
    runs = glyph_runs("نورة Noura 0550 ٠٥٥٠", rtl)
    families = {family for family, _glyphs in runs}
    assert {"Noto Sans", "Noto Sans Arabic"} <= families
    assert all(glyph != 0 for _family, glyphs in runs for glyph in glyphs), "a character fell back to a box"


def test_every_booking_status_has_readable_colours() -> None:
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(colour.redF())
            + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF())
        )

    def contrast(a: QColor, b: QColor) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    statuses = {
        "requested",
        "confirmed",
        "checked_in",
        "in_service",
        "completed",
        "cancelled",
        "no_show",
        "needs_attention",
    }
    assert set(theme.STATUS_COLOURS) == statuses
    for colours in theme.STATUS_COLOURS.values():
        assert contrast(colours.text, colours.fill) >= 7.0
    fills = {colours.fill.name() for colours in theme.STATUS_COLOURS.values()}
    assert len(fills) == len(statuses)


def test_stylesheet_has_no_unreplaced_tokens_and_focus_rings() -> None:
    qss = theme.stylesheet()
    assert "@" not in qss
    assert qss.count(":focus") >= 5


def test_required_icons_exist_and_render() -> None:
    assert set(theme.icon_names()) >= REQUIRED_ICONS
    for name in REQUIRED_ICONS:
        image = theme.icon_pixmap(name, 24, theme.TEXT).toImage()
        assert any(image.pixelColor(x, y).alpha() for x in range(24) for y in range(24)), name


def test_direction_icons_flip_in_rtl_and_others_do_not() -> None:
    def image(name: str, rtl: bool) -> QImage:
        return theme.icon(name, rtl=rtl).pixmap(24, 24).toImage()

    def difference(a: QImage, b: QImage) -> int:  # summed alpha difference; antialiasing leaves a few units
        return sum(
            abs(a.pixelColor(x, y).alpha() - b.pixelColor(x, y).alpha()) for x in range(24) for y in range(24)
        )

    assert difference(image("prev", rtl=True), image("next", rtl=False)) < 100
    assert difference(image("next", rtl=True), image("prev", rtl=False)) < 100
    assert difference(image("prev", rtl=True), image("prev", rtl=False)) > 5000
    assert image("calendar", rtl=True) == image("calendar", rtl=False)


def test_arabic_installs_qts_own_translations_for_built_in_dialogs(qapp) -> None:
    i18n.set_ui_language("ar")
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "&نعم"  # from Qt's qtbase_ar
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "إلغاء"  # neutral, not Qt's "ألغِ"
    i18n.set_ui_language("en")
    assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "&Yes"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    i18n.set_ui_language("ar")


def test_every_shell_string_has_an_arabic_translation() -> None:
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    catalog = read_po_file(ROOT / "translations/ar/LC_MESSAGES/desk_shell.po", "ar", strict=True)
    missing = []
    for module in SHELL_MODULES:
        path = ROOT / "salon_desk" / "ui" / f"{module}.py"
        for _line, message, _comments, _context in extract_from_file("python", str(path), keywords=keywords):
            msgid = message[0] if isinstance(message, tuple) else message
            entry = catalog.get(msgid)
            forms = entry.string if entry is not None else None
            if not forms or (isinstance(forms, tuple) and (len(forms) != 6 or not all(forms))):
                missing.append(msgid)
    assert missing == []


def test_screenshot_renders_a_png_without_changing_saved_preferences(
    tmp_path: Path, ui_context: UiContext, ui_settings: QSettings
) -> None:
    out = render_view("settings", "en", tmp_path / "shots" / "settings-en.png", ui_context, size=(1024, 700))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 700)  # also: nothing forces the window wider
    assert ui_settings.value(LANGUAGE_KEY) is None
    assert ui_context.runner.pending == 0


def test_screenshot_refuses_unknown_views(tmp_path: Path, ui_context: UiContext) -> None:
    with pytest.raises(ValueError, match="unknown view"):
        render_view("invoices", "ar", tmp_path / "x.png", ui_context)


@pytest.mark.parametrize(
    ("lang", "digit_style", "thirty"), [("ar", "latn", "30"), ("ar", "arab", "٣٠"), ("en", "arab", "30")]
)
def test_qt_widgets_follow_the_digit_style(qapp, lang: str, digit_style: str, thirty: str) -> None:
    i18n.set_ui_language(lang, digit_style)
    try:
        assert QLocale().toString(30) == thirty
        assert QLocale().language() == (QLocale.Language.Arabic if lang == "ar" else QLocale.Language.English)
    finally:
        i18n.set_ui_language("ar", "latn")
