# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""A refund made outside the desk (issue #12): someone refunds the customer in Moyasar's dashboard (the fake's
own API, as the dashboard would), the webhook tells the cloud, and the receptionist's desk that counted the
money books it with one credit note — accepted by the cloud, though no manager is named, because the cloud
itself recorded that refund. A receptionist's credit note that no cloud-recorded refund backs is still refused.
Real cloud (uvicorn on 127.0.0.1, SQLite and PostgreSQL), fake Moyasar over loopback."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.booking import Role
from salon_desk.domain.checkout import Tender, TenderMethod
from salon_desk.domain.model import Actor
from salon_desk.domain.online_payments import OnlineState
from salon_desk.store.uow import make_uow_factory
from salon_desk.sync.api import SyncApi
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.checkout import TakePayment
from salon_desk.usecases.desk import DeskService
from salon_desk.usecases.online_payments import SendPayLink

from .conftest import Desk, SyncWorld
from .payments_sync_world import (  # noqa: F401 - fixtures
    booked_visit,
    connected_desk,
    fake,
    line_of,
    pay_and_apply,
    pay_world,
)

CREDIT_NOTES, CONFLICTS, REFUNDS = (REPLICATED_TABLES[n] for n in ("credit_note", "sync_conflict", "refund"))


def _cloud(world: SyncWorld, table: Any) -> list[Any]:
    with world.cloud.db.session() as session:
        return list(session.execute(select(table).where(table.c.salon_id == world.salon_id)).mappings())


def receptionist_desk(world: SyncWorld) -> tuple[Desk, str]:
    """A connected desk whose signed-in person is the demo salon's receptionist (a real desk user)."""
    desk = connected_desk(world, "Desk 1")
    user_id = str(desk.scalar("SELECT id FROM desk_user WHERE role = 'receptionist' AND deleted_at IS NULL"))
    actor = Actor(user_id, Role.RECEPTIONIST, desk.device_id, "موظفة الاستقبال")
    online = desk.service.online_payments._cloud  # noqa: SLF001 - the same cloud connection
    desk.service = DeskService(make_uow_factory(desk.engine, desk.clock, device_id=desk.device_id), actor)
    assert online is not None
    desk.service.online_payments.connect(online)
    return desk, user_id


def test_a_dashboard_refund_is_one_credit_note_the_cloud_accepts_from_a_receptionist(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk, receptionist = receptionist_desk(pay_world)
    booking_id = booked_visit(desk, "en")
    gross = desk.service.checkout.preview(desk.service.checkout.booked_lines(booking_id)).gross
    deposit = gross // 2
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", deposit, uuid.uuid4().hex))
    payment = pay_and_apply(pay_world, fake, sent.link_id)
    desk.sync.sync_once()
    view = desk.service.checkout.claim_online(booking_id)
    assert view is not None and view.paid_halalas == deposit
    out = desk.service.checkout.pay(TakePayment(view.id, Tender(TenderMethod.CASH, gross - deposit), str(uuid.uuid4())))
    assert out.invoice is not None
    assert desk.sync.sync_once().refused == 0

    pay_world.cloud.clock.advance(900)
    half = deposit // 2
    fake.refund_now(str(payment["id"]), half)  # in Moyasar's dashboard: no manager, no desk
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200] * len(held)
    assert pay_world.cloud.app.state.payments.apply_pending() >= 1
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PARTLY_REFUNDED
    notes = desk.service.checkout.settle_online_refunds()
    assert [n.gross for n in notes] == [half] and desk.service.checkout.settle_online_refunds() == []
    assert desk.sync.sync_once().refused == 0
    assert _cloud(pay_world, CONFLICTS) == []
    cloud_notes = _cloud(pay_world, CREDIT_NOTES)
    assert [(n["gross_halalas"], n["invoice_id"]) for n in cloud_notes] == [(half, out.invoice.id)]
    assert [(r["method"], r["amount_halalas"]) for r in _cloud(pay_world, REFUNDS)] == [("moyasar_link", half)]
    noted = desk.rows("SELECT actor_id FROM outbox WHERE name = :n", n=MutationName.CREDIT_NOTE_ISSUE.value)
    assert [r.actor_id for r in noted] == [receptionist]  # issued as the receptionist, and accepted

    # The same note again (new ids), and one paid back in cash: no cloud-recorded refund backs them.
    first = desk.rows("SELECT args, entity_id FROM outbox WHERE name = :n", n=MutationName.CREDIT_NOTE_ISSUE.value)[0]
    args = json.loads(first.args) if isinstance(first.args, str) else dict(first.args)
    again = {**args, "refunds": [{**r, "id": str(uuid.uuid4())} for r in args["refunds"]]}
    cash = {**args, "refunds": [{**r, "id": str(uuid.uuid4()), "method": "cash"} for r in args["refunds"]]}
    last_seq = desk.scalar("SELECT max(device_seq) FROM outbox") or 0
    forged = [
        Mutation(mutation_id=str(uuid.uuid4()), device_seq=last_seq + 1 + i, name=MutationName.CREDIT_NOTE_ISSUE.value,
                 entity="credit_note", entity_id=str(uuid.uuid4()), hlc="1:0",
                 actor=MutationActor(desk_user_id=receptionist, role="receptionist"), args=body)
        for i, body in enumerate((again, cash))
    ]
    api: SyncApi = desk.sync._api  # noqa: SLF001 - the desk's own transport
    answer = api.push(PushRequest(device_id=desk.device_id, mutations=forged))
    assert [(r.status, r.code) for r in answer.results] == [("refused", "permission.denied")] * 2, answer.results
    assert len(_cloud(pay_world, CREDIT_NOTES)) == 1


def test_a_dashboard_refund_before_the_invoice_reopens_the_balance_on_a_receptionists_desk(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk, receptionist = receptionist_desk(pay_world)
    booking_id = booked_visit(desk, "ar")
    gross = desk.service.checkout.preview(desk.service.checkout.booked_lines(booking_id)).gross
    deposit = gross // 2
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", deposit, uuid.uuid4().hex))
    payment = pay_and_apply(pay_world, fake, sent.link_id)
    desk.sync.sync_once()
    view = desk.service.checkout.claim_online(booking_id)
    assert view is not None and view.balance_halalas == gross - deposit
    assert desk.sync.sync_once().refused == 0
    fake.refund_now(str(payment["id"]), 1_000)
    held, fake.held = fake.held or [], []
    assert [fake.deliver(event) for event in held] == [200] * len(held)
    assert pay_world.cloud.app.state.payments.apply_pending() >= 1
    desk.sync.sync_once()
    assert desk.service.checkout.settle_online_refunds() == []  # not invoiced: a refund line, no note
    assert desk.service.checkout.get(view.id).balance_halalas == gross - deposit + 1_000
    assert desk.sync.sync_once().refused == 0 and _cloud(pay_world, CONFLICTS) == []
    refunds = _cloud(pay_world, REFUNDS)
    assert [(r["method"], r["amount_halalas"], r["credit_note_id"]) for r in refunds] == [("moyasar_link", 1_000, None)]
    noted = desk.rows("SELECT actor_id FROM outbox WHERE name = :n", n=MutationName.REFUND_RECORD.value)
    assert [r.actor_id for r in noted] == [receptionist]
