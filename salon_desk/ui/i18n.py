"""The UI's translation entry points, bound to the CURRENT language so run-time switching works.

    from salon_desk.ui.i18n import _, ngettext
    self.title.setText(_("Today"))           # call at render/retranslate time, never at import

`set_ui_language` swaps the Localizer, mirrors the application (RightToLeft for Arabic) and installs Qt's
own `qtbase_<lang>` catalog so built-in dialogs (QMessageBox buttons, QFileDialog) speak the same language.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

log = logging.getLogger(__name__)

RTL_LANGUAGES = frozenset({"ar"})
# Qt widgets (date/time edits, spin boxes) format with the default QLocale, which cannot switch numbering
# systems: ar_SA writes Arabic-Indic digits, ar_AE the same Gregorian month names with Latin digits.
# Neither gives a Saudi week: QCalendarWidget popups set FIRST_DAY_OF_WEEK themselves.
_QT_LOCALES = {
    ("ar", "arab"): QLocale(QLocale.Language.Arabic, QLocale.Country.SaudiArabia),
    ("ar", "latn"): QLocale(QLocale.Language.Arabic, QLocale.Country.UnitedArabEmirates),
    ("en", "latn"): QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
}
FIRST_DAY_OF_WEEK = Qt.DayOfWeek.Sunday  # the Saudi week (ARABIC.md)


# Qt's Arabic catalog labels standard buttons with masculine imperatives ("ألغِ", "احفظ"); ARABIC.md asks for
# neutral noun phrases, so these few take precedence over it.
NEUTRAL_ARABIC_QT_TERMS: dict[tuple[str, str], str] = {
    ("QPlatformTheme", "Cancel"): "إلغاء",
    ("QPlatformTheme", "Close"): "إغلاق",
    ("QPlatformTheme", "Save"): "حفظ",
    ("QPlatformTheme", "Save All"): "حفظ الكل",
    ("QPlatformTheme", "Open"): "فتح",
    ("QPlatformTheme", "Discard"): "تجاهل",
    ("QPlatformTheme", "Don't Save"): "عدم الحفظ",
    ("QPlatformTheme", "Close without Saving"): "إغلاق دون حفظ",
    ("QPlatformTheme", "Apply"): "تطبيق",
    ("QPlatformTheme", "Reset"): "إعادة تعيين",
    ("QPlatformTheme", "Restore Defaults"): "استعادة الإعدادات الافتراضية",
    ("QPlatformTheme", "Abort"): "إيقاف",
    ("QPlatformTheme", "Retry"): "إعادة المحاولة",
    ("QPlatformTheme", "Yes to &All"): "نعم للكل",
    ("QPlatformTheme", "N&o to All"): "لا للكل",
    ("QMessageBox", "Show Details..."): "عرض التفاصيل…",
    ("QMessageBox", "Hide Details..."): "إخفاء التفاصيل…",
}


class _NeutralArabicQtTerms(QTranslator):
    """Consulted before qtbase_ar; returns None (untranslated here) for everything else."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return NEUTRAL_ARABIC_QT_TERMS.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


class _State:
    language = "ar"
    digit_style = "latn"
    localizer: Localizer | None = None
    qt_translators: list[QTranslator] = []


def current_language() -> str:
    return _State.language


def current_digit_style() -> str:
    return _State.digit_style


def is_rtl() -> bool:
    return _State.language in RTL_LANGUAGES


def current_localizer() -> Localizer:
    if _State.localizer is None:
        _State.localizer = _load_localizer(_State.language, _State.digit_style)
    return _State.localizer


def _(message: str) -> str:
    """Translates `message` (English source text) into the current UI language."""
    return current_localizer().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation (Arabic has six forms); format the number yourself with `{n}`."""
    return current_localizer().ngettext(singular, plural, n)


def set_ui_language(lang: str, digit_style: str = "latn") -> Localizer:
    """Makes `lang` the UI language. With a running Q(Gui)Application it also sets the layout direction, the
    default QLocale and Qt's own translations. Does not emit events: UiContext.set_language does."""
    _State.language, _State.digit_style = lang, digit_style
    _State.localizer = _load_localizer(lang, digit_style)
    _apply_to_qt(lang, digit_style)
    return _State.localizer


def _load_localizer(lang: str, digit_style: str) -> Localizer:
    from salon_desk.l10n import get_localizer

    return get_localizer(lang, digit_style)


def qt_locale(lang: str, digit_style: str) -> QLocale:
    """The QLocale for Qt's own widgets in this language and digit style (English always uses Latin)."""
    return _QT_LOCALES.get((lang, digit_style if lang == "ar" else "latn"), QLocale.c())


def _apply_to_qt(lang: str, digit_style: str) -> None:
    QLocale.setDefault(qt_locale(lang, digit_style))
    app = QCoreApplication.instance()
    if app is None:
        return
    _install_qt_translator(app, lang)
    if isinstance(app, QGuiApplication):
        direction = (
            Qt.LayoutDirection.RightToLeft if lang in RTL_LANGUAGES else Qt.LayoutDirection.LeftToRight
        )
        QGuiApplication.setLayoutDirection(direction)


def _install_qt_translator(app: Any, lang: str) -> None:
    for old in _State.qt_translators:
        app.removeTranslator(old)
    _State.qt_translators = []
    if lang == "en":
        return  # Qt's source strings are English
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(translator)
        _State.qt_translators.append(translator)
    else:
        log.warning("Qt's own translations qtbase_%s were not found in %s", lang, folder)
    if lang == "ar":
        overlay = _NeutralArabicQtTerms(app)
        app.installTranslator(overlay)  # installed last = consulted first
        _State.qt_translators.append(overlay)
