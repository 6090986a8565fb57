"""A salon's cloud with the fake Moyasar over loopback and the demo salon imported, for desks that sync with it
(issue #12): `pay_world` (fixture), `connected_desk`, `booked_visit`, `pay_and_apply`, `line_of`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.keys import new_master_key
from salon_desk.cloud.sync.bootstrap import import_desk
from salon_desk.store.engine import make_engine
from salon_desk.store.rows import SalonRow
from salon_desk.sync.api import SyncApi
from salon_desk.sync.payments_client import CloudPayments
from tests.cloud.conftest import CLOUD_T0, StartCloudServer
from tests.conftest import DEMO_NOW

from .conftest import Desk, SyncWorld, free_booking

WEBHOOK_SECRET = "whsec-test-0123456789"
PUBLIC = "http://salon.example.test"
DEMO_PIN = "2684"  # the demo manager's PIN (README)


@pytest.fixture
def fake() -> Iterator[FakeMoyasar]:
    moyasar = FakeMoyasar(retry_delays=(0.05, 0.1)).start()
    moyasar.hold_webhooks()  # the test delivers them, then runs the apply job
    yield moyasar
    moyasar.stop()


@pytest.fixture
def pay_world(start_cloud_server: StartCloudServer, fake: FakeMoyasar, demo_template: Path,
              tmp_path: Path) -> Iterator[SyncWorld]:
    server = start_cloud_server(moyasar_base_url=fake.api_url, payments_key=new_master_key(),
                                payments_timeout_seconds=2.0, public_base_url=PUBLIC)
    server.clock.advance((DEMO_NOW - CLOUD_T0).total_seconds())
    engine = make_engine(demo_template)
    with engine.connect() as conn:
        salon_id = conn.execute(select(SalonRow.id)).scalar_one()
    engine.dispose()
    import_desk(server.db, demo_template, salon_id, server.clock)
    _, manager_token = server.enrolled_desk("manager", salon_id=salon_id)
    account = fake.add_account(webhook_url=f"{server.base_url}/v1/webhooks/moyasar", webhook_secret=WEBHOOK_SECRET)
    answer = server.client(headers={"Authorization": f"Bearer {manager_token}"}).put(
        "/v1/payments/account",
        json={"secret_key": account.secret_key, "publishable_key": account.publishable_key,
              "webhook_secret": WEBHOOK_SECRET},
    )
    assert answer.status_code == 204, answer.text
    world = SyncWorld(server, demo_template, tmp_path, salon_id)
    world.moyasar_key = account.secret_key  # type: ignore[attr-defined]
    yield world
    for desk in world.desks:
        desk.close()


def connected_desk(world: SyncWorld, name: str) -> Desk:
    desk = world.desk(name)
    api: SyncApi = desk.sync._api  # noqa: SLF001 - the desk's own transport (token, headers)
    desk.service.online_payments.connect(lambda: CloudPayments(api))
    desk.sync.sync_once()
    return desk


def booked_visit(desk: Desk, language: str) -> str:
    """A booking on `desk` for a customer who reads `language`, pushed to the cloud."""
    customer_id = desk.scalar("SELECT id FROM customer WHERE language = :lang AND phone != '' "
                              "AND deleted_at IS NULL ORDER BY id LIMIT 1", lang=language)
    assert customer_id, f"the demo salon has a customer reading {language}"
    cmd = free_booking(desk)
    result = desk.service.bookings.create(type(cmd)(cmd.items, customer_id=customer_id))
    desk.sync.sync_once()
    return str(result.id)


def pay_and_apply(world: SyncWorld, fake: FakeMoyasar, link_id: str) -> dict[str, Any]:
    invoices = [i for i in fake.invoices(world.moyasar_key)  # type: ignore[attr-defined]
                if (i["metadata"] or {}).get("salon_link_id") == link_id]
    world.cloud.clock.advance(120)  # the customer pays a little later
    payment = fake.pay_invoice(str(invoices[0]["id"]))
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200] * len(held)
    assert world.cloud.app.state.payments.apply_pending() >= 1
    return payment


def line_of(desk: Desk, booking_id: str) -> Any:
    lines = desk.service.online_payments.for_visit(booking_id)
    assert len(lines) == 1, lines
    return lines[0]


