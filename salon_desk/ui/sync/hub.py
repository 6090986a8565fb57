"""The desk's sync as the rest of the UI sees it: one controller (or none), the status-area widget and
Settings' Cloud box, restarted after an enrolment.

    hub = SyncHub(ctx, session_factory, enrol)   # built by app.py, which knows the store and the keyring
    hub.start()                                  # True when the desk is enrolled and its token is present
    status_bar.addPermanentWidget(hub.status_widget)
    hub.settings_section()                       # the Cloud box for the Settings page
    hub.stop()                                   # at exit

`session_factory()` returns a callable that opens a sync session in the worker thread, or None when the desk
is not enrolled; `enrol(url, code, name)` enrols (on the network lane) and returns the CloudLink;
`relink(code)` re-links a desk restored from a backup (network lane, with the sync loop stopped meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from salon_desk.ui.context import ConnectionState, SyncStatusView, UiContext
from salon_desk.ui.sync.controller import LONG_POLL_SECONDS, SyncController, SyncSessionLike
from salon_desk.ui.sync.enrol_dialog import Enrol, EnrolSection
from salon_desk.ui.sync.relink_dialog import Relink, RelinkDialog
from salon_desk.ui.sync.widgets import SyncStatusWidget

if TYPE_CHECKING:
    from salon_desk.usecases.enrolment import CloudLink

SessionFactory = Callable[[], Callable[[], SyncSessionLike] | None]


class SyncHub(QObject):
    def __init__(
        self,
        ctx: UiContext,
        session_factory: SessionFactory,
        enrol: Enrol,
        *,
        link: CloudLink | None = None,
        relink: Relink | None = None,
        wait: float = LONG_POLL_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx, self._session_factory, self.enrol_callable, self._wait = ctx, session_factory, enrol, wait
        self.link = link
        self.controller: SyncController | None = None
        self.status_widget = SyncStatusWidget(ctx, None)
        self._relink = relink
        self.relink_dialog: RelinkDialog | None = None
        self.status_widget.relink_requested.connect(self.open_relink_dialog)

    def start(self) -> bool:
        open_session = self._session_factory()
        if open_session is None:
            self._ctx.publish_sync_status(SyncStatusView(ConnectionState.OFFLINE))
            return False
        self.controller = SyncController(self._ctx, open_session, wait=self._wait, parent=self)
        self.status_widget.set_controller(self.controller)
        self.controller.start()
        return True

    def stop(self) -> bool:
        if self.controller is None:
            return True
        stopped = self.controller.stop()
        self.controller = None
        return stopped

    def restart(self, link: CloudLink | None) -> None:
        self.link = link
        self.stop()
        self.status_widget.set_controller(None)
        self.start()

    def open_relink_dialog(self) -> RelinkDialog | None:
        """The restored desk's re-link: the loop stops while the code is checked (the outbox is renumbered),
        and starts again afterwards, whatever the outcome."""
        if self._relink is None:
            return None
        self.stop()
        device_id = self.link.device_id if self.link is not None else ""
        self.relink_dialog = RelinkDialog(self._ctx, self._relink, device_id, self.status_widget.window())
        self.relink_dialog.finished.connect(lambda _result: self.restart(self.link))
        self.relink_dialog.open()
        return self.relink_dialog

    def settings_section(self) -> EnrolSection:
        section = EnrolSection(self._ctx, self.enrol_callable, self.restart)
        section.set_link(self.link)
        return section
