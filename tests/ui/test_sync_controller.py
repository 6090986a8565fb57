"""The Qt sync controller against a real uvicorn cloud: local changes go out at once (even during a
long-poll), a second desk sees them, a revoked desk is blocked with its outbox kept, the GUI thread never
stalls during a big pull or a long-poll, and stop() ends the thread promptly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QTimer

from salon_desk.app import open_desk
from salon_desk.secrets import MemorySecretStore
from salon_desk.sync.engine import SyncReport
from salon_desk.sync.session import SyncSession, enrol_this_desk
from salon_desk.ui.context import ConnectionState, DeskEvents, UiContext
from salon_desk.ui.i18n import set_ui_language
from salon_desk.ui.sync.controller import SyncController
from salon_desk.ui.sync.widgets import SyncStatusWidget, blocked_text
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    free_booking,
    start_cloud_server,
    sync_world,
)

pytestmark = pytest.mark.usefixtures("qapp")
# The cloud only notices a desk that hung up when its long-poll ends, and uvicorn waits for that at shutdown:
# long enough to prove a push is not held back by the long-poll, short enough for a quick teardown.
LONG_POLL = 25.0  # far longer than the wait for the ack below: a change that waited for it would fail
SHORT_POLL = 3.0


def make_ctx(desk: Any, task_runner: Any, ui_settings: Any) -> UiContext:
    return UiContext(desk=desk, runner=task_runner, events=DeskEvents(), settings=ui_settings)


def token_for(world: SyncWorld, device_id: str) -> str:
    """Re-enrols the test desk (same device id, a new token) so the controller has a token of its own, with a
    code a manager issued for exactly this desk (a code alone never takes an enrolled desk's id)."""
    code = world.cloud.services.enrolment.issue_code(
        world.salon_id, "receptionist", rebind_device_id=device_id
    )
    answer = world.cloud.enrol(code.code, device_id=device_id)
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


@pytest.fixture
def controllers() -> Iterator[list[SyncController]]:
    made: list[SyncController] = []
    yield made
    for controller in made:
        assert controller.stop()


def start_controller(
    ctx: UiContext, opener: Any, made: list[SyncController], wait: float = 25
) -> SyncController:
    controller = SyncController(ctx, opener, wait=wait)
    made.append(controller)
    controller.start()
    return controller


def test_local_booking_goes_out_during_a_long_poll_and_reaches_another_desk(
    sync_world: SyncWorld,  # noqa: F811
    qtbot: Any,
    task_runner: Any,
    ui_settings: Any,
    controllers: list[SyncController],  # noqa: F811
) -> None:
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    token = token_for(sync_world, desk1.device_id)
    ctx = make_ctx(desk1.service, task_runner, ui_settings)
    refreshed: list[Any] = []
    ctx.events.changes_applied.connect(refreshed.append)
    url = sync_world.cloud.base_url
    opener = lambda: SyncSession(desk1.path, url, desk1.device_id, token)  # noqa: E731
    controller = start_controller(ctx, opener, controllers, wait=LONG_POLL)
    qtbot.waitUntil(
        lambda: ctx.sync_status.state is ConnectionState.ONLINE and bool(ctx.sync_status.last_sync_at),
        timeout=20000,
    )
    assert refreshed and refreshed[0].touches("booking")  # the first pull told the pages to refresh
    qtbot.wait(300)  # the worker is in its long-poll now

    result = desk1.service.bookings.create(free_booking(desk1))
    ctx.events.changes_applied.emit(result.changes)
    qtbot.waitUntil(  # acked well before the long-poll would have ended: the change interrupted it
        lambda: desk1.scalar("SELECT status FROM outbox WHERE entity_id = :i", i=result.id) == "acked",
        timeout=int(LONG_POLL * 1000 / 2),
    )
    qtbot.waitUntil(lambda: ctx.sync_status.pending == 0, timeout=5000)

    assert desk2.sync.sync_once().ok
    assert desk2.scalar("SELECT count(*) FROM booking WHERE id = :i", i=result.id) == 1
    assert controller.running


def test_revoked_desk_is_blocked_and_keeps_its_outbox(
    sync_world: SyncWorld,  # noqa: F811
    qtbot: Any,
    task_runner: Any,
    ui_settings: Any,
    controllers: list[SyncController],  # noqa: F811
) -> None:
    desk = sync_world.desk("Desk 1")
    token = token_for(sync_world, desk.device_id)
    ctx = make_ctx(desk.service, task_runner, ui_settings)
    url = sync_world.cloud.base_url
    opener = lambda: SyncSession(desk.path, url, desk.device_id, token)  # noqa: E731
    controller = start_controller(ctx, opener, controllers, wait=SHORT_POLL)
    widget = SyncStatusWidget(ctx, controller)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.ONLINE, timeout=20000)

    sync_world.cloud.services.devices.revoke(sync_world.salon_id, desk.device_id)
    result = desk.service.bookings.create(free_booking(desk))
    ctx.events.changes_applied.emit(result.changes)
    # The long-poll may meet the revocation first; the push after the change is refused the same way.
    qtbot.waitUntil(
        lambda: ctx.sync_status.state is ConnectionState.BLOCKED and ctx.sync_status.pending == 1, timeout=10000
    )
    assert controller.blocked_code == "device_revoked"
    assert desk.scalar("SELECT status FROM outbox WHERE entity_id = :i", i=result.id) == "pending"
    set_ui_language("ar", "latn")
    widget.retranslate()
    assert widget.blocked_label.isVisibleTo(widget)
    assert (
        widget.blocked_label.text()
        == blocked_text("device_revoked")
        == "أُزيل هذا الجهاز من الصالون، ويمكن للمدير تسجيله من جديد."
    )


def test_gui_stays_responsive_during_initial_sync_and_long_poll(
    sync_world: SyncWorld,  # noqa: F811
    qtbot: Any,
    task_runner: Any,
    ui_settings: Any,
    controllers: list[SyncController],
    tmp_path: Path,
) -> None:
    runtime = open_desk(tmp_path / "new-desk")  # an empty database: the whole salon comes over the wire
    secrets = MemorySecretStore()
    code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
    link = enrol_this_desk(runtime.engine, secrets, sync_world.cloud.base_url, code, "Reception 2")
    token = secrets.get("salon-desk", link.device_id)
    ctx = make_ctx(runtime.desk, task_runner, ui_settings)
    progress: list[Any] = []
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer(interval=20)
    ticker.timeout.connect(tick)
    ticker.start()
    try:
        path = runtime.paths.database
        controller = start_controller(
            ctx,
            lambda: ThreadNotingSession(path, link.cloud_url, link.device_id, token or ""),
            controllers,
            wait=SHORT_POLL,
        )
        controller.progress_changed.connect(progress.append)
        qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.ONLINE, timeout=60000)
        qtbot.wait(1500)  # inside the long-poll
    finally:
        ticker.stop()
    assert len(progress) > 3 and progress[-1].done  # one report per page, the last one caught up
    assert runtime.desk.reference.salon_info().id == sync_world.salon_id
    assert runtime.desk.customers.count("") > 1000
    # Responsive by construction (no timed assertion): every sync call ran off the GUI thread, and the GUI
    # timer kept firing throughout. The figures are printed for the record.
    assert ThreadNotingSession.threads and threading.get_ident() not in ThreadNotingSession.threads
    assert len(gaps) > 10
    print(f"\nGUI ticks: {len(gaps)}, longest gap {max(gaps) * 1000:.0f} ms")  # noqa: T201

    started = time.monotonic()
    assert controller.stop()  # during a long-poll: the session is interrupted, the worker ends
    print(f"stopped during a long-poll in {(time.monotonic() - started) * 1000:.0f} ms")  # noqa: T201
    runtime.close()


class ThreadNotingSession(SyncSession):
    """The real session, noting which threads ran its sync calls."""

    threads: ClassVar[set[int]] = set()

    def sync_once(self, wait: float = 0) -> SyncReport:
        ThreadNotingSession.threads.add(threading.get_ident())
        return super().sync_once(wait)


def test_status_widget_without_controller_says_not_connected(
    task_runner: Any, ui_settings: Any, qtbot: Any
) -> None:
    set_ui_language("en", "latn")
    try:
        widget = SyncStatusWidget(make_ctx(None, task_runner, ui_settings), None)
        qtbot.addWidget(widget)
        assert widget.not_enrolled_label.text() == "Not connected to the cloud"
        assert not widget.sync_now_button.isVisibleTo(widget)
    finally:
        set_ui_language("ar", "latn")
