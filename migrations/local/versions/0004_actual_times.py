"""booking_item.actual_start_at / actual_end_at: a visit as it really ran, kept apart from the booked interval
(finishing early frees the rest of the stylist's booked time; an overrun is recorded without a conflict)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking_item") as batch_op:
        batch_op.add_column(sa.Column("actual_start_at", sa.String(length=27), nullable=True))
        batch_op.add_column(sa.Column("actual_end_at", sa.String(length=27), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_item") as batch_op:
        batch_op.drop_column("actual_end_at")
        batch_op.drop_column("actual_start_at")
