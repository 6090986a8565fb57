"""booking_item.actual_start_at / actual_end_at: a visit as it really ran, replicated beside the booked interval.
An early end shrinks the item's busy segments (booking_item_busy); an overrun leaves them as booked.
Nullable like every replicated column; NULL means not recorded.

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("booking_item", sa.Column("actual_start_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("booking_item", sa.Column("actual_end_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("booking_item", "actual_end_at")
    op.drop_column("booking_item", "actual_start_at")
