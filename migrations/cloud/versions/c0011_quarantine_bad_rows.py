"""Read-back of what is already stored (issue #8): repair what is mechanically repairable, quarantine the rest.

Before the shared schemas (salon_desk/sync/schemas.py) the cloud applied some mutations it could not read
back. This revision makes every stored booking and booking item readable through those rules again:

1. Repair: instants written with a year of fewer than four digits ("999-06-01T…", strftime's unpadded %Y)
   inside stored JSON (`mutation_receipt.result`, `sync_conflict.params/attempted/current`) are re-encoded
   with a zero-padded 4-digit year. Nothing else in those documents changes.
2. Quarantine: a booking item whose times lie outside [2000-01-01, 2100-01-01) UTC, are missing or out of
   order (start < end <= busy_until), or whose price is not an integer in [0, 100,000,000] halalas (on
   SQLite a price such as "abc" could be stored), is set aside:
   * its booking becomes `needs_attention` and all of the booking's items (and their busy segments) become
     inactive, so the booking holds no stylist's time until a person places it again;
   * the bad item is tombstoned (`deleted_at`), its unreadable values replaced by readable placeholders
     (times: the booking's creation minute, one minute long; price 0); the booking's `starts_at` is taken
     from its remaining items (or its creation time);
   * the original values, as text, are kept on a salon-wide conflict card (`sync_conflict`, kind
     `invalid`, code `sync.quarantined`, in `current.original`), which every desk shows;
   * every row changed gets the salon's next `server_seq` and its `change_index` entry, so desks pull it.
Nothing is deleted. Downgrading does nothing: the repaired text and the quarantine are kept.

Revision ID: c0011
Revises: c0010
Create Date: 2026-12-05
"""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from salon_desk.clock import utc_now  # the one wall clock (a ruff rule bans datetime.now elsewhere)

revision = "c0011"
down_revision = "c0010"
branch_labels = None
depends_on = None

# Frozen here (never imported from the app) so this revision never changes after release.
UUID = sa.String(36).with_variant(postgresql.UUID(as_uuid=False), "postgresql")
INSTANT = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_HALALAS = 100_000_000
SHORT_YEAR = re.compile(r"^(\d{1,3})-(\d{2}-\d{2}T)")
JSON_COLUMNS = ((("salon_id", "mutation_id"), "mutation_receipt", ("result",)),
                (("id",), "sync_conflict", ("params", "attempted", "current")))

ITEMS = sa.table(
    "booking_item",
    *(sa.column(n, UUID) for n in ("id", "salon_id")),
    *(sa.column(n, INSTANT) for n in ("start_at", "end_at", "busy_until", "updated_at", "deleted_at")),
    sa.column("price_halalas", sa.BigInteger()),
    sa.column("active", sa.Boolean()),
    sa.column("server_seq", sa.BigInteger()),
)
BOOKINGS = sa.table(
    "booking",
    sa.column("id", UUID),
    sa.column("status", sa.Text()),
    *(sa.column(n, INSTANT) for n in ("starts_at", "updated_at")),
    sa.column("server_seq", sa.BigInteger()),
)
BUSY = sa.table("booking_item_busy", sa.column("booking_item_id", UUID), sa.column("active", sa.Boolean()))
CONFLICTS = sa.table(
    "sync_conflict",
    *(sa.column(n, UUID) for n in ("id", "salon_id")),
    *(sa.column(n, sa.Text()) for n in ("kind", "entity", "entity_id", "mutation_id", "device_id")),
    *(sa.column(n, JSON) for n in ("actor", "attempted", "current", "params")),
    *(sa.column(n, INSTANT) for n in ("created_at", "updated_at")),
    sa.column("server_seq", sa.BigInteger()),
)
CHANGES = sa.table(
    "change_index",
    sa.column("salon_id", UUID), sa.column("entity", sa.String(30)), sa.column("entity_id", UUID),
    sa.column("seq", sa.BigInteger()),
)


def _padded(value: Any) -> tuple[Any, bool]:
    """The JSON document with every short-year instant string zero-padded, and whether anything changed."""
    if isinstance(value, str):
        fixed = SHORT_YEAR.sub(lambda m: f"{int(m.group(1)):04d}-{m.group(2)}", value)
        return fixed, fixed != value
    if isinstance(value, dict):
        pairs = [(k, *_padded(v)) for k, v in value.items()]
        return {k: v for k, v, _ in pairs}, any(c for _, _, c in pairs)
    if isinstance(value, list):
        pairs = [_padded(v) for v in value]
        return [v for v, _ in pairs], any(c for _, c in pairs)
    return value, False


def _repair_json(bind: sa.engine.Connection) -> None:
    for keys, name, columns in JSON_COLUMNS:
        for column in columns:
            table = sa.table(name, *(sa.column(k, UUID) for k in keys), sa.column(column, JSON))
            text = sa.cast(sa.column(column), sa.Text())
            short = sa.or_(*(text.like(f'%"{"_" * n}-__-__T%') for n in (1, 2, 3)))
            query = sa.select(*(sa.column(k) for k in keys), sa.column(column)).select_from(sa.table(name))
            for *key, raw in bind.execute(query.where(short)).all():
                document = json.loads(raw) if isinstance(raw, str) else raw
                fixed, changed = _padded(document)
                if changed:
                    match = [table.c[k] == str(v) for k, v in zip(keys, key, strict=True)]
                    bind.execute(table.update().where(*match).values({column: fixed}))


def _bad_item_ids(bind: sa.engine.Connection) -> list[str]:
    sqlite = bind.dialect.name == "sqlite"
    # SQLite keeps instants as naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff": compare with text of that form.
    early = "2000-01-01 00:00:00" if sqlite else EARLIEST
    late = "2100-01-01 00:00:00" if sqlite else LATEST
    cols = [sa.column(n) for n in ("start_at", "end_at", "busy_until")]
    start, end, busy = cols
    price = sa.column("price_halalas")
    tests = [c.is_(None) for c in cols] + [c < early for c in cols] + [c >= late for c in cols]
    tests += [end <= start, busy < end, price.is_(None), price < 0, price > MAX_HALALAS]
    if sqlite:
        tests.append(sa.func.typeof(price) != "integer")
    query = sa.select(sa.column("id")).select_from(sa.table("booking_item")).where(
        sa.column("deleted_at").is_(None), sa.or_(*tests)
    )
    return [str(r[0]) for r in bind.execute(query).all()]


def _next_seq(bind: sa.engine.Connection, salon_id: str) -> int:
    bind.execute(sa.text("UPDATE salon_sync SET last_seq = last_seq + 1 WHERE salon_id = :s"), {"s": salon_id})
    return bind.execute(sa.text("SELECT last_seq FROM salon_sync WHERE salon_id = :s"), {"s": salon_id}).scalar_one()


def _index(bind: sa.engine.Connection, salon_id: str, entity: str, entity_id: str, seq: int) -> None:
    bind.execute(CHANGES.delete().where(CHANGES.c.salon_id == salon_id, CHANGES.c.entity == entity,
                                        CHANGES.c.entity_id == entity_id))
    bind.execute(CHANGES.insert().values(salon_id=salon_id, entity=entity, entity_id=entity_id, seq=seq))


def _quarantine(bind: sa.engine.Connection, item_id: str, now: datetime) -> None:
    raw = bind.execute(sa.text(
        "SELECT salon_id, booking_id, CAST(start_at AS TEXT), CAST(end_at AS TEXT), CAST(busy_until AS TEXT), "
        "CAST(price_halalas AS TEXT) FROM booking_item WHERE id = :i"), {"i": item_id}).one()
    salon_id, booking_id = str(raw[0]), str(raw[1])
    original = dict(zip(("start_at", "end_at", "busy_until", "price_halalas"), raw[2:], strict=True))
    created = bind.execute(sa.text("SELECT created_at FROM booking WHERE id = :b"), {"b": booking_id}).scalar()
    created = _aware(created) or now
    placeholder = created if EARLIEST <= created < LATEST else now
    seq = _next_seq(bind, salon_id)
    bind.execute(ITEMS.update().where(ITEMS.c.id == item_id).values(
        start_at=placeholder, end_at=placeholder + timedelta(minutes=1), busy_until=placeholder + timedelta(minutes=1),
        price_halalas=0, active=False, deleted_at=now, updated_at=now, server_seq=seq))
    _index(bind, salon_id, "booking_item", item_id, seq)
    others = bind.execute(sa.text(
        "SELECT id, start_at FROM booking_item WHERE booking_id = :b AND id <> :i AND deleted_at IS NULL"),
        {"b": booking_id, "i": item_id}).all()
    for other_id, _start in others:
        bind.execute(ITEMS.update().where(ITEMS.c.id == other_id).values(active=False, updated_at=now, server_seq=seq))
        _index(bind, salon_id, "booking_item", str(other_id), seq)
    for busy_item in [item_id, *(str(o[0]) for o in others)]:
        bind.execute(BUSY.update().where(BUSY.c.booking_item_id == busy_item).values(active=False))
    starts = [s for s in (_aware(o[1]) for o in others) if s is not None and EARLIEST <= s < LATEST]
    bind.execute(BOOKINGS.update().where(BOOKINGS.c.id == booking_id).values(
        status="needs_attention", starts_at=min(starts) if starts else placeholder, updated_at=now,
        server_seq=seq))
    _index(bind, salon_id, "booking", booking_id, seq)
    conflict_id = str(uuid.uuid4())
    bind.execute(CONFLICTS.insert().values(
        id=conflict_id, salon_id=salon_id, kind="invalid", entity="booking", entity_id=booking_id,
        mutation_id=None, device_id=None, actor={"desk_user_id": "", "role": "system", "device_name": ""},
        attempted={}, current={"item_id": item_id, "original": original},
        params={"code": "sync.quarantined", "item_id": item_id}, created_at=now, updated_at=now, server_seq=seq))
    _index(bind, salon_id, "sync_conflict", conflict_id, seq)


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    bind = op.get_bind()
    _repair_json(bind)
    now = utc_now().replace(microsecond=0)
    for item_id in _bad_item_ids(bind):
        _quarantine(bind, str(item_id), now)


def downgrade() -> None:
    """Nothing to undo: repaired text stays repaired and quarantined bookings stay for a person to place."""
