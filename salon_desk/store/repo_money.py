"""Checkouts, payments, refunds, invoices, credit notes, the desk's invoice series and daily closes.

Invoices and credit notes are only ever inserted here: there is no update path for an issued document.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from salon_desk.domain.checkout import (
    Checkout,
    CheckoutLine,
    CheckoutStatus,
    DailyClose,
    Discount,
    DiscountKind,
    LineKind,
    Movement,
    Payment,
    Refund,
    SeriesState,
    TenderMethod,
)
from salon_desk.domain.zatca import DocumentKind, DocumentLine, IssuedInvoice, Seller, number_text

from .rows import (
    CheckoutRow,
    CreditNoteRow,
    DailyCloseItemRow,
    DailyCloseRow,
    InvoiceCounterRow,
    InvoiceRow,
    PaymentRow,
    RefundRow,
)

PAID = "paid"


# ------------------------------------------------------------------------------------------------ mapping
def discount_json(d: Discount | None) -> dict[str, Any] | None:
    return None if d is None else {"kind": d.kind.value, "value": d.value}


def discount_of(data: dict[str, Any] | None) -> Discount | None:
    return None if not data else Discount(DiscountKind(data["kind"]), int(data["value"]))


def line_json(line: CheckoutLine) -> dict[str, Any]:
    return {"id": line.id, "kind": line.kind.value, "name_ar": line.name_ar, "name_en": line.name_en,
            "unit_price_halalas": line.unit_price_halalas, "quantity": line.quantity,
            "discount": discount_json(line.discount), "service_id": line.service_id, "staff_id": line.staff_id,
            "booking_item_id": line.booking_item_id}


def line_of(data: dict[str, Any]) -> CheckoutLine:
    return CheckoutLine(data["id"], LineKind(data["kind"]), data["name_ar"], data["name_en"],
                        int(data["unit_price_halalas"]), int(data["quantity"]), discount_of(data.get("discount")),
                        data.get("service_id"), data.get("staff_id"), data.get("booking_item_id"))


def doc_line_json(line: DocumentLine) -> dict[str, Any]:
    return line.canonical()


def doc_line_of(data: dict[str, Any]) -> DocumentLine:
    return DocumentLine(data["name_ar"], data["name_en"], int(data["quantity"]), int(data["gross"]),
                        int(data["net"]), int(data["vat"]))


def seller_json(s: Seller) -> dict[str, Any]:
    return {"name": s.name, "name_en": s.name_en, "vat_number": s.vat_number, "address": s.address,
            "commercial_registration": s.commercial_registration}


def seller_of(data: dict[str, Any]) -> Seller:
    return Seller(data.get("name", ""), data.get("vat_number", ""), data.get("name_en", ""),
                  data.get("address", ""), data.get("commercial_registration", ""))


def _checkout(r: CheckoutRow) -> Checkout:
    return Checkout(r.id, r.booking_id, r.customer_id, tuple(line_of(x) for x in r.lines),
                    discount_of(r.order_discount), CheckoutStatus(r.status), r.gross_halalas, r.discount_halalas,
                    r.device_id, r.created_at, r.invoice_id)


def _payment(r: PaymentRow, refunded: int = 0) -> Payment:
    return Payment(r.id, r.checkout_id, r.booking_id, TenderMethod(r.method), r.amount_halalas, r.status,
                   r.taken_at, r.business_day, r.device_id, r.tendered_halalas, r.change_halalas, r.card_network,
                   r.approval_code, r.card_last4, r.external_id, refunded)


def _refund(r: RefundRow) -> Refund:
    return Refund(r.id, r.payment_id, TenderMethod(r.method), r.amount_halalas, r.reason, r.credit_note_id,
                  r.refunded_at, r.business_day, r.device_id)


def _invoice(r: InvoiceRow) -> IssuedInvoice:
    return IssuedInvoice(
        id=r.id, kind=DocumentKind.INVOICE, uuid=r.uuid, series=r.series, number=r.number, counter=r.counter,
        previous_hash=r.previous_hash, hash=r.hash, issued_at=r.issued_at, seller=seller_of(r.seller),
        lines=tuple(doc_line_of(x) for x in r.lines), net=r.net_halalas, vat=r.vat_halalas,
        gross=r.gross_halalas, qr_payload=r.qr_payload, discount=r.discount_halalas, booking_id=r.booking_id,
        checkout_id=r.checkout_id, device_id=r.device_id,
        payments=tuple((str(m), int(a)) for m, a in (r.payments or [])),
    )


def _credit(r: CreditNoteRow) -> IssuedInvoice:
    return IssuedInvoice(
        id=r.id, kind=DocumentKind.CREDIT_NOTE, uuid=r.uuid, series=r.series, number=r.number, counter=r.counter,
        previous_hash=r.previous_hash, hash=r.hash, issued_at=r.issued_at, seller=seller_of(r.seller),
        lines=tuple(doc_line_of(x) for x in r.lines), net=r.net_halalas, vat=r.vat_halalas,
        gross=r.gross_halalas, qr_payload=r.qr_payload, original_invoice_id=r.invoice_id,
        original_number=r.original_number, reason=r.reason, device_id=r.device_id,
    )


def _close(r: DailyCloseRow) -> DailyClose:
    return DailyClose(r.id, r.device_id, r.business_day, r.closed_at, r.closed_by, r.closed_by_name, r.figures,
                      r.counted_cash_halalas, r.expected_cash_halalas, r.variance_halalas)


class MoneyRepository:
    def __init__(self, session: Session):
        self.s = session

    # --- checkouts -------------------------------------------------------------------------------------
    def add_checkout(self, c: Checkout, salon_id: str, now: datetime, opened_by: str) -> None:
        self.s.add(CheckoutRow(id=c.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
                               booking_id=c.booking_id, customer_id=c.customer_id,
                               lines=[line_json(x) for x in c.lines], order_discount=discount_json(c.order_discount),
                               status=c.status.value, gross_halalas=c.gross_halalas,
                               discount_halalas=c.discount_halalas, device_id=c.device_id, opened_by=opened_by,
                               invoice_id=c.invoice_id))
        self.s.flush()

    def save_checkout(self, c: Checkout, now: datetime) -> None:
        row = self.s.get(CheckoutRow, c.id)
        assert row is not None
        row.lines = [line_json(x) for x in c.lines]
        row.order_discount = discount_json(c.order_discount)
        row.status = c.status.value
        row.gross_halalas = c.gross_halalas
        row.discount_halalas = c.discount_halalas
        row.invoice_id = c.invoice_id
        row.updated_at = now
        row.sync_status = "pending"
        self.s.flush()

    def checkout(self, checkout_id: str) -> Checkout | None:
        row = self.s.get(CheckoutRow, checkout_id)
        return None if row is None or row.deleted_at is not None else _checkout(row)

    def checkout_for_booking(self, booking_id: str) -> Checkout | None:
        """The booking's bill that is not void (open, paid or invoiced), newest first."""
        row = self.s.scalars(select(CheckoutRow).where(
            CheckoutRow.booking_id == booking_id, CheckoutRow.status != CheckoutStatus.VOID.value,
            CheckoutRow.deleted_at.is_(None)).order_by(CheckoutRow.created_at.desc()).limit(1)).first()
        return None if row is None else _checkout(row)

    def checkouts_with_status(self, *statuses: CheckoutStatus) -> list[Checkout]:
        rows = self.s.scalars(select(CheckoutRow).where(
            CheckoutRow.status.in_([s.value for s in statuses]), CheckoutRow.deleted_at.is_(None))
            .order_by(CheckoutRow.created_at))
        return [_checkout(r) for r in rows]

    # --- payments and refunds -------------------------------------------------------------------------------
    def add_payment(self, p: Payment, salon_id: str, now: datetime, taken_by: str, idempotency_key: str) -> None:
        self.s.add(PaymentRow(
            id=p.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
            booking_id=p.booking_id, method=p.method.value, amount_halalas=p.amount_halalas, status=p.status,
            external_id=p.external_id, idempotency_key=idempotency_key, checkout_id=p.checkout_id,
            device_id=p.device_id, business_day=p.business_day, taken_at=p.taken_at, taken_by=taken_by,
            tendered_halalas=p.tendered_halalas, change_halalas=p.change_halalas, card_network=p.card_network,
            approval_code=p.approval_code, card_last4=p.card_last4))
        self.s.flush()

    def payment_by_key(self, idempotency_key: str) -> Payment | None:
        row = self.s.scalars(select(PaymentRow).where(PaymentRow.idempotency_key == idempotency_key)).first()
        return None if row is None else _payment(row)

    def payments_for_checkout(self, checkout_id: str, booking_id: str | None = None) -> list[Payment]:
        """The checkout's payments in the order taken, each with what has been refunded of it; with `booking_id`,
        also the booking's payments made before any bill (a deposit paid by link)."""
        owned = PaymentRow.checkout_id == checkout_id
        if booking_id is not None:
            owned = or_(owned, and_(PaymentRow.booking_id == booking_id, PaymentRow.checkout_id.is_(None)))
        rows = list(self.s.scalars(select(PaymentRow).where(owned, PaymentRow.deleted_at.is_(None))
                                   .order_by(PaymentRow.created_at, PaymentRow.id)))
        refunded = dict(self.s.execute(
            select(RefundRow.payment_id, func.sum(RefundRow.amount_halalas))
            .where(RefundRow.payment_id.in_([r.id for r in rows]), RefundRow.deleted_at.is_(None))
            .group_by(RefundRow.payment_id)).all()) if rows else {}
        return [_payment(r, int(refunded.get(r.id, 0) or 0)) for r in rows]

    def online_claims(self, link_ids: Sequence[str] | None = None, device_id: str | None = None) -> list[Payment]:
        """`moyasar_link` payment lines that consume a pay link's money (issue #12), any desk's (synced) or
        `device_id`'s, with what has been refunded of each; `external_id` is the link id."""
        query = select(PaymentRow).where(PaymentRow.method == "moyasar_link", PaymentRow.deleted_at.is_(None),
                                         PaymentRow.external_id.is_not(None))
        if link_ids is not None:
            query = query.where(PaymentRow.external_id.in_(list(link_ids)))
        if device_id is not None:
            query = query.where(PaymentRow.device_id == device_id)
        rows = list(self.s.scalars(query.order_by(PaymentRow.created_at, PaymentRow.id)))
        refunded = dict(self.s.execute(
            select(RefundRow.payment_id, func.sum(RefundRow.amount_halalas))
            .where(RefundRow.payment_id.in_([r.id for r in rows]), RefundRow.deleted_at.is_(None))
            .group_by(RefundRow.payment_id)).all()) if rows else {}
        return [_payment(r, int(refunded.get(r.id, 0) or 0)) for r in rows]

    def add_refund(self, r: Refund, salon_id: str, now: datetime, checkout_id: str | None, authorised_by: str) -> None:
        self.s.add(RefundRow(
            id=r.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
            payment_id=r.payment_id, amount_halalas=r.amount_halalas, reason=r.reason, status=PAID,
            method=r.method.value, credit_note_id=r.credit_note_id, checkout_id=checkout_id, device_id=r.device_id,
            business_day=r.business_day, refunded_at=r.refunded_at, authorised_by=authorised_by))
        self.s.flush()

    def refunds_for_checkout(self, checkout_id: str) -> list[Refund]:
        rows = self.s.scalars(select(RefundRow).where(RefundRow.checkout_id == checkout_id,
                                                      RefundRow.deleted_at.is_(None)).order_by(RefundRow.created_at))
        return [_refund(r) for r in rows]

    # --- series -----------------------------------------------------------------------------------------
    def active_series(self) -> SeriesState | None:
        row = self.s.scalars(select(InvoiceCounterRow).where(InvoiceCounterRow.active.is_(True))).first()
        return None if row is None else self._series_state(row)

    def _series_state(self, row: InvoiceCounterRow) -> SeriesState:
        """The counter row's head, moved past anything of the series this desk has seen from the cloud."""
        inv_max = self.s.scalar(select(func.max(InvoiceRow.number)).where(InvoiceRow.series == row.series)) or 0
        cn_max = self.s.scalar(select(func.max(CreditNoteRow.number))
                               .where(CreditNoteRow.chain_series == row.series)) or 0
        head_counter, head_hash = row.last_counter, row.last_hash
        for model, col in ((InvoiceRow, InvoiceRow.series), (CreditNoteRow, CreditNoteRow.chain_series)):
            top = self.s.execute(select(model.counter, model.hash).where(col == row.series)
                                 .order_by(model.counter.desc()).limit(1)).first()
            if top is not None and top[0] > head_counter:
                head_counter, head_hash = int(top[0]), str(top[1])
        return SeriesState(row.series, max(row.last_number, int(inv_max)), max(row.credit_last_number, int(cn_max)),
                           head_counter, head_hash, row.device_id)

    def open_series(self, series: str, now: datetime, device_id: str) -> None:
        self.s.execute(update(InvoiceCounterRow).values(active=False))
        self.s.add(InvoiceCounterRow(series=series, last_number=0, credit_last_number=0, last_counter=0,
                                     last_hash="", active=True, opened_at=now, device_id=device_id))
        self.s.flush()

    def series_exists(self, series: str) -> bool:
        return (self.s.get(InvoiceCounterRow, series) is not None
                or self.s.scalar(select(func.count()).select_from(InvoiceRow).where(InvoiceRow.series == series)) != 0)

    def advance_series(self, series: str, kind: DocumentKind, number: int, counter: int, hash_: str) -> None:
        row = self.s.get(InvoiceCounterRow, series)
        assert row is not None
        if kind is DocumentKind.INVOICE:
            row.last_number = number
        else:
            row.credit_last_number = number
        row.last_counter = counter
        row.last_hash = hash_

    # --- documents --------------------------------------------------------------------------------------
    def add_invoice(self, d: IssuedInvoice, salon_id: str, now: datetime) -> None:
        self.s.add(InvoiceRow(
            id=d.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
            booking_id=d.booking_id, series=d.series, number=d.number, issued_at=d.issued_at,
            lines=[doc_line_json(x) for x in d.lines], net_halalas=d.net, vat_halalas=d.vat, gross_halalas=d.gross,
            seller=seller_json(d.seller), qr_payload=d.qr_payload, uuid=d.uuid, counter=d.counter,
            previous_hash=d.previous_hash, hash=d.hash, discount_halalas=d.discount, checkout_id=d.checkout_id,
            device_id=d.device_id, payments=[list(p) for p in d.payments]))
        self.s.flush()

    def add_credit_note(self, d: IssuedInvoice, chain_series: str, salon_id: str, now: datetime) -> None:
        assert d.original_invoice_id is not None
        self.s.add(CreditNoteRow(
            id=d.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
            invoice_id=d.original_invoice_id, series=d.series, number=d.number, issued_at=d.issued_at,
            reason=d.reason, lines=[doc_line_json(x) for x in d.lines], net_halalas=d.net, vat_halalas=d.vat,
            gross_halalas=d.gross, qr_payload=d.qr_payload, seller=seller_json(d.seller), uuid=d.uuid,
            counter=d.counter, previous_hash=d.previous_hash, hash=d.hash, chain_series=chain_series,
            original_number=d.original_number or "", device_id=d.device_id))
        self.s.flush()

    def invoice(self, invoice_id: str) -> IssuedInvoice | None:
        row = self.s.get(InvoiceRow, invoice_id)
        return None if row is None else _invoice(row)

    def credit_note(self, credit_note_id: str) -> IssuedInvoice | None:
        row = self.s.get(CreditNoteRow, credit_note_id)
        return None if row is None else _credit(row)

    def invoice_for_checkout(self, checkout_id: str) -> IssuedInvoice | None:
        row = self.s.scalars(select(InvoiceRow).where(InvoiceRow.checkout_id == checkout_id)).first()
        return None if row is None else _invoice(row)

    def credit_notes_for_invoice(self, invoice_id: str) -> list[IssuedInvoice]:
        rows = self.s.scalars(select(CreditNoteRow).where(CreditNoteRow.invoice_id == invoice_id)
                              .order_by(CreditNoteRow.counter))
        return [_credit(r) for r in rows]

    def chain_series_names(self) -> list[str]:
        names = set(self.s.scalars(select(InvoiceRow.series).distinct()))
        names |= set(self.s.scalars(select(CreditNoteRow.chain_series).distinct()))
        return sorted(n for n in names if n)

    def chain(self, series: str) -> list[IssuedInvoice]:
        """Every document of one desk series (invoices and credit notes), in counter order."""
        docs = [_invoice(r) for r in self.s.scalars(select(InvoiceRow).where(InvoiceRow.series == series))]
        docs += [_credit(r) for r in self.s.scalars(select(CreditNoteRow).where(CreditNoteRow.chain_series == series))]
        return sorted(docs, key=lambda d: d.counter)

    # --- daily close --------------------------------------------------------------------------------------
    @staticmethod
    def _unclosed(entity: str, id_column: Any) -> Any:
        return ~exists().where(DailyCloseItemRow.entity == entity, DailyCloseItemRow.entity_id == id_column)

    def unclosed_movements(self, device_id: str, up_to: date) -> list[Movement]:
        pays = self.s.scalars(select(PaymentRow).where(
            PaymentRow.device_id == device_id, PaymentRow.status == PAID, PaymentRow.business_day <= up_to,
            PaymentRow.deleted_at.is_(None), self._unclosed("payment", PaymentRow.id))
            .order_by(PaymentRow.created_at))
        out = [Movement(p.id, "payment", TenderMethod(p.method), p.amount_halalas, p.business_day or up_to,
                        p.taken_at or p.created_at) for p in pays]
        refunds = self.s.scalars(select(RefundRow).where(
            RefundRow.device_id == device_id, RefundRow.business_day <= up_to, RefundRow.deleted_at.is_(None),
            self._unclosed("refund", RefundRow.id)).order_by(RefundRow.created_at))
        out += [Movement(r.id, "refund", TenderMethod(r.method), r.amount_halalas, r.business_day or up_to,
                         r.refunded_at or r.created_at) for r in refunds]
        return out

    def _unclosed_invoices(self, device_id: str, until: datetime) -> list[InvoiceRow]:
        return list(self.s.scalars(select(InvoiceRow).where(
            InvoiceRow.device_id == device_id, InvoiceRow.issued_at < until, self._unclosed("invoice", InvoiceRow.id))))

    def _unclosed_credits(self, device_id: str, until: datetime) -> list[CreditNoteRow]:
        return list(self.s.scalars(select(CreditNoteRow).where(
            CreditNoteRow.device_id == device_id, CreditNoteRow.issued_at < until,
            self._unclosed("credit_note", CreditNoteRow.id))))

    def unclosed_documents(self, device_id: str, until: datetime) -> list[tuple[str, str, int, int, int]]:
        """(kind, number text, gross, vat, discount) of this desk's documents not yet closed, issued before
        `until`, in issue order."""
        docs: list[tuple[int, tuple[str, str, int, int, int]]] = []
        for r in self._unclosed_invoices(device_id, until):
            docs.append((r.counter, ("invoice", number_text(r.series, r.number), r.gross_halalas, r.vat_halalas,
                                     r.discount_halalas)))
        for c in self._unclosed_credits(device_id, until):
            docs.append((c.counter, ("credit_note", number_text(c.series, c.number), c.gross_halalas,
                                     c.vat_halalas, 0)))
        return [d for _, d in sorted(docs, key=lambda x: x[0])]

    def mark_closed(self, close_id: str, device_id: str, movements: list[Movement], until: datetime) -> None:
        items = [(m.kind, m.id) for m in movements]
        items += [("invoice", r.id) for r in self._unclosed_invoices(device_id, until)]
        items += [("credit_note", r.id) for r in self._unclosed_credits(device_id, until)]
        self.s.add_all(DailyCloseItemRow(entity=e, entity_id=i, close_id=close_id) for e, i in items)
        self.s.flush()

    def add_close(self, c: DailyClose, salon_id: str, now: datetime) -> None:
        self.s.add(DailyCloseRow(
            id=c.id, salon_id=salon_id, created_at=now, updated_at=now, sync_status="pending",
            device_id=c.device_id, business_day=c.business_day, closed_at=c.closed_at, closed_by=c.closed_by,
            closed_by_name=c.closed_by_name, figures=c.figures, counted_cash_halalas=c.counted_cash_halalas,
            expected_cash_halalas=c.expected_cash_halalas, variance_halalas=c.variance_halalas))
        self.s.flush()

    def close_of(self, device_id: str, day: date) -> DailyClose | None:
        row = self.s.scalars(select(DailyCloseRow).where(DailyCloseRow.device_id == device_id,
                                                         DailyCloseRow.business_day == day)).first()
        return None if row is None else _close(row)

    def closes_of_day(self, day: date) -> list[DailyClose]:
        rows = self.s.scalars(select(DailyCloseRow).where(DailyCloseRow.business_day == day,
                                                          DailyCloseRow.deleted_at.is_(None))
                              .order_by(DailyCloseRow.device_id))
        return [_close(r) for r in rows]


