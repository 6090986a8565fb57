"""Cloud foundation: tenants and their sync counter, devices and enrolment codes, OTP requests,
the console provider's message log and throttle events.

Revision ID: c0001
Revises:
Create Date: 2025-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

# Constraint names are final (op.f), whatever naming convention the running metadata has.
# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROLE_CHECK = "role IN ('receptionist', 'manager')"
CHANNEL_CHECK = "channel IN ('sms', 'whatsapp')"


def _salon_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["salon_id"], ["salon.id"], name=op.f(f"fk_{table}_salon_id_salon"))


def upgrade() -> None:
    op.create_table(
        "salon",
        sa.Column("id", UUID, nullable=False),
        sa.Column("name_ar", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("sms_sender", sa.String(11), nullable=True),
        sa.Column("public_settings", JSON, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salon")),
    )
    op.create_table(
        "salon_sync",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("min_retained_seq", sa.BigInteger(), nullable=False),
        _salon_fk("salon_sync"),
        sa.PrimaryKeyConstraint("salon_id", name=op.f("pk_salon_sync")),
    )
    op.create_table(
        "device",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("app_version", sa.String(40), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("last_device_seq", sa.BigInteger(), nullable=False),
        sa.Column("enrolled_by", UUID, nullable=False),
        sa.Column("enrolled_at", INSTANT, nullable=False),
        sa.Column("token_rotated_at", INSTANT, nullable=True),
        sa.Column("revoked_at", INSTANT, nullable=True),
        sa.Column("last_seen_at", INSTANT, nullable=True),
        _salon_fk("device"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_device_token_sha256")),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_device_role")),
    )
    op.create_index(op.f("ix_device_salon_id"), "device", ["salon_id"])
    op.create_table(
        "enrolment_code",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("code_sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_by_device_id", UUID, nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("consumed_at", INSTANT, nullable=True),
        sa.Column("consumed_by_device_id", UUID, nullable=True),
        _salon_fk("enrolment_code"),
        sa.ForeignKeyConstraint(
            ["created_by_device_id"], ["device.id"], name=op.f("fk_enrolment_code_created_by_device_id_device")
        ),
        sa.ForeignKeyConstraint(
            ["consumed_by_device_id"], ["device.id"], name=op.f("fk_enrolment_code_consumed_by_device_id_device")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_code")),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_enrolment_code_role")),
    )
    op.create_index(op.f("ix_enrolment_code_code_sha256"), "enrolment_code", ["code_sha256"])
    op.create_table(
        "otp_request",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=True),
        sa.Column("phone_e164", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("expires_at", INSTANT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("consumed_at", INSTANT, nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("provider_message_id", sa.String(100), nullable=True),
        sa.Column("send_failed_at", INSTANT, nullable=True),
        _salon_fk("otp_request"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_request")),
        sa.CheckConstraint(CHANNEL_CHECK, name=op.f("ck_otp_request_channel")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_otp_request_attempts")),
    )
    op.create_index(op.f("ix_otp_request_salon_id"), "otp_request", ["salon_id"])
    op.create_index(op.f("ix_otp_request_phone_e164_created_at"), "otp_request", ["phone_e164", "created_at"])
    op.create_index(op.f("ix_otp_request_ip_created_at"), "otp_request", ["ip", "created_at"])
    op.create_table(
        "sms_message_log",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=True),
        sa.Column("phone_e164", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("code", sa.String(12), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        _salon_fk("sms_message_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message_log")),
        sa.CheckConstraint("kind IN ('otp', 'text')", name=op.f("ck_sms_message_log_kind")),
        sa.CheckConstraint(CHANNEL_CHECK, name=op.f("ck_sms_message_log_channel")),
    )
    op.create_index(op.f("ix_sms_message_log_salon_id"), "sms_message_log", ["salon_id"])
    op.create_index(op.f("ix_sms_message_log_created_at"), "sms_message_log", ["created_at"])
    op.create_table(
        "throttle_event",
        sa.Column("id", UUID, nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_event")),
    )
    op.create_index(op.f("ix_throttle_event_scope_key_created_at"), "throttle_event", ["scope", "key", "created_at"])


def downgrade() -> None:
    for table in ("throttle_event", "sms_message_log", "otp_request", "enrolment_code", "device", "salon_sync"):
        op.drop_table(table)
    op.drop_table("salon")
