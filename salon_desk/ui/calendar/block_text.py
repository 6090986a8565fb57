"""Text inside calendar blocks: the right font for the script, elision, and one direction-safe line."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter

FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: a name keeps its own direction


def has_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)


_FONTS: dict[tuple[str, bool, bool], tuple[QFont, QFontMetricsF]] = {}


def script_font(base: QFont, text: str, bold: bool) -> tuple[QFont, QFontMetricsF]:
    """The base font with the text's own script first, so line height and glyphs come from one font
    (Arabic glyphs laid out with Latin metrics get cut at the top). Cached: blocks are many."""
    arabic_text = has_arabic(text)
    key = (base.key(), arabic_text, bold)
    cached = _FONTS.get(key)
    if cached is None:
        font = QFont(base)
        families = [f for f in base.families() if f] or [base.family()]
        arabic = [f for f in families if "Arabic" in f]
        others = [f for f in families if "Arabic" not in f]
        font.setFamilies(arabic + others if arabic_text else others + arabic)
        font.setBold(bold)
        cached = _FONTS[key] = (font, QFontMetricsF(font))
    return cached


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    font: QFont
    height: float


def text_line(text: str, base: QFont, bold: bool, width: float) -> TextLine:
    font, metrics = script_font(base, text, bold)
    elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
    return TextLine(elided, font, metrics.ascent() + metrics.descent())


def draw_line(painter: QPainter, box: QRectF, text: str, rtl: bool) -> None:
    """One line, aligned to the reading start, in the UI's direction, never clipped by the box."""
    align = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
    direction = Qt.TextFlag.TextForceRightToLeft if rtl else Qt.TextFlag.TextForceLeftToRight
    flags = (align | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter).value
    flags |= (Qt.TextFlag.TextSingleLine | Qt.TextFlag.TextDontClip | direction).value
    painter.drawText(box, flags, text)
