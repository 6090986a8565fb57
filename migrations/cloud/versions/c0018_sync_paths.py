"""Sync paths: customer aliases, notification occurrences, retention (issue #14)

Revision ID: c0018
Revises: c0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0018"
down_revision = "c0017"
branch_labels = None
depends_on = None

# Frozen copies of the types at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)

OLD_UNIQUE = "uq_notification_job_salon_booking_recipient_event_channel"
NEW_UNIQUE = "uq_notification_job_salon_booking_recipient_event_occ"
KEY = ["salon_id", "booking_id", "recipient_hash", "event", "channel"]


def upgrade() -> None:
    # Duplicate customers made by two offline desks: the merged id stays resolvable (sync/aliases.py).
    op.create_table(
        "customer_alias",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("duplicate_id", UUID, nullable=False),
        sa.Column("canonical_id", UUID, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f("fk_customer_alias_salon_id_salon")),
        sa.PrimaryKeyConstraint("salon_id", "duplicate_id", name=op.f("pk_customer_alias")),
    )
    # A second and later reschedule notify again: the occurrence number joins the message's unique key.
    with op.batch_alter_table("notification_job", recreate="auto") as batch:
        batch.add_column(sa.Column("occurrence", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint(OLD_UNIQUE, type_="unique")
        batch.create_unique_constraint(NEW_UNIQUE, [*KEY, "occurrence"])


def downgrade() -> None:
    # Later occurrences cannot fit the old key: only the first of each stays.
    op.execute("DELETE FROM notification_job WHERE occurrence > 1")
    with op.batch_alter_table("notification_job", recreate="auto") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
        batch.create_unique_constraint(OLD_UNIQUE, KEY)
        batch.drop_column("occurrence")
    op.drop_table("customer_alias")
