"""Dated salon hours (issue #10: Ramadan hours): one JSON column on the salon

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("salon") as batch_op:
        batch_op.add_column(sa.Column("dated_hours", sa.Text(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("salon") as batch_op:
        batch_op.drop_column("dated_hours")
