"""service.can_run_alongside: services a customer may have at the same time as another (a manicure beside a
pedicure); every other pair of one customer's items must not overlap

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service") as batch_op:
        batch_op.add_column(
            sa.Column("can_run_alongside", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("service") as batch_op:
        batch_op.drop_column("can_run_alongside")
