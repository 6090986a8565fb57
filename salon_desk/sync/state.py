"""The desk's sync_state key/value rows (specs/sync.md §3.4), read and written through SQLAlchemy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from salon_desk.store.rows import SyncStateRow
from salon_desk.store.types import instant_text, parse_instant

DEVICE_ID = "device_id"
EPOCH = "epoch"
CURSOR = "cursor"
LAST_PUSH_OK = "last_push_ok_at"
LAST_PULL_OK = "last_pull_ok_at"
CLOCK_OFFSET_MS = "clock_offset_ms"
HEAD_SEQ = "head_seq"


class SyncState:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str, default: str = "") -> str:
        row = self._session.get(SyncStateRow, key)
        return row.value if row is not None else default

    def set(self, key: str, value: str) -> None:
        row = self._session.get(SyncStateRow, key)
        if row is None:
            self._session.add(SyncStateRow(key=key, value=value))
        else:
            row.value = value

    def get_instant(self, key: str) -> datetime | None:
        value = self.get(key)
        return parse_instant(value) if value else None

    def set_instant(self, key: str, value: datetime) -> None:
        self.set(key, instant_text(value))
