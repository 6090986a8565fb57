"""Checkout: payments, invoices series, credit notes, daily close (issue #11)

Adds the checkout (bill) and daily_close tables; payment, refund, invoice and credit_note gain what a split
tender, a hash-chained gap-free series per desk and the daily close need; invoice_counter becomes the
desk's series head (numbers, chain counter and hash, which series is active).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _replicated() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=27), nullable=False),
        sa.Column("updated_at", sa.String(length=27), nullable=False),
        sa.Column("deleted_at", sa.String(length=27), nullable=True),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("sync_status", sa.String(length=10), nullable=False),
        sa.Column("salon_id", sa.String(length=36), nullable=False),
    ]


def _text(name: str, length: int, default: str = "") -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=False, server_default=default)


def _int(name: str, default: str = "0") -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False, server_default=default)


def upgrade() -> None:
    op.create_table(
        "checkout",
        sa.Column("booking_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("order_discount", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("gross_halalas", sa.Integer(), nullable=False),
        sa.Column("discount_halalas", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("opened_by", sa.String(length=36), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        *_replicated(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout")),
    )
    op.create_index("ix_checkout_booking", "checkout", ["booking_id"])
    op.create_index("ix_checkout_status", "checkout", ["status"])
    op.create_table(
        "daily_close",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("business_day", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.String(length=27), nullable=False),
        sa.Column("closed_by", sa.String(length=36), nullable=False),
        sa.Column("closed_by_name", sa.String(length=120), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("counted_cash_halalas", sa.Integer(), nullable=False),
        sa.Column("expected_cash_halalas", sa.Integer(), nullable=False),
        sa.Column("variance_halalas", sa.Integer(), nullable=False),
        *_replicated(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_close")),
        sa.UniqueConstraint("device_id", "business_day", name=op.f("uq_daily_close_device_id_business_day")),
    )
    op.create_table(
        "daily_close_item",
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("close_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_daily_close_item")),
    )
    with op.batch_alter_table("payment") as b:
        b.add_column(sa.Column("checkout_id", sa.String(length=36), nullable=True))
        b.add_column(_text("device_id", 64))
        b.add_column(sa.Column("business_day", sa.String(length=10), nullable=True))
        b.add_column(sa.Column("taken_at", sa.String(length=27), nullable=True))
        b.add_column(_text("taken_by", 36))
        b.add_column(sa.Column("tendered_halalas", sa.Integer(), nullable=True))
        b.add_column(_int("change_halalas"))
        b.add_column(sa.Column("card_network", sa.String(length=20), nullable=True))
        b.add_column(sa.Column("approval_code", sa.String(length=12), nullable=True))
        b.add_column(sa.Column("card_last4", sa.String(length=4), nullable=True))
        b.create_index("ix_payment_checkout", ["checkout_id"])
        b.create_index("ix_payment_day", ["device_id", "business_day"])
    with op.batch_alter_table("refund") as b:
        b.add_column(_text("method", 20, "cash"))
        b.add_column(sa.Column("credit_note_id", sa.String(length=36), nullable=True))
        b.add_column(sa.Column("checkout_id", sa.String(length=36), nullable=True))
        b.add_column(_text("device_id", 64))
        b.add_column(sa.Column("business_day", sa.String(length=10), nullable=True))
        b.add_column(sa.Column("refunded_at", sa.String(length=27), nullable=True))
        b.add_column(_text("authorised_by", 36))
        b.create_index("ix_refund_day", ["device_id", "business_day"])
    with op.batch_alter_table("invoice") as b:
        b.add_column(_text("uuid", 36))
        b.add_column(_int("counter"))
        b.add_column(_text("previous_hash", 88))
        b.add_column(_text("hash", 88))
        b.add_column(_int("discount_halalas"))
        b.add_column(sa.Column("checkout_id", sa.String(length=36), nullable=True))
        b.add_column(_text("device_id", 64))
        b.add_column(sa.Column("payments", sa.Text(), nullable=False, server_default="[]"))
        b.create_index("ix_invoice_chain", ["series", "counter"])
    with op.batch_alter_table("credit_note") as b:
        b.add_column(sa.Column("seller", sa.Text(), nullable=False, server_default="{}"))
        b.add_column(_text("uuid", 36))
        b.add_column(_int("counter"))
        b.add_column(_text("previous_hash", 88))
        b.add_column(_text("hash", 88))
        b.add_column(_text("chain_series", 20))
        b.add_column(_text("original_number", 40))
        b.add_column(_text("device_id", 64))
    with op.batch_alter_table("invoice_counter") as b:
        b.add_column(_int("credit_last_number"))
        b.add_column(_int("last_counter"))
        b.add_column(_text("last_hash", 88))
        b.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        b.add_column(sa.Column("opened_at", sa.String(length=27), nullable=True))
        b.add_column(_text("device_id", 64))


def downgrade() -> None:
    with op.batch_alter_table("invoice_counter") as b:
        for name in ("device_id", "opened_at", "active", "last_hash", "last_counter", "credit_last_number"):
            b.drop_column(name)
    with op.batch_alter_table("credit_note") as b:
        for name in ("device_id", "original_number", "chain_series", "hash", "previous_hash", "counter",
                     "uuid", "seller"):
            b.drop_column(name)
    with op.batch_alter_table("invoice") as b:
        b.drop_index("ix_invoice_chain")
        for name in ("payments", "device_id", "checkout_id", "discount_halalas", "hash",
                     "previous_hash", "counter", "uuid"):
            b.drop_column(name)
    with op.batch_alter_table("refund") as b:
        b.drop_index("ix_refund_day")
        for name in ("authorised_by", "refunded_at", "business_day", "device_id", "checkout_id",
                     "credit_note_id", "method"):
            b.drop_column(name)
    with op.batch_alter_table("payment") as b:
        b.drop_index("ix_payment_day")
        b.drop_index("ix_payment_checkout")
        for name in ("card_last4", "approval_code", "card_network", "change_halalas",
                     "tendered_halalas", "taken_by", "taken_at", "business_day", "device_id", "checkout_id"):
            b.drop_column(name)
    op.drop_table("daily_close_item")
    op.drop_table("daily_close")
    op.drop_index("ix_checkout_status", "checkout")
    op.drop_index("ix_checkout_booking", "checkout")
    op.drop_table("checkout")
