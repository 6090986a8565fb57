"""A salon cloud wired to a fake Moyasar over real loopback HTTP, for the payments tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from salon_desk.cloud.dev.moyasar_fake import Account, FakeMoyasar
from salon_desk.cloud.payments.keys import new_master_key
from salon_desk.cloud.payments.service import PaymentsService

from .conftest import CloudServer, StartCloudServer

WEBHOOK_SECRET = "whsec-test-0123456789"


@dataclass
class PaymentsWorld:
    server: CloudServer
    fake: FakeMoyasar
    salon_id: str
    token: str
    account: Account

    @property
    def payments(self) -> PaymentsService:
        service: PaymentsService = self.server.app.state.payments
        return service

    def desk(self) -> httpx.Client:
        return self.server.client(headers={"Authorization": f"Bearer {self.token}"})

    def create_link(self, amount: int = 5_000, key: str | None = None, **extra: Any) -> httpx.Response:
        body = {"idempotency_key": key or uuid.uuid4().hex, "amount_halalas": amount, **extra}
        return self.desk().post("/v1/payments/links", json=body)

    def invoice_of(self, link_id: str) -> str:
        invoices = [i for i in self.fake.invoices(self.account.secret_key)
                    if (i["metadata"] or {}).get("salon_link_id") == link_id]
        assert len(invoices) == 1, invoices
        return str(invoices[0]["id"])

    def webhook(self, body: dict[str, Any]) -> httpx.Response:
        return self.server.client().post("/v1/webhooks/moyasar", json=body)


def start_world(start_cloud_server: StartCloudServer, fake: FakeMoyasar, **overrides: Any) -> PaymentsWorld:
    settings: dict[str, Any] = {
        "moyasar_base_url": fake.api_url,
        "payments_key": new_master_key(),
        "payments_timeout_seconds": 1.0,
        "public_base_url": "http://salon.example.test",
        **overrides,
    }
    server = start_cloud_server(**settings)
    salon_id, token = server.enrolled_desk("manager")
    account = fake.add_account(webhook_url=f"{server.base_url}/v1/webhooks/moyasar", webhook_secret=WEBHOOK_SECRET)
    world = PaymentsWorld(server, fake, salon_id, token, account)
    answer = world.desk().put(
        "/v1/payments/account",
        json={"secret_key": account.secret_key, "publishable_key": account.publishable_key,
              "webhook_secret": WEBHOOK_SECRET},
    )
    assert answer.status_code == 204, answer.text
    return world
