"""Remembering where windows and splitters were, per desk user (as Anki's saveGeom / restoreGeom).

    restored = restore_geometry(ctx, "main", window)   # False on first run: the caller picks a size
    save_geometry(ctx, "main", window)                 # on close
    restore_splitters(ctx, "customers", page)          # every named QSplitter inside `page`
    save_splitters(ctx, "customers", page)

Keys live in the desk's QSettings (`ctx.settings`) under `window/<user>/…`, so two receptionists sharing a
desk each get their own layout. Anything unreadable is ignored: a layout is a convenience, never an error.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

from salon_desk.ui.context import UiContext

DEFAULT_USER = "default"
FIRST_RUN_SHARE = 0.9  # a window that is not maximized takes this much of the screen on first run


def _prefix(ctx: UiContext) -> str:
    user = ctx.user.name if ctx.user is not None and ctx.user.name else DEFAULT_USER
    return f"window/{user.replace('/', '_')}"


def _read(ctx: UiContext, key: str) -> QByteArray | None:
    value = ctx.settings.value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def save_geometry(ctx: UiContext, name: str, widget: QWidget) -> None:
    ctx.settings.setValue(f"{_prefix(ctx)}/{name}/geometry", widget.saveGeometry())
    ctx.settings.sync()


def restore_geometry(ctx: UiContext, name: str, widget: QWidget) -> bool:
    """True when a saved geometry was applied (size, position, maximized state)."""
    saved = _read(ctx, f"{_prefix(ctx)}/{name}/geometry")
    return saved is not None and widget.restoreGeometry(saved)


def first_run_rect(widget: QWidget) -> QRect:
    """A sensible window on the screen's available area (without taskbar or dock), centred."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    width = int(available.width() * FIRST_RUN_SHARE)
    height = int(available.height() * FIRST_RUN_SHARE)
    left = available.x() + (available.width() - width) // 2
    top = available.y() + (available.height() - height) // 2
    return QRect(left, top, width, height)


def _splitters(container: QWidget) -> list[QSplitter]:
    return [s for s in container.findChildren(QSplitter) if s.objectName()]


def save_splitters(ctx: UiContext, name: str, container: QWidget) -> None:
    for splitter in _splitters(container):
        ctx.settings.setValue(f"{_prefix(ctx)}/{name}/{splitter.objectName()}", splitter.saveState())
    ctx.settings.sync()


def restore_splitters(ctx: UiContext, name: str, container: QWidget) -> None:
    for splitter in _splitters(container):
        saved = _read(ctx, f"{_prefix(ctx)}/{name}/{splitter.objectName()}")
        if saved is not None:
            splitter.restoreState(saved)
