# ruff: noqa: F811 - the pay_world fixtures are imported from payments_sync_world
"""Online money meets the desk's checkout (issue #12), through the real cloud (uvicorn on 127.0.0.1) and the
fake Moyasar over loopback: a paid deposit counts on the bill and is a `moyasar_link` line of the invoice; it is
never counted twice (two desks, a re-sync, a forged push); a half refund is one credit note on the desk that
counted the money, whatever desk pressed refund and however often they sync; a link is cancelled from the desk."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from salon_desk.cloud.dev.moyasar_fake import FakeMoyasar
from salon_desk.cloud.sync.tables import REPLICATED_TABLES
from salon_desk.domain.checkout import Tender, TenderMethod
from salon_desk.domain.errors import DomainError
from salon_desk.domain.online_payments import OnlineState
from salon_desk.sync.api import SyncApi
from salon_desk.sync.protocol import Mutation, MutationActor, PushRequest
from salon_desk.sync.schemas.names import MutationName
from salon_desk.usecases.checkout import TakePayment
from salon_desk.usecases.online_payments import RefundOnlinePayment, SendPayLink

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

PAYMENTS, CREDIT_NOTES, CONFLICTS = (REPLICATED_TABLES[n] for n in ("payment", "credit_note", "sync_conflict"))


def _cloud(world: SyncWorld, table: Any, *where: Any) -> list[Any]:
    with world.cloud.db.session() as session:
        return list(session.execute(select(table).where(table.c.salon_id == world.salon_id, *where)).mappings())


def _gross(desk: Desk, booking_id: str) -> int:
    return desk.service.checkout.preview(desk.service.checkout.booked_lines(booking_id)).gross


def paid_deposit(world: SyncWorld, fake: FakeMoyasar, desk: Desk, language: str = "en") -> tuple[str, str, int]:
    """A booking whose customer paid half of it online as a deposit: (booking id, link id, deposit)."""
    booking_id = booked_visit(desk, language)
    deposit = _gross(desk, booking_id) // 2
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "deposit", deposit, uuid.uuid4().hex))
    pay_and_apply(world, fake, sent.link_id)
    desk.sync.sync_once()
    assert line_of(desk, booking_id).state is OnlineState.PAID
    return booking_id, sent.link_id, deposit


def test_a_paid_deposit_reduces_the_balance_and_is_on_the_invoice(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, link_id, deposit = paid_deposit(pay_world, fake, desk)
    gross = _gross(desk, booking_id)
    view = desk.service.checkout.claim_online(booking_id)
    assert view is not None
    online = [p for p in view.payments if p.method is TenderMethod.MOYASAR_LINK]
    assert [(p.amount_halalas, p.external_id) for p in online] == [(deposit, link_id)]
    assert online[0].card_network  # as the replica says (mada, visa...)
    assert (view.paid_halalas, view.balance_halalas) == (deposit, gross - deposit)
    again = desk.service.checkout.claim_online(booking_id)  # a refresh, a re-sync: counted once
    assert again is not None and again.paid_halalas == deposit
    with pytest.raises(DomainError) as over:  # the receptionist collects only what is left
        desk.service.checkout.pay(TakePayment(view.id, Tender(TenderMethod.CASH, gross - deposit + 1), str(uuid.uuid4())))
    assert over.value.code == "checkout.over_balance"
    out = desk.service.checkout.pay(TakePayment(view.id, Tender(TenderMethod.CASH, gross - deposit), str(uuid.uuid4())))
    assert out.invoice is not None and out.balance_halalas == 0
    assert dict(out.invoice.payments) == {"moyasar_link": deposit, "cash": gross - deposit}
    assert sum(amount for _m, amount in out.invoice.payments) == out.invoice.gross == gross
    desk.sync.sync_once()
    claimed = _cloud(pay_world, PAYMENTS, PAYMENTS.c.external_id == link_id)
    assert [(r["method"], r["amount_halalas"]) for r in claimed] == [("moyasar_link", deposit)]
    assert _cloud(pay_world, CONFLICTS) == []


def test_two_desks_cannot_both_count_one_online_payment(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id, link_id, deposit = paid_deposit(pay_world, fake, desk1)
    desk2.sync.sync_once()
    first = desk1.service.checkout.claim_online(booking_id)  # both desks count it before either syncs
    second = desk2.service.checkout.claim_online(booking_id)
    assert first is not None and second is not None and first.paid_halalas == second.paid_halalas == deposit
    desk1.sync.sync_once()
    desk2.sync.sync_once()
    claimed = _cloud(pay_world, PAYMENTS, PAYMENTS.c.external_id == link_id)
    assert len(claimed) == 1 and claimed[0]["device_id"] == desk1.device_id
    codes = {r["params"].get("code") for r in _cloud(pay_world, CONFLICTS)}
    assert "checkout.online_claimed" in codes  # the second desk's claim is refused, on a conflict card
    # A desk that has pulled the first claim never counts it again on a new bill.
    desk3 = connected_desk(pay_world, "Desk 3")
    view = desk3.service.checkout.for_booking(booking_id)
    assert view is not None and view.id == first.id
    assert desk3.scalar("SELECT count(*) FROM payment WHERE external_id = :l", l=link_id) == 1


def test_the_cloud_refuses_a_claim_of_money_that_is_not_there(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, link_id, deposit = paid_deposit(pay_world, fake, desk)
    other_booking = booked_visit(desk, "ar")
    waiting = desk.service.online_payments.send_link(
        SendPayLink(other_booking, None, "balance", 5_000, uuid.uuid4().hex))
    last_seq = desk.scalar("SELECT max(device_seq) FROM outbox") or 0

    def claim(i: int, link: str, booking: str, amount: int) -> Mutation:
        args = {"checkout_id": None, "booking_id": booking, "method": "moyasar_link", "amount_halalas": amount,
                "tendered_halalas": None, "change_halalas": 0, "card_network": None, "approval_code": None,
                "card_last4": None, "external_id": link, "device_id": desk.device_id, "business_day": None,
                "taken_at": None, "idempotency_key": str(uuid.uuid4())}
        return Mutation(mutation_id=str(uuid.uuid4()), device_seq=last_seq + 1 + i,
                        name=MutationName.PAYMENT_RECORD.value, entity="payment", entity_id=str(uuid.uuid4()),
                        hlc="1:0", actor=MutationActor(desk_user_id=""), args=args)

    forged = [
        claim(0, waiting.link_id, other_booking, 5_000),  # not paid
        claim(1, link_id, booking_id, deposit + 1),  # more than was paid
        claim(2, link_id, other_booking, deposit),  # another visit's money
        claim(3, str(uuid.uuid4()), booking_id, deposit),  # no such link in this salon
    ]
    api: SyncApi = desk.sync._api  # noqa: SLF001
    answer = api.push(PushRequest(device_id=desk.device_id, mutations=forged))
    codes = [r.code for r in answer.results]
    assert codes == ["checkout.online_not_paid", "checkout.online_not_paid", "checkout.online_other_visit",
                     "checkout.online_not_paid"], answer.results
    assert _cloud(pay_world, PAYMENTS, PAYMENTS.c.method == "moyasar_link") == []


def test_half_refund_is_one_credit_note_on_the_desk_that_counted_it(pay_world: SyncWorld, fake: FakeMoyasar) -> None:
    desk1, desk2 = connected_desk(pay_world, "Desk 1"), connected_desk(pay_world, "Desk 2")
    booking_id, link_id, deposit = paid_deposit(pay_world, fake, desk1)
    gross = _gross(desk1, booking_id)
    view = desk1.service.checkout.claim_online(booking_id)
    assert view is not None
    out = desk1.service.checkout.pay(TakePayment(view.id, Tender(TenderMethod.CASH, gross - deposit), str(uuid.uuid4())))
    assert out.invoice is not None
    desk1.sync.sync_once()
    desk2.sync.sync_once()
    half = deposit // 2
    pay_world.cloud.clock.advance(600)
    # The manager presses refund on Desk 2; Desk 1 counted the money, so Desk 1 gives it back on paper.
    desk2.service.online_payments.refund(RefundOnlinePayment(link_id, half, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    for _ in range(2):  # a re-sync and a restart change nothing
        for desk in (desk2, desk1, desk2):
            desk.sync.sync_once()
            desk.service.checkout.resume()
    notes = desk1.service.checkout.get(view.id).credit_notes
    assert [(n.gross, n.original_invoice_id) for n in notes] == [(half, out.invoice.id)]
    assert sum(line.gross for line in notes[0].lines) == half and notes[0].net + notes[0].vat == half
    refunds = desk1.service.checkout.get(view.id).refunds
    assert [(r.method, r.amount_halalas, r.credit_note_id) for r in refunds] == [
        (TenderMethod.MOYASAR_LINK, half, notes[0].id)]
    assert desk2.service.checkout.settle_online_refunds() == []  # Desk 2 never issues one
    cloud_notes = _cloud(pay_world, CREDIT_NOTES)
    assert desk2.scalar("SELECT count(*) FROM credit_note") == 1  # Desk 1's, by pull
    assert [(n["gross_halalas"], n["invoice_id"]) for n in cloud_notes] == [(half, out.invoice.id)]
    assert _cloud(pay_world, CONFLICTS) == []
    # The rest refunded: a second note for the second refund, the invoice's online line fully given back.
    desk1.service.online_payments.refund(RefundOnlinePayment(link_id, None, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    desk1.sync.sync_once()
    second = desk1.service.checkout.settle_online_refunds()
    assert [n.gross for n in second] == [deposit - half]
    assert desk1.service.checkout.settle_online_refunds() == []


def test_a_refund_before_the_bill_is_invoiced_puts_the_money_back_on_the_balance(
    pay_world: SyncWorld, fake: FakeMoyasar,
) -> None:
    desk = connected_desk(pay_world, "Desk 1")
    booking_id, link_id, deposit = paid_deposit(pay_world, fake, desk)
    gross = _gross(desk, booking_id)
    view = desk.service.checkout.claim_online(booking_id)
    assert view is not None and view.balance_halalas == gross - deposit
    desk.service.online_payments.refund(RefundOnlinePayment(link_id, 100, uuid.uuid4().hex), manager_pin=DEMO_PIN)
    desk.sync.sync_once()
    assert desk.service.checkout.settle_online_refunds() == []  # no invoice yet: no credit note
    after = desk.service.checkout.get(view.id)
    assert after.balance_halalas == gross - deposit + 100 and not after.credit_notes
    out = desk.service.checkout.pay(TakePayment(view.id, Tender(TenderMethod.CASH, after.balance_halalas),
                                                str(uuid.uuid4())))
    assert out.invoice is not None and out.invoice.gross == gross
    desk.sync.sync_once()
    assert _cloud(pay_world, CONFLICTS) == []


def test_cancel_a_pay_link_from_the_desk(pay_world: SyncWorld, fake: FakeMoyasar) -> None:  # noqa: ARG001
    desk = connected_desk(pay_world, "Desk 1")
    booking_id = booked_visit(desk, "ar")
    sent = desk.service.online_payments.send_link(SendPayLink(booking_id, None, "balance", 5_000, uuid.uuid4().hex))
    desk.sync.sync_once()
    assert line_of(desk, booking_id).cancellable
    answer = desk.service.online_payments.cancel_link(sent.link_id)
    assert (answer.status, answer.paid_halalas) == ("cancelled", 0)
    desk.sync.sync_once()
    line = line_of(desk, booking_id)
    assert line.state is OnlineState.CANCELLED and not line.cancellable
    with pytest.raises(DomainError) as again:
        desk.service.online_payments.cancel_link(sent.link_id)
    assert again.value.code == "payments.link_not_cancellable"
    assert desk.scalar("SELECT count(*) FROM audit_event WHERE action = 'online_payment.link_cancel'") == 1

