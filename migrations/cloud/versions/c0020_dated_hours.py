"""Reserved (issue #10: dated salon hours, Ramadan)

Revision ID: c0020
Revises: c0019
"""

revision = "c0020"
down_revision = "c0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
