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


def open_desk(data_dir: Path, clock: Clock = utc_now, device_id: str = "local") -> DeskRuntime:
    """Opens (creating or upgrading, with a backup first) the desk database in data_dir."""
    paths = DeskPaths(data_dir).ensure()
    engine = make_engine(paths.database)
    backup = prepare_database(engine, paths.database, paths.backups)
    if backup:
        log.info("upgraded the database; previous version kept at %s", backup)
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
    from salon_desk.ui.context import SignedInUser, UiContext
    from salon_desk.ui.tasks import TaskRunner

    salon = runtime.desk.salon_info()
    actor = runtime.desk.actor
    return UiContext(desk=runtime.desk, runner=TaskRunner(), now=runtime.clock, timezone=salon.timezone,
                     user=SignedInUser(actor.name, actor.role.value))


def run_desk(data_dir: Path) -> int:
    from PySide6.QtWidgets import QApplication

    from salon_desk.ui import i18n, theme
    from salon_desk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    runtime = open_desk(data_dir)
    ctx = build_ui_context(runtime)
    ctx.restore_language()
    theme.apply_theme(app, rtl=i18n.is_rtl())
    window = MainWindow(ctx)
    window.show()
    try:
        return app.exec()
    finally:
        ctx.runner.shutdown()
        runtime.close()


def screenshot(view: str, lang: str, out: Path, data_dir: Path | None = None, now: datetime | None = None) -> Path:
    from PySide6.QtWidgets import QApplication

    from salon_desk.ui.screenshot import render_view

    app = QApplication.instance() or QApplication([])
    assert app is not None
    runtime = open_desk(data_dir or demo_data_dir(now), clock=(lambda: now) if now else utc_now)
    ctx = build_ui_context(runtime)
    try:
        return render_view(view, lang, out, ctx)
    finally:
        ctx.runner.shutdown()
        runtime.close()
