"""Desk users, PIN roles and sign-in (issue #10): the local lock-out counters for wrong PINs

`desk_user` already holds name, role, pin_hash and active (replicated). Wrong-PIN counters stay on the desk
that saw them (`pin_attempt`, never replicated); hashes are upgraded to the peppered form at the next sign-in.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_attempt",
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.String(length=27), nullable=True),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_pin_attempt")),
    )


def downgrade() -> None:
    op.drop_table("pin_attempt")
