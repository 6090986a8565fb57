"""The bottom bar: messages (errors stay until replaced), sync state, who is signed in, and today's date in
Gregorian and Hijri. `MinuteTicker` drives `events.minute_ticked` on each minute boundary."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStatusBar, QWidget

from salon_desk.ui import theme
from salon_desk.ui.context import ConnectionState, SyncStatusView, UiContext
from salon_desk.ui.i18n import _, ngettext
from salon_desk.ui.named import named

if TYPE_CHECKING:
    from salon_desk.l10n import Localizer

INFO_TIMEOUT_MS = 8000
SYNC_ICONS = {
    ConnectionState.ONLINE: "sync_online",
    ConnectionState.OFFLINE: "sync_offline",
    ConnectionState.SYNCING: "sync_syncing",
    ConnectionState.BLOCKED: "sync_blocked",
}


class MinuteTicker(QObject):
    """Emits `events.minute_ticked` just after every minute boundary of `ctx.now()`."""

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._timer = QTimer(self, singleShot=True, timerType=Qt.TimerType.PreciseTimer)  # a clock: no slack
        self._timer.timeout.connect(self._on_timeout)
        self._schedule()

    def _schedule(self) -> None:
        now = self._ctx.now()
        ms_into_minute = now.second * 1000 + now.microsecond // 1000
        self._timer.start(60_000 - ms_into_minute + 50)

    def _on_timeout(self) -> None:
        self._ctx.events.minute_ticked.emit()
        self._schedule()


def local_today(ctx: UiContext) -> date:
    return ctx.l10n().to_local(ctx.now(), ctx.timezone).date()


def sync_text(status: SyncStatusView, l10n: Localizer) -> str:
    """The indicator's words: the state, then what waits, then conflicts."""
    state = {
        ConnectionState.ONLINE: _("Online"),
        ConnectionState.OFFLINE: _("Offline"),
        ConnectionState.SYNCING: _("Syncing…"),
        ConnectionState.BLOCKED: _("Sync stopped"),
    }[ConnectionState(status.state)]
    parts = [state]
    if status.pending:
        waiting = ngettext("{n} change waiting to sync", "{n} changes waiting to sync", status.pending)
        parts.append(waiting.format(n=l10n.number(status.pending)))
    if status.open_conflicts:
        conflicts = ngettext("{n} conflict", "{n} conflicts", status.open_conflicts)
        parts.append(conflicts.format(n=l10n.number(status.open_conflicts)))
    return " · ".join(parts)


class DeskStatusBar(QStatusBar):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DeskStatusBar")
        self.setSizeGripEnabled(False)
        self._ctx = ctx
        self.message_label = named(QLabel(), "StatusMessage")
        # A long message must never widen the window; the full text stays in the tooltip.
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sync_icon = named(QLabel(), "SyncIcon")
        self.sync_label = named(QLabel(), "SyncIndicator")
        self.user_label = named(QLabel(), "UserLabel")
        self.date_label = named(QLabel(), "DateLabel")
        self._clear_timer = QTimer(self, singleShot=True, interval=INFO_TIMEOUT_MS)
        self._clear_timer.timeout.connect(self.clear_message)
        self.addWidget(self.message_label, 1)
        self.addPermanentWidget(_pair(self.sync_icon, self.sync_label))
        self.addPermanentWidget(self.user_label)
        self.addPermanentWidget(self.date_label)
        ctx.events.sync_status_changed.connect(self._on_sync_status_changed)
        ctx.events.minute_ticked.connect(self.refresh_date)
        ctx.events.message_posted.connect(self.show_info)
        self.retranslate()

    def retranslate(self) -> None:
        self._show_sync(self._ctx.sync_status)
        self._show_user()
        self.refresh_date()

    # -- messages -----------------------------------------------------------------------------------------
    def show_info(self, text: str) -> None:
        self._set_message(text, "info")
        self._clear_timer.start()

    def show_error_message(self, text: str) -> None:
        """Errors stay until the next message, so nobody misses one while serving a customer."""
        self._clear_timer.stop()
        self._set_message(text, "error")

    def clear_message(self) -> None:
        self._set_message("", "info")

    def _set_message(self, text: str, level: str) -> None:
        self.message_label.setText(text)
        self.message_label.setToolTip(text)
        self.message_label.setProperty("level", level)
        _repolish(self.message_label)

    # -- sync, user, date ---------------------------------------------------------------------------------
    def _on_sync_status_changed(self, status: SyncStatusView) -> None:
        self._show_sync(status)

    def _show_sync(self, status: SyncStatusView) -> None:
        state = ConnectionState(status.state)
        self.sync_label.setText(sync_text(status, self._ctx.l10n()))
        self.sync_label.setProperty("state", state.value)
        _repolish(self.sync_label)
        colour = theme.DANGER if state is ConnectionState.BLOCKED else theme.TEXT_MUTED
        self.sync_icon.setPixmap(theme.icon(SYNC_ICONS[state], colour).pixmap(18, 18))
        if status.last_sync_at is not None:
            when = self._ctx.l10n().datetime(status.last_sync_at, self._ctx.timezone)
            self.sync_label.setToolTip(_("Last sync: {time}").format(time=when))
        else:
            self.sync_label.setToolTip(_("Not synced yet"))

    def _show_user(self) -> None:
        user = self._ctx.user
        if user is None:
            self.user_label.setText(_("Not signed in"))
            return
        l10n = self._ctx.l10n()
        self.user_label.setText(f"{l10n.isolate(user.name)} · {l10n.role_label(user.role)}")

    def refresh_date(self) -> None:
        l10n, day = self._ctx.l10n(), local_today(self._ctx)
        parts = [l10n.weekday(day), l10n.date(day, "long"), l10n.hijri(day)]
        self.date_label.setText(" · ".join(part for part in parts if part))
        self.date_label.setToolTip(_("Today: Gregorian and Hijri (Umm al-Qura) dates"))


def _pair(icon_label: QLabel, text_label: QLabel) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(icon_label)
    layout.addWidget(text_label)
    return box


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
