"""The cloud's own payment tables (issue #12). Moyasar payments are cloud-owned: desks never write them.

Every table is keyed by (salon_id, …) and every unique constraint leads with the salon (issue #14). The two
id-only indexes exist for the webhook, which must find the salon from a payment or invoice id before it
can check that salon's secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JsonValue, UtcDateTime, UuidText


class PaymentAccountRow(Base):
    """A salon's Moyasar merchant: keys sealed with SALON_PAYMENTS_KEY (AES-GCM, the salon id as associated
    data, so a sealed key copied to another salon's row does not open). The deposit the salon asks is not
    here: it is the salon profile's (deposit_policy.salon_deposit)."""

    __tablename__ = "payment_account"

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    secret_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    webhook_secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    publishable_key: Mapped[str] = mapped_column(String(120))  # public by design (browser forms)
    live: Mapped[bool] = mapped_column(Boolean)  # sk_live_ vs sk_test_
    link_ttl_hours: Mapped[int] = mapped_column(Integer, default=48)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PayLinkRow(Base):
    __tablename__ = "pay_link"
    __table_args__ = (
        UniqueConstraint("salon_id", "idempotency_key"),
        Index("ix_pay_link_invoice_id", "invoice_id"),
        Index("ix_pay_link_id", "id"),
        Index("ix_pay_link_salon_id_booking_id", "salon_id", "booking_id"),
        Index("ix_pay_link_status_lease_until", "status", "lease_until"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    request_hash: Mapped[str] = mapped_column(String(64))  # the same key with another body is refused
    booking_id: Mapped[str | None] = mapped_column(UuidText)
    checkout_id: Mapped[str | None] = mapped_column(UuidText, default=None)  # the desk's bill (c0021)
    purpose: Mapped[str] = mapped_column(String(16))  # deposit | balance
    amount_halalas: Mapped[int] = mapped_column(BigInteger)
    lang: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))  # domain.payments.LinkStatus
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    invoice_url: Mapped[str | None] = mapped_column(String(500))
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)  # a create timed out: look before creating
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # who is talking to Moyasar for it
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)  # Moyasar's refusal, as it answered
    created_by: Mapped[str | None] = mapped_column(String(64))  # device id
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OnlinePaymentRow(Base):
    __tablename__ = "online_payment"
    __table_args__ = (
        Index("ix_online_payment_id", "id"),
        Index("ix_online_payment_salon_id_link_id", "salon_id", "link_id"),
        Index("ix_online_payment_status_checked_at", "status", "checked_at"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Moyasar's payment id
    link_id: Mapped[str | None] = mapped_column(UuidText)
    booking_id: Mapped[str | None] = mapped_column(UuidText)
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # domain.payments.PaymentStatus
    amount_halalas: Mapped[int] = mapped_column(BigInteger)
    refunded_halalas: Mapped[int] = mapped_column(BigInteger, default=0)
    source_type: Mapped[str | None] = mapped_column(String(20))
    company: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)  # last re-fetched from Moyasar
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MoyasarEventRow(Base):
    """A webhook event, stored by its id before anything else: a replay finds it and changes nothing."""

    __tablename__ = "moyasar_event"
    __table_args__ = (Index("ix_moyasar_event_state_next_attempt_at", "state", "next_attempt_at"),)

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Moyasar's event id
    type: Mapped[str] = mapped_column(String(40))
    payment_id: Mapped[str] = mapped_column(String(64))
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))  # pending | applied | rejected
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(String(200))


class PaymentAuditRow(Base):
    """Every change to a link or an online payment, with what it was before and after and who or what did it."""

    __tablename__ = "payment_audit"
    __table_args__ = (Index("ix_payment_audit_salon_id_entity_id", "salon_id", "entity_id"),)

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    entity: Mapped[str] = mapped_column(String(20))  # pay_link | online_payment | payment_account
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))  # device:<id> | user:<id> | webhook:<event> | reconcile
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonValue)


class PaymentRequestRow(Base):
    """A refund or void a desk asked for, by the desk's idempotency key, written before Moyasar is called:
    a retried request re-fetches the payment instead of refunding twice."""

    __tablename__ = "payment_request"

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # the desk's idempotency key
    kind: Mapped[str] = mapped_column(String(8))  # refund | void
    payment_id: Mapped[str] = mapped_column(String(64))
    amount_halalas: Mapped[int | None] = mapped_column(BigInteger)  # as asked; None: everything left
    refunded_before: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(10))  # started | done | refused
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DepositRefundRow(Base):
    """A refund the salon's deposit policy decided (payments.deposit_policy), written in the booking change's
    transaction and performed later by the payments job, which claims it (SKIP LOCKED on PostgreSQL), never
    holds a lock while Moyasar is asked, and re-fetches the payment before asking again: Moyasar's refund takes
    no idempotency key, so `refunded_before` (what the payment had refunded when this refund was last asked)
    is what tells a lost answer from a refund never made."""

    __tablename__ = "deposit_refund"
    __table_args__ = (
        UniqueConstraint("salon_id", "idempotency_key"),
        Index("ix_deposit_refund_salon_id_payment_id", "salon_id", "payment_id"),
        Index("ix_deposit_refund_state_claimed_at", "state", "claimed_at"),
    )

    salon_id: Mapped[str] = mapped_column(UuidText, ForeignKey("salon.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))  # deposit:<n>:<payment id>, the n-th for it
    booking_id: Mapped[str] = mapped_column(UuidText)
    payment_id: Mapped[str] = mapped_column(String(64))  # Moyasar's
    amount_halalas: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(16))  # the rule: cancel | late_cancel | no_show | reschedule | ...
    actor: Mapped[str] = mapped_column(String(80))  # policy:<event>, as audited
    state: Mapped[str] = mapped_column(String(10))  # pending | claimed | done | refused
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the job last took it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    refunded_before: Mapped[int | None] = mapped_column(BigInteger)  # set just before each ask to Moyasar
    last_error: Mapped[str | None] = mapped_column(String(80))  # a stable code, never a provider's prose
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
