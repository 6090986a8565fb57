"""DeskLock: the sign-in screen over the whole window: at start, after the salon's idle time without input,
and on "Lock / switch user" (Ctrl+L) for a quick switch at a shared desk.

    lock = DeskLock(ctx, window)    # shows the sign-in view at once; unlocks when someone signs in
    lock.lock()                     # e.g. from a menu

While locked, the view covers everything (the pages stay loaded underneath, so a switch is instant); the
idle timer restarts on every key press, click or wheel anywhere in the application.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget

from salon_desk.domain.model import Actor
from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _, current_localizer

from .view import SignInView

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})
LOCK_SHORTCUT = "Ctrl+L"


class DeskLock(QObject):
    locked = Signal()
    unlocked = Signal(object)  # the Actor now signed in

    def __init__(self, ctx: UiContext, window: QWidget, *, start_locked: bool = True) -> None:
        super().__init__(window)
        self._ctx, self._window = ctx, window
        self.view = SignInView(ctx, window)
        self._locked = False
        self.view.signed_in.connect(self._on_signed_in)
        self.idle = QTimer(self, singleShot=True)
        self.idle.setInterval(int(timedelta(minutes=5).total_seconds() * 1000))
        self.idle.timeout.connect(self.lock)
        self.shortcut = QShortcut(QKeySequence(LOCK_SHORTCUT), window)
        self.shortcut.activated.connect(self.lock)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        ctx.runner.db(ctx.desk.users.idle_lock, on_done=self._on_idle_lock, owner=self)
        if start_locked:
            self.lock()
        else:
            self.view.hide()
            self.idle.start()

    @property
    def is_locked(self) -> bool:
        return self._locked

    def _on_idle_lock(self, interval: timedelta) -> None:
        self.idle.setInterval(max(1, int(interval.total_seconds() * 1000)))
        if not self.is_locked:
            self.idle.start()

    def lock(self) -> None:
        """Covers the desk with the sign-in view; the next person signs in (or the same one again)."""
        self.idle.stop()
        self._locked = True
        self.view.reset()
        self.view.setGeometry(self._window.rect())
        self.view.show()
        self.view.raise_()
        self.view.reload()
        self.locked.emit()

    def _on_signed_in(self, actor: Actor) -> None:
        self._locked = False
        self.view.hide()
        self.idle.start()
        l10n = current_localizer()
        self._ctx.events.message_posted.emit(
            _("Signed in: {name} ({role})").format(name=l10n.isolate(actor.name), role=l10n.role_label(actor.role))
        )
        self.unlocked.emit(actor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if watched is self._window and kind == QEvent.Type.Resize:
            self.view.setGeometry(self._window.rect())
        elif kind in INPUT_EVENTS and not self.is_locked:
            self.idle.start()  # restarts the countdown
        return False

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.idle.stop()


def install_desk_lock(ctx: UiContext, window: QWidget, **kwargs: Any) -> DeskLock:
    return DeskLock(ctx, window, **kwargs)
