"""Provisioning codes for unattended desk enrolment (issue #13)

A manager's code that lasts days, enrols up to N desks, is bounded to a role and can be revoked; kept only
as a digest. Salon first in the primary key and in the unique lookup.

Revision ID: c0017
Revises: c0016
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0017"
down_revision = "c0016"
branch_labels = None
depends_on = None

UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provisioning_code",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("code_sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("max_desks", sa.Integer(), nullable=False),
        sa.Column("used_desks", sa.Integer(), nullable=False),
        sa.Column("created_by_device_id", UUID, nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("revoked_at", INSTANT, nullable=True),
        sa.Column("last_used_at", INSTANT, nullable=True),
        sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f("fk_provisioning_code_salon_id_salon")),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_provisioning_code")),
        sa.UniqueConstraint("salon_id", "code_sha256", name=op.f("uq_provisioning_code_salon_id_code_sha256")),
        sa.CheckConstraint("role IN ('receptionist', 'manager')", name=op.f("ck_provisioning_code_role")),
        sa.CheckConstraint("max_desks BETWEEN 1 AND 100", name=op.f("ck_provisioning_code_max_desks")),
        sa.CheckConstraint(
            "used_desks >= 0 AND used_desks <= max_desks", name=op.f("ck_provisioning_code_used_desks")
        ),
    )


def downgrade() -> None:
    op.drop_table("provisioning_code")
