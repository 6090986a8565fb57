"""Desk users and roles replicated to the cloud (issue #10): the `desk_user` table (the cloud's copy of who may
act for the salon, checked on every pushed mutation) and `audit_anchor` (each desk's audit chain head, pushed
with sync, so a chain rewritten and re-hashed on one desk is caught).

Revision ID: c0013
Revises: c0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0013"
down_revision = "c0012"
branch_labels = None
depends_on = None

# Frozen copies of the types at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "desk_user",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("deleted_at", INSTANT, nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("pin_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", JSON, nullable=True),
        sa.PrimaryKeyConstraint("salon_id", "id", name=op.f("pk_desk_user")),
    )
    op.create_index("ix_desk_user_salon_id", "desk_user", ["salon_id"])
    op.create_table(
        "audit_anchor",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("device_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("anchored_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "device_id", "seq", name=op.f("pk_audit_anchor")),
    )


def downgrade() -> None:
    op.drop_table("audit_anchor")
    op.drop_index("ix_desk_user_salon_id", table_name="desk_user")
    op.drop_table("desk_user")
