"""Every string the calendar marks for translation has a real Arabic translation in desk_calendar.po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Np_": (1, 2)}


def extracted() -> set[str]:
    found = extract_from_dir(ROOT / "salon_desk" / "ui" / "calendar", keywords=KEYWORDS, comment_tags=())
    return {message if isinstance(message, str) else message[0] for _file, _line, message, _c, _ctx in found}


def test_every_calendar_string_has_an_arabic_translation():
    with (ROOT / "translations" / "ar" / "LC_MESSAGES" / "desk_calendar.po").open("rb") as fileobj:
        catalog = read_po(fileobj, locale="ar", abort_invalid=True)
    messages = extracted()
    assert len(messages) > 40
    for msgid in messages:
        entry = catalog.get(msgid)
        assert entry is not None, f"no Arabic entry for {msgid!r}"
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(forms) and not entry.fuzzy, f"untranslated: {msgid!r}"
        if isinstance(entry.string, tuple):
            assert len(forms) == 6, f"Arabic needs six plural forms: {msgid!r}"
        for form in forms:
            for placeholder in ("{name}", "{n}"):
                if placeholder in msgid and form not in (
                    "لا زيارات",
                    "زيارة واحدة",
                    "زيارتان",
                    "دقيقة واحدة",
                    "دقيقتان",
                ):
                    assert placeholder in form, f"{placeholder} lost in the translation of {msgid!r}"


def test_english_catalog_lists_the_same_messages():
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "desk_calendar.po").open("rb") as fileobj:
        catalog = read_po(fileobj, locale="en", abort_invalid=True)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id} == extracted()
