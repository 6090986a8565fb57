"""Calendar titles read whole at the screen sizes front desks have: shortened, never cut mid-word."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from salon_desk.ui.calendar.day_view import CalendarPage
from salon_desk.ui.fitting_label import ELLIPSIS
from salon_desk.ui.main_window import MainWindow


def test_week_title_at_1440_pixels_in_english_is_shortened_whole_with_the_full_title_as_tooltip(
    qtbot, ui_context
) -> None:
    ui_context.set_language("en")
    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    page = window.page("calendar")
    assert isinstance(page, CalendarPage)
    qtbot.waitUntil(lambda: page.staff_picker.count() > 0, timeout=5000)
    page.set_mode("week")
    QApplication.processEvents()
    title, hijri = page.date_label, page.hijri_label
    # The demo clock's week: Sunday 22 to Saturday 28 November 2026 (12 to 18 Jumada II 1448).
    assert title.full_text == "22 November – 28 November 2026"
    assert title.text() in ("22 November – 28 November 2026", "22 Nov – 28 Nov 2026")
    assert title.fontMetrics().horizontalAdvance(title.text()) <= title.contentsRect().width()
    assert title.toolTip() == ("" if title.text() == title.full_text else title.full_text)
    assert hijri.full_text == "12 Jumada al-Akhirah 1448 AH – 18 Jumada al-Akhirah 1448 AH"
    assert hijri.text() in (hijri.full_text, "12 – 18 Jumada al-Akhirah 1448 AH")
    assert hijri.fontMetrics().horizontalAdvance(hijri.text()) <= hijri.contentsRect().width()

    window.resize(900, 700)  # far narrower than any desk: whole words and an ellipsis, never half a word
    QApplication.processEvents()
    text = title.text()
    assert title.fontMetrics().horizontalAdvance(text) <= title.contentsRect().width()
    kept = text.removesuffix(" " + ELLIPSIS)
    assert text in ("22 Nov – 28 Nov 2026", ELLIPSIS) or (
        text.endswith(ELLIPSIS) and "22 Nov – 28 Nov 2026".startswith(kept + " ")
    )
    assert title.toolTip() == "22 November – 28 November 2026"
