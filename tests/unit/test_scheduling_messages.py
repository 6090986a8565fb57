"""Every scheduling error code has an English template and a real Arabic translation with the same fields."""

import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from salon_desk.domain.scheduling import MESSAGES

ROOT = Path(__file__).resolve().parents[2]


def catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "scheduling.po", "rb") as po:
        return read_po(po, locale=language)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_documented_codes_exist():
    assert {"schedule.overlap", "schedule.outside_availability"} <= MESSAGES.keys()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_message_is_translated_to_arabic_with_the_same_placeholders(code):
    english = MESSAGES[code]
    arabic = catalog("ar").get(english)
    assert arabic is not None and arabic.string, f"{code} has no Arabic translation"
    assert fields(arabic.string) == fields(english)
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic.string)
    assert catalog("en").get(english) is not None


def test_the_overlap_message_uses_the_agreed_term():
    assert "تعارض في المواعيد" in catalog("ar").get(MESSAGES["schedule.overlap"]).string


def test_no_stale_entries():
    for language in ("ar", "en"):
        assert {m.id for m in catalog(language) if m.id} == set(MESSAGES.values())
