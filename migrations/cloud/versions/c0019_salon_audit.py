"""Reserved (issue #10: the salon's audit events from every desk)

Revision ID: c0019
Revises: c0018
"""

revision = "c0019"
down_revision = "c0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
