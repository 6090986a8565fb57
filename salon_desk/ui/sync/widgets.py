"""Sync in the status area: catch-up progress (rows received / head seq), why sync stopped, "Sync now".

widget = SyncStatusWidget(ctx, controller)     # controller None: "Not connected to the cloud"
status_bar.addPermanentWidget(widget)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.sync.controller import SyncController

if TYPE_CHECKING:
    from salon_desk.sync.session import SyncProgress

REVOKED_CODES = frozenset({"auth", "device_revoked", "device_unknown", "token_invalid"})
RESTORED_CODE = "device_rewound"  # the desk's database went back in time (a backup): it needs re-linking


def blocked_text(code: str) -> str:
    """Why sync stopped, in the current language ("" when it did not)."""
    if not code:
        return ""
    if code in REVOKED_CODES:
        return _("This desk was removed from the salon; a manager can re-enrol it.")
    if code == "update_required":
        return _("This desk needs an update before it can sync again.")
    if code == RESTORED_CODE:
        return _("This desk was restored from a backup: a manager's re-link code lets it sync again.")
    return _("Sync stopped: the cloud refused this desk's changes ({code}).").format(code=code)


class SyncStatusWidget(QWidget):
    relink_requested = Signal()  # the "Re-link this desk…" button (shown only for a restored desk)

    def __init__(
        self, ctx: UiContext, controller: SyncController | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SyncStatusWidget")
        self._ctx = ctx
        self._controller: SyncController | None = None
        self.progress_label = named(QLabel(), "SyncProgressLabel")
        self.progress_bar = named(QProgressBar(textVisible=True), "SyncProgress")
        self.progress_bar.setFixedWidth(170)
        self.progress_bar.hide()
        self.blocked_label = named(QLabel(), "SyncBlocked")
        self.blocked_label.setProperty("level", "error")
        self.blocked_label.hide()
        self.relink_button = named(QPushButton(), "SyncRelink")
        self.relink_button.hide()
        self.relink_button.clicked.connect(self.relink_requested)
        self.not_enrolled_label = named(QLabel(), "SyncNotEnrolled")
        self.sync_now_button = named(QToolButton(), "SyncNow")
        self.sync_now_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for widget in (
            self.progress_label,
            self.progress_bar,
            self.blocked_label,
            self.relink_button,
            self.not_enrolled_label,
            self.sync_now_button,
        ):
            layout.addWidget(widget)
        self._progress: SyncProgress | None = None
        self.sync_now_button.clicked.connect(self._sync_now)
        self.set_controller(controller)
        self._language_handle = ctx.events.language_changed.connect(self.retranslate)
        self.retranslate()

    def set_controller(self, controller: SyncController | None) -> None:
        """Shows a (re)started controller's progress and state; None: not connected."""
        self._controller = controller
        if controller is not None:
            controller.progress_changed.connect(self._on_progress)
            controller.blocked_changed.connect(self._on_blocked)
        self.retranslate()

    def _sync_now(self) -> None:
        if self._controller is not None:
            self._controller.sync_now()

    def retranslate(self, *_args: Any) -> None:
        enrolled = self._controller is not None
        self.not_enrolled_label.setVisible(not enrolled)
        self.not_enrolled_label.setText(_("Not connected to the cloud"))
        self.sync_now_button.setVisible(enrolled)
        self.sync_now_button.setText(_("Sync now"))
        self.sync_now_button.setToolTip(_("Send this desk's changes and get the salon's news now"))
        self.relink_button.setText(_("Re-link this desk…"))
        self._show_progress(self._progress)
        self._on_blocked(self._controller.blocked_code if self._controller is not None else "")

    def _on_progress(self, progress: SyncProgress) -> None:
        self._progress = progress
        self._show_progress(progress)

    def _show_progress(self, progress: SyncProgress | None) -> None:
        catching_up = progress is not None and progress.head > 0 and not progress.done
        self.progress_bar.setVisible(catching_up)
        self.progress_label.setVisible(catching_up)
        if progress is None or not catching_up:
            return
        l10n = self._ctx.l10n()
        self.progress_bar.setRange(0, progress.head)
        self.progress_bar.setValue(min(progress.received, progress.head))
        received, total = l10n.number(progress.received), l10n.number(progress.head)
        self.progress_label.setText(_("Getting the salon's data"))
        self.progress_bar.setFormat(f"{received} / {total}")
        self.progress_bar.setToolTip(
            _("Getting the salon's data: {received} of {total}").format(received=received, total=total)
        )

    def _on_blocked(self, code: str) -> None:
        text = blocked_text(code)
        self.blocked_label.setText(text)
        self.blocked_label.setToolTip(text)
        self.blocked_label.setVisible(bool(text))
        self.relink_button.setVisible(code == RESTORED_CODE)
