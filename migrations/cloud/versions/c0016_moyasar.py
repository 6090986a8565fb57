"""Moyasar online payments (issue #12)

Cloud-owned tables: `payment_account` (a salon's sealed Moyasar keys and deposit policy), `pay_link` (an
invoice the cloud asked Moyasar for, by the desk's idempotency key), `online_payment` (what Moyasar says of
each payment, merged forward only), `moyasar_event` (webhook events by id: replays change nothing),
`payment_request` (refunds/voids by idempotency key) and `payment_audit`. Keys lead with the salon.

Revision ID: c0016
Revises: c0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0016"
down_revision = "c0015"
branch_labels = None
depends_on = None

UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _salon() -> sa.Column:
    return sa.Column("salon_id", UUID, nullable=False)


def _salon_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f(f"fk_{table}_salon_id_salon"))


def upgrade() -> None:
    op.create_table(
        "payment_account",
        _salon(),
        sa.Column("secret_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("webhook_secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("publishable_key", sa.String(120), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("deposit_halalas", sa.BigInteger(), nullable=False),
        sa.Column("link_ttl_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", name=op.f("pk_payment_account")),
        _salon_fk("payment_account"),
    )
    op.create_table(
        "pay_link",
        _salon(),
        sa.Column("id", UUID, nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("booking_id", UUID, nullable=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("amount_halalas", sa.BigInteger(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("invoice_url", sa.String(500), nullable=True),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("lease_until", INSTANT, nullable=True),
        sa.Column("error", JSON, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_pay_link")),
        _salon_fk("pay_link"),
        sa.UniqueConstraint("salon_id", "idempotency_key", name=op.f("uq_pay_link_salon_id_idempotency_key")),
    )
    op.create_index(op.f("ix_pay_link_invoice_id"), "pay_link", ["invoice_id"])
    op.create_index(op.f("ix_pay_link_id"), "pay_link", ["id"])
    op.create_index(op.f("ix_pay_link_salon_id_booking_id"), "pay_link", ["salon_id", "booking_id"])
    op.create_index(op.f("ix_pay_link_status_lease_until"), "pay_link", ["status", "lease_until"])
    op.create_table(
        "online_payment",
        _salon(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("link_id", UUID, nullable=True),
        sa.Column("booking_id", UUID, nullable=True),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_halalas", sa.BigInteger(), nullable=False),
        sa.Column("refunded_halalas", sa.BigInteger(), nullable=False),
        sa.Column("source_type", sa.String(20), nullable=True),
        sa.Column("company", sa.String(20), nullable=True),
        sa.Column("message", sa.String(200), nullable=True),
        sa.Column("checked_at", INSTANT, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_online_payment")),
        _salon_fk("online_payment"),
    )
    op.create_index(op.f("ix_online_payment_id"), "online_payment", ["id"])
    op.create_index(op.f("ix_online_payment_salon_id_link_id"), "online_payment", ["salon_id", "link_id"])
    op.create_index(op.f("ix_online_payment_status_checked_at"), "online_payment", ["status", "checked_at"])
    op.create_table(
        "moyasar_event",
        _salon(),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("invoice_id", sa.String(64), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", INSTANT, nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
        sa.Column("applied_at", INSTANT, nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_moyasar_event")),
        _salon_fk("moyasar_event"),
    )
    op.create_index(op.f("ix_moyasar_event_state_next_attempt_at"), "moyasar_event", ["state", "next_attempt_at"])
    op.create_table(
        "payment_request",
        _salon(),
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("amount_halalas", sa.BigInteger(), nullable=True),
        sa.Column("refunded_before", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_payment_request")),
        _salon_fk("payment_request"),
    )
    op.create_table(
        "payment_audit",
        _salon(),
        sa.Column("id", UUID, nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_payment_audit")),
        _salon_fk("payment_audit"),
    )
    op.create_index(op.f("ix_payment_audit_salon_id_entity_id"), "payment_audit", ["salon_id", "entity_id"])


def downgrade() -> None:
    for table in ("payment_audit", "payment_request", "moyasar_event", "online_payment", "pay_link",
                  "payment_account"):
        op.drop_table(table)
