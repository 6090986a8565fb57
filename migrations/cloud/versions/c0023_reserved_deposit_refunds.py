"""Reserved (issue #12, deposit refunds): filled in by the deposit-refund work

Revision ID: c0023
Revises: c0022
"""

revision = "c0023"
down_revision = "c0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
