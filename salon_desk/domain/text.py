"""Folding text for search: what a receptionist types should find the name however it was spelled."""

from __future__ import annotations

import unicodedata

from .digits import normalize_digits

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None})


def fold_for_search(text: str) -> str:
    """Lower-case, drop diacritics (harakat and Latin accents) and tatweel, unify alef/teh marbuta/yeh forms,
    normalise digits and collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", normalize_digits(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.translate(_ARABIC_FOLD).casefold().split())
