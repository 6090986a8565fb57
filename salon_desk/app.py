"""Composition root: settings -> engine -> migrate -> unit of work -> use cases -> Qt.

The only module that knows every layer; everything else receives what it needs.

Cold start (`run_desk`): the window's frame is painted first (`show_shell`: Qt, the rail, the status bar and
empty pages), and only then are SQLAlchemy, the store and the use cases imported and the database opened
(`open_desk`), the real pages installed and the day loaded (`open_into`). So this module imports neither at
load time: each function imports what it needs.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from salon_desk.clock import Clock, utc_now
from salon_desk.config import DeskPaths

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import Engine

    from salon_desk.ui.context import UiContext
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.pages import PageFactory
    from salon_desk.usecases.desk import DeskService

log = logging.getLogger(__name__)


@dataclass
class DeskRuntime:
    paths: DeskPaths
    engine: Engine
    desk: DeskService
    clock: Clock

    def close(self) -> None:
        self.engine.dispose()


def open_desk(data_dir: Path, clock: Clock = utc_now, device_id: str | None = None, secrets=None) -> DeskRuntime:
    """Opens (creating or upgrading, with a backup first) the desk database in data_dir."""
    from salon_desk.domain.booking import Role
    from salon_desk.domain.model import Actor
    from salon_desk.store.engine import make_engine
    from salon_desk.store.migrate import prepare_database
    from salon_desk.store.uow import make_uow_factory
    from salon_desk.usecases.desk import DeskService
    from salon_desk.usecases.enrolment import cloud_link
    from salon_desk.usecases.users import desk_users

    paths = DeskPaths(data_dir).ensure()
    engine = make_engine(paths.database)
    backup = prepare_database(engine, paths.database, paths.backups)
    if backup:
        log.info("upgraded the database; previous version kept at %s", backup)
    if device_id is None:  # an enrolled desk writes its changes under the id the cloud gave it
        link = cloud_link(engine)
        device_id = link.device_id if link else "local"
    from salon_desk.secrets import SalonPinPepper

    uow_factory = make_uow_factory(engine, clock, device_id, SalonPinPepper(secrets))  # PIN pepper: keyring
    users = desk_users(uow_factory())
    # PIN sign-in arrives with roles; until then the desk acts as its receptionist account.
    user = next((u for u in users if u.role is Role.RECEPTIONIST), users[0] if users else None)
    actor = Actor(user.id, user.role, device_id, user.name) if user else Actor("local", Role.RECEPTIONIST, device_id)
    desk = DeskService(uow_factory, actor)
    _resume_checkouts(desk)
    return DeskRuntime(paths, engine, desk, clock)


def _resume_checkouts(desk: DeskService) -> None:
    """Issues the invoice of any bill paid just before the desk stopped (issue #11): the series stays gap-free."""
    from salon_desk.domain.errors import DomainError

    try:
        issued = desk.checkout.resume()
    except DomainError as error:  # e.g. the salon's VAT number is missing: the checkout screen says so
        log.warning("pending invoices not issued yet: %s", error.code)
        return
    if issued:
        log.info("issued %d invoice(s) left pending when the desk stopped", len(issued))


def demo_data_dir(now: datetime | None = None) -> Path:
    from salon_desk.demo.seed import seed_demo

    folder = Path(tempfile.mkdtemp(prefix="salon-desk-demo-"))
    seed_demo(folder, now=now)
    return folder


def build_ui_context(runtime: DeskRuntime) -> UiContext:
    from salon_desk.ui.context import UiContext
    from salon_desk.ui.tasks import TaskRunner

    ctx = UiContext(desk=runtime.desk, runner=TaskRunner(), now=runtime.clock)
    attach_desk(ctx, runtime)
    return ctx


def attach_desk(ctx: UiContext, runtime: DeskRuntime) -> None:
    """Hands an opened desk to a UI context (built before the database was opened, at cold start)."""
    from salon_desk.ui import i18n
    from salon_desk.ui.context import SignedInUser
    from salon_desk.usecases.enrolment import has_salon

    runtime.desk.follow_language(i18n.current_language)
    ctx.desk, ctx.now = runtime.desk, runtime.clock
    # A new desk has no salon until its first sync: the salon's own time zone replaces the default then.
    ctx.timezone = runtime.desk.reference.salon_info().timezone if has_salon(runtime.engine) else "Asia/Riyadh"
    actor = runtime.desk.actor
    ctx.user = SignedInUser(actor.name, actor.role.value)


def show_shell(
    app: QApplication, demo: bool = False, settings: QSettings | None = None
) -> tuple[UiContext, MainWindow]:
    """Cold start, step 1: the main window's frame (rail, status bar, empty pages) in the remembered language,
    shown and painted before SQLAlchemy, the store or the database are touched. Its context has no desk yet:
    `open_into` attaches one and installs the real pages."""
    from PySide6.QtWidgets import QWidget

    from salon_desk.ui import i18n, theme
    from salon_desk.ui.context import UiContext
    from salon_desk.ui.main_window import MainWindow
    from salon_desk.ui.pages import NAV, PAGES, with_demo_messages
    from salon_desk.ui.tasks import TaskRunner

    ctx = UiContext(desk=None, runner=TaskRunner())
    if settings is not None:  # tests: a temporary file instead of the user's preferences
        ctx.settings = settings
    ctx.restore_language()
    theme.apply_theme(app, rtl=i18n.is_rtl())

    def empty(_ctx: UiContext) -> QWidget:
        page = QWidget()
        page.setObjectName("StartingPage")
        return page

    empty_pages: dict[str, PageFactory] = dict.fromkeys(PAGES, empty)
    nav = NAV
    if demo:  # the demo's Messages entry is in the rail from the first paint
        with_messages, nav = with_demo_messages(empty_pages, NAV, "")
        empty_pages = dict.fromkeys(with_messages, empty)
    window = MainWindow(ctx, pages=empty_pages, nav=nav)
    window.show_restored()
    window.repaint()  # paint now, not when the event loop first runs (after the database opened)
    app.processEvents()
    return ctx, window


def open_into(ctx: UiContext, window: MainWindow, runtime: DeskRuntime,
              pages: dict[str, PageFactory] | None = None) -> None:
    """Cold start, step 2: the opened desk goes to the context and the real pages replace the empty ones;
    the current page (the calendar) builds and asks the DB lane for its day."""
    from salon_desk.ui.pages import PAGES

    attach_desk(ctx, runtime)
    window.install_pages(PAGES if pages is None else pages)


def secret_store():
    """The OS keyring, or None (logged) when it is not secure and IT did not allow that on purpose."""
    from salon_desk.secrets import KeyringSecretStore, SecretStoreError

    try:
        return KeyringSecretStore()
    except SecretStoreError as exc:
        log.warning("cloud sync disabled: %s %s", exc.code, exc.params)
        return None


def build_sync_hub(ctx, runtime: DeskRuntime, secrets, wait: float = 25.0):
    """The desk's sync (controller, status widget, Settings' Cloud box); started when enrolled."""
    from salon_desk.sync import session as sync_session
    from salon_desk.sync.payments_client import payments_cloud
    from salon_desk.ui.sync.hub import SyncHub
    from salon_desk.usecases.enrolment import EnrolmentError, cloud_link, enrolled_desk

    def session_factory():
        enrolled = enrolled_desk(runtime.engine, secrets) if secrets is not None else None
        if enrolled is None:
            return None
        link, token = enrolled
        database = runtime.paths.database
        return lambda: sync_session.open_sync_session(database, link.cloud_url, link.device_id, token)

    def enrol(url: str, code: str, name: str):
        if secrets is None:
            from salon_desk.secrets import KeyringSecretStore

            KeyringSecretStore()  # raises the translated "no secure password store" error
        return sync_session.enrol_this_desk(runtime.engine, secrets, url, code, name)

    def relink(code: str) -> None:
        enrolled = enrolled_desk(runtime.engine, secrets) if secrets is not None else None
        if enrolled is None:
            raise EnrolmentError("device.not_found")
        link, token = enrolled
        sync_session.relink_this_desk(runtime.paths.database, link, token, code, secrets)

    def payments_link():  # issue #12: pay links and refunds go to the same cloud, with the same token
        enrolled = enrolled_desk(runtime.engine, secrets) if secrets is not None else None
        return None if enrolled is None else (enrolled[0].cloud_url, enrolled[1])

    runtime.desk.online_payments.connect(payments_cloud(payments_link))
    return SyncHub(ctx, session_factory, enrol, link=cloud_link(runtime.engine), relink=relink, wait=wait)


def start_sync_controller(ctx, database: Path, cloud_url: str, device_id: str, token: str, wait: float = 25.0):
    """A running sync controller for a known cloud link (e.g. an embedded demo cloud); stop() it at exit."""
    from salon_desk.sync.session import open_sync_session
    from salon_desk.ui.sync.controller import SyncController

    controller = SyncController(ctx, lambda: open_sync_session(database, cloud_url, device_id, token), wait=wait)
    controller.start()
    return controller


def _pages_with_cloud_box(hub):
    from salon_desk.ui.pages import PAGES

    def settings(ctx):
        page = PAGES["settings"](ctx)
        page.layout().insertWidget(page.layout().count() - 1, hub.settings_section())  # above the stretch
        return page

    return {**PAGES, "settings": settings}


def start_demo_cloud(data_dir: Path):
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

    from salon_desk.ui.qt_runtime import GuiThreadGarbageCollector, prepare_qt_runtime

    prepare_qt_runtime()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    collector = GuiThreadGarbageCollector()
    ctx, window = show_shell(app, demo)  # painted before the store and the ORM are imported
    try:
        cloud, secrets = start_demo_cloud(data_dir) if demo else (None, secret_store())
        runtime = open_desk(data_dir, secrets=secrets)  # after enrolment: writes under its cloud device id
    except BaseException:
        ctx.runner.shutdown()
        collector.stop()
        raise
    attach_desk(ctx, runtime)
    hub = build_sync_hub(ctx, runtime, secrets, wait=5.0 if demo else 25.0)
    hub.start()
    try:
        return _run_window(app, ctx, window, runtime, hub, cloud)
    finally:
        hub.stop()
        ctx.runner.shutdown()
        collector.stop()
        runtime.close()
        if cloud is not None:
            cloud.stop()


def _run_window(app, ctx, window, runtime, hub, cloud) -> int:
    from salon_desk.ui.pages import NAV, with_demo_messages
    from salon_desk.usecases.enrolment import has_salon

    if not has_salon(runtime.engine):
        from salon_desk.ui.sync.first_run import first_run

        if not first_run(ctx, hub, lambda: has_salon(runtime.engine)):
            return 1  # open_into below takes the synced salon's time zone
    pages = _pages_with_cloud_box(hub)
    if cloud is not None:
        pages = with_demo_messages(pages, NAV, cloud.base_url)[0]
    open_into(ctx, window, runtime, pages)
    window.statusBar().addPermanentWidget(hub.status_widget)
    from salon_desk.ui.signin.lock import DeskLock

    window.desk_lock = DeskLock(ctx, window)  # sign-in first; locks after the salon's idle time; Ctrl+L switches
    return app.exec()


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


def enrol_command(data_dir: Path | None, cloud_url: str, code: str, name: str) -> int:
    """`salon-desk enrol`: enrol, then the first sync (a new desk pulls its salon). Never prints the token."""
    import sys

    from salon_desk.config import default_data_dir
    from salon_desk.domain.errors import DomainError
    from salon_desk.l10n import get_localizer
    from salon_desk.secrets import SERVICE, KeyringSecretStore, SecretStoreError
    from salon_desk.sync.session import enrol_this_desk, open_sync_session, run_until_caught_up
    from salon_desk.usecases.enrolment import EnrolmentError

    l10n = get_localizer("en")
    runtime = open_desk(data_dir or default_data_dir())
    try:
        secrets = secret_store() or KeyringSecretStore()
        link = enrol_this_desk(runtime.engine, secrets, cloud_url, code, name)
        print(f"enrolled: device {link.device_id}, salon {link.salon_id}")  # noqa: T201
        session = open_sync_session(
            runtime.paths.database, link.cloud_url, link.device_id, secrets.get(SERVICE, link.device_id) or ""
        )
        try:
            report = run_until_caught_up(session, lambda p: print(f"received {p.received} of {p.head}"))  # noqa: T201
        finally:
            session.close()
    except SecretStoreError as exc:
        print(exc.message(l10n), file=sys.stderr)  # noqa: T201
        return 2
    except DomainError as exc:
        print(exc.message(l10n) if isinstance(exc, EnrolmentError) else l10n.error(exc), file=sys.stderr)  # noqa: T201
        return 1
    finally:
        runtime.close()
    if not report.ok:
        print(f"first sync did not finish ({report.error}); the desk retries when it starts", file=sys.stderr)  # noqa: T201
        return 3
    print(f"first sync done: {report.pulled} rows")  # noqa: T201
    return 0
