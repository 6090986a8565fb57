"""Staff, services catalogue and availability (issue #10): the cloud copies of the new replicated fields
(staff job titles in Arabic and English and phone; the salon policies of the salon profile). Keys are
unchanged: every salon-owned table is keyed (salon_id, id) since c0012.

Revision ID: c0014
Revises: c0013
"""

import sqlalchemy as sa
from alembic import op

revision = "c0014"
down_revision = "c0013"
branch_labels = None
depends_on = None

STAFF = ("title_ar", "title_en", "phone")
SALON_POLICIES = ("idle_lock_minutes", "discount_limit_percent", "link_expiry_hours", "zatca_phase")


def upgrade() -> None:
    for name in STAFF:
        op.add_column("staff", sa.Column(name, sa.Text(), nullable=True))
    for name in SALON_POLICIES:
        op.add_column("salon_profile", sa.Column(name, sa.BigInteger(), nullable=True))
    op.execute("UPDATE staff SET title_en = title WHERE title_en IS NULL")


def downgrade() -> None:
    for name in reversed(SALON_POLICIES):
        op.drop_column("salon_profile", name)
    for name in reversed(STAFF):
        op.drop_column("staff", name)
