"""The salon's deposit policy (issue #12): the replicated salon profile's `deposit_on_cancel`,
`deposit_on_late_cancel`, `deposit_on_no_show` and `deposit_on_reschedule` (text; NULL = the default policy,
domain.deposit_policy.DepositPolicy, which every salon had before)

Revision ID: c0022
Revises: c0021
"""

import sqlalchemy as sa
from alembic import op

revision = "c0022"
down_revision = "c0021"
branch_labels = None
depends_on = None

COLUMNS = ("deposit_on_cancel", "deposit_on_late_cancel", "deposit_on_no_show", "deposit_on_reschedule")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("salon_profile", sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("salon_profile", name)
