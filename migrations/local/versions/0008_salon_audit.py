"""The salon's audit events from every desk (issue #10): `salon_audit_event`, the other desks' audit events
pulled from the cloud (read-only here), and `audit_desk`, the salon's desk names for the audit page.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "salon_audit_event",
        sa.Column("desk_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("salon_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("at", sa.String(length=27), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("desk_id", "seq", name=op.f("pk_salon_audit_event")),
    )
    with op.batch_alter_table("salon_audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_salon_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_salon_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_salon_audit_event_entity_entity_id"), ["entity", "entity_id"],
                              unique=False)
    op.create_table(
        "audit_desk",
        sa.Column("desk_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("desk_id", name=op.f("pk_audit_desk")),
    )


def downgrade() -> None:
    op.drop_table("audit_desk")
    with op.batch_alter_table("salon_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_salon_audit_event_entity_entity_id"))
        batch_op.drop_index(batch_op.f("ix_salon_audit_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_salon_audit_event_at"))
    op.drop_table("salon_audit_event")
