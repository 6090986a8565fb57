import datetime as dt
import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import PoFileError
from hypothesis import given
from hypothesis import strategies as st

from salon_desk import l10n
from salon_desk.domain.booking import BookingStatus, Role
from salon_desk.domain.errors import Conflict, DomainError, ValidationError
from salon_desk.domain.money import parse_amount
from salon_desk.l10n import (
    PLURAL_FORMS,
    Localizer,
    catalog_translations,
    compile_catalogs,
    get_localizer,
    load_translations,
    merged_catalog,
    translation_roots,
)

REPO = Path(__file__).resolve().parents[2]
RLM, NBSP, LRI, FSI, PDI = "\u200f", "\xa0", "\u2066", "\u2068", "\u2069"
FRIDAY = dt.date(2026, 3, 20)
AFTERNOON_UTC = dt.datetime(2026, 3, 20, 11, 5, tzinfo=dt.UTC)  # 14:05 in Riyadh

AR, AR_ARAB, EN = get_localizer("ar", "latn"), get_localizer("ar", "arab"), get_localizer("en")


def test_direction_and_factory():
    assert AR.is_rtl and not EN.is_rtl
    assert get_localizer("ar", "arab") is AR_ARAB
    assert get_localizer("en", "arab").digit_style == "latn"  # English screens always show Latin digits
    with pytest.raises(ValueError):
        get_localizer("fr")
    with pytest.raises(ValueError):
        Localizer("ar", "roman")


@pytest.mark.parametrize(
    ("loc", "halalas", "shown"),
    [
        (AR, 15000, f"{RLM}150.00{NBSP}ر.س.{RLM}"),
        (AR, 150050, f"{RLM}1,500.50{NBSP}ر.س.{RLM}"),
        (AR, -1500, f"{RLM}-15.00{NBSP}ر.س.{RLM}"),
        (AR_ARAB, 15000, f"{RLM}١٥٠٫٠٠{NBSP}ر.س.{RLM}"),
        (AR_ARAB, 150050, f"{RLM}١٬٥٠٠٫٥٠{NBSP}ر.س.{RLM}"),
        (EN, 15000, f"SAR{NBSP}150.00"),  # CLDR's currency spacing, which Babel leaves out
        (EN, 123456789, f"SAR{NBSP}1,234,567.89"),
        (EN, 0, f"SAR{NBSP}0.00"),
    ],
)
def test_money(loc, halalas, shown):
    assert loc.money(halalas) == shown


def test_money_is_integer_halalas_only():
    for bad in (150.0, True, "150"):
        with pytest.raises(TypeError):
            AR.money(bad)


@given(st.integers(min_value=0, max_value=10**9))
def test_formatted_money_parses_back(halalas):
    for loc in (AR, AR_ARAB, EN):
        assert parse_amount(loc.money(halalas)) == halalas


def test_numbers():
    assert AR.number(1234567) == "1,234,567"
    assert AR_ARAB.number(1234567) == "١٬٢٣٤٬٥٦٧"
    assert EN.number(1234567) == "1,234,567"


@pytest.mark.parametrize(
    ("loc", "style", "shown"),
    [
        (AR, "short", f"20{RLM}/3{RLM}/2026"),
        (AR, "medium", f"20{RLM}/03{RLM}/2026"),
        (AR, "long", "20 مارس 2026"),
        (AR, "full", "الجمعة، 20 مارس 2026"),
        (AR_ARAB, "short", f"٢٠{RLM}/٣{RLM}/٢٠٢٦"),
        (AR_ARAB, "full", "الجمعة، ٢٠ مارس ٢٠٢٦"),
        (EN, "short", "3/20/26"),
        (EN, "medium", "Mar 20, 2026"),
        (EN, "full", "Friday, March 20, 2026"),
    ],
)
def test_dates(loc, style, shown):
    assert loc.date(FRIDAY, style) == shown


def test_times_are_shown_in_the_salon_time_zone():
    assert AR.time(AFTERNOON_UTC) == "2:05 م"
    assert AR_ARAB.time(AFTERNOON_UTC) == "٢:٠٥ م"
    assert EN.time(AFTERNOON_UTC) == "2:05\u202fPM"
    assert AR.datetime(AFTERNOON_UTC) == f"20{RLM}/3{RLM}/2026، 2:05 م"
    assert EN.datetime(AFTERNOON_UTC) == "3/20/26, 2:05\u202fPM"
    assert EN.time(AFTERNOON_UTC, tz="UTC") == "11:05\u202fAM"


def test_an_instant_late_in_utc_is_the_next_day_in_riyadh():
    late = dt.datetime(2026, 3, 20, 22, 30, tzinfo=dt.UTC)  # 01:30 on Saturday in Riyadh
    assert AR.to_local(late) == dt.datetime(2026, 3, 21, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert EN.date(late, "medium") == "Mar 21, 2026"
    assert EN.weekday(late) == "Saturday"
    assert AR.weekday(FRIDAY) == "الجمعة"


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        AR.time(dt.datetime(2026, 3, 20, 14, 5))


@pytest.mark.parametrize(
    ("day", "ar", "en"),
    [
        (dt.date(2026, 3, 20), "1 شوال 1447 هـ", "1 Shawwal 1447 AH"),  # Eid al-Fitr 1447
        (dt.date(2026, 5, 27), "10 ذو الحجة 1447 هـ", "10 Dhu al-Hijjah 1447 AH"),  # Eid al-Adha 1447
        (dt.date(2026, 11, 13), "3 جمادى الآخرة 1448 هـ", "3 Jumada al-Akhirah 1448 AH"),
    ],
)
def test_hijri_umm_al_qura(day, ar, en):
    assert AR.hijri(day) == ar
    assert EN.hijri(day) == en


def test_hijri_digit_style_instants_and_range():
    assert AR_ARAB.hijri(dt.date(2026, 11, 13)) == "٣ جمادى الآخرة ١٤٤٨ هـ"
    assert EN.hijri(dt.datetime(2026, 3, 19, 21, 0, tzinfo=dt.UTC)) == "1 Shawwal 1447 AH"  # 00:00 Riyadh
    assert AR.hijri(dt.date(1900, 1, 1)) == ""  # outside Umm al-Qura tables (1924–2077)


def test_phone_and_isolates():
    assert AR.phone("+966501234567") == f"{LRI}050 123 4567{PDI}"
    assert AR_ARAB.phone("+966501234567") == f"{LRI}٠٥٠ ١٢٣ ٤٥٦٧{PDI}"
    assert AR.phone(None) == "" and AR.phone("garbage") == f"{LRI}garbage{PDI}"
    assert AR.isolate("Noura") == f"{FSI}Noura{PDI}"


def test_translations_come_from_the_catalogs():
    assert AR.gettext("Confirmed") == "مؤكد"
    assert AR._("Confirmed") == "مؤكد"
    assert EN.gettext("Confirmed") == "Confirmed"
    assert AR.gettext("A string nobody translated") == "A string nobody translated"


def test_status_and_role_labels_use_the_arabic_terms():
    assert AR.status_label(BookingStatus.REQUESTED) == "بانتظار التأكيد"
    assert AR.status_label("no_show") == "لم يحضر"
    assert AR.role_label(Role.RECEPTIONIST) == "موظف الاستقبال"
    assert EN.status_label("in_service") == "In service"
    assert AR.status_label("unheard_of") == "unheard_of"
    for status in BookingStatus:
        assert AR.status_label(status) != EN.status_label(status)
    for role in Role:
        assert AR.role_label(role) != EN.role_label(role)


def test_error_messages_are_translated_with_their_parameters():
    refused = Conflict("booking.transition_refused", from_status="requested", to_status="completed")
    assert AR.error(refused) == "لا يمكن تحويل حجز حالته «بانتظار التأكيد» إلى «مكتمل»."
    assert EN.error(refused) == "A booking that is “Requested” cannot become “Completed”."
    too_large = ValidationError("money.too_large", max_halalas=10**9)
    assert (
        AR_ARAB.error(too_large)
        == f"المبلغ كبير جدًا؛ الحد الأقصى {FSI}{RLM}١٠٬٠٠٠٬٠٠٠٫٠٠{NBSP}ر.س.{RLM}{PDI}."
    )
    assert AR_ARAB.message("phone.invalid") == "رقم الجوال غير صحيح. مثال: ٠٥٠١٢٣٤٥٦٧."


def test_unknown_codes_get_the_generic_message_and_missing_params_stay_visible():
    assert (
        AR.error(DomainError("cloud.gremlins"))
        == f"تعذّر إتمام العملية (رمز الخطأ: {FSI}cloud.gremlins{PDI})."
    )
    assert EN.message("money.too_large") == "The amount is too large; the maximum is {max_halalas}."


def test_plural_templates_take_their_count(monkeypatch, tmp_path):
    monkeypatch.setattr(
        l10n, "_message_templates", lambda: {"x.left": ("{count} try left", "{count} tries left")}
    )
    assert EN.message("x.left", {"count": 1}) == "1 try left"
    assert EN.message("x.left", {"count": 3}) == "3 tries left"


AR_HEADER = f'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Plural-Forms: {PLURAL_FORMS["ar"]}\\n"\n\n'
FORMS = ["لا حجوزات", "حجز واحد", "حجزان", "{n} حجوزات", "{n} حجزًا", "{n} حجز"]


def write_po(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(AR_HEADER + body, encoding="utf-8")
    return path


def plural_entry(msgid: str, plural: str, forms: list[str]) -> str:
    lines = [f'msgid "{msgid}"', f'msgid_plural "{plural}"']
    lines += [f'msgstr[{i}] "{form}"' for i, form in enumerate(forms)]
    return "\n".join(lines) + "\n\n"


@pytest.fixture
def area_files(tmp_path):
    folder = tmp_path / "translations" / "ar" / "LC_MESSAGES"
    first = write_po(
        folder,
        "a_booking.po",
        plural_entry("{n} booking", "{n} bookings", FORMS)
        + 'msgid "Save"\nmsgstr "حفظ"\n\n'
        + '#, fuzzy\nmsgid "Draft"\nmsgstr "مسودة"\n\n'
        + plural_entry("{n} day", "{n} days", ["", "يوم", "", "", "", ""]),
    )
    second = write_po(
        folder, "b_settings.po", 'msgid "Save"\nmsgstr "احفظ"\n\nmsgid "Close"\nmsgstr "إغلاق"\n'
    )
    return tmp_path / "translations", [first, second]


def test_area_files_merge_into_one_catalog_with_six_arabic_plural_forms(area_files):
    _, files = area_files
    loc = Localizer("ar", translations=catalog_translations(merged_catalog("ar", files)))
    expected = {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 101: 5, 102: 5, 103: 3, 111: 4, 1000: 5}
    for n, form in expected.items():
        assert loc.ngettext("{n} booking", "{n} bookings", n) == FORMS[form], n
    assert loc.gettext("Save") == "حفظ"  # the first file (by name) wins a duplicate
    assert loc.gettext("Close") == "إغلاق"
    assert loc.gettext("Draft") == "Draft"  # fuzzy entries are not used
    assert loc.ngettext("{n} day", "{n} days", 5) == "{n} days"  # incomplete plurals fall back to English


def test_a_broken_po_file_is_skipped_at_run_time_and_fatal_when_strict(area_files):
    root, files = area_files
    broken = write_po(
        root / "ar" / "LC_MESSAGES", "c_broken.po", 'msgid "Open"\nmsgstr "فتح"\nthis is not po\n'
    )
    assert merged_catalog("ar", files + [broken]).get("Save") is not None
    with pytest.raises(PoFileError):
        merged_catalog("ar", files + [broken], strict=True)


def test_compiled_catalog_is_used_only_while_it_is_newer_than_the_po_files(area_files, tmp_path):
    root, files = area_files
    compiled_root = tmp_path / "compiled"
    mo = compiled_root / "ar" / "LC_MESSAGES" / "salon.mo"
    mo.parent.mkdir(parents=True)
    write_po(tmp_path / "other", "x.po", 'msgid "Save"\nmsgstr "حفظ من الملف المترجم"\n')
    mo.write_bytes(_mo_bytes(merged_catalog("ar", [tmp_path / "other" / "x.po"])))
    roots = [compiled_root, root]
    os.utime(mo, (2_000_000_000, 2_000_000_000))
    assert load_translations("ar", roots).gettext("Save") == "حفظ من الملف المترجم"
    os.utime(mo, (1_000_000_000, 1_000_000_000))  # a .po edited after compiling wins
    assert load_translations("ar", roots).gettext("Save") == "حفظ"
    assert isinstance(load_translations("ar", [tmp_path / "nowhere"]), gettext.NullTranslations)


def _mo_bytes(catalog) -> bytes:
    import io

    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def test_compile_catalogs_writes_one_merged_mo_per_language(tmp_path):
    written = compile_catalogs(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "ar/LC_MESSAGES/salon.mo",
        "en/LC_MESSAGES/salon.mo",
    ]
    with (tmp_path / "ar" / "LC_MESSAGES" / "salon.mo").open("rb") as fileobj:
        ar = gettext.GNUTranslations(fileobj)
    assert ar.gettext("Confirmed") == "مؤكد"
    assert ar.info()["plural-forms"] == PLURAL_FORMS["ar"]


def test_compile_command_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "salon_desk.l10n", "compile", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "en" / "LC_MESSAGES" / "salon.mo").is_file()


def test_source_tree_translations_are_found():
    assert REPO / "translations" in translation_roots()


def test_compiling_needs_only_babel(tmp_path):
    """A build hook runs with just setuptools and Babel: l10n must import without phonenumbers/hijridate."""
    script = (
        "import sys; sys.modules['phonenumbers'] = None; sys.modules['hijridate'] = None\n"
        "from salon_desk.l10n import compile_catalogs\n"
        f"compile_catalogs({str(tmp_path)!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ar" / "LC_MESSAGES" / "salon.mo").is_file()
