"""The desk's look: bundled fonts, one stylesheet, status colours for the calendar, and SVG line icons.

apply_theme(app)                       # once, after QApplication exists
button.setIcon(icon("calendar"))       # recoloured SVG; direction-implying icons flip in RTL
colours = STATUS_COLOURS["confirmed"]  # fill / border / text for a booking block
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from salon_desk.config import resource_path

log = logging.getLogger(__name__)

# -- palette -------------------------------------------------------------------------------------------
# One accent (deep teal) on neutral greys. Text colours meet WCAG AA (>= 4.5:1) on their backgrounds.
PALETTE: dict[str, str] = {
    "window": "#F4F5F7",
    "surface": "#FFFFFF",
    "surface_alt": "#F8FAFB",
    "rail": "#E9EDF1",
    "border": "#D5DBE2",
    "border_strong": "#AEB8C4",
    "text": "#1C2631",
    "text_muted": "#4F5D6B",
    "accent": "#0E6E66",
    "accent_hover": "#0B5A53",
    "accent_soft": "#D7EEEB",
    "on_accent": "#FFFFFF",
    "focus": "#0E6E66",
    "danger": "#B3261E",
    "danger_soft": "#FCE8E6",
    "warning": "#8A5300",
    "success": "#1E7B34",
}
ACCENT = QColor(PALETTE["accent"])
TEXT = QColor(PALETTE["text"])
TEXT_MUTED = QColor(PALETTE["text_muted"])
DANGER = QColor(PALETTE["danger"])


@dataclass(frozen=True, slots=True)
class StatusColours:
    fill: QColor  # block background
    border: QColor  # block edge / stripe
    text: QColor  # text on `fill` (contrast >= 7:1)


def _status(fill: str, border: str, text: str) -> StatusColours:
    return StatusColours(QColor(fill), QColor(border), QColor(text))


# Hues chosen to stay distinguishable for the common colour-vision deficiencies when paired with the
# status label the calendar prints; never rely on colour alone.
STATUS_COLOURS: dict[str, StatusColours] = {
    "requested": _status("#FFF4D6", "#B7791F", "#5C3D00"),  # amber: waiting for confirmation
    "confirmed": _status("#DCEBFF", "#2B6CB0", "#15325C"),  # blue
    "checked_in": _status("#D3F2EC", "#0E6E66", "#0B3B36"),  # teal (the accent): on the premises
    "in_service": _status("#E9E1FB", "#6B46C1", "#35206B"),  # violet
    "completed": _status("#DDF3E1", "#2F855A", "#153F24"),  # green
    "cancelled": _status("#EEF1F4", "#8C99A6", "#3E4A56"),  # grey
    "no_show": _status("#FBE3EE", "#B83280", "#5C1238"),  # magenta
    "needs_attention": _status("#FDE2E1", "#C53030", "#6B1410"),  # red: someone must act
}

# -- fonts ---------------------------------------------------------------------------------------------
FONT_FILES = (
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
)
ARABIC_FAMILY = "Noto Sans Arabic"
LATIN_FAMILY = "Noto Sans"
BASE_POINT_SIZE = 11

# Icons whose meaning includes a direction: drawn for left-to-right, mirrored in right-to-left.
MIRRORED_ICONS = frozenset({"prev", "next"})


def resources_dir() -> Path:
    """`resources/` from source, an installed wheel or a frozen build (config.resource_path decides)."""
    return resource_path("resources")


def load_fonts() -> list[str]:
    """Registers the bundled fonts (idempotent); returns the families Qt now knows from them."""
    families: list[str] = []
    for name in FONT_FILES:
        families.extend(_register_font(str(resources_dir() / "fonts" / name)))
    return sorted(set(families))


@cache
def _register_font(path: str) -> tuple[str, ...]:
    font_id = QFontDatabase.addApplicationFont(path)
    if font_id < 0:
        log.error("could not load the bundled font %s", path)
        return ()
    return tuple(QFontDatabase.applicationFontFamilies(font_id))


def ui_font(rtl: bool, point_size: int = BASE_POINT_SIZE) -> QFont:
    """The app font: the script of the UI language first, the other as per-character fallback, so Arabic
    names inside English screens (and Latin phone numbers inside Arabic ones) both render."""
    font = QFont()
    families = [ARABIC_FAMILY, LATIN_FAMILY] if rtl else [LATIN_FAMILY, ARABIC_FAMILY]
    font.setFamilies(families)
    font.setPointSize(point_size)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


# -- stylesheet ----------------------------------------------------------------------------------------
def stylesheet() -> str:
    """desk.qss with its @tokens replaced by PALETTE values and the styles folder (longest token first)."""
    styles = resources_dir() / "styles"
    text = (styles / "desk.qss").read_text(encoding="utf-8")
    tokens = {**PALETTE, "styles": styles.as_posix()}  # url(@styles/x.svg): arrow images beside the QSS
    for key in sorted(tokens, key=len, reverse=True):
        text = text.replace(f"@{key}", tokens[key])
    return text


def apply_theme(app: QApplication, rtl: bool | None = None) -> None:
    """Loads the fonts, sets the app font for the current direction and installs the stylesheet.
    Call again with the new direction after a language switch (fonts stay registered)."""
    load_fonts()
    if rtl is None:
        rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    app.setStyle("Fusion")  # the same widget look on Windows, macOS and Linux
    app.setFont(ui_font(rtl))
    app.setStyleSheet(stylesheet())


# -- icons ---------------------------------------------------------------------------------------------
ICON_SIZES = (16, 20, 24, 32, 48)


@cache
def _svg_source(name: str) -> str:
    return (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def icon_names() -> list[str]:
    return sorted(p.stem for p in (resources_dir() / "icons").glob("*.svg"))


def icon(
    name: str,
    color: QColor | str | None = None,
    checked_color: QColor | str | None = None,
    rtl: bool | None = None,
) -> QIcon:
    """A line icon drawn in `color` (muted text by default), with a `checked_color` variant for the On
    state (checkable buttons). Direction-implying icons are mirrored when `rtl` (default: the app's
    current layout direction), so fetch icons again after a language switch."""
    if rtl is None:
        rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    mirror = rtl and name in MIRRORED_ICONS
    result = QIcon()
    normal = QColor(color) if color is not None else TEXT_MUTED
    for size in ICON_SIZES:
        result.addPixmap(icon_pixmap(name, size, normal, mirror), QIcon.Mode.Normal, QIcon.State.Off)
        disabled = QColor(PALETTE["border_strong"])
        result.addPixmap(icon_pixmap(name, size, disabled, mirror), QIcon.Mode.Disabled, QIcon.State.Off)
        if checked_color is not None:
            on = icon_pixmap(name, size, QColor(checked_color), mirror)
            result.addPixmap(on, QIcon.Mode.Normal, QIcon.State.On)
    return result


def icon_pixmap(name: str, size: int, color: QColor, mirror: bool = False) -> QPixmap:
    svg = _svg_source(name).replace("currentColor", color.name())
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not a valid SVG")
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if mirror:
        painter.translate(size, 0)
        painter.scale(-1, 1)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap
