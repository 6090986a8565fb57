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
_QT_LOCALES = {
    "ar": QLocale(QLocale.Language.Arabic, QLocale.Country.SaudiArabia),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
}


class _State:
    language = "ar"
    digit_style = "latn"
    localizer: Localizer | None = None
    qt_translator: QTranslator | None = None


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
    _apply_to_qt(lang)
    return _State.localizer


def _load_localizer(lang: str, digit_style: str) -> Localizer:
    from salon_desk.l10n import get_localizer

    return get_localizer(lang, digit_style)


def _apply_to_qt(lang: str) -> None:
    QLocale.setDefault(_QT_LOCALES.get(lang, QLocale.c()))
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
    if _State.qt_translator is not None:
        app.removeTranslator(_State.qt_translator)
        _State.qt_translator = None
    if lang == "en":
        return  # Qt's source strings are English
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(translator)
        _State.qt_translator = translator
    else:
        log.warning("Qt's own translations qtbase_%s were not found in %s", lang, folder)
