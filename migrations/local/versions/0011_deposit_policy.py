"""The salon's deposit policy (issue #12): what happens to a paid deposit on cancellation, late cancellation,
no-show and reschedule; four columns on the salon whose defaults are the policy every salon had before

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# domain.deposit_policy.DepositPolicy's defaults (a migration does not import the application)
COLUMNS = {"deposit_on_cancel": "refund", "deposit_on_late_cancel": "keep", "deposit_on_no_show": "keep",
           "deposit_on_reschedule": "carry_over"}


def upgrade() -> None:
    with op.batch_alter_table("salon") as batch_op:
        for name, default in COLUMNS.items():
            batch_op.add_column(sa.Column(name, sa.String(length=16), server_default=default, nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("salon") as batch_op:
        for name in reversed(list(COLUMNS)):
            batch_op.drop_column(name)
