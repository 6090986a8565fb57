"""Small helpers shared by tests (no fakes of our own code here)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from salon_desk.usecases.commands import FindSlots
from salon_desk.usecases.desk import DeskService

T = TypeVar("T")


def run_in_own_loop(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own, as a server process runs its loop. The main thread may already
    have a running loop: Playwright's sync API leaves one there for as long as the session's browser is open,
    and asyncio.run refuses to start inside it."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(main)
        except BaseException as error:  # handed to the caller's thread, where pytest reports it
            outcome["error"] = error

    thread = threading.Thread(target=run, name="test-event-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refused write changed nothing at all."""
    with sqlite3.connect(db_path) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'customer_fts%'")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def first_free_slot(desk: DeskService, service_id: str, after: datetime, staff_id: str | None = None):
    slots = desk.calendar.find_slots(FindSlots(((service_id, staff_id),), after, days_ahead=7, limit=1))
    assert slots, "the demo salon should have free time within a week"
    return slots[0]


def service_named(desk: DeskService, name_en: str):
    return next(s for s in desk.reference.services() if s.name_en == name_en)


def later(dt: datetime, **kw) -> datetime:
    return dt + timedelta(**kw)
