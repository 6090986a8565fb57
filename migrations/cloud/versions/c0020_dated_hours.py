"""Dated salon hours (issue #10: Ramadan hours): the replicated salon profile's `dated_hours` (json)

Revision ID: c0020
Revises: c0019
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0020"
down_revision = "c0019"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("salon_profile", sa.Column("dated_hours", JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("salon_profile", "dated_hours")
