"""Online payments replicated to desks (issue #12): the read-only `online_payment` replica of the cloud's
Moyasar pay links.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INSTANT = sa.String(length=27)  # store.types.Instant: UTC text as on the wire


def upgrade() -> None:
    op.create_table(
        "online_payment",
        sa.Column("booking_id", sa.String(length=36), nullable=True),
        sa.Column("checkout_id", sa.String(length=36), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("amount_halalas", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paid_halalas", sa.Integer(), nullable=False),
        sa.Column("refunded_halalas", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("payment_status", sa.String(length=16), nullable=True),
        sa.Column("company", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("expires_at", INSTANT, nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("deleted_at", INSTANT, nullable=True),
        sa.Column("server_seq", sa.Integer(), nullable=True),
        sa.Column("sync_status", sa.String(length=10), nullable=False),
        sa.Column("salon_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_payment")),
    )
    with op.batch_alter_table("online_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_online_payment_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_online_payment_checkout_id"), ["checkout_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("online_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_online_payment_checkout_id"))
        batch_op.drop_index(batch_op.f("ix_online_payment_booking_id"))
    op.drop_table("online_payment")
