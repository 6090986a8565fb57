"""Moyasar webhook handling (issue #12): events/s the cloud takes over real HTTP (find the salon by invoice,
open its sealed secret, compare in constant time, store by event id) from 2 client threads, beside a same-run
baseline of a bare insert of the same rows (one transaction each, 2 threads); and the apply job's rate
(re-fetch + forward merge + link + audit) with a provider answering from memory. PostgreSQL when
SALON_TEST_DATABASE_URL is set. Figures are printed; nothing asserts on timing."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.provider import ProviderPayment
from salon_desk.cloud.payments.rows import MoyasarEventRow, PayLinkRow
from salon_desk.domain.payments import PaymentStatus
from tests.benchmarks.report import Recorder, scaled
from tests.cloud.conftest import (  # noqa: F401 - fixtures
    StartCloudServer,
    cloud_backend,
    cloud_database_url,
    start_cloud_server,
)
from tests.cloud.payments_world import WEBHOOK_SECRET, start_world

EVENTS = scaled(2_000, 100)
THREADS = 2


@pytest.fixture
def fake() -> Iterator[FakeMoyasar]:
    moyasar = FakeMoyasar().start()
    yield moyasar
    moyasar.stop()


class MemoryProvider:
    name = "memory"

    def fetch_payment(self, secret_key: str, payment_id: str) -> ProviderPayment:
        invoice_id = payment_id.replace("pay-", "inv-")
        return ProviderPayment(payment_id, PaymentStatus.PAID, 5_000, 0, invoice_id, "creditcard", "mada", "APPROVED")


def _parallel(work: Any, shares: list[list[Any]]) -> float:
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@pytest.mark.benchmark
def test_webhook_events_per_second(
    start_cloud_server: StartCloudServer, fake: FakeMoyasar, bench: Recorder  # noqa: F811
) -> None:
    world = start_world(start_cloud_server, fake)
    server, salon_id = world.server, world.salon_id
    now = server.clock.now()
    links = [
        {"salon_id": salon_id, "id": str(uuid.uuid4()), "idempotency_key": f"bench-{i:06d}", "request_hash": "x",
         "booking_id": None, "purpose": "balance", "amount_halalas": 5_000, "lang": "ar", "status": "pending",
         "invoice_id": f"inv-{i:06d}", "invoice_url": None, "uncertain": False, "lease_until": None,
         "error": None, "created_by": None, "expires_at": now + timedelta(days=2), "created_at": now,
         "updated_at": now}
        for i in range(EVENTS)
    ]
    with server.db.session() as session:
        session.execute(insert(PayLinkRow), links)
        session.commit()
    bodies = [
        {"id": str(uuid.uuid4()), "type": "payment_paid", "created_at": "2025-03-01T07:00:00.000Z",
         "secret_token": WEBHOOK_SECRET, "account_name": "Salon", "live": False,
         "data": {"id": f"pay-{i:06d}", "status": "paid", "amount": 5_000, "invoice_id": f"inv-{i:06d}"}}
        for i in range(EVENTS)
    ]

    def post(share: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for body in share:
                assert client.post("/v1/webhooks/moyasar", json=body).status_code == 200

    webhook_seconds = _parallel(post, [bodies[i::THREADS] for i in range(THREADS)])

    rows = [
        {"salon_id": salon_id, "id": f"base-{b['id']}", "type": b["type"], "payment_id": b["data"]["id"],
         "invoice_id": b["data"]["invoice_id"], "state": "pending", "attempts": 0, "next_attempt_at": now,
         "received_at": now, "applied_at": None, "note": None}
        for b in bodies
    ]

    def bare(share: list[dict[str, Any]]) -> None:
        for row in share:
            with server.db.session() as session:
                session.execute(insert(MoyasarEventRow), [row])
                session.commit()

    insert_seconds = _parallel(bare, [rows[i::THREADS] for i in range(THREADS)])
    backend = server.db.backend
    bench(f"[{backend}] Moyasar webhooks received over HTTP, {EVENTS} events, {THREADS} clients",
          EVENTS / webhook_seconds, "events/s", baseline=EVENTS / insert_seconds, higher_is_better=True,
          baseline_name=f"bare insert of the same rows, one transaction each, {THREADS} threads")

    payments = world.payments
    payments._provider = MemoryProvider()  # type: ignore[assignment]
    with server.db.session() as session:  # only the real events: the baseline's rows are not ours
        session.query(MoyasarEventRow).filter(MoyasarEventRow.id.like("base-%")).delete(synchronize_session=False)
        session.commit()
    started = time.perf_counter()
    applied = 0
    while True:
        done = payments.apply_pending(limit=500)
        applied += done
        if not done:
            break
    apply_seconds = time.perf_counter() - started
    assert applied == EVENTS
    bench(f"[{backend}] webhook events applied by the job (re-fetch from memory, merge, link, audit), 1 job",
          EVENTS / apply_seconds, "events/s", baseline=EVENTS / insert_seconds, higher_is_better=True,
          baseline_name="the same bare insert")
