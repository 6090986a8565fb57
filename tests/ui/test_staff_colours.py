"""The staff colour swatches (issue #10): a fixed palette readable as calendar column backgrounds, chosen by
mouse or keyboard (in reading order, right to left in Arabic), the current value shown, saved on the staff
member; a stored colour outside the palette is kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from salon_desk.demo.build import DEMO_PIN
from salon_desk.demo.catalogue import STAFF
from salon_desk.domain.booking import Role
from salon_desk.domain.catalogue import check_colour
from salon_desk.ui import i18n
from salon_desk.ui.staff.page import StaffPage
from salon_desk.ui.staff.swatches import STAFF_COLOURS, ColourSwatches

PALETTE = [value for value, _name in STAFF_COLOURS]
DARK_TEXT = "#1C2631"  # theme PALETTE["text"]


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def tint(colour: str, alpha: float = 0.18) -> str:
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 * (1 - alpha) + c * alpha):02x}" for c in channels)


@pytest.mark.parametrize("colour", PALETTE)
def test_every_colour_is_accessible_as_a_label_and_as_a_column_background(colour):
    assert check_colour(colour) == colour  # the domain's own rule accepts it
    assert contrast(colour, "#FFFFFF") >= 4.5  # white text on the colour (WCAG AA)
    assert contrast(DARK_TEXT, tint(colour)) >= 7  # the calendar's text on the pale column tint (AAA)


def test_the_palette_is_distinct_and_the_demo_staff_use_it():
    assert len(set(PALETTE)) == len(PALETTE) >= 8
    assert {colour for *_rest, colour in STAFF} <= set(PALETTE)


@pytest.fixture
def swatches(qtbot):
    widget = ColourSwatches()
    qtbot.addWidget(widget)
    widget.resize(widget.sizeHint())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("direction", [Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft])
def test_keyboard_moves_in_reading_order_and_a_click_picks(qtbot, swatches, direction):
    swatches.setLayoutDirection(direction)
    swatches.set_value(PALETTE[0])
    swatches.setFocus()
    forward = Qt.Key.Key_Left if direction == Qt.LayoutDirection.RightToLeft else Qt.Key.Key_Right
    with qtbot.waitSignal(swatches.changed) as changed:
        qtbot.keyClick(swatches, forward)
    assert changed.args == [PALETTE[1]] and swatches.value() == PALETTE[1]
    qtbot.keyClick(swatches, Qt.Key.Key_End)
    assert swatches.value() == PALETTE[-1]
    qtbot.keyClick(swatches, Qt.Key.Key_Home)
    assert swatches.value() == PALETTE[0]
    qtbot.mouseClick(swatches, Qt.MouseButton.LeftButton, pos=swatches.swatch_rect(3).center())
    assert swatches.value() == PALETTE[3]
    if direction == Qt.LayoutDirection.RightToLeft:  # the first swatch sits at the right edge
        assert swatches.swatch_rect(0).right() > swatches.swatch_rect(1).right()


def test_a_colour_outside_the_palette_is_kept_and_case_is_normalised(swatches):
    swatches.set_value("#123456")
    assert swatches.value() == "#123456" and swatches.colours()[0] == "#123456"
    swatches.set_value(PALETTE[2].lower())
    assert swatches.value() == PALETTE[2] and swatches.colours() == PALETTE


def test_the_staff_editor_shows_and_saves_the_colour(qtbot, ui_context, ui_desk):
    ui_desk.users.sign_in(next(u.id for u in ui_desk.users.list() if u.role is Role.MANAGER), DEMO_PIN)
    i18n.set_ui_language("en", "latn")
    page = StaffPage(ui_context)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.current is not None, timeout=10_000)
    person = next(s for s in page.staff if s.id == page.current)
    assert page.colour.value() == person.color
    assert person.color in page.colour_value.text()  # "Violet  #6A4FB3"
    page.colour.setFocus()
    qtbot.keyClick(page.colour, Qt.Key.Key_End)
    assert page.colour_value.text() == f"Grey  \u2066{PALETTE[-1]}\u2069"
    with qtbot.waitSignal(page.saved, timeout=10_000):
        page.save_staff()
    assert next(s for s in ui_desk.staff.list() if s.id == person.id).color == PALETTE[-1]
    page.start_new()
    taken = {s.color for s in page.staff}
    assert page.colour.value() not in taken or taken >= set(PALETTE)
