"""Outbox throughput: messages/s the notification worker dispatches to the fake Authentica (real HTTP)
with 2 workers on one outbox, vs a same-run baseline of raw HTTP posts of the same texts from 2 threads.
The gap is the outbox's own cost (claim with SKIP LOCKED, render + link, record + replicated status).
Figures are printed; nothing asserts on timing. PostgreSQL when SALON_TEST_DATABASE_URL is set (SQLite
otherwise, for a local look)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import func, select

from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.notify.settings import NotifySettings
from tests.benchmarks.report import Recorder, scaled
from tests.cloud.conftest import fake_authentica  # noqa: F401 - fixture
from tests.cloud.test_notify_concurrency import queue_confirmations, run_workers
from tests.fakes.authentica import FakeAuthentica
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    start_cloud_server,
    sync_world,
)

WORKERS = 2
LIMIT = scaled(400, 40)


def _raw_posts(fake: FakeAuthentica, bodies: list[str]) -> float:
    """Seconds for WORKERS threads to post every text straight to the fake (keep-alive clients)."""
    shares = [bodies[i::WORKERS] for i in range(WORKERS)]
    headers = {"X-Authorization": fake.api_key, "Accept": "application/json"}

    def post(share: list[str]) -> None:
        with httpx.Client(base_url=fake.base_url, headers=headers) as client:
            for body in share:
                sms = {"phone": "+966551234567", "message": body, "sender_name": "SalonDesk"}
                client.post("/api/v2/send-sms", json=sms).raise_for_status()

    threads = [threading.Thread(target=post, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@pytest.mark.benchmark
def test_outbox_throughput_with_two_workers(
    sync_world: SyncWorld,  # noqa: F811
    fake_authentica: FakeAuthentica,  # noqa: F811
    bench: Recorder,
) -> None:
    cloud = sync_world.cloud
    backend = cloud.db.backend
    queued = queue_confirmations(cloud.db, sync_world.salon_id, cloud.clock.now(), limit=LIMIT)
    url = cloud.db.engine.url.render_as_string(hide_password=False)

    started = time.perf_counter()
    run_workers(url, cloud.clock, fake_authentica, WORKERS, NotifySettings.isolated(batch_size=20))
    outbox_seconds = time.perf_counter() - started

    with cloud.db.reader() as session:
        sent = session.scalar(select(func.count()).where(NotificationJobRow.status == "sent"))
        bodies = list(session.scalars(select(NotificationJobRow.body)))
    assert sent == queued == len(fake_authentica.requests_to("/api/v2/send-sms"))
    raw_seconds = _raw_posts(fake_authentica, [b or "" for b in bodies])

    outbox_rate, raw_rate = queued / outbox_seconds, queued / raw_seconds
    bench(f"[{backend}] notification outbox, {WORKERS} workers, {queued} messages to the fake Authentica",
          outbox_rate, "msg/s", baseline=raw_rate, higher_is_better=True,
          baseline_name=f"raw HTTP posts of the same texts from {WORKERS} threads")
