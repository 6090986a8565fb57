"""Checkouts, payments, refunds, invoices, credit notes, daily closes and the desk's invoice series (issue #11).

Invoices and credit notes are written once and never updated (`store.repo_money` has no update path for
them). Which close counted a movement or a document is local bookkeeping in `daily_close_item`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Day, Instant, Json

from .base import Base, Replicated


class CheckoutRow(Replicated, Base):
    """One bill: a booked visit or a walk-in sale. Open until its balance is zero and its invoice issued."""

    __tablename__ = "checkout"
    __table_args__ = (Index("ix_checkout_booking", "booking_id"), Index("ix_checkout_status", "status"))
    booking_id: Mapped[str | None] = mapped_column(String(36), default=None)
    customer_id: Mapped[str | None] = mapped_column(String(36), default=None)
    lines: Mapped[list[Any]] = mapped_column(Json, default=list)
    order_discount: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    status: Mapped[str] = mapped_column(String(10))  # domain.checkout.CheckoutStatus
    gross_halalas: Mapped[int] = mapped_column(Integer, default=0)
    discount_halalas: Mapped[int] = mapped_column(Integer, default=0)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    opened_by: Mapped[str] = mapped_column(String(36), default="")
    invoice_id: Mapped[str | None] = mapped_column(String(36), default=None)


class PaymentRow(Replicated, Base):
    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("amount_halalas > 0", name="amount_positive"),
                      Index("ix_payment_checkout", "checkout_id"), Index("ix_payment_day", "device_id", "business_day"))
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("booking.id"), default=None)
    method: Mapped[str] = mapped_column(String(20))  # cash | card_terminal | moyasar_link
    amount_halalas: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # cloud-owned for moyasar_link
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    checkout_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    business_day: Mapped[date | None] = mapped_column(Day, default=None)
    taken_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    taken_by: Mapped[str] = mapped_column(String(36), default="")
    tendered_halalas: Mapped[int | None] = mapped_column(Integer, default=None)
    change_halalas: Mapped[int] = mapped_column(Integer, default=0)
    card_network: Mapped[str | None] = mapped_column(String(20), default=None)
    approval_code: Mapped[str | None] = mapped_column(String(12), default=None)
    card_last4: Mapped[str | None] = mapped_column(String(4), default=None)


class RefundRow(Replicated, Base):
    __tablename__ = "refund"
    __table_args__ = (CheckConstraint("amount_halalas > 0", name="amount_positive"),
                      Index("ix_refund_day", "device_id", "business_day"))
    payment_id: Mapped[str] = mapped_column(ForeignKey("payment.id"))
    amount_halalas: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)
    method: Mapped[str] = mapped_column(String(20), default="cash")
    credit_note_id: Mapped[str | None] = mapped_column(String(36), default=None)
    checkout_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    business_day: Mapped[date | None] = mapped_column(Day, default=None)
    refunded_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    authorised_by: Mapped[str] = mapped_column(String(36), default="")


class InvoiceRow(Replicated, Base):
    """A simplified tax invoice. Each desk is its own invoicing unit with a gap-free series."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("series", "number"), Index("ix_invoice_chain", "series", "counter"))
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("booking.id"), default=None)
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    lines: Mapped[list[Any]] = mapped_column(Json)
    net_halalas: Mapped[int] = mapped_column(Integer)
    vat_halalas: Mapped[int] = mapped_column(Integer)
    gross_halalas: Mapped[int] = mapped_column(Integer)
    seller: Mapped[dict[str, Any]] = mapped_column(Json)  # name, VAT number, address at issue time
    qr_payload: Mapped[str] = mapped_column(Text)
    uuid: Mapped[str] = mapped_column(String(36), default="")
    counter: Mapped[int] = mapped_column(Integer, default=0)
    previous_hash: Mapped[str] = mapped_column(String(88), default="")
    hash: Mapped[str] = mapped_column(String(88), default="")
    discount_halalas: Mapped[int] = mapped_column(Integer, default=0)
    checkout_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")
    payments: Mapped[list[Any]] = mapped_column(Json, default=list)  # [[method, halalas], ...] as paid


class CreditNoteRow(Replicated, Base):
    __tablename__ = "credit_note"
    __table_args__ = (UniqueConstraint("series", "number"),)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id"))
    series: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    reason: Mapped[str] = mapped_column(Text)
    lines: Mapped[list[Any]] = mapped_column(Json)
    net_halalas: Mapped[int] = mapped_column(Integer)
    vat_halalas: Mapped[int] = mapped_column(Integer)
    gross_halalas: Mapped[int] = mapped_column(Integer)
    qr_payload: Mapped[str] = mapped_column(Text)
    seller: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    uuid: Mapped[str] = mapped_column(String(36), default="")
    counter: Mapped[int] = mapped_column(Integer, default=0)
    previous_hash: Mapped[str] = mapped_column(String(88), default="")
    hash: Mapped[str] = mapped_column(String(88), default="")
    chain_series: Mapped[str] = mapped_column(String(20), default="")  # the desk series whose chain holds it
    original_number: Mapped[str] = mapped_column(String(40), default="")
    device_id: Mapped[str] = mapped_column(String(64), default="")


class DailyCloseRow(Replicated, Base):
    """One desk drawer's close of one business day: immutable once written."""

    __tablename__ = "daily_close"
    __table_args__ = (UniqueConstraint("device_id", "business_day"),)
    device_id: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[date] = mapped_column(Day)
    closed_at: Mapped[datetime] = mapped_column(Instant)
    closed_by: Mapped[str] = mapped_column(String(36))
    closed_by_name: Mapped[str] = mapped_column(String(120), default="")
    figures: Mapped[dict[str, Any]] = mapped_column(Json)
    counted_cash_halalas: Mapped[int] = mapped_column(Integer)
    expected_cash_halalas: Mapped[int] = mapped_column(Integer)
    variance_halalas: Mapped[int] = mapped_column(Integer)


class InvoiceCounterRow(Base):
    """Local-only: this desk's invoice series, its last numbers and the head of its hash chain, advanced in
    the document's own transaction. Exactly one series is active."""

    __tablename__ = "invoice_counter"
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    credit_last_number: Mapped[int] = mapped_column(Integer, default=0)
    last_counter: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(88), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    device_id: Mapped[str] = mapped_column(String(64), default="")  # the device identity that opened it


class DailyCloseItemRow(Base):
    """Local-only: which of this desk's closes counted a payment, refund, invoice or credit note (each once)."""

    __tablename__ = "daily_close_item"
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    close_id: Mapped[str] = mapped_column(String(36))
