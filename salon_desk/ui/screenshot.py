"""Offscreen screenshots of the desk's screens, for documentation, reviews and visual checks.

    render_view("day", "ar", Path("day-ar.png"), ctx)

The CLI (`salon-desk screenshot --view … --lang … --out …`) calls this with a context built by app.py; a
Q(Gui)Application must exist (QT_QPA_PLATFORM=offscreen on machines without a screen).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication, QWidget

from salon_desk.ui import i18n, theme
from salon_desk.ui.context import UiContext
from salon_desk.ui.main_window import MainWindow
from salon_desk.ui.pages import PageFactory

VIEWS = ("day", "week", "walkins", "customers", "booking", "settings")
_PAGE_OF_VIEW = {
    "day": "calendar",
    "week": "calendar",
    "walkins": "walkins",
    "customers": "customers",
    "settings": "settings",
}
BOOKING_DIALOG = ("salon_desk.ui.calendar.booking_dialog", "BookingDialog")


def render_view(
    view_name: str,
    lang: str,
    out_path: Path | str,
    ctx: UiContext,
    size: tuple[int, int] = (1440, 900),
    pages: Mapping[str, PageFactory] | None = None,
) -> Path:
    """Builds the screen for `view_name` in `lang` offscreen, lets its background loads finish, and saves a
    PNG. Returns the path written. The language is applied for this render only (not saved in settings).
    `pages` replaces the page registry (tests)."""
    if view_name not in VIEWS:
        raise ValueError(f"unknown view {view_name!r}; expected one of {', '.join(VIEWS)}")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("render_view needs a QApplication (create it before the UiContext)")
    i18n.set_ui_language(lang, ctx.digit_style)
    theme.apply_theme(app, rtl=i18n.is_rtl())
    widget = _build_booking_dialog(ctx) if view_name == "booking" else _build_window(view_name, ctx, pages)
    try:
        if view_name == "booking":
            widget.adjustSize()
        else:
            widget.resize(*size)
        widget.show()
        settle(ctx)
        out = Path(out_path)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(out), "PNG"):
            raise OSError(f"could not write {out}")
        return out
    finally:
        widget.close()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, 0)


def settle(ctx: UiContext, rounds: int = 10, timeout_ms: int = 15_000) -> None:
    """Processes events until no background job is pending (callbacks may queue further jobs)."""
    for _round in range(rounds):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        if not ctx.runner.wait_idle(timeout_ms):
            raise TimeoutError("background jobs did not finish in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        if ctx.runner.pending == 0:
            return


def _build_window(view_name: str, ctx: UiContext, pages: Mapping[str, PageFactory] | None) -> QWidget:
    window = MainWindow(ctx, pages, start_page=_PAGE_OF_VIEW[view_name])
    page = window.show_page(_PAGE_OF_VIEW[view_name])
    set_mode: Callable[[str], None] | None = getattr(page, "set_mode", None)
    if view_name in ("day", "week") and set_mode is not None:  # an unavailable calendar has no modes
        set_mode(view_name)
    return window


def _build_booking_dialog(ctx: UiContext) -> QWidget:
    module, attribute = BOOKING_DIALOG
    dialog_class = getattr(importlib.import_module(module), attribute)
    return dialog_class(ctx)
