"""Sync: replicated entity tables (+ server_seq, field_meta), change_index, mutation_receipt, and the
booking overlap invariant (PostgreSQL EXCLUDE USING gist / SQLite triggers), specs/sync.md §3.3, §3.8.

Revision ID: c0002
Revises: c0001
Create Date: 2025-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None

# Frozen copy of the wire fields at this revision (never import the app's live definitions here).
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TYPES = {
    "text": sa.Text(),
    "int": sa.BigInteger(),
    "bool": sa.Boolean(),
    "instant": INSTANT,
    "day": sa.Date(),
    "time": sa.String(5),
    "json": JSON,
}
COMMON = "id:text, salon_id:text, created_at:instant, updated_at:instant, deleted_at:instant"
NOT_NULL = {"id", "salon_id", "created_at", "updated_at"}
ENTITIES = {
    "salon_profile": "name_ar:text, name_en:text, timezone:text, vat_number:text, commercial_registration:text, "
    "address:text, opening_hours:json, closures:json, cancel_cutoff_minutes:int, deposit_halalas:int, "
    "sms_sender:text, digit_style:text",
    "staff": "name_ar:text, name_en:text, title:text, color:text, sort_order:int, active:bool",
    "service": "name_ar:text, name_en:text, category:text, duration_minutes:int, buffer_minutes:int, "
    "price_halalas:int, phases:json, color:text, active:bool",
    "staff_service": "staff_id:text, service_id:text, duration_minutes:int, price_halalas:int",
    "availability_rule": "staff_id:text, weekday:int, start_time:time, end_time:time, valid_from:day, valid_to:day",
    "availability_exception": "staff_id:text, kind:text, start_at:instant, end_at:instant, note:text",
    "customer": "name:text, phone:text, language:text, notes:text, consent_reminders:bool, consent_marketing:bool",
    "booking": "customer_id:text, status:text, source:text, notes:text, cancel_reason:text, starts_at:instant",
    "booking_item": "booking_id:text, service_id:text, staff_id:text, start_at:instant, end_at:instant, "
    "busy_until:instant, price_halalas:int, phases:json, active:bool",
    "walk_in": "name:text, phone:text, customer_id:text, service_id:text, preferred_staff_id:text, "
    "arrived_at:instant, state:text, booking_id:text, left_at:instant",
    "waitlist_entry": "customer_id:text, name:text, phone:text, service_id:text, staff_id:text, "
    "window_start:instant, window_end:instant, state:text, offered_start:instant, offered_staff_id:text, notes:text",
    "sync_conflict": "kind:text, entity:text, entity_id:text, mutation_id:text, device_id:text, actor:json, "
    "attempted:json, current:json, params:json, resolved_at:instant, resolved_by:text, resolution:text",
    "superseded_edit": "entity:text, entity_id:text, field:text, lost_value:json, lost_by_device:text, "
    "lost_hlc:text, won_value:json, won_by:text, at:instant",
}

OVERLAP_CHECK = """
SELECT RAISE(ABORT, 'overlap') WHERE NEW.active AND NEW.deleted_at IS NULL AND EXISTS (
  SELECT 1 FROM booking_item b WHERE b.salon_id = NEW.salon_id AND b.staff_id = NEW.staff_id AND b.id <> NEW.id
  AND b.active AND b.deleted_at IS NULL AND b.start_at < NEW.busy_until AND NEW.start_at < b.busy_until);
"""


def _columns(spec: str) -> list[sa.Column]:
    columns = []
    for part in f"{COMMON}, {spec}".split(","):
        name, kind = (s.strip() for s in part.split(":"))
        kind_type = UUID if name in {"id", "salon_id"} else TYPES[kind]
        columns.append(sa.Column(name, kind_type, nullable=name not in NOT_NULL))
    return columns + [
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("field_meta", JSON, nullable=True),
    ]


def upgrade() -> None:
    for table, spec in ENTITIES.items():
        op.create_table(table, *_columns(spec), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")))
        op.create_index(f"ix_{table}_salon_id", table, ["salon_id"])
    op.create_index("ix_booking_item_salon_staff_start", "booking_item", ["salon_id", "staff_id", "start_at"])
    op.create_index("ix_booking_item_booking_id", "booking_item", ["booking_id"])
    op.create_index("ix_customer_salon_phone", "customer", ["salon_id", "phone"])
    op.create_table(
        "change_index",
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("entity", sa.String(30), nullable=False),
        sa.Column("entity_id", UUID, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("salon_id", "entity", "entity_id", name=op.f("pk_change_index")),
    )
    op.create_index("ix_change_index_salon_seq", "change_index", ["salon_id", "seq"])
    op.create_table(
        "mutation_receipt",
        sa.Column("mutation_id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("device_id", UUID, nullable=False),
        sa.Column("device_seq", sa.BigInteger(), nullable=False),
        sa.Column("payload_sha256", sa.LargeBinary(32), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("code", sa.String(60), nullable=True),
        sa.Column("result", JSON, nullable=False),
        sa.Column("received_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("mutation_id", name=op.f("pk_mutation_receipt")),
    )
    _overlap_invariant()


def _overlap_invariant() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE booking_item ADD CONSTRAINT booking_item_no_double_booking EXCLUDE USING gist ("
            "salon_id WITH =, staff_id WITH =, tstzrange(start_at, busy_until, '[)') WITH &&) "
            "WHERE (active AND deleted_at IS NULL)"
        )
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER booking_item_no_double_booking_{event.lower()} BEFORE {event} ON booking_item "
            f"FOR EACH ROW BEGIN {OVERLAP_CHECK} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS booking_item_no_double_booking_{event}")
    for table in ("mutation_receipt", "change_index", *reversed(ENTITIES)):
        op.drop_table(table)
