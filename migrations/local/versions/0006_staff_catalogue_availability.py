"""Staff, services catalogue and availability editing (issue #10): job titles in Arabic and English and a
phone per staff member (the old single `title` stays, read when both new ones are empty), and the salon
policies edited in the salon profile (idle lock, discount limit, link expiry, ZATCA phase).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SALON_POLICIES = (("idle_lock_minutes", "5"), ("discount_limit_percent", "20"), ("link_expiry_hours", "48"),
                  ("zatca_phase", "1"))


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(sa.Column("title_ar", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("title_en", sa.String(length=120), server_default="", nullable=False))
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
    with op.batch_alter_table("salon") as batch_op:
        for name, default in SALON_POLICIES:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default=default, nullable=False))
    # The old single title was written in English: it becomes the English title.
    op.execute("UPDATE staff SET title_en = title WHERE title_en = ''")


def downgrade() -> None:
    with op.batch_alter_table("salon") as batch_op:
        for name, _default in reversed(SALON_POLICIES):
            batch_op.drop_column(name)
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("title_en")
        batch_op.drop_column("title_ar")
