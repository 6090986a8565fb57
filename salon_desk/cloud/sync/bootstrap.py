"""Bootstrap: load a desk database's salon into the cloud, so the seeded demo salon exists there.

    python -m salon_desk.cloud.sync.bootstrap --salon SALON_ID --desk-db PATH   (DATABASE_URL from the env)

Chosen over "snapshot" mutations: desks never get a write path that bypasses the command rules, and the
import is one operator action per salon. It creates the tenant and its sync counter (keeping the desk's
salon id), then inserts every replicated row not yet in the cloud, in chunks, each chunk at its own seq, so
a later `pull` from `<epoch>.0` hands every desk the same data. Rows already present are left alone, so the
import can be re-run. The desk file is read with plain sqlite3 (the cloud never imports the desk's store).
On PostgreSQL it ends with ANALYZE of the tables it filled, as after any bulk load.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from salon_desk.sync.protocol import ENTITY_FIELDS, decode_value, fields_of

from ..clock import Clock, SystemClock
from ..db import Database
from ..salons.rows import SalonRow, SalonSyncRow
from ..salons.service import new_epoch
from .changes import allocate_seq
from .notify import announce
from .segments import insert_busy_segments
from .tables import BOOKING_ITEM_BUSY, REPLICATED_TABLES, ChangeIndexRow

CHUNK = 500
CLOUD_OWNED = {"sync_conflict", "superseded_edit", "notification", "online_payment"}  # never imported from a desk


def _desk_rows(desk: sqlite3.Connection, entity: str, salon_id: str) -> list[dict[str, Any]]:
    kinds = fields_of(entity)
    key = "id" if entity == "salon" else "salon_id"
    cursor = desk.execute(f"SELECT {', '.join(kinds)} FROM {entity} WHERE {key} = ?", (salon_id,))  # noqa: S608
    rows = []
    for raw in cursor.fetchall():
        row = {}
        for (name, kind), value in zip(kinds.items(), raw, strict=True):
            if kind == "json" and isinstance(value, str):
                value = json.loads(value)
            row[name] = decode_value(kind, value)
        rows.append(row)
    return rows


def _ensure_tenant(db: Database, clock: Clock, salon: dict[str, Any]) -> None:
    with db.session() as session:
        if session.get(SalonRow, salon["id"]) is None:
            now = clock.now()
            session.add(
                SalonRow(
                    id=salon["id"],
                    name_ar=salon["name_ar"],
                    name_en=salon["name_en"],
                    timezone=salon["timezone"],
                    sms_sender=salon.get("sms_sender") or None,
                    public_settings={},
                    created_at=now,
                    updated_at=now,
                )
            )
            session.flush()
            session.add(SalonSyncRow(salon_id=salon["id"], epoch=new_epoch(), last_seq=0, min_retained_seq=0))
        session.commit()


def _insert_missing(db: Database, salon_id: str, entity: str, rows: list[dict[str, Any]]) -> int:
    table = REPLICATED_TABLES[entity]
    written = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with db.session() as session:
            seq = allocate_seq(session, salon_id)
            present = set(
                session.scalars(
                    select(table.c.id).where(table.c.salon_id == salon_id, table.c.id.in_([r["id"] for r in chunk]))
                )
            )
            fresh = [{**r, "server_seq": seq, "field_meta": {}} for r in chunk if r["id"] not in present]
            if fresh:
                session.execute(insert(table), fresh)
                if entity == "booking_item":  # the overlap invariant's segments, in the same transaction
                    insert_busy_segments(session, [{**r, "salon_id": salon_id} for r in fresh])
                session.execute(
                    insert(ChangeIndexRow),
                    [
                        {"salon_id": salon_id, "entity": entity, "entity_id": r["id"], "seq": seq}
                        for r in fresh
                    ],
                )
                announce(session, salon_id)  # desks already long-polling see the imported rows
            session.commit()
            written += len(fresh)
    return written


def _analyze(db: Database, entities: list[str]) -> None:
    """Planner statistics for what a bulk import filled (PostgreSQL). Without them, until autovacuum comes
    by (never, where it is off), the pull's phase queries hash the salon's whole change index and bookings
    for every page instead of walking (salon_id, seq): 52 s instead of 25 s for a year salon (issue #14)."""
    if not entities or db.engine.dialect.name != "postgresql":
        return
    tables = [REPLICATED_TABLES[e].name for e in entities] + [ChangeIndexRow.__tablename__]
    if "booking_item" in entities:
        tables.append(BOOKING_ITEM_BUSY.name)
    with db.engine.connect() as connection:
        connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        connection.commit()


def import_desk(db: Database, desk_db: Path, salon_id: str, clock: Clock | None = None) -> dict[str, int]:
    """Returns the number of rows inserted per entity."""
    desk = sqlite3.connect(f"file:{desk_db}?mode=ro", uri=True)
    try:
        salons = _desk_rows(desk, "salon", salon_id)
        if not salons:
            raise LookupError(f"salon {salon_id} is not in {desk_db}")
        _ensure_tenant(db, clock or SystemClock(), salons[0])
        counts = {}
        for entity in ENTITY_FIELDS:
            if entity not in CLOUD_OWNED:
                counts[entity] = _insert_missing(db, salon_id, entity, _desk_rows(desk, entity, salon_id))
        _analyze(db, [entity for entity, written in counts.items() if written])
        return counts
    finally:
        desk.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load a desk database's salon into the cloud.")
    parser.add_argument("--salon", required=True)
    parser.add_argument("--desk-db", required=True, type=Path)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "sqlite:///salon-cloud.db"))
    args = parser.parse_args(argv)
    db = Database.from_url(args.database_url)
    try:
        print(json.dumps(import_desk(db, args.desk_db, args.salon)))  # noqa: T201
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
