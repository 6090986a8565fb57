"""Migration c0011 (issue #8, finding 2): rows the cloud stored before the shared schemas
existed are repaired (short-year instants in stored JSON) or quarantined (bookings whose items cannot be read
back), and afterwards every stored booking and item reads back through the same schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import select, text

from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database, make_engine
from salon_desk.cloud.migrate import alembic_config, upgrade_engine
from salon_desk.cloud.rows import metadata
from salon_desk.cloud.salons.service import create_salon
from salon_desk.sync import schemas
from salon_desk.sync.protocol import encode_row

from .conftest import CLOUD_T0

BEFORE = "c0010"
T = metadata.tables


def _id() -> str:
    return str(uuid.uuid4())


def _booking(conn: Any, salon_id: str, start: datetime, price: Any, seq: int) -> tuple[str, str]:
    booking_id, item_id = _id(), _id()
    common = {"salon_id": salon_id, "created_at": CLOUD_T0, "updated_at": CLOUD_T0, "server_seq": seq}
    conn.execute(T["booking"].insert().values(id=booking_id, status="confirmed", source="desk", notes="",
                                              customer_id=None, starts_at=start, cancel_reason="", **common))
    conn.execute(T["booking_item"].insert().values(
        id=item_id, booking_id=booking_id, service_id=_id(), staff_id=_id(), start_at=start,
        end_at=start + timedelta(minutes=30), busy_until=start + timedelta(minutes=40), price_halalas=5000,
        phases=[], active=True, **common))
    if price != 5000:  # written as text where the column type would refuse it (SQLite kept "abc" before)
        conn.execute(text("UPDATE booking_item SET price_halalas = :p WHERE id = :i"), {"p": price, "i": item_id})
    conn.execute(T["booking_item_busy"].insert().values(
        id=_id(), salon_id=salon_id, booking_item_id=item_id, staff_id=_id(), start_at=start,
        end_at=start + timedelta(minutes=40), active=True, deleted_at=None))
    return booking_id, item_id


def test_bad_rows_are_repaired_or_quarantined_and_everything_reads_back(cloud_database_url: str) -> None:
    engine = make_engine(cloud_database_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, BEFORE)
        db = Database(engine)
        salon_id = create_salon(db, ManualClock(CLOUD_T0), name_ar="صالون", name_en="Salon")
        sqlite = engine.dialect.name == "sqlite"
        good_start = datetime(2026, 12, 6, 7, tzinfo=UTC)
        receipt_id = _id()
        with engine.begin() as conn:
            good, good_item = _booking(conn, salon_id, good_start, 5000, 1)
            year_999, _ = _booking(conn, salon_id, datetime(999, 6, 1, 7, tzinfo=UTC), 5000, 2)
            year_9999, _ = _booking(conn, salon_id, datetime(9999, 6, 1, 7, tzinfo=UTC), 5000, 3)
            bad_price, _ = _booking(conn, salon_id, good_start + timedelta(hours=2), "abc" if sqlite else -5, 4)
            conn.execute(T["mutation_receipt"].insert().values(
                mutation_id=receipt_id, salon_id=salon_id, device_id=_id(), device_seq=1,
                payload_sha256=b"\0" * 32, status="applied", code=None, received_at=CLOUD_T0,
                result={"mutation_id": receipt_id, "status": "applied",
                        "rows": [{"entity": "booking_item", "seq": 2,
                                  "row": {"start_at": "999-06-01T07:00:00.000000Z", "note": "999-06-01Tx"}}]}))
            conn.execute(text("UPDATE salon_sync SET last_seq = 4 WHERE salon_id = :s"), {"s": salon_id})

        upgrade_engine(engine)

        with db.reader() as session:
            bookings = {r.id: r for r in session.execute(select(T["booking"])).all()}
            items = session.execute(select(T["booking_item"])).mappings().all()
            busy = session.execute(select(T["booking_item_busy"])).mappings().all()
            cards = session.execute(select(T["sync_conflict"])).mappings().all()
            receipt = session.execute(select(T["mutation_receipt"].c.result)).scalar_one()
            last_seq = session.execute(select(T["salon_sync"].c.last_seq)).scalar_one()
            indexed = dict(session.execute(
                select(T["change_index"].c.entity_id, T["change_index"].c.seq)).all())
        assert bookings[good].status == "confirmed"
        assert {b for b, row in bookings.items() if row.status == "needs_attention"} == {
            year_999, year_9999, bad_price}
        for item in items:  # the good booking keeps its time; quarantined ones hold nobody's time
            assert item["active"] == (item["id"] == good_item)
            assert (item["deleted_at"] is None) == (item["id"] == good_item)
        assert [b["active"] for b in busy].count(True) == 1
        originals = {card["entity_id"]: card["current"]["original"] for card in cards}
        assert set(originals) == {year_999, year_9999, bad_price}
        assert all(card["params"]["code"] == "sync.quarantined" for card in cards)
        assert "999" in originals[year_999]["start_at"] and "9999" in originals[year_9999]["start_at"]
        assert originals[bad_price]["price_halalas"] in {"abc", "-5"}
        assert last_seq > 4 and all(indexed[b] > 4 for b in (year_999, year_9999, bad_price))
        assert indexed.get(good) is None  # untouched rows keep their place
        assert receipt["rows"][0]["row"] == {"start_at": "0999-06-01T07:00:00.000000Z", "note": "0999-06-01Tx"}
        for booking in bookings.values():  # read back through the shared schemas, as pulled
            schemas.validate_row("booking", encode_row("booking", dict(booking._mapping)))
        for item in items:
            schemas.validate_row("booking_item", encode_row("booking_item", dict(item)))
    finally:
        engine.dispose()
