"""Payments, refunds, invoices and credit notes (used by the checkout issue; schema present from the start)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant, Json

from .base import Base, Replicated


class PaymentRow(Replicated, Base):
    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("amount_halalas > 0", name="amount_positive"),)
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("booking.id"), default=None)
    method: Mapped[str] = mapped_column(String(20))  # cash | card_terminal | moyasar_link
    amount_halalas: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # cloud-owned for moyasar_link
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)


class RefundRow(Replicated, Base):
    __tablename__ = "refund"
    __table_args__ = (CheckConstraint("amount_halalas > 0", name="amount_positive"),)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payment.id"))
    amount_halalas: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)


class InvoiceRow(Replicated, Base):
    """A simplified tax invoice. Each desk is its own invoicing unit with a gap-free series."""

    __tablename__ = "invoice"
    __table_args__ = (UniqueConstraint("series", "number"),)
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


class InvoiceCounterRow(Base):
    """Local-only: the next number of this desk's invoice series, advanced in the invoice's transaction."""

    __tablename__ = "invoice_counter"
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
