"""Enrolling from the UI with the app's own wiring (app.build_sync_hub) against the real cloud: Settings'
Cloud box is a manager action, the dialog enrols on the network lane, the controller starts, and a new desk's
first-run dialog lets the window open once the salon's first pages arrived."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from salon_desk.app import build_sync_hub, open_desk
from salon_desk.secrets import SERVICE, MemorySecretStore
from salon_desk.ui.context import ConnectionState, DeskEvents, SignedInUser, UiContext
from salon_desk.ui.i18n import set_ui_language
from salon_desk.ui.sync.first_run import WaitForSalonDialog
from salon_desk.usecases.enrolment import has_salon
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def new_desk(tmp_path: Path) -> Any:
    runtime = open_desk(tmp_path / "new-desk")
    yield runtime
    runtime.close()


def test_manager_enrols_from_settings_and_the_salon_arrives(
    sync_world: SyncWorld,  # noqa: F811
    new_desk: Any,
    qtbot: Any,
    task_runner: Any,
    ui_settings: Any,
) -> None:
    ctx = UiContext(
        desk=new_desk.desk,
        runner=task_runner,
        events=DeskEvents(),
        settings=ui_settings,
        user=SignedInUser("Huda", "manager"),
    )
    secrets = MemorySecretStore()
    hub = build_sync_hub(ctx, new_desk, secrets, wait=2)
    try:
        assert not hub.start()  # not enrolled yet
        assert ctx.sync_status.state is ConnectionState.OFFLINE
        section = hub.settings_section()
        qtbot.addWidget(section)
        assert section.enrol_button.isEnabled()
        dialog = section.open_dialog()
        dialog.url_edit.setText(sync_world.cloud.base_url)
        dialog.code_edit.setText("1234")
        dialog.submit()
        qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=5000)
        assert dialog.error_label.text() == new_desk_message("ar", "enrol.code_format")

        code = sync_world.cloud.issue_code(sync_world.salon_id, "receptionist")
        dialog.code_edit.setText(code)
        with qtbot.waitSignal(dialog.enrolled, timeout=10000):
            dialog.submit()
        assert hub.controller is not None and hub.link is not None
        assert secrets.get(SERVICE, hub.link.device_id)
        waiting = WaitForSalonDialog(ctx, hub, lambda: has_salon(new_desk.engine))
        qtbot.addWidget(waiting)
        with qtbot.waitSignal(waiting.accepted, timeout=20000):
            waiting.open()
        qtbot.waitUntil(lambda: ctx.sync_status.state is ConnectionState.ONLINE, timeout=30000)
        assert new_desk.desk.reference.salon_info().id == sync_world.salon_id
        assert "127.0.0.1" in section.state_label.text()
    finally:
        assert hub.stop()


def test_a_receptionist_cannot_enrol(new_desk: Any, task_runner: Any, ui_settings: Any, qtbot: Any) -> None:
    set_ui_language("en", "latn")
    try:
        ctx = UiContext(
            desk=new_desk.desk,
            runner=task_runner,
            settings=ui_settings,
            user=SignedInUser("Noura", "receptionist"),
        )
        section = build_sync_hub(ctx, new_desk, MemorySecretStore()).settings_section()
        qtbot.addWidget(section)
        assert not section.enrol_button.isEnabled()
        assert section.enrol_button.toolTip() == "Only a manager can connect a desk."
    finally:
        set_ui_language("ar", "latn")


def new_desk_message(lang: str, code: str) -> str:
    from salon_desk.l10n import get_localizer
    from salon_desk.usecases.enrolment import MESSAGES

    return get_localizer(lang).gettext(MESSAGES[code])


def test_settings_page_carries_the_cloud_box(ui_context: Any, demo_db: Path, qtbot: Any) -> None:
    from salon_desk.app import _pages_with_cloud_box
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.sync.enrol_dialog import EnrolSection

    runtime = open_desk(demo_db.parent)
    try:
        hub = build_sync_hub(ui_context, runtime, MemorySecretStore())
        window = MainWindow(ui_context, pages=_pages_with_cloud_box(hub))
        qtbot.addWidget(window)
        window.statusBar().addPermanentWidget(hub.status_widget)
        page = window.show_page("settings")
        section = page.findChild(EnrolSection)
        assert section is not None and section.state_label.text() == "هذا الجهاز غير مرتبط بسحابة الصالون."
        assert hub.status_widget.not_enrolled_label.text() == "غير مرتبط بالسحابة"
    finally:
        runtime.close()
