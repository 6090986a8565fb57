"""Phase-aware overlap invariant: `booking_item_busy` holds each booking item's busy segments (only the
stylist-busy phases plus the trailing cleanup), backfilled from the existing items; the EXCLUDE constraint
(PostgreSQL) / triggers (SQLite) move from booking_item's whole [start_at, busy_until) to these segments.

Downgrading puts the whole-item invariant back; it fails if a booking now sits in another's processing gap.

Revision ID: c0005
Revises: c0004
Create Date: 2026-11-25
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None

# Types written out here (not imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MINUTE = timedelta(minutes=1)
BATCH = 1000

ITEMS = sa.table(
    "booking_item",
    *(sa.column(name, UUID) for name in ("id", "salon_id")),
    sa.column("staff_id", sa.Text()),
    *(sa.column(name, INSTANT) for name in ("start_at", "end_at", "busy_until", "deleted_at")),
    sa.column("phases", JSON),
    sa.column("active", sa.Boolean()),
)
BUSY = sa.table(
    "booking_item_busy",
    *(sa.column(name, UUID) for name in ("id", "salon_id", "booking_item_id")),
    sa.column("staff_id", sa.Text()),
    *(sa.column(name, INSTANT) for name in ("start_at", "end_at", "deleted_at")),
    sa.column("active", sa.Boolean()),
)

SEGMENT_CHECK = """
SELECT RAISE(ABORT, 'overlap') WHERE NEW.active AND NEW.deleted_at IS NULL AND EXISTS (
  SELECT 1 FROM booking_item_busy b WHERE b.salon_id = NEW.salon_id AND b.staff_id = NEW.staff_id
  AND b.id <> NEW.id AND b.active AND b.deleted_at IS NULL AND b.start_at < NEW.end_at AND NEW.start_at < b.end_at);
"""
ITEM_CHECK = """
SELECT RAISE(ABORT, 'overlap') WHERE NEW.active AND NEW.deleted_at IS NULL AND EXISTS (
  SELECT 1 FROM booking_item b WHERE b.salon_id = NEW.salon_id AND b.staff_id = NEW.staff_id AND b.id <> NEW.id
  AND b.active AND b.deleted_at IS NULL AND b.start_at < NEW.busy_until AND NEW.start_at < b.busy_until);
"""


def _relative_spans(duration: int, buffer: int, phases: list[tuple[int, bool]]) -> list[tuple[int, int]]:
    """Frozen copy of the domain rule (minutes from the start): busy phases, adjacent ones merged, and the
    cleanup buffer extending the last busy stretch or standing alone after a final processing phase."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for minutes, staff_busy in phases:
        end = offset + minutes
        if staff_busy:
            if spans and spans[-1][1] == offset:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((offset, end))
        offset = end
    if buffer:
        if spans and spans[-1][1] == offset:
            spans[-1] = (spans[-1][0], offset + buffer)
        else:
            spans.append((offset, offset + buffer))
    return spans


def _phases(raw: object) -> list[tuple[int, bool]]:
    try:
        return [(int(p["minutes"]), bool(p.get("staff_busy", True))) for p in raw or []]  # type: ignore[union-attr]
    except (TypeError, KeyError, ValueError, AttributeError):
        return []


def _segments(item: sa.Row) -> list[tuple[object, object]]:
    """Unusable phases (not adding up to the duration) or odd times: busy for the whole item."""
    start, end, busy_until = item.start_at, item.end_at, item.busy_until
    whole = [(start, busy_until)]
    if (end - start) % MINUTE or (busy_until - start) % MINUTE:
        return whole
    duration, buffer = (end - start) // MINUTE, (busy_until - end) // MINUTE
    phases = _phases(item.phases)
    if duration <= 0 or buffer < 0 or not phases or any(m <= 0 for m, _ in phases):
        return whole
    if sum(m for m, _ in phases) != duration:
        return whole
    return [(start + s * MINUTE, start + e * MINUTE) for s, e in _relative_spans(duration, buffer, phases)]


def _backfill() -> None:
    bind = op.get_bind()
    rows = []
    for item in bind.execute(sa.select(ITEMS)):
        rows += [
            {
                "id": str(uuid.uuid4()),
                "salon_id": item.salon_id,
                "booking_item_id": item.id,
                "staff_id": item.staff_id,
                "start_at": start,
                "end_at": end,
                "active": bool(item.active),
                "deleted_at": item.deleted_at,
            }
            for start, end in _segments(item)
            if start < end
        ]
        if len(rows) >= BATCH:
            bind.execute(sa.insert(BUSY), rows)
            rows = []
    if rows:
        bind.execute(sa.insert(BUSY), rows)


def upgrade() -> None:
    op.create_table(
        "booking_item_busy",
        sa.Column("id", UUID, nullable=False),
        sa.Column("salon_id", UUID, nullable=False),
        sa.Column("booking_item_id", UUID, nullable=False),
        sa.Column("staff_id", sa.Text(), nullable=True),
        sa.Column("start_at", INSTANT, nullable=False),
        sa.Column("end_at", INSTANT, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", INSTANT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_item_busy")),
        sa.ForeignKeyConstraint(
            ["booking_item_id"],
            ["booking_item.id"],
            name=op.f("fk_booking_item_busy_booking_item_id_booking_item"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_booking_item_busy_salon_staff_start", "booking_item_busy", ["salon_id", "staff_id", "start_at"]
    )
    op.create_index("ix_booking_item_busy_booking_item_id", "booking_item_busy", ["booking_item_id"])
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute("ALTER TABLE booking_item DROP CONSTRAINT IF EXISTS booking_item_no_double_booking")
        op.execute(
            "ALTER TABLE booking_item_busy ADD CONSTRAINT booking_item_busy_no_double_booking EXCLUDE USING gist ("
            "salon_id WITH =, staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
            "WHERE (active AND deleted_at IS NULL)"
        )
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(f"DROP TRIGGER IF EXISTS booking_item_no_double_booking_{event.lower()}")
        op.execute(
            f"CREATE TRIGGER booking_item_busy_no_double_booking_{event.lower()} BEFORE {event} "
            f"ON booking_item_busy FOR EACH ROW BEGIN {SEGMENT_CHECK} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("booking_item_busy")  # its EXCLUDE constraint goes with it
        op.execute(
            "ALTER TABLE booking_item ADD CONSTRAINT booking_item_no_double_booking EXCLUDE USING gist ("
            "salon_id WITH =, staff_id WITH =, tstzrange(start_at, busy_until, '[)') WITH &&) "
            "WHERE (active AND deleted_at IS NULL)"
        )
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS booking_item_busy_no_double_booking_{event}")
    op.drop_table("booking_item_busy")
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER booking_item_no_double_booking_{event.lower()} BEFORE {event} ON booking_item "
            f"FOR EACH ROW BEGIN {ITEM_CHECK} END"
        )
