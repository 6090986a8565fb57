"""A desk restored from a backup, re-linked from its status bar with the app's own wiring (app.build_sync_hub)
against the real cloud (issue #14): the cloud answers device_rewound, the status area says why and offers
"Re-link this desk…", a code made for another purpose is refused in words, and the manager's code for this
desk brings it back with its unsent change delivered. SQLite and PostgreSQL (sync_world's backends)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from salon_desk.app import build_sync_hub, open_desk
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.l10n import get_localizer
from salon_desk.secrets import SERVICE, MemorySecretStore
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.session import enrol_this_desk
from salon_desk.ui.context import ConnectionState, DeskEvents, SignedInUser, UiContext
from salon_desk.usecases.commands import UpdateCustomer
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.enrolment import MESSAGES
from tests.conftest import DEMO_NOW, FixedClock
from tests.sync.conftest import (  # noqa: F401 - fixtures
    ACTOR_ID,
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

pytestmark = pytest.mark.usefixtures("qapp")


def _context(runtime: Any, task_runner: Any, ui_settings: Any) -> UiContext:
    return UiContext(
        desk=runtime.desk, runner=task_runner, events=DeskEvents(), settings=ui_settings,
        user=SignedInUser("Noura", "receptionist"),
    )


def _note(runtime: Any, device_id: str, customer_id: str, text: str) -> None:
    """A receptionist's edit (the sync suite's signed-in person), written to the desk's own database."""
    actor = Actor(user_id=ACTOR_ID, role=Role.RECEPTIONIST, device_id=device_id, name="Noura")
    desk = DeskService(make_uow_factory(runtime.engine, FixedClock(DEMO_NOW), device_id=device_id), actor)
    desk.customers.update(UpdateCustomer(customer_id, {"notes": text}))


def _cloud_notes(world: SyncWorld, customer_id: str) -> str | None:
    from sqlalchemy import select

    from salon_desk.cloud.sync.tables import REPLICATED_TABLES

    table = REPLICATED_TABLES["customer"]
    with world.cloud.db.reader() as session:
        return session.scalar(
            select(table.c.notes).where(table.c.salon_id == world.salon_id, table.c.id == customer_id)
        )


def test_a_restored_desk_is_relinked_from_its_status_bar(
    sync_world: SyncWorld,  # noqa: F811
    tmp_path: Path,
    qtbot: Any,
    task_runner: Any,
    ui_settings: Any,
) -> None:
    world, cloud = sync_world, sync_world.cloud
    folder = tmp_path / "front-desk"
    runtime = open_desk(folder)
    secrets = MemorySecretStore()
    link = enrol_this_desk(
        runtime.engine, secrets, cloud.base_url, cloud.issue_code(world.salon_id, "receptionist"), "Front desk"
    )
    ctx = _context(runtime, task_runner, ui_settings)
    hub = build_sync_hub(ctx, runtime, secrets, wait=2)
    assert hub.start()
    qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.ONLINE and not ctx.sync_status.pending,
                    timeout=60000)
    customer = runtime.desk.customers.search("", limit=1)[0].id
    database = runtime.paths.database
    live, copy = sqlite3.connect(database), sqlite3.connect(tmp_path / "backup.db")
    live.backup(copy)  # last night's backup
    live.close()
    copy.close()
    _note(runtime, link.device_id, customer, "sent before the disk failed")
    qtbot.waitUntil(lambda: _cloud_notes(world, customer) == "sent before the disk failed", timeout=30000)
    assert hub.stop()
    runtime.close()

    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "backup.db", database)  # IT restores the backup
    runtime = open_desk(folder)
    try:
        ctx = _context(runtime, task_runner, ui_settings)
        _note(runtime, link.device_id, customer, "written after the restore")
        hub = build_sync_hub(ctx, runtime, secrets, wait=2)
        assert hub.start()
        widget = hub.status_widget
        qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.BLOCKED, timeout=30000)
        assert widget.relink_button.isVisibleTo(widget)
        assert "نسخة احتياطية" in widget.blocked_label.text()  # "restored from a backup", in Arabic

        dialog = hub.open_relink_dialog()
        assert dialog is not None and hub.controller is None  # the loop waits while the code is checked
        qtbot.addWidget(dialog)
        assert link.device_id in dialog.device_label.text()  # what the manager needs to issue the code
        manager = cloud.enrolled_desk("manager", salon_id=world.salon_id)[1]
        with cloud.client(headers={"Authorization": f"Bearer {manager}"}) as http:
            ordinary = http.post("/v1/devices/enrolment-codes", json={"role": "receptionist"}).json()["code"]
            approval = http.post(
                "/v1/devices/enrolment-codes", json={"role": "receptionist", "rebind_device_id": link.device_id}
            ).json()["code"]
        old_token = secrets.get(SERVICE, link.device_id)

        dialog.code_edit.setText(ordinary)
        dialog.submit()
        qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=15000)
        assert dialog.error_label.text() == get_localizer("ar").gettext(MESSAGES["enrolment.rebind_mismatch"])
        assert secrets.get(SERVICE, link.device_id) == old_token and dialog.isVisible()

        dialog.code_edit.setText(approval)
        with qtbot.waitSignal(dialog.relinked, timeout=15000):
            dialog.submit()
        assert secrets.get(SERVICE, link.device_id) != old_token  # rotated, in the keyring
        qtbot.waitUntil(lambda: hub.controller is not None, timeout=5000)
        qtbot.waitUntil(lambda: _cloud_notes(world, customer) == "written after the restore", timeout=30000)
        qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.ONLINE, timeout=30000)
        assert not widget.relink_button.isVisibleTo(widget) and not widget.blocked_label.text()
    finally:
        assert hub.stop()
        runtime.close()
