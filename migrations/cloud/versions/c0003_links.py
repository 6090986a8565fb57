"""Customer links: the SMS link to a booking page (token stored as sha256, never the token) and the
short-lived server-side session a customer's browser holds once it asked for / verified a code.

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None

# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)


def _salon_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f(f"fk_{table}_salon_id_salon"))


def upgrade() -> None:
    op.create_table(
        "customer_link",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("booking_id", UUID, nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("last_used_at", INSTANT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_link_token_hash")),
        _salon_fk("customer_link"),
    )
    op.create_index(op.f("ix_customer_link_salon_id_booking_id"), "customer_link", ["salon_id", "booking_id"])
    op.create_table(
        "customer_link_session",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("link_id", UUID, nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("otp_request_id", UUID, nullable=True),
        sa.Column("verified_at", INSTANT, nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_link_session")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_customer_link_session_secret_hash")),
        sa.ForeignKeyConstraint(
            ["link_id"], ["customer_link.id"], name=op.f("fk_customer_link_session_link_id_customer_link")
        ),
        _salon_fk("customer_link_session"),
    )
    op.create_index(op.f("ix_customer_link_session_link_id"), "customer_link_session", ["link_id"])


def downgrade() -> None:
    op.drop_table("customer_link_session")
    op.drop_table("customer_link")
