"""A desk salon imported into the cloud (bootstrap.import_desk) leaves PostgreSQL with planner statistics for
what it filled (issue #14): without them, until autovacuum comes by, a new desk's initial-sync pages were
planned as hash joins over the whole salon instead of walks along (salon_id, seq)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, text

from salon_desk.cloud.clock import ManualClock
from salon_desk.cloud.db import Database
from salon_desk.cloud.sync.bootstrap import import_desk
from tests.cloud.conftest import CLOUD_T0
from tests.sync.conftest import (  # noqa: F401 - fixtures reused from the sync suite
    cloud_backend,
    cloud_database_url,
)

FILLED = ("change_index", "booking", "booking_item", "customer", "booking_item_busy")


def test_an_imported_salon_has_planner_statistics(cloud_database_url: str, demo_db: Path) -> None:  # noqa: F811
    salon_id = sqlite3.connect(demo_db).execute("SELECT id FROM salon").fetchone()[0]
    db = Database.from_url(cloud_database_url)
    postgresql = db.engine.dialect.name == "postgresql"
    try:
        if postgresql:  # statistics of empty tables first: an earlier test's import may have left its own
            with db.engine.begin() as connection:
                connection.execute(text(f"ANALYZE {', '.join(FILLED)}"))
                assert set(_estimates(connection).values()) == {0}
        counts = import_desk(db, demo_db, salon_id, ManualClock(CLOUD_T0))
        with db.engine.connect() as connection:
            rows = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in FILLED}  # noqa: S608
            if postgresql:  # the import's ANALYZE sets reltuples
                assert _estimates(connection) == rows
    finally:
        db.dispose()
    assert rows["booking"] == counts["booking"] > 0
    assert rows["change_index"] == sum(counts.values())


def _estimates(connection: Connection) -> dict[str, int]:
    found = connection.execute(
        text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"), {"names": list(FILLED)}
    ).all()
    return {name: int(tuples) for name, tuples in found}
