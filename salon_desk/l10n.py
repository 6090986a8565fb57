"""The one place that translates and formats for people: catalogs, money, dates, Hijri, phones.

Catalogs: every `translations/<lang>/LC_MESSAGES/*.po` (one file per area) is merged into one catalog
per language. A compiled `salon.mo` (see `compile_catalogs`) is used when it is newer than the .po
files; otherwise the .po files are parsed in memory, so a source checkout works without a build step.

This module imports only Babel and the pure domain at import time (phonenumbers and hijridate are
imported where used), so a build hook can call `compile_catalogs` with nothing but Babel installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gettext
import io
import logging
import os
import re
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from salon_desk.domain.booking import BookingStatus, Role
from salon_desk.domain.digits import DIGIT_STYLES, apply_digit_style
from salon_desk.domain.errors import DomainError, ValidationError
from salon_desk.domain.i18n import N_

log = logging.getLogger(__name__)

LANGUAGES = ("ar", "en")
BABEL_LOCALES = {"ar": "ar_SA", "en": "en"}
DEFAULT_TZ = "Asia/Riyadh"
CURRENCY = "SAR"
CATALOG_DOMAIN = "salon"
# The gettext-standard rules every .po file declares. Babel's own table swaps Arabic forms 4 and 5
# (python-babel/babel#816), so the merged catalog never takes its plural rule from Babel.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "en": "nplurals=2; plural=(n != 1);",
}
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

GENERIC_ERROR = N_("The action could not be completed (error code {code}).")
# Joins the clauses of a list parameter (e.g. everything in the way of a booking, domain.scheduling.obstacles).
CLAUSE_SEPARATOR = N_(", ")
STATUS_LABELS: dict[str, str] = {
    BookingStatus.REQUESTED: N_("Requested"),
    BookingStatus.CONFIRMED: N_("Confirmed"),
    BookingStatus.CHECKED_IN: N_("Checked in"),
    BookingStatus.IN_SERVICE: N_("In service"),
    BookingStatus.COMPLETED: N_("Completed"),
    BookingStatus.CANCELLED: N_("Cancelled"),
    BookingStatus.NO_SHOW: N_("No-show"),
    BookingStatus.NEEDS_ATTENTION: N_("Needs attention"),
}
ROLE_LABELS: dict[str, str] = {
    Role.RECEPTIONIST: N_("Receptionist"),
    Role.MANAGER: N_("Manager"),
    Role.OWNER: N_("Owner"),
    Role.CUSTOMER: N_("Customer"),
    Role.SYSTEM: N_("System"),
}

_PACKAGE_DIR = Path(__file__).resolve().parent
_COMPILED_NAME = f"{CATALOG_DOMAIN}.mo"


# ---------------------------------------------------------------- catalogs


def translation_roots() -> list[Path]:
    """Existing `translations` folders in lookup order: frozen bundle, installed package data, source tree."""
    candidates = []
    if bundle := getattr(sys, "_MEIPASS", None):
        candidates.append(Path(bundle) / "translations")
    candidates += [_PACKAGE_DIR / "_data" / "translations", _PACKAGE_DIR.parent / "translations"]
    return [path for path in candidates if path.is_dir()]


def source_po_files(lang: str, roots: Sequence[Path] | None = None) -> list[Path]:
    """The .po files of `lang` from the first translations folder that has any, sorted by name."""
    for root in translation_roots() if roots is None else roots:
        if files := sorted((root / lang / "LC_MESSAGES").glob("*.po")):
            return files
    return []


def compiled_catalog(lang: str, roots: Sequence[Path] | None = None) -> Path | None:
    for root in translation_roots() if roots is None else roots:
        if (path := root / lang / "LC_MESSAGES" / _COMPILED_NAME).is_file():
            return path
    return None


def read_po_file(path: Path, lang: str, *, strict: bool = False) -> Catalog:
    """One .po file. strict=True raises on malformed lines (tests, compile); otherwise they are skipped."""
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=lang, abort_invalid=strict)


def is_translated(message: Message, nplurals: int) -> bool:
    """A usable translation: not fuzzy, non-empty, and with every plural form when it is a plural."""
    if message.fuzzy or not message.string:
        return False
    if message.pluralizable:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        return len(forms) == nplurals and all(forms)
    return isinstance(message.string, str)


def merged_catalog(lang: str, po_files: Sequence[Path] | None = None, *, strict: bool = False) -> Catalog:
    """All translated messages of `lang`; when two files translate one msgid, the first file wins."""
    merged = Catalog(locale=lang, domain=CATALOG_DOMAIN, project="salon-desk", fuzzy=False)
    merged.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
    for path in source_po_files(lang) if po_files is None else po_files:
        try:
            catalog = read_po_file(path, lang, strict=strict)
        except Exception:
            if strict:
                raise
            log.exception("skipping unreadable translation file %s", path)
            continue
        for message in catalog:
            if not message.id or not is_translated(message, merged.num_plurals):
                continue  # the header, or nothing usable: gettext falls back to the English source
            if merged.get(message.id, context=message.context) is None:
                merged.add(message.id, message.string, context=message.context)
    return merged


def load_translations(lang: str, roots: Sequence[Path] | None = None) -> gettext.NullTranslations:
    """The compiled catalog when it is at least as new as every .po file, else the .po files merged."""
    po_files = source_po_files(lang, roots)
    compiled = compiled_catalog(lang, roots)
    if compiled and all(compiled.stat().st_mtime >= po.stat().st_mtime for po in po_files):
        with compiled.open("rb") as fileobj:
            return gettext.GNUTranslations(fileobj)
    if po_files:
        return catalog_translations(merged_catalog(lang, po_files))
    log.warning("no translations found for %s; showing English source text", lang)
    return gettext.NullTranslations()


def compile_catalogs(out_dir: Path | str | None = None, *, roots: Sequence[Path] | None = None) -> list[Path]:
    """Writes one merged `<out_dir>/<lang>/LC_MESSAGES/salon.mo` per language; fails on a broken .po.

    out_dir defaults to the package's `_data/translations` (ship it as package data).
    """
    root = Path(out_dir) if out_dir is not None else _PACKAGE_DIR / "_data" / "translations"
    written = []
    for lang in LANGUAGES:
        po_files = source_po_files(lang, roots)
        if not po_files:
            raise FileNotFoundError(f"no .po files for {lang!r} in {translation_roots()}")
        target = root / lang / "LC_MESSAGES" / _COMPILED_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".mo.partial")
        with partial.open("wb") as fileobj:
            write_mo(fileobj, merged_catalog(lang, po_files, strict=True))
        os.replace(partial, target)  # a running desk never reads a half-written catalog
        written.append(target)
    reload_translations()
    return written


def reload_translations() -> None:
    """Forget loaded catalogs and localizers (after compiling, or in tests)."""
    _cached_translations.cache_clear()
    get_localizer.cache_clear()


def catalog_translations(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _cached_translations(lang: str) -> gettext.NullTranslations:
    return load_translations(lang)


def _message_templates() -> Mapping[str, str | tuple[str, str]]:
    # Imported here: the domain's message table pulls in phonenumbers (see the module docstring).
    from salon_desk.domain.messages import all_messages

    return all_messages()


# ---------------------------------------------------------------- localizer


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Localizer:
    """Translation and formatting for one language and digit style. Get one with `get_localizer`."""

    def __init__(
        self,
        lang: str = "ar",
        digit_style: str = "latn",
        translations: gettext.NullTranslations | None = None,
    ) -> None:
        if lang not in LANGUAGES or digit_style not in DIGIT_STYLES:
            raise ValueError(f"unsupported language/digit style {lang!r}/{digit_style!r}")
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        # The digit style is a salon setting for the Arabic screens; English always shows Latin digits.
        self.digit_style = digit_style if lang == "ar" else "latn"
        self.is_rtl = self.locale.character_order == "right-to-left"
        self._translations = translations if translations is not None else _cached_translations(lang)

    # -- text

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def message(self, code: str, params: Mapping[str, Any] | None = None) -> str:
        """The translated sentence for an error code; unknown codes get a generic sentence naming the code.

        Plural templates (Np_) take their count from the `count` parameter.
        """
        params = dict(params or {})
        template = _message_templates().get(code)
        if template is None:
            return self._fill(self.gettext(GENERIC_ERROR), {"code": code})
        if isinstance(template, tuple):
            text = self.ngettext(template[0], template[1], int(params.get("count", 0)))
        else:
            text = self.gettext(template)
        return self._fill(text, params)

    def error(self, exc: DomainError) -> str:
        return self.message(exc.code, exc.params)

    def status_label(self, status: BookingStatus | str) -> str:
        label = STATUS_LABELS.get(str(status))
        return self.gettext(label) if label else str(status)

    def role_label(self, role: Role | str) -> str:
        label = ROLE_LABELS.get(str(role))
        return self.gettext(label) if label else str(role)

    def isolate(self, text: str) -> str:
        """FSI…PDI: a name or other free text keeps its own direction inside a sentence."""
        return f"{FSI}{text}{PDI}"

    def phone(self, e164: str | None) -> str:
        """National form (`050 123 4567`) in LRI…PDI, so it stays left-to-right inside Arabic."""
        from salon_desk.domain.phone import format_national

        if not e164:
            return ""
        try:
            text = format_national(e164)
        except ValidationError:
            text = e164
        return f"{LRI}{self._digits(text)}{PDI}"

    # -- numbers

    def money(self, halalas: int) -> str:
        """Babel's SAR format for the locale, from integer halalas ("SAR 150.00", "150.00 ر.س.")."""
        if type(halalas) is not int:
            raise TypeError(f"money is integer halalas, got {type(halalas).__name__}")
        amount = Decimal(halalas).scaleb(-2)
        text = format_currency(amount, CURRENCY, locale=self.locale, numbering_system=self._numbering)
        return self._digits(_space_after_currency_code(text))

    def number(self, n: int | Decimal) -> str:
        return self._digits(format_decimal(n, locale=self.locale, numbering_system=self._numbering))

    # -- dates and times (instants are tz-aware UTC; shown in the salon's time zone)

    def to_local(self, instant: dt.datetime, tz: str | dt.tzinfo = DEFAULT_TZ) -> dt.datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("instants must be tz-aware (UTC); got a naive datetime")
        return instant.astimezone(_zone(tz))

    def date(self, day: dt.date, style: str = "medium", tz: str | dt.tzinfo = DEFAULT_TZ) -> str:
        """style: short | medium | long | full, or a CLDR pattern. An instant is first moved into `tz`."""
        return self._digits(format_date(self._local_date(day, tz), style, locale=self.locale))

    def weekday(self, day: dt.date, tz: str | dt.tzinfo = DEFAULT_TZ) -> str:
        return format_date(self._local_date(day, tz), "EEEE", locale=self.locale)

    def time(self, instant: dt.datetime, tz: str | dt.tzinfo = DEFAULT_TZ, style: str = "short") -> str:
        local = self.to_local(instant, tz)
        return self._digits(format_time(local, style, tzinfo=local.tzinfo, locale=self.locale))

    def datetime(self, instant: dt.datetime, tz: str | dt.tzinfo = DEFAULT_TZ, style: str = "short") -> str:
        local = self.to_local(instant, tz)
        return self._digits(format_datetime(local, style, tzinfo=local.tzinfo, locale=self.locale))

    def hijri(self, day: dt.date, tz: str | dt.tzinfo = DEFAULT_TZ) -> str:
        """Umm al-Qura date, e.g. "3 جمادى الآخرة 1448 هـ"; "" outside hijridate's 1924–2077 range."""
        from hijridate import Gregorian

        local = self._local_date(day, tz)
        try:
            hijri = Gregorian(local.year, local.month, local.day).to_hijri()
        except OverflowError:
            return ""
        language: Literal["ar", "en"] = "ar" if self.lang == "ar" else "en"
        text = f"{hijri.day} {hijri.month_name(language)} {hijri.year} {hijri.notation(language)}"
        return self._digits(text)

    # -- helpers

    @property
    def _numbering(self) -> str:
        return "arab" if self.digit_style == "arab" else "latn"

    def _digits(self, text: str) -> str:
        return apply_digit_style(text, self.digit_style)

    def _local_date(self, day: dt.date, tz: str | dt.tzinfo) -> dt.date:
        return self.to_local(day, tz).date() if isinstance(day, dt.datetime) else day

    def _fill(self, text: str, params: Mapping[str, Any]) -> str:
        # Names travel in both languages (e.g. staff / staff_ar): the Arabic UI shows the Arabic one.
        localized = {key: params.get(f"{key}_{self.lang}", value) for key, value in params.items()}
        values = _KeepMissing({key: self._param(key, value) for key, value in localized.items()})
        try:
            return self._digits(text).format_map(values)
        except (ValueError, IndexError, AttributeError, KeyError):
            log.warning("translation with broken placeholders: %r", text)
            return text

    def _param(self, key: str, value: Any) -> str:
        """How a parameter appears inside a sentence, chosen by its name and type."""
        if key.endswith("status") and str(value) in STATUS_LABELS:
            return self.status_label(value)
        if key.endswith("role") and str(value) in ROLE_LABELS:
            return self.role_label(value)
        if key == "permission":  # domain.permissions: "change staff", "refund a payment", ...
            from salon_desk.domain.permissions import PERMISSION_NAMES, Permission

            phrase = PERMISSION_NAMES.get(Permission(value)) if value in set(Permission) else None
            return self.gettext(phrase) if phrase else str(value)
        if key.endswith("phone") and isinstance(value, str):
            return self.phone(value)
        if key.endswith("halalas") and type(value) is int:
            return self.isolate(self.money(value))
        if isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) and "code" in v for v in value):
            # A list of clauses, each its own message: "Noura is with Hind 10:00–11:00, then on a break …".
            return self.gettext(CLAUSE_SEPARATOR).join(self.message(str(v["code"]), v) for v in value)
        if isinstance(value, dt.datetime) and key.endswith("_time"):
            return self.isolate(self.time(value))
        if isinstance(value, dt.datetime):
            return self.isolate(self.datetime(value))
        if isinstance(value, dt.date):
            return self.isolate(self.date(value))
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return self.number(value)
        return self.isolate(str(value))


@cache
def get_localizer(lang: str = "ar", digit_style: str = "latn") -> Localizer:
    return Localizer(lang, digit_style)


@cache
def _zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


# CLDR inserts a no-break space between a letter currency code and the digits ("SAR 150.00");
# Babel does not implement that spacing rule, so it is applied here.
_CODE_BEFORE_DIGIT = re.compile(r"([A-Z]{3})(?=[0-9])")


def _space_after_currency_code(text: str) -> str:
    return _CODE_BEFORE_DIGIT.sub("\\1\u00a0", text)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m salon_desk.l10n", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compile_cmd = commands.add_parser("compile", help="merge each language's .po files into salon.mo")
    compile_cmd.add_argument("--out", type=Path, default=None, help="output translations folder")
    args = parser.parse_args(argv)
    for path in compile_catalogs(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
