"""Every user-facing string has an Arabic translation; every .po file parses and agrees on plural rules.

Strings are extracted from the source tree at test time with Babel's extraction API and the keywords in
babel.cfg, then looked up in the merged catalogs exactly as the desk and the cloud load them.
Each failure lists the source location and the msgid, so the owner of the area can fix it.
"""

from __future__ import annotations

import configparser
import string
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg

from salon_desk.l10n import PLURAL_FORMS, is_translated, merged_catalog, read_po_file

REPO = Path(__file__).resolve().parents[2]
BABEL_CFG = REPO / "babel.cfg"
AR_FORMS = 6
# The modules whose strings live in core.po (domain value types, booking rules, l10n labels).
CORE_SOURCES = {
    "salon_desk/domain/booking.py",
    "salon_desk/domain/digits.py",
    "salon_desk/domain/money.py",
    "salon_desk/domain/phone.py",
    "salon_desk/l10n.py",
}


@dataclass(frozen=True)
class Extracted:
    msgid: str
    plural: str | None
    context: str | None
    where: str


def po_files(lang: str) -> list[Path]:
    return sorted((REPO / "translations" / lang / "LC_MESSAGES").glob("*.po"))


def extract_source_messages() -> list[Extracted]:
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(BABEL_CFG))
    # Keywords passed explicitly too, so the test does not depend on Babel >= 2.18 reading them per section.
    raw = configparser.RawConfigParser()
    raw.read(BABEL_CFG, encoding="utf-8")
    keywords = dict(DEFAULT_KEYWORDS)
    for section in raw.sections():
        keywords.update(parse_keywords(raw.get(section, "keywords", fallback="").split()))
    found = []
    for filename, lineno, message, _comments, context in extract_from_dir(
        REPO, method_map, options_map, keywords=keywords
    ):
        msgid, plural = (message, None) if isinstance(message, str) else (message[0], message[1])
        found.append(Extracted(msgid, plural, context, f"{filename}:{lineno}"))
    return found


def untranslated(messages: list[Extracted], lang_files: list[Path]) -> list[str]:
    """One line per msgid without a usable Arabic translation, saying why."""
    merged = merged_catalog("ar", lang_files, strict=True)
    raw = [read_po_file(path, "ar", strict=True) for path in lang_files]
    problems = []
    for item in messages:
        if merged.get(item.msgid, context=item.context) is not None:
            continue
        problems.append(f"{item.where}: {item.msgid!r} -> {_why_missing(item, raw)}")
    return sorted(set(problems))


def _why_missing(item: Extracted, catalogs: list[Catalog]) -> str:
    entries = [m for c in catalogs if (m := c.get(item.msgid, context=item.context)) is not None]
    if not entries:
        return "no entry in any ar .po file"
    entry = entries[0]
    if entry.fuzzy:
        return "marked fuzzy"
    if item.plural is not None:
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not entry.pluralizable:
            return "translated as a singular, but the source is a plural (needs msgid_plural and 6 forms)"
        return f"plural has {sum(1 for f in forms if f)} of {AR_FORMS} forms"
    return "empty msgstr"


@pytest.fixture(scope="module")
def source_messages() -> list[Extracted]:
    messages = extract_source_messages()
    assert messages, "extraction found no strings: is babel.cfg right?"
    return messages


@pytest.mark.parametrize(
    "path", [*po_files("ar"), *po_files("en")], ids=lambda p: f"{p.parent.parent.name}/{p.name}"
)
def test_po_file_parses_and_declares_the_standard_plural_rule(path):
    lang = path.parent.parent.name
    catalog = read_po_file(path, lang, strict=True)
    assert catalog.plural_forms == PLURAL_FORMS[lang], (
        f"{path.relative_to(REPO)}: Plural-Forms must be {PLURAL_FORMS[lang]!r} "
        "(never copy Babel's generated ar rule: it swaps forms 4 and 5, python-babel/babel#816)"
    )


def test_every_user_facing_string_has_an_arabic_translation(source_messages):
    problems = untranslated(source_messages, po_files("ar"))
    assert not problems, f"{len(problems)} untranslated msgid(s):\n" + "\n".join(problems)


def test_core_strings_are_translated_in_core_po(source_messages):
    core = [m for m in source_messages if m.where.rsplit(":", 1)[0] in CORE_SOURCES]
    assert len(core) >= 20
    problems = untranslated(core, [REPO / "translations" / "ar" / "LC_MESSAGES" / "core.po"])
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders_of_their_source():
    problems = []
    for path in [*po_files("ar"), *po_files("en")]:
        lang = path.parent.parent.name
        for message in read_po_file(path, lang, strict=True):
            if message.id and is_translated(message, len(PLURAL_FORMS[lang])):
                problems += [f"{path.name}: {problem}" for problem in _placeholder_problems(message)]
    assert not problems, "\n".join(problems)


def _placeholder_problems(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    source = set().union(*(_fields(text) or set() for text in ids))
    problems = []
    for form in forms:
        fields = _fields(form)
        if fields is None:
            problems.append(f"{ids[0]!r}: unbalanced braces in {form!r}")
        elif fields - source:
            problems.append(f"{ids[0]!r}: unknown placeholder(s) {sorted(fields - source)} in {form!r}")
        elif not message.pluralizable and fields != source:
            problems.append(f"{ids[0]!r}: lost placeholder(s) {sorted(source - fields)} in {form!r}")
    return problems


def _fields(text: str) -> set[str] | None:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def test_one_msgid_has_one_arabic_translation_across_areas():
    """ARABIC.md: one word for one thing. Two areas translating a msgid differently is a conflict."""
    seen: dict[tuple[object, str | None], dict[object, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in po_files("ar"):
        for message in read_po_file(path, "ar", strict=True):
            if message.id and is_translated(message, AR_FORMS):
                seen[(message.id, message.context)][message.string].append(path.name)
    conflicts = [
        f"{msgid!r}: " + "; ".join(f"{files} -> {text!r}" for text, files in versions.items())
        for (msgid, _), versions in seen.items()
        if len(versions) > 1
    ]
    assert not conflicts, "\n".join(conflicts)
