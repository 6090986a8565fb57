"""Push throughput through the real server vs raw INSERTs into the same cloud tables, and desk -> desk
propagation vs a bare HTTP round trip. Figures are printed; nothing asserts on timing."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import insert

from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.ids import new_id
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest, format_instant
from salon_desk.usecases.commands import UpdateCustomer
from tests.conftest import DEMO_NOW
from tests.sync.conftest import (  # noqa: F401 - fixtures
    SyncWorld,
    cloud_backend,
    cloud_database_url,
    cloud_server,
    first_customer,
    start_cloud_server,
    sync_world,
)

N = 600
BATCH = 100


def _booking_mutations(staff_id: str, service_id: str, device_seq0: int) -> list[Mutation]:
    start0 = DEMO_NOW + timedelta(days=400)
    out = []
    for n in range(N):
        start = start0 + timedelta(minutes=30 * n)
        args = {
            "customer_id": None,
            "source": "desk",
            "status": "requested",
            "notes": "",
            "items": [
                {
                    "id": new_id(),
                    "service_id": service_id,
                    "staff_id": staff_id,
                    "start_at": format_instant(start),
                    "end_at": format_instant(start + timedelta(minutes=25)),
                    "busy_until": format_instant(start + timedelta(minutes=30)),
                    "price_halalas": 100,
                    "phases": [],
                }
            ],
        }
        out.append(
            Mutation(
                mutation_id=new_id(),
                device_seq=device_seq0 + n,
                name="booking.create",
                entity="booking",
                entity_id=new_id(),
                hlc=f"{n}:0",
                actor=MutationActor(desk_user_id=str(uuid.uuid4())),
                args=args,
            )
        )
    return out


@pytest.mark.benchmark
def test_push_throughput_vs_raw_inserts(sync_world: SyncWorld) -> None:  # noqa: F811
    desk = sync_world.desk("Bench")
    staff_id, service_id = desk.rows("SELECT staff_id, service_id FROM staff_service LIMIT 1")[0]
    mutations = _booking_mutations(staff_id, service_id, 1)
    token = desk.sync._api._token  # noqa: SLF001
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    for i in range(0, N, BATCH):
        body = PushRequest(device_id=desk.device_id, mutations=mutations[i : i + BATCH]).model_dump_json()
        answer = desk.http.post("/v1/sync/push", content=body, headers=headers)
        assert answer.status_code == 200 and {r["status"] for r in answer.json()["results"]} == {"applied"}
    push_s = time.perf_counter() - started

    db, now = sync_world.cloud.db, sync_world.cloud.clock.now()
    bookings, items = REPLICATED_TABLES["booking"], REPLICATED_TABLES["booking_item"]
    start0 = DEMO_NOW + timedelta(days=800)
    started = time.perf_counter()
    for n in range(
        N
    ):  # baseline: the same rows, one transaction each, no receipt/counter/index/constraint logic
        booking_id, start = new_id(), start0 + timedelta(minutes=30 * n)
        with db.session() as session:
            session.execute(
                insert(bookings).values(
                    id=booking_id,
                    salon_id=sync_world.salon_id,
                    status="requested",
                    created_at=now,
                    updated_at=now,
                    starts_at=start,
                    server_seq=0,
                )
            )
            session.execute(
                insert(items).values(
                    id=new_id(),
                    salon_id=sync_world.salon_id,
                    booking_id=booking_id,
                    staff_id=staff_id,
                    service_id=service_id,
                    start_at=start,
                    end_at=start + timedelta(minutes=25),
                    busy_until=start + timedelta(minutes=30),
                    price_halalas=100,
                    active=True,
                    created_at=now,
                    updated_at=now,
                    server_seq=0,
                )
            )
            session.commit()
    raw_s = time.perf_counter() - started
    print(
        f"\n[{db.backend}] push over HTTP: {N / push_s:,.0f} booking.create/s ({push_s * 1000 / N:.2f} ms each); "
        f"raw INSERT txns: {N / raw_s:,.0f}/s; ratio push/raw = {raw_s / push_s:.2f}"
    )


@pytest.mark.benchmark
def test_desk_to_desk_propagation(sync_world: SyncWorld) -> None:  # noqa: F811
    desk1, desk2 = sync_world.desk("Desk 1"), sync_world.desk("Desk 2")
    assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
    customer = first_customer(desk1)
    latencies, round_trips = [], []
    for n in range(15):
        started = time.perf_counter()
        desk1.service.update_customer(UpdateCustomer(customer, {"notes": f"note {n}"}))
        assert desk1.sync.sync_once().ok and desk2.sync.sync_once().ok
        latencies.append(time.perf_counter() - started)
        assert desk2.scalar("SELECT notes FROM customer WHERE id = :c", c=customer) == f"note {n}"
        started = time.perf_counter()
        desk2.http.get("/healthz")
        round_trips.append(time.perf_counter() - started)
    p50, p95 = statistics.median(latencies), sorted(latencies)[int(0.95 * len(latencies)) - 1]
    base = statistics.median(round_trips)
    print(
        f"\n[{sync_world.cloud.db.backend}] desk->desk save+push+pull p50 {p50 * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms; bare HTTP round trip p50 {base * 1000:.2f} ms; ratio p50/RTT = {p50 / base:.1f}"
    )
