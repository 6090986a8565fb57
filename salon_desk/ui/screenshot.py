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

VIEWS = ("day", "week", "walkins", "customers", "booking", "settings", "audit", "signin", "checkout", "staff", "services",
         "salon", "close")
_PAGE_OF_VIEW = {
    "day": "calendar",
    "week": "calendar",
    "walkins": "walkins",
    "customers": "customers",
    "settings": "settings",
    "audit": "audit",
    "signin": "calendar",  # the sign-in screen over the calendar
    "checkout": "checkout",
    "staff": "staff",  # issue #10: a manager's page, with tabs for services and the salon profile
    "services": "staff",
    "salon": "staff",
}
BOOKING_DIALOG = ("salon_desk.ui.calendar.booking_dialog", "BookingDialog")
DIALOG_VIEWS = {"booking": BOOKING_DIALOG, "close": ("salon_desk.ui.checkout.close_dialog", "DailyCloseDialog")}


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
    dialog = DIALOG_VIEWS.get(view_name)
    widget = _build_booking_dialog(ctx, dialog) if dialog else _build_window(view_name, ctx, pages)
    try:
        if dialog:
            widget.adjustSize()
        else:
            widget.resize(*size)
        widget.show()
        settle(ctx)
        if dialog:  # rows that arrived with the background load
            widget.adjustSize()
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
    if view_name in ("audit", "staff", "services", "salon"):  # a manager's page: the screenshot acts as the salon's first manager (no PIN)
        from salon_desk.domain.booking import Role
        from salon_desk.domain.model import Actor

        manager = next((u for u in ctx.desk.users.list() if u.role is Role.MANAGER), None)
        if manager is not None:
            ctx.desk.actor = Actor(manager.id, manager.role, ctx.desk.actor.device_id, manager.name)
    window = MainWindow(ctx, pages, start_page=_PAGE_OF_VIEW[view_name])
    page = window.show_page(_PAGE_OF_VIEW[view_name])
    set_mode: Callable[[str], None] | None = getattr(page, "set_mode", None)
    if view_name in ("day", "week") and set_mode is not None:  # an unavailable calendar has no modes
        set_mode(view_name)
    open_first = getattr(page, "open_first_visit_of_day", None)
    if view_name == "checkout" and open_first is not None:  # a bill to look at, nothing written
        open_first()
    show_tab = getattr(page, "show_tab", None)
    if view_name in ("staff", "services", "salon") and show_tab is not None:
        show_tab(view_name)
    if view_name == "signin":
        from salon_desk.ui.signin.lock import DeskLock

        DeskLock(ctx, window)
    return window


def _build_booking_dialog(ctx: UiContext, which: tuple[str, str] = BOOKING_DIALOG) -> QWidget:
    module, attribute = which
    dialog_class = getattr(importlib.import_module(module), attribute)
    dialog = dialog_class(ctx)
    if not isinstance(dialog, QWidget):
        raise TypeError(f"{module}.{attribute} is not a widget")
    return dialog
