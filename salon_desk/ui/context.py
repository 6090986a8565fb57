"""What every page receives: the desk facade, the task runner, app-wide events, the current Localizer, the
clock and the language switch. Pages are built as Page(ctx: UiContext)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from salon_desk.clock import utc_now
from salon_desk.ui import i18n
from salon_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:  # not imported at run time: the shell paints before the store and use cases load
    from salon_desk.l10n import Localizer
    from salon_desk.usecases.desk import DeskService

SETTINGS_ORGANISATION = "SalonDesk"
SETTINGS_APPLICATION = "salon-desk"
LANGUAGE_KEY = "ui/language"
DIGIT_STYLE_KEY = "ui/digit_style"
DEFAULT_LANGUAGE = "ar"
DEFAULT_DIGIT_STYLE = "latn"
LANGUAGES = ("ar", "en")
DIGIT_STYLES = ("latn", "arab")


class DeskEvents(QObject):
    """App-wide events. Emit on the GUI thread only."""

    changes_applied = Signal(object)  # a domain.model.Changes record after any local write or sync
    language_changed = Signal(str)  # after the language or the digit style changed; pages retranslate()
    minute_ticked = Signal()  # once a minute, on the minute (clocks, waiting times)
    sync_status_changed = Signal(object)  # a SyncStatusView
    message_posted = Signal(str)  # a translated one-line message for the status bar
    # Keyboard requests from the main window (it shows the right page first); the owning page connects.
    new_booking_requested = Signal()  # Ctrl+N -> the calendar opens the booking dialog
    today_requested = Signal()  # Ctrl+T / Home -> the calendar shows today
    day_step_requested = Signal(int)  # -1 previous day, +1 next day (in time, whatever the layout)
    booking_for_customer_requested = Signal(str)  # customer id -> the calendar opens a booking for them
    customer_search_requested = Signal()  # Ctrl+F -> the customers page focuses its search field
    checkout_requested = Signal(str)  # booking id -> the checkout page opens that visit's bill (issue #11)


class ConnectionState(StrEnum):
    """The desk's link to its cloud as the status bar shows it (not `sync.state.SyncState`, the stored cursor
    and ids, nor `domain.model.SyncStatus`, one row's pending/synced/conflict)."""

    ONLINE = "online"
    OFFLINE = "offline"
    SYNCING = "syncing"
    BLOCKED = "blocked"  # the cloud refuses this desk (revoked, update required): needs a person


@dataclass(frozen=True, slots=True)
class SyncStatusView:
    """What the status bar shows about sync; the sync controller emits a new one on every change."""

    state: ConnectionState = ConnectionState.OFFLINE
    pending: int = 0  # local changes waiting in the outbox
    last_sync_at: datetime | None = None  # UTC
    open_conflicts: int = 0


@dataclass(frozen=True, slots=True)
class SignedInUser:
    name: str
    role: str  # domain.booking.Role value


def default_settings() -> QSettings:
    return QSettings(SETTINGS_ORGANISATION, SETTINGS_APPLICATION)


class DeskNotOpen(RuntimeError):
    """A page asked for the desk before the composition root attached one (cold start paints first)."""


class UiContext:
    """`desk` is the grouped facade (`ctx.desk.bookings.create(...)`, `ctx.desk.calendar.day_view(...)`). At cold
    start the shell is painted before the store loads, so a context may be built with `desk=None` and the
    composition root attaches the desk later (`app.attach_desk`); `has_desk` tells which."""

    def __init__(
        self,
        desk: DeskService | None,
        runner: TaskRunner,
        events: DeskEvents | None = None,
        l10n: Callable[[], Localizer] = i18n.current_localizer,
        now: Callable[[], datetime] = utc_now,  # tz-aware UTC; tests inject a fixed clock
        timezone: str = "Asia/Riyadh",  # the salon's (SalonInfo.timezone); display instants in it
        user: SignedInUser | None = None,
        settings: QSettings | None = None,
        sync_status: SyncStatusView | None = None,
    ) -> None:
        self._desk = desk
        self.runner = runner
        self.events = events if events is not None else DeskEvents()
        self.l10n = l10n
        self.now = now
        self.timezone = timezone
        self.user = user
        self.settings = settings if settings is not None else default_settings()
        self.sync_status = sync_status if sync_status is not None else SyncStatusView()

    @property
    def desk(self) -> DeskService:
        if self._desk is None:
            raise DeskNotOpen("the desk is not open yet")
        return self._desk

    @desk.setter
    def desk(self, desk: DeskService) -> None:
        self._desk = desk

    @property
    def has_desk(self) -> bool:
        return self._desk is not None

    @property
    def language(self) -> str:
        return i18n.current_language()

    @property
    def digit_style(self) -> str:
        return i18n.current_digit_style()

    def set_language(self, lang: str, digit_style: str | None = None) -> None:
        """Switches the whole UI at run time, remembers the choice, and tells every page to retranslate."""
        style = digit_style or self.digit_style
        if lang not in LANGUAGES or style not in DIGIT_STYLES:
            raise ValueError(f"unsupported language/digit style: {lang!r}/{style!r}")
        i18n.set_ui_language(lang, style)
        self.settings.setValue(LANGUAGE_KEY, lang)
        self.settings.setValue(DIGIT_STYLE_KEY, style)
        self.settings.sync()
        self.events.language_changed.emit(lang)

    def restore_language(self) -> None:
        """Applies the remembered language (Arabic by default) without emitting an event (call at start)."""
        lang = str(self.settings.value(LANGUAGE_KEY, DEFAULT_LANGUAGE))
        style = str(self.settings.value(DIGIT_STYLE_KEY, DEFAULT_DIGIT_STYLE))
        i18n.set_ui_language(
            lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
            style if style in DIGIT_STYLES else DEFAULT_DIGIT_STYLE,
        )

    def publish_sync_status(self, status: SyncStatusView) -> None:
        """The sync controller calls this (on the GUI thread) whenever its state changes."""
        self.sync_status = status
        self.events.sync_status_changed.emit(status)
