"""Qt locales for date and time pickers that agree with the Localizer's language and digit style."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer


def date_locale(l10n: Localizer) -> QLocale:
    """Qt's locale for the date picker: Arabic month names, with Latin digits unless the salon wants
    Arabic-Indic ones (Qt's Arabic locale alone always shows Arabic-Indic digits)."""
    if l10n.lang != "ar":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    if l10n.digit_style == "arab":
        return QLocale(QLocale.Language.Arabic, QLocale.Country.SaudiArabia)
    return QLocale(
        QLocale.Language.Arabic, QLocale.Country.UnitedArabEmirates
    )  # Gulf month names, Latin digits
