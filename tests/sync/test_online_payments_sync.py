# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""Online payments reach every desk by pull (issue #12), through the real cloud (uvicorn on 127.0.0.1) and the
fake Moyasar over loopback: a desk sends a pay link (queued by SMS in the customer's language with the salon's
own /p/ link), Moyasar's webhook pays it, a manager refunds half, and both desks agree; a desk that tries to
write the payment state is refused with a code."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.messaging.console import ConsoleSender
from salon_desk.cloud.messaging.rows import SmsMessageLogRow
from salon_desk.cloud.notify.providers import SenderNotifier
from salon_desk.cloud.notify.rows import NotificationJobRow
from salon_desk.cloud.notify.settings import NotifySettings
from salon_desk.cloud.notify.worker import NotificationWorker
from salon_desk.domain.errors import DomainError, Forbidden
from salon_desk.domain.online_payments import OnlineState
from salon_desk.sync.api import SyncApi
from salon_desk.sync.payments_client import CloudPayments
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest
from salon_desk.usecases.online_payments import RefundOnlinePayment, SendPayLink

from .conftest import SyncWorld
from .payments_sync_world import (  # noqa: F401 - fixtures
    DEMO_PIN,
    PUBLIC,
    booked_visit,
    connected_desk,
    fake,
    line_of,
    pay_and_apply,
    pay_world,
)


def test_paid_then_half_refunded_every_desk_agrees(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id = booked_visit(desk1, "en")
    sent = desk1.service.online_payments.send_link(
        SendPayLink(booking_id, None, "balance", 12_000, uuid.uuid4().hex))
    assert sent.notified and sent.status == "pending"
    for desk in (desk1, desk2):
        desk.sync.sync_once()
        assert line_of(desk, booking_id).state is OnlineState.REQUESTED

    pay_and_apply(pay_world, fake, sent.link_id)
    for desk in (desk1, desk2):
        desk.sync.sync_once()
        line = line_of(desk, booking_id)
        assert (line.state, line.payment.paid_halalas) == (OnlineState.PAID, 12_000)
        assert [h.action for h in line.payment.history][-1] == "link.paid"

    # A receptionist may not refund; the manager's PIN allows it once.
    with pytest.raises(Forbidden):
        desk2.service.online_payments.refund(RefundOnlinePayment(sent.link_id, 6_000, uuid.uuid4().hex))
    answer = desk2.service.online_payments.refund(
        RefundOnlinePayment(sent.link_id, 6_000, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert (answer.status, answer.refunded_halalas) == ("refunded", 6_000)
    for desk in (desk1, desk2):
        desk.sync.sync_once()
        line = line_of(desk, booking_id)
        assert (line.state, line.payment.refunded_halalas, line.payment.paid_halalas) == (
            OnlineState.PARTLY_REFUNDED, 6_000, 12_000)
        refund = [h for h in line.payment.history if h.action == "payment.refunded"]
        assert refund and refund[-1].actor.startswith("user:") and refund[-1].refunded_halalas == 6_000
    # This desk's own trail says who asked for the refund.
    assert desk2.scalar("SELECT count(*) FROM audit_event WHERE action = 'online_payment.refund'") == 1
    # More than what is left is refused on the desk, before the cloud is asked.
    with pytest.raises(DomainError) as too_much:
        desk1.service.online_payments.refund(
            RefundOnlinePayment(sent.link_id, 6_001, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert too_much.value.code == "payments.refund_above_paid"


def test_the_pay_link_sms_is_queued_in_the_customers_language_with_the_salons_link(
    pay_world: SyncWorld, fake: FakeMoyasar,  # noqa: ARG001 - the fake must run
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    for language in ("en", "ar"):
        booking_id = booked_visit(desk, language)
        key = uuid.uuid4().hex
        sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", 5_000, key))
        again = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", 5_000, key))
        assert again.link_id == sent.link_id  # a retried press: the same link, one message
        with pay_world.cloud.db.reader() as session:
            jobs = session.scalars(select(NotificationJobRow).where(
                NotificationJobRow.booking_id == booking_id, NotificationJobRow.event == "payment_link")).all()
        assert len(jobs) == 1
        job = jobs[0]
        assert job.language == language
        assert str(job.params["link"]).startswith(f"{PUBLIC}/p/")
        assert fake.base_url not in json.dumps(job.params)
        assert job.params["amount_halalas"] == 5_000
        # The worker sends it (SMS here; WhatsApp falls back to SMS in the worker) with the salon's own link.
        worker = NotificationWorker(pay_world.cloud.db, SenderNotifier(ConsoleSender(pay_world.cloud.db,
                                    pay_world.cloud.clock)), pay_world.cloud.clock, NotifySettings.isolated(),
                                    public_base_url=PUBLIC)
        worker.run_until_idle()
        with pay_world.cloud.db.reader() as session:
            bodies = session.scalars(select(SmsMessageLogRow.body)).all()
        sent = [b for b in bodies if str(job.params["link"]) in b]
        assert len(sent) == 1
        body = sent[0]
        assert ("payment link for" in body) == (language == "en") and ("رابط الدفع" in body) == (language == "ar")
        desk.sync.sync_once()
        notified = desk.scalar("SELECT count(*) FROM notification WHERE booking_id = :b AND event = 'payment_link'",
                               b=booking_id)
        assert notified == 1  # the desk sees the message in its list too


def test_offline_nothing_is_queued(pay_world: SyncWorld) -> None:
    desk = pay_world.desk("Desk 1")
    desk.sync.sync_once()
    booking_id = booked_visit(desk, "ar")
    unreachable = SyncApi("http://127.0.0.1:9", "token-that-goes-nowhere-0000")
    desk.service.online_payments.connect(lambda: CloudPayments(unreachable))
    pending = desk.scalar("SELECT count(*) FROM outbox WHERE status = 'pending'")
    with pytest.raises(DomainError) as offline:
        desk.service.online_payments.send_link(SendPayLink(booking_id, None, "balance", 5_000, uuid.uuid4().hex))
    assert offline.value.code == "online_payments.offline"
    assert desk.scalar("SELECT count(*) FROM outbox WHERE status = 'pending'") == pending
    desk.service.online_payments.connect(lambda: None)
    with pytest.raises(DomainError) as not_enrolled:
        desk.service.online_payments.send_link(SendPayLink(booking_id, None, "balance", 5_000, uuid.uuid4().hex))
    assert not_enrolled.value.code == "online_payments.not_enrolled"


def test_a_desk_push_writing_payment_state_is_refused(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id = booked_visit(desk, "ar")
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "balance", 5_000, uuid.uuid4().hex))
    last_seq = desk.scalar("SELECT max(device_seq) FROM outbox") or 0
    forged = [
        Mutation(mutation_id=str(uuid.uuid4()), device_seq=last_seq + 1 + i, name=name, entity="online_payment",
                 entity_id=sent.link_id, hlc="1:0", actor=MutationActor(desk_user_id=""), args=args)
        for i, (name, args) in enumerate((
            ("online_payment.patch", {"fields": {"status": "paid", "paid_halalas": 5_000}}),
            ("payment.record", {"status": "paid"}),
        ))
    ]
    api: SyncApi = desk.sync._api  # noqa: SLF001
    answer = api.push(PushRequest(device_id=desk.device_id, mutations=forged))
    assert [(r.status, r.code) for r in answer.results] == [("refused", "sync.cloud_owned")] * 2
    desk.sync.sync_once()
    line = line_of(desk, booking_id)
    assert (line.state, line.payment.paid_halalas) == (OnlineState.REQUESTED, 0)  # nothing changed
    pay_and_apply(pay_world, fake, sent.link_id)  # only Moyasar, through the cloud, pays it
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PAID



def test_the_cloud_refuses_to_send_a_link_nobody_can_receive(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    api: SyncApi = desk.sync._api  # noqa: SLF001
    with pytest.raises(DomainError) as refused:
        CloudPayments(api).create_pay_link({"idempotency_key": uuid.uuid4().hex, "amount_halalas": 5_000,
                                            "purpose": "balance", "notify_customer": True})
    assert refused.value.code == "online_payments.no_customer"
    assert fake.invoices(pay_world.moyasar_key) == []  # type: ignore[attr-defined] # Moyasar was never asked
