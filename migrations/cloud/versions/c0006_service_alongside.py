"""service.can_run_alongside: the replicated flag for services a customer may have at the same time as
another (a manicure beside a pedicure). Nullable like every replicated column; NULL reads as false.

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("service", sa.Column("can_run_alongside", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("service", "can_run_alongside")
