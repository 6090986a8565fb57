# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""Voiding an online payment from the desk (issue #12), through the real cloud (uvicorn on 127.0.0.1, SQLite and
PostgreSQL) and the fake Moyasar over loopback: a manager's void of unclaimed money shows "voided" on every desk
after its pull and can never be counted by a bill; a receptionist without a PIN is refused (by the desk, and by
the cloud whatever the desk says); money a bill already counts is refused with `payments.void_claimed` by the
desk and by the cloud, and nothing changes; Moyasar's refusal after settlement arrives as a translated message."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.payments.rows import OnlinePaymentRow, PaymentRequestRow
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.errors import DomainError
from salon_desk.domain.online_payments import OnlineState
from salon_desk.domain.permissions import Permission
from salon_desk.l10n import Localizer
from salon_desk.sync.api import SyncApi
from salon_desk.sync.payments_client import CloudPayments
from salon_desk.ui.errors import error_text
from salon_desk.usecases.online_payments import RefundOnlinePayment, SendPayLink, VoidOnlinePayment

from .conftest import Desk, SyncWorld
from .payments_sync_world import (  # noqa: F401 - fixtures
    DEMO_PIN,
    booked_visit,
    connected_desk,
    fake,
    line_of,
    pay_and_apply,
    pay_world,
)


def paid_link(world: SyncWorld, fake: FakeMoyasar, desk: Desk, amount: int = 8_000) -> tuple[str, str, str]:
    """(booking id, link id, Moyasar payment id) of a visit paid online, pulled by `desk`."""
    booking_id = booked_visit(desk, "en")
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", amount, uuid.uuid4().hex))
    payment = pay_and_apply(world, fake, sent.link_id)
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PAID and line_of(desk, booking_id).voidable
    return booking_id, sent.link_id, str(payment["id"])


def cloud_status(world: SyncWorld, payment_id: str) -> str:
    with world.cloud.db.session() as session:
        return str(session.scalar(select(OnlinePaymentRow.status).where(
            OnlinePaymentRow.salon_id == world.salon_id, OnlinePaymentRow.id == payment_id)))


def desk_user(desk: Desk, role: str) -> str:
    return str(desk.scalar("SELECT id FROM desk_user WHERE role = :r AND deleted_at IS NULL ORDER BY id LIMIT 1",
                           r=role))


def test_a_manager_voids_unclaimed_money_and_every_desk_shows_it_voided(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id, link_id, payment_id = paid_link(pay_world, fake, desk1)
    pay_world.cloud.clock.advance(300)
    answer = desk1.service.online_payments.void(VoidOnlinePayment(link_id, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert (answer.status, answer.amount_halalas) == ("voided", 8_000)
    assert fake.payment(payment_id)["status"] == "voided" and cloud_status(pay_world, payment_id) == "voided"
    for desk in (desk1, desk2):
        desk.sync.sync_once()
        line = line_of(desk, booking_id)
        assert line.state is OnlineState.VOIDED and not line.voidable and not line.refundable
        assert line.payment.history[-1].action == "payment.voided"
        assert line.payment.history[-1].actor == f"user:{desk_user(desk, 'owner')}" or \
            line.payment.history[-1].actor == f"user:{desk_user(desk, 'manager')}"
    assert desk1.scalar("SELECT count(*) FROM audit_event WHERE action = 'online_payment.void'") == 1
    # Voided money never counts on a bill, and the cloud refuses a forged claim of it.
    view = desk2.service.checkout.claim_online(booking_id)
    assert view is None or view.paid_halalas == 0
    with pytest.raises(DomainError) as again:
        desk1.service.online_payments.void(VoidOnlinePayment(link_id, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert again.value.code == "payments.void_not_allowed"
    with pytest.raises(DomainError) as refund:
        desk1.service.online_payments.refund(RefundOnlinePayment(link_id, None, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert refund.value.code == "online_payments.nothing_to_refund"


def test_a_receptionist_without_a_pin_is_refused_by_the_desk_and_by_the_cloud(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    _booking_id, link_id, payment_id = paid_link(pay_world, fake, desk)
    with pytest.raises(DomainError) as refused:  # the desk's actor is a receptionist
        desk.service.online_payments.void(VoidOnlinePayment(link_id, uuid.uuid4().hex))
    assert refused.value.code == "permission.denied" and refused.value.params["permission"] == Permission.VOID.value
    # A tampered desk that names its receptionist: the cloud checks its own copy of the users.
    api: SyncApi = desk.sync._api  # noqa: SLF001 - the desk's own transport
    with pytest.raises(DomainError) as cloud:
        CloudPayments(api).void_online(payment_id, {"idempotency_key": uuid.uuid4().hex,
                                                    "actor_id": desk_user(desk, "receptionist")})
    assert cloud.value.code == "permission.denied"
    assert fake.payment(payment_id)["status"] == "paid" and cloud_status(pay_world, payment_id) == "paid"


def test_money_a_bill_counts_is_refused_with_its_code_and_nothing_changes(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, link_id, payment_id = paid_link(pay_world, fake, desk)
    view = desk.service.checkout.claim_online(booking_id)
    assert view is not None and view.paid_halalas == 8_000
    with pytest.raises(DomainError) as on_desk:  # at once, from what the desk holds (its own claim)
        desk.service.online_payments.void(VoidOnlinePayment(link_id, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert on_desk.value.code == "payments.void_claimed"
    desk.sync.sync_once()  # the claim reaches the cloud
    manager = desk_user(desk, "manager")
    api: SyncApi = desk.sync._api  # noqa: SLF001
    with pytest.raises(DomainError) as in_cloud:  # a desk that has not pulled the claim: the cloud decides
        CloudPayments(api).void_online(payment_id, {"idempotency_key": uuid.uuid4().hex, "actor_id": manager})
    assert in_cloud.value.code == "payments.void_claimed"
    assert "refund" in error_text(in_cloud.value, Localizer("en")).lower()
    assert "إشعار دائن" in error_text(in_cloud.value, Localizer("ar"))
    assert fake.payment(payment_id)["status"] == "paid" and cloud_status(pay_world, payment_id) == "paid"
    assert ("POST", f"/v1/payments/{payment_id}/void") not in fake.requests  # Moyasar never asked
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PAID
    assert desk.service.checkout.get(view.id).paid_halalas == 8_000


def test_moyasar_refusing_after_settlement_is_a_translated_message(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, link_id, payment_id = paid_link(pay_world, fake, desk)
    fake.settle(payment_id)
    with pytest.raises(DomainError) as refused:
        desk.service.online_payments.void(VoidOnlinePayment(link_id, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    assert refused.value.code == "payments.void_not_allowed"
    assert error_text(refused.value, Localizer("en")) == "This payment can no longer be voided; refund it instead."
    assert error_text(refused.value, Localizer("ar")) == "لم يعد بالإمكان إلغاء هذه الدفعة؛ استردّها بدلًا من ذلك."
    assert fake.payment(payment_id)["status"] == "paid" and cloud_status(pay_world, payment_id) == "paid"
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PAID



def test_a_bill_cannot_count_money_while_its_void_is_being_asked_of_moyasar(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id, link_id, payment_id = paid_link(pay_world, fake, desk1)
    desk2.sync.sync_once()
    fake.stall_next(1.5)  # Moyasar is slow to answer the void
    answers: list[Any] = []
    voiding = threading.Thread(target=lambda: answers.append(desk1.service.online_payments.void(
        VoidOnlinePayment(link_id, uuid.uuid4().hex), manager_pin=DEMO_PIN)))
    voiding.start()

    def started() -> bool:
        with pay_world.cloud.db.session() as session:
            return session.scalar(select(PaymentRequestRow.state).where(
                PaymentRequestRow.salon_id == pay_world.salon_id, PaymentRequestRow.kind == "void")) == "started"

    while not started():
        assert voiding.is_alive(), answers
        threading.Event().wait(0.02)
    view = desk2.service.checkout.claim_online(booking_id)  # Desk 2 has not heard of the void yet
    assert view is not None and view.paid_halalas == 8_000
    desk2.sync.sync_once()
    voiding.join()
    assert answers and answers[0].status == "voided"
    with pay_world.cloud.db.session() as session:
        table = REPLICATED_TABLES["payment"]
        assert session.execute(select(table.c.id).where(table.c.salon_id == pay_world.salon_id,
                                                        table.c.external_id == link_id)).all() == []
        conflicts = REPLICATED_TABLES["sync_conflict"]
        codes = {r.params.get("code") for r in session.execute(select(conflicts.c.params).where(
            conflicts.c.salon_id == pay_world.salon_id))}
    assert "checkout.online_not_paid" in codes  # Desk 2's claim is refused onto a conflict card
    assert cloud_status(pay_world, payment_id) == "voided"
