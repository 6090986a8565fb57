"""Hardening (issue 8): OTP abuse controls and no clear link tokens at rest.

- `otp_request.link_id`: a code asked for on a booking page; its limits are the link's own, apart from
  the public `/v1/otp/request` limits, so a stranger cannot lock a customer out of their link.
- `otp_request.withheld`: a public request for a phone the cloud has no reason to message; answered like
  any other, never sent, never verifiable.
- indexes for the per-link limit, the per-salon daily budget, the total over all salons, and the
  phone -> live link lookup (`customer.phone` across salons, then `booking (salon_id, customer_id)`).
- stored notification bodies (`notification_job.body`, replicated `notification.body`) get their
  `/b/<token>` links redacted; the SMS itself was already sent.

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-05
"""

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None

# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
# The same pattern as salon_desk.cloud.links.tokens.redact_links, frozen here.
LINK = re.compile(r"(/b/)[A-Za-z0-9_-]{43}")
REDACTED = r"\1••••"


def upgrade() -> None:
    with op.batch_alter_table("otp_request") as batch:
        batch.add_column(sa.Column("link_id", UUID, nullable=True))
        batch.add_column(sa.Column("withheld", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_foreign_key("fk_otp_request_link_id_customer_link", "customer_link", ["link_id"], ["id"])
    op.create_index("ix_otp_request_link_id_created_at", "otp_request", ["link_id", "created_at"])
    op.create_index("ix_otp_request_salon_id_created_at", "otp_request", ["salon_id", "created_at"])
    op.create_index("ix_otp_request_created_at", "otp_request", ["created_at"])
    op.create_index("ix_customer_phone", "customer", ["phone"])
    op.create_index("ix_booking_salon_customer", "booking", ["salon_id", "customer_id"])
    for table in ("notification_job", "notification"):
        _redact_bodies(table)


def _redact_bodies(name: str) -> None:
    table = sa.table(name, sa.column("id", UUID), sa.column("body", sa.Text()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, table.c.body).where(table.c.body.like("%/b/%"))).all()
    for row_id, body in rows:
        redacted = LINK.sub(REDACTED, body)
        if redacted != body:
            connection.execute(sa.update(table).where(table.c.id == row_id).values(body=redacted))


def downgrade() -> None:
    op.drop_index("ix_booking_salon_customer", table_name="booking")
    op.drop_index("ix_customer_phone", table_name="customer")
    op.drop_index("ix_otp_request_created_at", table_name="otp_request")
    op.drop_index("ix_otp_request_salon_id_created_at", table_name="otp_request")
    op.drop_index("ix_otp_request_link_id_created_at", table_name="otp_request")
    with op.batch_alter_table("otp_request") as batch:
        batch.drop_constraint("fk_otp_request_link_id_customer_link", type_="foreignkey")
        batch.drop_column("withheld")
        batch.drop_column("link_id")
