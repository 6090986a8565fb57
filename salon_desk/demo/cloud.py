"""The demo's embedded cloud: the real FastAPI app on 127.0.0.1 (ephemeral port) over SQLite in the demo
folder, with the console SMS provider and the notification worker in-process, holding the demo salon.

    cloud = start_demo_cloud(folder, desk_db)              # migrate, import the desk's salon, serve
    link = enrol_demo_desk(cloud, desk_engine, secrets)    # enrolment code via the cloud's service layer
    cloud.stop()

The desk's token goes to the caller's secret store (the demo uses an in-memory one). Nothing leaves the
machine: the server binds 127.0.0.1 only and the console provider stores messages for the panel.
Online payments (issue #12) go to the fake Moyasar on 127.0.0.1: the demo salon asks a 50 SAR deposit on the
booking page, the fake's hosted checkout takes the test card 4201320111111010, and its webhooks come back here.
The deposit is the salon profile's: enrol_demo_desk has the demo's owner set it on the desk, and the desk's
sync carries it to the cloud (salon.patch), as an owner's change on the salon page would.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from salon_desk.clock import utc_now
from salon_desk.cloud.app import create_app
from salon_desk.cloud.clock import Clock
from salon_desk.cloud.db import Database
from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.migrate import upgrade
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.payments.keys import new_master_key
from salon_desk.cloud.settings import CloudSettings
from salon_desk.cloud.sync.api import drain_long_polls
from salon_desk.cloud.sync.bootstrap import import_desk

START_TIMEOUT_SECONDS = 15
DEMO_NOTIFY = NotifySettings.isolated(in_process=True, poll_seconds=1.0, scheduler_seconds=30.0)


class _DemoSettings(CloudSettings):
    """Only what the demo passes: a developer's DATABASE_URL or SALON_SMS_PROVIDER never leaks in."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@dataclass
class DemoCloud:
    base_url: str
    salon_id: str
    app: FastAPI
    _server: uvicorn.Server
    _thread: threading.Thread
    _socket: socket.socket
    moyasar: FakeMoyasar | None = None
    deposit_halalas: int = 0  # what the demo's owner sets on the desk at enrolment
    clock: Clock | None = None  # the cloud's (the desk writes with the same instants)
    _stopped: bool = field(default=False)

    def issue_enrolment_code(self, role: str = "manager") -> str:
        return self.app.state.services.enrolment.issue_code(self.salon_id, role).code

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        drain_long_polls(self.app)  # the demo desk's long-poll answers now (cloud/shutdown.py)
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT_SECONDS)
        self._socket.close()
        if self.moyasar is not None:
            self.moyasar.stop()


DEMO_DEPOSIT_HALALAS = 5_000


def start_demo_cloud(
    folder: Path, desk_db: Path, clock: Clock | None = None, *, deposit_halalas: int = DEMO_DEPOSIT_HALALAS
) -> DemoCloud:
    url = f"sqlite:///{folder / 'cloud.db'}"
    upgrade(url)
    salon_id = _desk_salon_id(desk_db)
    db = Database.from_url(url)
    import_desk(db, desk_db, salon_id)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    moyasar = FakeMoyasar().start()
    settings = _DemoSettings(
        database_url=url, public_base_url=base_url, sms_provider="console", moyasar_base_url=moyasar.api_url,
        payments_key=new_master_key(), payments_in_process=True,  # a fresh key per run: nothing to keep
    )
    app = create_app(settings, db=db, clock=clock)
    app.state.notify_settings = DEMO_NOTIFY  # the lifespan starts the in-process worker
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="demo-cloud", daemon=True)
    thread.start()
    _wait_started(server, thread)
    account = moyasar.add_account(webhook_url=f"{base_url}/v1/webhooks/moyasar", webhook_secret=new_master_key())
    app.state.payments.configure_account(
        salon_id, secret_key=account.secret_key, publishable_key=account.publishable_key,
        webhook_secret=str(account.webhook_secret), actor="demo",
    )
    return DemoCloud(base_url, salon_id, app, server, thread, sock, moyasar, deposit_halalas, clock)


def enrol_demo_desk(cloud: DemoCloud, desk_engine: Any, secrets: Any, device_name: str = "Demo desk") -> Any:
    """Enrols the demo desk with a fresh code; returns its CloudLink (the token is in `secrets`). Then the
    demo's owner asks the demo deposit on the desk (its next sync takes it to the cloud)."""
    from salon_desk.sync.session import enrol_this_desk

    link = enrol_this_desk(desk_engine, secrets, cloud.base_url, cloud.issue_enrolment_code(), device_name)
    if cloud.deposit_halalas:
        desk_clock = cloud.clock.now if cloud.clock is not None else utc_now
        ask_deposit_on_desk(desk_engine, link.device_id, cloud.deposit_halalas, desk_clock)
    return link


def ask_deposit_on_desk(desk_engine: Any, device_id: str, halalas: int, clock: Callable[[], datetime]) -> None:
    """The salon's owner sets "Deposit (SAR)" on the desk's salon profile (the one home of the amount), through
    the same use case as the owner's page; the change waits in the desk's outbox for its sync."""
    from salon_desk.domain.booking import Role
    from salon_desk.domain.model import Actor
    from salon_desk.store.uow import make_uow_factory
    from salon_desk.usecases.desk import DeskService

    factory = make_uow_factory(desk_engine, clock, device_id)
    anyone = DeskService(factory, Actor("demo", Role.RECEPTIONIST, device_id))
    owner = next(u for u in anyone.users.list() if u.role is Role.OWNER)
    DeskService(factory, Actor(owner.id, Role.OWNER, device_id, owner.name)).salon_profile.update(
        {"deposit_halalas": halalas})


def _desk_salon_id(desk_db: Path) -> str:
    desk = sqlite3.connect(f"file:{desk_db}?mode=ro", uri=True)
    try:
        row = desk.execute("SELECT id FROM salon LIMIT 1").fetchone()
    finally:
        desk.close()
    if row is None:
        raise LookupError(f"no salon in {desk_db}")
    return str(row[0])


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the demo cloud did not start")
        time.sleep(0.02)
