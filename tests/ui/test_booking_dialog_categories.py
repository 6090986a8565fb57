"""The booking dialog lists services under their category (issue #10): headings in the UI language that
cannot be chosen, the standard categories first, inactive services hidden, and the arrow keys stepping
from one service to the next over the headings."""

from __future__ import annotations

from PySide6.QtCore import Qt

from salon_desk.demo.build import DEMO_PIN
from salon_desk.domain.booking import Role
from salon_desk.ui import i18n
from salon_desk.ui.calendar.booking_dialog import BookingDialog
from salon_desk.ui.catalogue.categories import category_key, category_label


def make_dialog(qtbot, ctx) -> BookingDialog:
    dialog = BookingDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.services.rows[0].service.count() > 1, timeout=10_000)
    return dialog


def listing(combo) -> list[tuple[str, str | None, bool]]:
    """(text, service id, can be chosen) per entry, separators left out."""
    model = combo.model()
    rows = []
    for i in range(combo.count()):
        if combo.itemData(i, Qt.ItemDataRole.AccessibleDescriptionRole) == "separator":
            continue
        enabled = bool(model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled)
        rows.append((combo.itemText(i), combo.itemData(i), enabled))
    return rows


def test_services_are_grouped_under_arabic_category_headings(qtbot, ui_context, desk_service):
    dialog = make_dialog(qtbot, ui_context)
    rows = listing(dialog.services.rows[0].service)
    headings = [text for text, data, enabled in rows[1:] if data is None]
    assert headings == ["الشعر", "الأظافر", "الوجه والمكياج", "العناية بالجسم"]
    assert all(not enabled for _t, data, enabled in rows[1:] if data is None)  # a heading cannot be chosen
    under_nails = rows[[r[0] for r in rows].index("الأظافر") + 1 :][:2]
    assert [text.split(" · ")[0] for text, _d, _e in under_nails] == ["باديكير", "مانيكير"]  # alphabetical in Arabic
    offered = {s.id for s in desk_service.catalogue.services(active_only=True)}
    assert {data for _t, data, _e in rows if data} == offered


def test_english_headings_and_an_inactive_service_is_hidden(qtbot, ui_context, desk_service):
    desk_service.users.sign_in(next(u.id for u in desk_service.users.list() if u.role is Role.MANAGER), DEMO_PIN)
    henna = next(s for s in desk_service.catalogue.services() if s.name_en == "Henna")
    desk_service.catalogue.deactivate(henna.id)
    i18n.set_ui_language("en", "latn")
    dialog = make_dialog(qtbot, ui_context)
    rows = listing(dialog.services.rows[0].service)
    assert [t for t, d, _e in rows[1:] if d is None] == ["Hair", "Nails", "Face and makeup", "Body care"]
    assert henna.id not in {d for _t, d, _e in rows}
    assert any(t.startswith("Moroccan bath · ") for t, _d, _e in rows)


def test_the_keyboard_steps_over_the_headings(qtbot, ui_context):
    dialog = make_dialog(qtbot, ui_context)
    combo = dialog.services.rows[0].service
    combo.setFocus()
    last_hair = max(i for i in range(combo.count()) if combo.itemData(i) is not None
                    and combo.itemText(i).split(" · ")[0] in {"قص شعر", "سشوار", "صبغة", "هايلايت", "بروتين",
                                                               "تسريحة"})
    combo.setCurrentIndex(last_hair)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.itemData(combo.currentIndex()) is not None  # past the separator and the "Nails" heading
    assert combo.currentText().split(" · ")[0] == "باديكير"
    assert dialog.services.rows[0].service_id() == combo.itemData(combo.currentIndex())


def test_category_labels_and_keys_in_both_languages():
    assert category_key("Hair") == category_key("الشعر") == category_key(" hair ") == "hair"
    assert category_key("Face and makeup") == "face"
    assert category_key("Kids' cuts") == "Kids' cuts"  # a salon's own category is kept as typed
    i18n.set_ui_language("en", "latn")
    try:
        assert category_label("body") == "Body care" and category_label("Kids' cuts") == "Kids' cuts"
    finally:
        i18n.set_ui_language("ar", "latn")
    assert category_label("body") == "العناية بالجسم"
