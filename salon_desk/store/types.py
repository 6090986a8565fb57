"""Column types: UTC instants, dates, wall-clock times and JSON as debuggable, sortable TEXT."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.types import TypeDecorator

INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def instant_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an instant (tz-aware) is required")
    utc = value.astimezone(UTC)
    return f"{utc.year:04d}" + utc.strftime(INSTANT_FORMAT[2:])  # %Y is not zero-padded below year 1000


def parse_instant(text: str) -> datetime:
    # fromisoformat reads the trailing "Z" (Python 3.11+) and is ~30x faster than strptime on hot paths.
    return datetime.fromisoformat(text)


class Instant(TypeDecorator[datetime]):
    """A tz-aware instant stored as fixed-width UTC text, so text order is time order."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> str | None:
        return None if value is None else instant_text(value)

    def process_result_value(self, value: str | None, dialect: Any) -> datetime | None:
        return None if value is None else parse_instant(value)


class Day(TypeDecorator[date]):
    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Any) -> str | None:
        return None if value is None else value.isoformat()

    def process_result_value(self, value: str | None, dialect: Any) -> date | None:
        return None if value is None else date.fromisoformat(value)


class WallTime(TypeDecorator[time]):
    impl = String(5)
    cache_ok = True

    def process_bind_param(self, value: time | None, dialect: Any) -> str | None:
        return None if value is None else value.strftime("%H:%M")

    def process_result_value(self, value: str | None, dialect: Any) -> time | None:
        return None if value is None else time.fromisoformat(value)


class Json(TypeDecorator[Any]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)
