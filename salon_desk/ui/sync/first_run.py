"""First run of a new desk (an empty database): connect it to the cloud if needed, then wait only until the
salon's reference data arrived (the first pages of the initial sync) before the main window opens; the rest
keeps arriving in the background and the pages refresh as it lands.

    if not first_run(ctx, hub, salon_ready):       # salon_ready() -> bool, a cheap local query
        return 1                                   # closed without a salon: nothing to show
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from salon_desk.ui.context import UiContext
from salon_desk.ui.i18n import _
from salon_desk.ui.named import named
from salon_desk.ui.sync.enrol_dialog import EnrolDialog
from salon_desk.ui.sync.hub import SyncHub
from salon_desk.ui.sync.widgets import blocked_text

if TYPE_CHECKING:
    from salon_desk.sync.session import SyncProgress

POLL_MS = 250


class WaitForSalonDialog(QDialog):
    """Shows the initial sync's progress; accepts as soon as `salon_ready()` is true."""

    def __init__(
        self, ctx: UiContext, hub: SyncHub, salon_ready: Callable[[], bool], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("WaitForSalonDialog")
        self._ctx, self._hub, self._salon_ready = ctx, hub, salon_ready
        self.message = QLabel(wordWrap=True)
        self.progress_bar = named(QProgressBar(), "FirstSyncProgress")
        self.progress_bar.setRange(0, 0)  # busy until the first page reports the head
        self.problem = named(QLabel(wordWrap=True), "FirstSyncProblem")
        self.problem.setProperty("level", "error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.progress_bar, self.problem, buttons):
            layout.addWidget(widget)
        self.setWindowTitle(_("Getting the salon's data"))
        self.message.setText(_("This desk is new: the salon's data is coming from the cloud."))
        if hub.controller is not None:
            hub.controller.progress_changed.connect(self._on_progress)
            hub.controller.blocked_changed.connect(lambda code: self.problem.setText(blocked_text(code)))
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def _on_progress(self, progress: SyncProgress) -> None:
        if progress.head:
            self.progress_bar.setRange(0, progress.head)
            self.progress_bar.setValue(min(progress.received, progress.head))
        self._check()

    def _check(self) -> None:
        if self._salon_ready():
            self._timer.stop()
            self.accept()


def first_run(ctx: UiContext, hub: SyncHub, salon_ready: Callable[[], bool]) -> bool:
    """True when the desk holds a salon (after enrolling and the first pages); False when closed first."""
    if hub.controller is None:
        dialog = EnrolDialog(ctx, hub.enrol_callable)
        dialog.enrolled.connect(hub.restart)
        if dialog.exec() != QDialog.DialogCode.Accepted or hub.controller is None:
            return False
    return salon_ready() or WaitForSalonDialog(ctx, hub, salon_ready).exec() == QDialog.DialogCode.Accepted
