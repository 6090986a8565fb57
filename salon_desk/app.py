"""Composition root: settings -> engine -> migrate -> unit of work -> use cases -> Qt.

The only module that knows every layer; everything else receives what it needs.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from salon_desk.config import DeskPaths
from salon_desk.domain.booking import Role
from salon_desk.domain.model import Actor
from salon_desk.store.engine import make_engine
from salon_desk.store.migrate import prepare_database
from salon_desk.store.uow import Clock, make_uow_factory, utc_now
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.enrolment import cloud_link, enrolled_desk, has_salon
from salon_desk.usecases.users import desk_users

log = logging.getLogger(__name__)


@dataclass
class DeskRuntime:
    paths: DeskPaths
    engine: Engine
    desk: DeskService
    clock: Clock

    def close(self) -> None:
        self.engine.dispose()


def open_desk(data_dir: Path, clock: Clock = utc_now, device_id: str | None = None) -> DeskRuntime:
    """Opens (creating or upgrading, with a backup first) the desk database in data_dir."""
    paths = DeskPaths(data_dir).ensure()
    engine = make_engine(paths.database)
    backup = prepare_database(engine, paths.database, paths.backups)
    if backup:
        log.info("upgraded the database; previous version kept at %s", backup)
    if device_id is None:  # an enrolled desk writes its changes under the id the cloud gave it
        link = cloud_link(engine)
        device_id = link.device_id if link else "local"
    uow_factory = make_uow_factory(engine, clock, device_id)
    users = desk_users(uow_factory())
    # PIN sign-in arrives with roles; until then the desk acts as its receptionist account.
    user = next((u for u in users if u.role is Role.RECEPTIONIST), users[0] if users else None)
    actor = Actor(user.id, user.role, device_id, user.name) if user else Actor("local", Role.RECEPTIONIST, device_id)
    return DeskRuntime(paths, engine, DeskService(uow_factory, actor), clock)


def demo_data_dir(now: datetime | None = None) -> Path:
    from salon_desk.demo.seed import seed_demo

    folder = Path(tempfile.mkdtemp(prefix="salon-desk-demo-"))
    seed_demo(folder, now=now)
    return folder


def build_ui_context(runtime: DeskRuntime):  # type: ignore[no-untyped-def]
    from salon_desk.ui import i18n
    from salon_desk.ui.context import SignedInUser, UiContext
    from salon_desk.ui.tasks import TaskRunner

    runtime.desk.language = i18n.current_language
    # A new desk has no salon until its first sync: the salon's own time zone replaces the default then.
    timezone = runtime.desk.salon_info().timezone if has_salon(runtime.engine) else "Asia/Riyadh"
    actor = runtime.desk.actor
    return UiContext(desk=runtime.desk, runner=TaskRunner(), now=runtime.clock, timezone=timezone,
                     user=SignedInUser(actor.name, actor.role.value))


def secret_store():  # type: ignore[no-untyped-def]
    """The OS keyring, or None (logged) when it is not secure and IT did not allow that on purpose."""
    from salon_desk.secrets import KeyringSecretStore, SecretStoreError

    try:
        return KeyringSecretStore()
    except SecretStoreError as exc:
        log.warning("cloud sync disabled: %s %s", exc.code, exc.params)
        return None


def build_sync_hub(ctx, runtime: DeskRuntime, secrets, wait: float = 25.0):  # type: ignore[no-untyped-def]
    """The desk's sync (controller, status widget, Settings' Cloud box); started when enrolled."""
    from salon_desk import desk_sync
    from salon_desk.ui.sync.hub import SyncHub

    def session_factory():  # type: ignore[no-untyped-def]
        enrolled = enrolled_desk(runtime.engine, secrets) if secrets is not None else None
        if enrolled is None:
            return None
        link, token = enrolled
        database = runtime.paths.database
        return lambda: desk_sync.open_sync_session(database, link.cloud_url, link.device_id, token)

    def enrol(url: str, code: str, name: str):  # type: ignore[no-untyped-def]
        if secrets is None:
            from salon_desk.secrets import KeyringSecretStore

            KeyringSecretStore()  # raises the translated "no secure password store" error
        return desk_sync.enrol_this_desk(runtime.engine, secrets, url, code, name)

    return SyncHub(ctx, session_factory, enrol, link=cloud_link(runtime.engine), wait=wait)


def start_sync_controller(ctx, database: Path, cloud_url: str, device_id: str, token: str, wait: float = 25.0):  # type: ignore[no-untyped-def]
    """A running sync controller for a known cloud link (e.g. an embedded demo cloud); stop() it at exit."""
    from salon_desk.desk_sync import open_sync_session
    from salon_desk.ui.sync.controller import SyncController

    controller = SyncController(ctx, lambda: open_sync_session(database, cloud_url, device_id, token), wait=wait)
    controller.start()
    return controller


def _pages_with_cloud_box(hub):  # type: ignore[no-untyped-def]
    from salon_desk.ui.pages import PAGES

    def settings(ctx):  # type: ignore[no-untyped-def]
        page = PAGES["settings"](ctx)
        page.layout().insertWidget(page.layout().count() - 1, hub.settings_section())  # above the stretch
        return page

    return {**PAGES, "settings": settings}


def start_demo_cloud(data_dir: Path):  # type: ignore[no-untyped-def]
    """`--demo`: the embedded cloud (console SMS, in-process notification worker) holding the demo salon,
    and this desk enrolled in it with its token in memory. Returns (cloud, secret store)."""
    from salon_desk.demo.cloud import enrol_demo_desk, start_demo_cloud
    from salon_desk.secrets import MemorySecretStore

    runtime = open_desk(data_dir)  # migrated before the cloud reads it
    cloud = start_demo_cloud(data_dir, runtime.paths.database)
    secrets = MemorySecretStore()
    try:
        enrol_demo_desk(cloud, runtime.engine, secrets)
    except BaseException:
        cloud.stop()
        raise
    finally:
        runtime.close()
    log.info("demo cloud at %s", cloud.base_url)
    return cloud, secrets


def run_desk(data_dir: Path, demo: bool = False) -> int:
    from PySide6.QtWidgets import QApplication

    from salon_desk.ui import i18n, theme
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.pages import NAV, with_demo_messages
    from salon_desk.ui.qt_runtime import GuiThreadGarbageCollector, prepare_qt_runtime

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    collector = GuiThreadGarbageCollector()
    cloud, secrets = start_demo_cloud(data_dir) if demo else (None, secret_store())
    runtime = open_desk(data_dir)  # after enrolment: the desk writes under its cloud device id
    ctx = build_ui_context(runtime)
    ctx.restore_language()
    theme.apply_theme(app, rtl=i18n.is_rtl())
    hub = build_sync_hub(ctx, runtime, secrets, wait=5.0 if demo else 25.0)
    hub.start()
    try:
        if not has_salon(runtime.engine):
            from salon_desk.ui.sync.first_run import first_run

            if not first_run(ctx, hub, lambda: has_salon(runtime.engine)):
                return 1
            ctx.timezone = runtime.desk.salon_info().timezone
        pages, nav = _pages_with_cloud_box(hub), NAV
        if cloud is not None:
            pages, nav = with_demo_messages(pages, nav, cloud.base_url)
        window = MainWindow(ctx, pages=pages, nav=nav)
        window.statusBar().addPermanentWidget(hub.status_widget)
        window.show()
        return app.exec()
    finally:
        hub.stop()
        ctx.runner.shutdown()
        collector.stop()
        runtime.close()
        if cloud is not None:
            cloud.stop()


def screenshot(view: str, lang: str, out: Path, data_dir: Path | None = None, now: datetime | None = None) -> Path:
    from PySide6.QtWidgets import QApplication

    from salon_desk.ui.qt_runtime import prepare_qt_runtime
    from salon_desk.ui.screenshot import render_view

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    assert app is not None
    runtime = open_desk(data_dir or demo_data_dir(now), clock=(lambda: now) if now else utc_now)
    ctx = build_ui_context(runtime)
    try:
        return render_view(view, lang, out, ctx)
    finally:
        ctx.runner.shutdown()
        runtime.close()
