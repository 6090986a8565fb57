"""`salon-desk --demo` pieces, headless: the embedded cloud holds the demo salon, the desk enrols in it,
a booking made at the desk reaches the customer as a console SMS (in-process worker), its link opens the
customer's booking page, the desk pulls the delivery status, and the message panel lists it clickable."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QUrl
from sqlalchemy import select

from salon_desk.app import open_desk
from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.links.tokens import redact_links
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.demo.cloud import DemoCloud, enrol_demo_desk, start_demo_cloud
from salon_desk.secrets import MemorySecretStore
from salon_desk.sync.session import open_sync_session
from salon_desk.ui.messages.client import fetch_messages
from salon_desk.ui.messages.panel import MessagesPanel
from salon_desk.usecases.enrolment import SERVICE
from tests.conftest import DEMO_NOW, FixedClock
from tests.sync.conftest import free_booking

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[tuple[DemoCloud, Any, Any]]:
    shutil.copy(demo_template, tmp_path / "salon-desk.db")
    desk_clock = FixedClock()  # desk and cloud share the demo's moment, never the machine's date
    runtime = open_desk(tmp_path, clock=desk_clock)
    cloud = start_demo_cloud(tmp_path, runtime.paths.database, clock=ManualClock(DEMO_NOW))
    secrets = MemorySecretStore()
    link = enrol_demo_desk(cloud, runtime.engine, secrets)
    runtime.close()
    runtime = open_desk(tmp_path, clock=desk_clock)  # now writing under its cloud device id
    session = open_sync_session(
        runtime.paths.database, link.cloud_url, link.device_id, secrets.get(SERVICE, link.device_id)
    )
    yield cloud, runtime, session
    session.close()
    runtime.close()
    cloud.stop()


class _DeskShim:
    """What tests.sync's free_booking needs from a desk."""

    def __init__(self, runtime: Any) -> None:
        self.service, self._engine = runtime.desk, runtime.engine

    def scalar(self, sql: str) -> Any:
        with self._engine.connect() as conn:
            return conn.exec_driver_sql(sql).scalar()


def _wait_for(predicate: Any, seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_demo_booking_sends_a_console_sms_with_a_working_link(demo, qtbot) -> None:  # type: ignore[no-untyped-def]
    cloud, runtime, session = demo
    assert session.sync_once().ok  # the desk catches up with the cloud it was imported into
    command = free_booking(_DeskShim(runtime))
    booking_id = runtime.desk.bookings.create(command).id
    assert session.sync_once().applied == 1

    def sent_body() -> str | None:  # the in-process worker sends it (other customers get reminders too)
        with cloud.app.state.services.db.reader() as s:
            return s.scalar(
                select(NotificationJobRow.body).where(
                    NotificationJobRow.booking_id == booking_id, NotificationJobRow.status == "sent"
                )
            )

    body = _wait_for(sent_body)
    # The stored body has its link redacted (issue 8); the message sent has the real link.
    [message] = [m for m in fetch_messages(cloud.base_url, limit=500) if redact_links(m.text) == body]
    assert message.kind == "text" and len(message.links) == 1
    assert message.links[0].startswith(f"{cloud.base_url}/b/")
    page = httpx.get(message.links[0], headers={"Accept-Language": "ar"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]

    def delivered() -> Any:
        session.sync_once()
        with runtime.engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT status FROM notification WHERE booking_id = ? AND status = 'sent'", (booking_id,)
            ).scalar()

    assert _wait_for(delivered) == "sent"

    opened: list[QUrl] = []
    from salon_desk.app import build_ui_context

    ctx = build_ui_context(runtime)
    panel = MessagesPanel(ctx, cloud.base_url, open_url=opened.append)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: len(panel.message_labels()) >= 1, timeout=10_000)
    label = next(lb for lb in panel.message_labels() if message.links[0] in lb.text())
    assert message.links[0] in label.text() and "<a href=" in label.text()
    label.linkActivated.emit(message.links[0])
    assert [url.toString() for url in opened] == [message.links[0]]
    panel.close()
    ctx.runner.shutdown()
    panel.refresh()  # a timer tick after shutdown stops quietly
    assert not panel._timer.isActive()  # noqa: SLF001
