"""Checkout through the desk facade on the real demo database: split tender, invoice, refund, daily close."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import pytest

from salon_desk.domain.booking import Role
from salon_desk.domain.checkout import (
    CardNetwork,
    CheckoutLine,
    CheckoutStatus,
    Discount,
    LineKind,
    RefundLine,
    Tender,
    TenderMethod,
)
from salon_desk.domain.errors import Conflict, DomainError, Forbidden, ValidationError
from salon_desk.domain.model import Actor
from salon_desk.domain.zatca import decode_qr
from salon_desk.usecases.checkout import (
    CloseDay,
    OpenCheckout,
    RefundInvoice,
    TakePayment,
    VoidCheckout,
)
from salon_desk.usecases.commands import CancelBooking, CreateBooking, ItemRequest, TransitionBooking
from salon_desk.usecases.desk import DeskService
from tests.helpers import first_free_slot, service_named, snapshot

OWNER = Actor("00000000-0000-7000-8000-0000000000ff", Role.OWNER, "desk-test", "Owner")


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def two_service_visit(desk_service, clock):
    haircut = service_named(desk_service, "Haircut")
    slot = first_free_slot(desk_service, haircut.id, clock.now + timedelta(hours=1))
    a = slot.assignments[0]
    blow = next(s for s in desk_service.reference.services() if s.id != haircut.id and s.price_halalas > 0
                and not s.phases)
    customer = desk_service.customers.search("", limit=1)[0].id
    b = first_free_slot(desk_service, blow.id, a.end + timedelta(minutes=30)).assignments[0]
    booking_id = desk_service.bookings.create(CreateBooking(
        (ItemRequest(a.service_id, a.staff_id, a.start), ItemRequest(b.service_id, b.staff_id, b.start)),
        customer)).id
    return desk_service.bookings.get(booking_id)


def product(price: int, name: str = "Shampoo") -> CheckoutLine:
    return CheckoutLine(str(uuid.uuid4()), LineKind.PRODUCT, "شامبو", name, price)


def test_two_services_cash_and_card_then_refund_and_close(desk_service, two_service_visit, clock, demo_db):
    desk: DeskService = desk_service
    booking = two_service_visit
    cid = desk.checkout.open(OpenCheckout(booking.id, extra_lines=(product(4500),))).id
    view = desk.checkout.get(cid)
    gross = sum(i.price_halalas for i in booking.items) + 4500
    assert view.bill.gross == gross == view.balance_halalas
    assert view.bill.net + view.bill.vat == gross
    cash = gross // 3
    out = desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, cash, tendered_halalas=cash + 1000), key()))
    assert out.change_due_halalas == 1000 and out.balance_halalas == gross - cash and out.invoice is None
    assert desk.checkout.get(cid).status is CheckoutStatus.OPEN  # a partial payment leaves the visit open
    assert [b.id for b in desk.checkout.open_bills()] == [cid]
    out = desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CARD, gross - cash, card_network=CardNetwork.MADA,
                                                    approval_code="A1B2C3", card_last4="4242"), key()))
    invoice = out.invoice
    assert invoice is not None and out.balance_halalas == 0
    assert invoice.number == 1 and invoice.counter == 1 and invoice.gross == gross
    q = decode_qr(invoice.qr_payload)
    assert (q.seller_name, q.vat_number, q.total_halalas, q.vat_halalas) == (
        "صالون لمسة الجمال", "310122393500003", gross, invoice.vat)
    assert desk.checkout.open_bills() == []

    # Refund one service (the second line) with a credit note, by a manager's authority.
    with pytest.raises(Forbidden):
        desk.checkout.refund(RefundInvoice(invoice.id, "unhappy", (RefundLine(1, invoice.lines[1].gross),)))
    owner = DeskService(desk._seat.uow_factory, OWNER)
    note = owner.checkout.refund(RefundInvoice(invoice.id, "unhappy with the blow-dry",
                                               (RefundLine(1, invoice.lines[1].gross),), to_cash=True))
    assert note.original_number == invoice.number_text and note.gross == invoice.lines[1].gross
    assert note.series == invoice.series + "-CN" and note.counter == 2 and note.previous_hash == invoice.hash
    # Never more than was paid.
    with pytest.raises(ValidationError):
        owner.checkout.refund(RefundInvoice(invoice.id, "again", (RefundLine(0, invoice.lines[0].gross + 1),)))
    before = snapshot(demo_db)
    with pytest.raises(DomainError):
        owner.checkout.refund(RefundInvoice(invoice.id, "too much", (RefundLine(0, invoice.lines[0].gross),
                                                                    RefundLine(2, 4500), RefundLine(1, 1))))
    assert snapshot(demo_db) == before
    assert desk.checkout.verify_invoices() == []

    # Close the day with a cash count 5 SAR short.
    day = desk.calendar.business_day(clock.now)
    preview = desk.checkout.close_preview(day, opening_float_halalas=50_000)
    counted = preview.expected_cash_halalas - 500
    close = desk.checkout.close_day(CloseDay(day, counted, 50_000))
    assert close.variance_halalas == -500
    with sqlite3.connect(demo_db) as db:  # independently, in SQL
        paid = dict(db.execute("SELECT method, SUM(amount_halalas) FROM payment WHERE device_id='desk-test' "
                               "GROUP BY method").fetchall())
        refunded = dict(db.execute("SELECT method, SUM(amount_halalas) FROM refund WHERE device_id='desk-test' "
                                   "GROUP BY method").fetchall())
        vat = db.execute("SELECT (SELECT SUM(vat_halalas) FROM invoice) - (SELECT SUM(vat_halalas) "
                         "FROM credit_note)").fetchone()[0]
    figures = close.figures
    assert figures["takings"] == paid and figures["refunds"] == refunded and figures["vat_halalas"] == vat
    assert close.expected_cash_halalas == 50_000 + paid["cash"] - refunded["cash"]
    with pytest.raises(Conflict):
        desk.checkout.close_day(CloseDay(day, counted, 50_000))
    summary = desk.checkout.salon_summary(day)
    assert summary.takings == paid and summary.variance_halalas == -500


def test_bad_input_is_refused_and_nothing_is_written(desk_service, two_service_visit, demo_db):
    desk = desk_service
    cid = desk.checkout.open(OpenCheckout(two_service_visit.id)).id
    gross = desk.checkout.get(cid).bill.gross
    before = snapshot(demo_db)
    bad = [
        Tender(TenderMethod.CASH, -100),
        Tender(TenderMethod.CASH, 0),
        Tender(TenderMethod.CASH, gross + 1),
        Tender(TenderMethod.CASH, 100, tendered_halalas=50),
        Tender(TenderMethod.CARD, 100),
        Tender(TenderMethod.MOYASAR_LINK, 100),
    ]
    for tender in bad:
        with pytest.raises(DomainError):
            desk.checkout.pay(TakePayment(cid, tender, key()))
    with pytest.raises(DomainError):
        desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 10.5), key()))  # type: ignore[arg-type]
    # discounts beyond 100 % or beyond the limit without a PIN
    with pytest.raises(ValidationError):
        desk.checkout.open(OpenCheckout(two_service_visit.id, order_discount=Discount.percent(10_001)))
    with pytest.raises(ValidationError) as info:
        desk.checkout.open(OpenCheckout(two_service_visit.id, order_discount=Discount.percent(5_000)))
    assert info.value.code == "checkout.discount_over_limit"
    assert snapshot(demo_db) == before
    # paying twice: the same click retried records one payment; a second full payment is refused
    k = key()
    first = desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, gross), k))
    again = desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, gross), k))
    assert again.payment_id == first.payment_id and again.invoice == first.invoice
    with pytest.raises(Conflict):
        desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, gross), key()))


def test_a_cancelled_booking_cannot_be_paid(desk_service, two_service_visit):
    desk = desk_service
    desk.bookings.cancel(CancelBooking(two_service_visit.id, "changed her mind"))
    with pytest.raises(Conflict) as info:
        desk.checkout.open(OpenCheckout(two_service_visit.id))
    assert info.value.code == "checkout.booking_cancelled"


def test_discount_within_limit_and_walk_in_sale(desk_service):
    desk = desk_service
    lines = (product(10_000), product(5_000, "Serum"))
    cid = desk.checkout.open(OpenCheckout(None, extra_lines=lines, order_discount=Discount.percent(1_000))).id
    bill = desk.checkout.get(cid).bill
    assert bill.gross == 13_500 and bill.discount_total == 1_500
    assert sum(p.order_discount for p in bill.lines) == 1_500
    owner = DeskService(desk._seat.uow_factory, OWNER)
    big = owner.checkout.open(OpenCheckout(None, extra_lines=lines, order_discount=Discount.amount(10_000))).id
    assert owner.checkout.get(big).bill.gross == 5_000


def test_void_before_invoice_pays_everything_back(desk_service, two_service_visit):
    desk = desk_service
    cid = desk.checkout.open(OpenCheckout(two_service_visit.id)).id
    desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 1000), key()))
    with pytest.raises(Forbidden):
        desk.checkout.void(VoidCheckout(cid, "wrong customer"))
    owner = DeskService(desk._seat.uow_factory, OWNER)
    owner.checkout.void(VoidCheckout(cid, "wrong customer"))
    view = desk.checkout.get(cid)
    assert view.status is CheckoutStatus.VOID and sum(r.amount_halalas for r in view.refunds) == 1000


def test_completed_visit_flow_from_calendar(desk_service, two_service_visit, clock):
    desk = desk_service
    for target in ("checked_in", "in_service", "completed"):
        clock.now = two_service_visit.start_at + timedelta(minutes=1)
        desk.bookings.transition(TransitionBooking(two_service_visit.id, target))
    cid = desk.checkout.open(OpenCheckout(two_service_visit.id)).id
    gross = desk.checkout.get(cid).bill.gross
    out = desk.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, gross), key()))
    assert out.invoice is not None
    assert desk.checkout.for_booking(two_service_visit.id).invoice == out.invoice
    with pytest.raises(Conflict):
        desk.checkout.open(OpenCheckout(two_service_visit.id))


def test_invoices_verify_command_finds_a_tampered_invoice(desk_service, demo_db, capsys):
    from salon_desk.cli import desk_main

    cid = desk_service.checkout.open(OpenCheckout(None, extra_lines=(product(2_000),))).id
    desk_service.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 2_000), key()))
    assert desk_main(["invoices", "verify", "--data-dir", str(demo_db.parent)]) == 0
    assert "OK" in capsys.readouterr().out
    from salon_desk.diagnose import report

    text = report(demo_db.parent)
    assert "invoice series: D" in text and "(last invoice 1, last credit note 0)" in text and "ZATCA phase: 1" in text
    with sqlite3.connect(demo_db) as db:
        db.execute("UPDATE invoice SET gross_halalas = 1000")
    assert desk_main(["invoices", "verify", "--data-dir", str(demo_db.parent)]) == 1
    assert "hash" in capsys.readouterr().out


def test_partial_then_whole_refund_credits_exactly_what_is_left(desk_service):
    owner = DeskService(desk_service._seat.uow_factory, OWNER)
    cid = owner.checkout.open(OpenCheckout(None, extra_lines=(product(10_000), product(5_000, "Serum")))).id
    invoice = owner.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 15_000), key())).invoice
    first = owner.checkout.refund(RefundInvoice(invoice.id, "damaged", (RefundLine(0, 10_000),)))
    with pytest.raises(ValidationError):  # that line is fully credited already
        owner.checkout.refund(RefundInvoice(invoice.id, "again", (RefundLine(0, 1),)))
    rest = owner.checkout.refund(RefundInvoice(invoice.id, "void the rest"))
    assert [(x.name_en, x.gross) for x in rest.lines] == [("Serum", 5_000)]
    assert first.gross + rest.gross == invoice.gross and rest.counter == 3
    view = owner.checkout.get(cid)
    assert sum(r.amount_halalas for r in view.refunds) == 15_000
    with pytest.raises(ValidationError):
        owner.checkout.refund(RefundInvoice(invoice.id, "once more"))
    assert owner.checkout.verify_invoices() == []


def test_a_deposit_paid_by_link_is_deducted(desk_service, two_service_visit, demo_db, clock):
    booking = two_service_visit
    with sqlite3.connect(demo_db) as db:  # as the cloud's Moyasar webhook would replicate it to the desk
        salon = db.execute("SELECT id FROM salon").fetchone()[0]
        db.execute("INSERT INTO payment (id, salon_id, created_at, updated_at, sync_status, booking_id, method, "
                   "amount_halalas, status, external_id, idempotency_key, device_id, change_halalas, taken_by) "
                   "VALUES (?, ?, '2026-11-24T07:00:00.000000Z', '2026-11-24T07:00:00.000000Z', 'synced', ?, "
                   "'moyasar_link', 2000, 'paid', 'pay_123', ?, '', 0, '')",
                   (str(uuid.uuid4()), salon, booking.id, str(uuid.uuid4())))
    cid = desk_service.checkout.open(OpenCheckout(booking.id)).id
    view = desk_service.checkout.get(cid)
    assert view.paid_halalas == 2000 and view.balance_halalas == view.bill.gross - 2000
    out = desk_service.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, view.balance_halalas), key()))
    assert out.invoice is not None and dict(out.invoice.payments)["moyasar_link"] == 2000


def test_a_rebound_desk_opens_a_new_series(desk_service, engine, clock, actor):
    from salon_desk.store.uow import make_uow_factory

    cid = desk_service.checkout.open(OpenCheckout(None, extra_lines=(product(1_000),))).id
    first = desk_service.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 1_000), key())).invoice
    rebound = DeskService(make_uow_factory(engine, clock, device_id="desk-rebound"), actor)
    cid = rebound.checkout.open(OpenCheckout(None, extra_lines=(product(2_000),))).id
    second = rebound.checkout.pay(TakePayment(cid, Tender(TenderMethod.CASH, 2_000), key())).invoice
    assert second.series != first.series and second.number == 1 and second.previous_hash != first.hash
    assert rebound.checkout.verify_invoices() == []


def test_the_salons_own_discount_limit_decides_when_a_manager_is_needed(desk_service):
    """The limit comes from the salon profile (whole percent), not from a built-in default."""
    desk = desk_service
    lines = (product(10_000),)
    with pytest.raises(ValidationError) as refused:
        desk.checkout.open(OpenCheckout(None, extra_lines=lines, order_discount=Discount.percent(2_500)))
    assert refused.value.code == "checkout.discount_over_limit"
    owner = DeskService(desk._seat.uow_factory, OWNER)
    owner.salon_profile.update({"discount_limit_percent": 30})
    opened = desk.checkout.open(OpenCheckout(None, extra_lines=lines, order_discount=Discount.percent(2_500))).id
    assert desk.checkout.get(opened).bill.discount_total == 2_500
    owner.salon_profile.update({"discount_limit_percent": 5})
    with pytest.raises(ValidationError):
        desk.checkout.open(OpenCheckout(None, extra_lines=lines, order_discount=Discount.percent(1_000)))
