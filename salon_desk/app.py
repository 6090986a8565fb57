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
from salon_desk.usecases.enrolment import cloud_link, enrolled_desk
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
    salon = runtime.desk.salon_info()
    actor = runtime.desk.actor
    return UiContext(desk=runtime.desk, runner=TaskRunner(), now=runtime.clock, timezone=salon.timezone,
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
        return lambda: desk_sync.open_sync_session(runtime.paths.database, link.cloud_url, link.device_id, token)

    def enrol(url: str, code: str, name: str):  # type: ignore[no-untyped-def]
        if secrets is None:
            from salon_desk.secrets import KeyringSecretStore

            KeyringSecretStore()  # raises the translated "no secure password store" error
        return desk_sync.enrol_this_desk(runtime.engine, secrets, url, code, name)

    return SyncHub(ctx, session_factory, enrol, link=cloud_link(runtime.engine), wait=wait)


def _pages_with_cloud_box(hub):  # type: ignore[no-untyped-def]
    from salon_desk.ui.pages import PAGES

    def settings(ctx):  # type: ignore[no-untyped-def]
        page = PAGES["settings"](ctx)
        page.layout().insertWidget(page.layout().count() - 1, hub.settings_section())  # above the stretch
        return page

    return {**PAGES, "settings": settings}


def run_desk(data_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from salon_desk.ui import i18n, theme
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.qt_runtime import GuiThreadGarbageCollector, prepare_qt_runtime

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    collector = GuiThreadGarbageCollector()
    runtime = open_desk(data_dir)
    ctx = build_ui_context(runtime)
    ctx.restore_language()
    theme.apply_theme(app, rtl=i18n.is_rtl())
    hub = build_sync_hub(ctx, runtime, secret_store())
    window = MainWindow(ctx, pages=_pages_with_cloud_box(hub))
    window.statusBar().addPermanentWidget(hub.status_widget)
    hub.start()
    window.show()
    try:
        return app.exec()
    finally:
        hub.stop()
        ctx.runner.shutdown()
        collector.stop()
        runtime.close()


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
