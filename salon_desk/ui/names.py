"""The one way the desk picks a name in the UI language: Arabic in Arabic when there is one, else English
(and the other language when the chosen one is empty)."""

from __future__ import annotations

from typing import Protocol


class Bilingual(Protocol):
    """Anything named in both languages (staff, services, people in conflict cards)."""

    @property
    def name_ar(self) -> str: ...

    @property
    def name_en(self) -> str: ...


def local_name(name_ar: str, name_en: str, lang: str) -> str:
    if lang == "ar":
        return name_ar or name_en
    return name_en or name_ar


def name_in(thing: Bilingual | None, lang: str, missing: str = "") -> str:
    """`thing`'s name in `lang`; `missing` when there is no thing."""
    return missing if thing is None else local_name(thing.name_ar, thing.name_en, lang)
