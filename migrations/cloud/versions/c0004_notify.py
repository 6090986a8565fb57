"""Customer notifications: the outbox (`notification_job`, cloud-only) and the replicated, desk-visible
`notification` entity (delivery status per message).

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None

# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
NOTIFICATION_TEXT = ("booking_id", "recipient", "event", "channel", "language", "body", "status")


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("deleted_at", INSTANT, nullable=True),
        *[sa.Column(name, sa.Text(), nullable=True) for name in NOTIFICATION_TEXT],
        sa.Column("attempts", sa.BigInteger(), nullable=True),
        sa.Column("provider_id", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_salon_id", "notification", ["salon_id"])
    op.create_table(
        "notification_job",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("booking_id", UUID, nullable=False),
        sa.Column("customer_id", UUID, nullable=False),
        sa.Column("recipient_hash", sa.String(64), nullable=False),
        sa.Column("recipient_masked", sa.String(32), nullable=False),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", INSTANT, nullable=False),
        sa.Column("lease_until", INSTANT, nullable=True),
        sa.Column("provider", sa.String(20), nullable=True),
        sa.Column("provider_id", sa.String(64), nullable=True),
        sa.Column("sent_channel", sa.String(10), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_job")),
        sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f("fk_notification_job_salon_id_salon")),
        sa.UniqueConstraint(
            "booking_id",
            "recipient_hash",
            "event",
            "channel",
            name=op.f("uq_notification_job_booking_id_recipient_hash_event_channel"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')",
            name=op.f("ck_notification_job_status"),
        ),
        sa.CheckConstraint("channel IN ('sms', 'whatsapp')", name=op.f("ck_notification_job_channel")),
    )
    op.create_index("ix_notification_job_salon_id", "notification_job", ["salon_id"])
    op.create_index(
        "ix_notification_job_status_next_attempt_at", "notification_job", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_table("notification_job")
    op.drop_table("notification")
