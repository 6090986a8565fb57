"""Hardening (issue 8): fair notification claiming and enrolment that never hands a desk's identity away.

- `notification_job (salon_id, status, next_attempt_at)`: a round claims each salon's due jobs separately.
- `device.previous_token_sha256`: the digest of the token a desk held before its last rotation or
  re-enrolment; presenting it (or the current token) proves a re-enrolling desk is that desk.
- `device.replaces_device_id`: the revoked desk this one was enrolled in place of (never revived).
- `enrolment_code.rebind_device_id`: a manager-approved code that re-enrols exactly this desk, keeping its id.

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None

# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")


def upgrade() -> None:
    op.create_index(
        "ix_notification_job_salon_id_status_next_attempt_at",
        "notification_job",
        ["salon_id", "status", "next_attempt_at"],
    )
    op.add_column("device", sa.Column("previous_token_sha256", sa.LargeBinary(32), nullable=True))
    op.add_column("device", sa.Column("replaces_device_id", UUID, nullable=True))
    op.add_column("enrolment_code", sa.Column("rebind_device_id", UUID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrolment_code") as batch:
        batch.drop_column("rebind_device_id")
    with op.batch_alter_table("device") as batch:
        batch.drop_column("replaces_device_id")
        batch.drop_column("previous_token_sha256")
    op.drop_index("ix_notification_job_salon_id_status_next_attempt_at", table_name="notification_job")
