"""Reserved (issue #12: online payments replicated to desks)

Revision ID: c0021
Revises: c0020
"""

revision = "c0021"
down_revision = "c0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
