"""Writes the demo salon into a desk database (migrated first), in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from salon_desk.clock import utc_now
from salon_desk.store.engine import make_engine
from salon_desk.store.migrate import prepare_database
from salon_desk.store.rows import Base, SalonRow

from .build import build_demo
from .generate import DemoData

INSERT_ORDER = ["salon", "desk_user", "staff", "service", "staff_service", "availability_rule",
                "availability_exception", "customer", "booking", "booking_item", "walk_in", "waitlist_entry"]
CHUNK = 5000


class AlreadySeeded(Exception):
    pass


def write_demo(engine: Engine, data: DemoData) -> int:
    with engine.begin() as conn:
        if conn.execute(select(SalonRow.id).limit(1)).first() is not None:
            raise AlreadySeeded
        for name in INSERT_ORDER:
            rows = data.tables.get(name, [])
            table = Base.metadata.tables[name]
            for i in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[i:i + CHUNK])
    return data.count()


def seed_demo(data_dir: Path, scale: str = "demo", today: date | None = None, now: datetime | None = None) -> int:
    """Creates (or upgrades) the database in data_dir and fills it. Returns the number of rows written."""
    data_dir.mkdir(parents=True, exist_ok=True)
    now = now or utc_now()
    today = today or now.astimezone(ZoneInfo("Asia/Riyadh")).date()
    db_path = data_dir / "salon-desk.db"
    engine = make_engine(db_path)
    try:
        prepare_database(engine, db_path, data_dir / "backups")
        return write_demo(engine, build_demo(today, now, scale))
    finally:
        engine.dispose()
