"""Issue 9: a refusal names everything in the way, in the booking dialog itself (ar and en).

The demo day (tests/conftest.py seeds it at DEMO_NOW): Sara is with Grace Dubois 14:45-15:15 and on a break
16:00-16:30. Styling with Sara at 15:00 (60 minutes and 10 of cleanup) meets both; the dialog must refuse the
time, name the customer, the stylist and the break's times, keep Save disabled, show the whole sentence
(wrapped, never cut) and write nothing. scripts/screenshot_refusal.py takes the same picture for the docs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from salon_desk.ui import i18n
from salon_desk.ui.calendar.booking_dialog import BookingDialog
from tests.helpers import service_named, snapshot

FSI, PDI = "\u2068", "\u2069"
NNBSP = "\u202f"  # CLDR's narrow no-break space before AM/PM
AT_THREE = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Riyadh"))

# What each language must show: the stylist, the clashing customer, the booking's and the break's times.
EXPECTED = {
    "en": [
        "This time is not free:",
        f"{FSI}Sara{PDI} is with {FSI}Grace Dubois{PDI}",
        f"{FSI}2:45{NNBSP}PM{PDI}–{FSI}3:15{NNBSP}PM{PDI}",
        f"then on a break {FSI}4:00{NNBSP}PM{PDI}–{FSI}4:30{NNBSP}PM{PDI}",
    ],
    "ar": [
        "هذا الوقت غير متاح:",
        f"{FSI}سارة{PDI} مع {FSI}Grace Dubois{PDI}",
        f"من {FSI}2:45 م{PDI} إلى {FSI}3:15 م{PDI}",
        f"ثم في استراحة من {FSI}4:00 م{PDI} إلى {FSI}4:30 م{PDI}",
    ],
}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_booking_dialog_names_the_clashing_booking_and_the_break(qtbot, ui_context, desk_service, demo_db,
                                                                     lang):
    i18n.set_ui_language(lang, "latn")
    sara = next(s for s in desk_service.reference.staff() if s.name_en == "Sara")
    styling = service_named(desk_service, "Styling")
    before = snapshot(demo_db)
    dialog = BookingDialog(ui_context, staff_id=sara.id, start_at=AT_THREE)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.services.rows[0].service.count() > 1)
    dialog.customer.choose(desk_service.customers.search("", limit=1)[0])
    combo = dialog.services.rows[0].service
    with qtbot.waitSignal(dialog.validated, timeout=5000, check_params_cb=lambda ok: not ok):
        combo.setCurrentIndex(combo.findData(styling.id))
    qtbot.waitUntil(lambda: "Grace Dubois" in dialog.problems.text(), timeout=5000)

    text = dialog.problems.text()
    for expected in EXPECTED[lang]:
        assert expected in text
    assert text.index("Grace Dubois") < text.index(EXPECTED[lang][-1])  # the booking first, then the break
    assert dialog.isRightToLeft() is (lang == "ar")
    assert dialog.problems.isVisible() and not dialog.save_button.isEnabled() and dialog.command is None
    # The whole sentence shows: the label wraps within the dialog and is as tall as its text needs.
    label = dialog.problems
    assert label.wordWrap() and label.width() <= dialog.width()
    assert label.height() >= label.heightForWidth(label.width())
    assert snapshot(demo_db) == before


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_longer_refusal_grows_the_dialog_instead_of_squeezing_the_form(qtbot, ui_context, desk_service, lang):
    """A protein treatment with Sara at 15:00 (150 minutes) meets Grace Dubois and then Haifa Al-Harbi 17:00-17:30;
    in English the sentence takes two lines. Before: the dialog kept its height and the "Add another service"
    and free-time buttons were cut to slivers."""
    i18n.set_ui_language(lang, "latn")
    sara = next(s for s in desk_service.reference.staff() if s.name_en == "Sara")
    protein = service_named(desk_service, "Protein treatment")
    dialog = BookingDialog(ui_context, staff_id=sara.id, start_at=AT_THREE)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.services.rows[0].service.count() > 1)
    dialog.customer.choose(desk_service.customers.search("", limit=1)[0])
    combo = dialog.services.rows[0].service
    combo.setCurrentIndex(combo.findData(protein.id))
    qtbot.waitUntil(lambda: "هيفاء الحربي" in dialog.problems.text(), timeout=5000)
    qtbot.waitUntil(lambda: len(dialog.slot_buttons) > 0, timeout=5000)
    then = {"en": f"then with {FSI}هيفاء الحربي{PDI} {FSI}5:00{NNBSP}PM{PDI}–{FSI}5:30{NNBSP}PM{PDI}",
            "ar": f"ثم مع {FSI}هيفاء الحربي{PDI} من {FSI}5:00 م{PDI} إلى {FSI}5:30 م{PDI}"}[lang]
    assert f"{FSI}Grace Dubois{PDI}" in dialog.problems.text() and then in dialog.problems.text()
    dialog.layout().activate()
    label = dialog.problems
    assert label.height() >= label.heightForWidth(label.width())
    for button in [dialog.services.add_button, *dialog.slot_buttons]:
        assert button.height() >= button.sizeHint().height(), button.text()
