"""A service category as people read it: a standard one (`domain.catalogue.STANDARD_CATEGORIES`, stored by
key) in the UI language, any other exactly as the salon typed it.

    category_label("hair")            # "الشعر" in Arabic, "Hair" in English
    category_key("Hair") == "hair"    # what the editor stores for a label typed or picked in either language
"""

from __future__ import annotations

from salon_desk.domain.catalogue import STANDARD_CATEGORIES
from salon_desk.ui.i18n import _

LANGUAGES = ("ar", "en")


def category_label(category: str) -> str:
    name = STANDARD_CATEGORIES.get(category)
    return _(name) if name else category


def category_key(text: str) -> str:
    """The stored value for `text`: a standard category's key when `text` is its key or its label in Arabic
    or English (any case), else `text` itself, trimmed."""
    from salon_desk.l10n import get_localizer  # Babel loads after the shell paints (as in ui.i18n)

    text = " ".join(text.split())
    folded = text.casefold()
    for key, name in STANDARD_CATEGORIES.items():
        labels = {key, name, *(get_localizer(lang).gettext(name) for lang in LANGUAGES)}
        if folded in {label.casefold() for label in labels}:
            return key
    return text
