"""Reserved (issue #14, sync retention / re-link): filled in by that work

Revision ID: c0024
Revises: c0023
"""

revision = "c0024"
down_revision = "c0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
