"""The salon's audit events from every desk (issue #10): `salon_audit_event`, each desk's own hash-chained
audit events as it uploaded them after its push, re-linked by the cloud, read by the salon's other desks.

Revision ID: c0019
Revises: c0018
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0019"
down_revision = "c0018"
branch_labels = None
depends_on = None

# Frozen copies of the types at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "salon_audit_event",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("device_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("recorded_device_id", sa.String(36), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("at_text", sa.String(27), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "device_id", "seq", name=op.f("pk_salon_audit_event")),
    )
    op.create_index("ix_salon_audit_event_salon_id_at", "salon_audit_event", ["salon_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_salon_audit_event_salon_id_at", table_name="salon_audit_event")
    op.drop_table("salon_audit_event")
