"""Field types and bounds shared by every version of the mutation schemas, the typed error, and scrubbing.

A field type here never changes meaning once released; a stricter rule is a new type used by a new
version's models (see the package docstring).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
)

from salon_desk.domain.errors import ValidationError
from salon_desk.domain.rules import MAX_NAME, MAX_NOTES

from ..protocol import format_instant

CURRENT_VERSION = 1
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_HALALAS = 100_000_000  # 1,000,000 SAR: far above any salon price, far below 2**63
MAX_PHASE_MINUTES = 24 * 60
MAX_PHASES = 10
MAX_ITEM_SPAN = timedelta(hours=24)
MAX_DEPTH = 6  # the deepest legitimate args: booking.create -> items -> [i] -> phases -> [j] -> minutes
MAX_RESOLUTION = 40
MAX_REASON = MAX_NOTES
_INSTANT_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")


class InvalidArgs(ValidationError):
    """A mutation's args break its schema. `kind` is the SyncConflict kind the cloud records."""

    def __init__(self, code: str, kind: str = "invalid", **params: Any) -> None:
        super().__init__(code, **params)
        self.kind = kind


# ---------------------------------------------------------------------------------------------- types
def _uuid(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise ValueError("not a UUID")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueError("not a UUID") from None
    if str(parsed) != value.lower():
        raise ValueError("not a UUID")
    return str(parsed)


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):  # already decoded (desk code paths); same window rules
        parsed = value
    elif isinstance(value, str) and len(value) <= 40 and _INSTANT_SHAPE.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 instant") from None
    else:
        raise ValueError("not an ISO 8601 instant with a 4-digit year")
    if parsed.tzinfo is None:
        raise ValueError("instant without a time zone")
    parsed = parsed.astimezone(UTC)
    if not EARLIEST <= parsed < LATEST:
        raise ValueError("instant outside 2000-2100")
    return parsed


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate") from None
    return value


def _phone(value: str) -> str:
    if not _PHONE.fullmatch(value):
        raise ValueError("not an E.164 phone number")
    return value


_CLEAN_TEXT = AfterValidator(_clean_text)


Uuid = Annotated[str, PlainValidator(_uuid)]
Instant = Annotated[datetime, PlainValidator(_instant), PlainSerializer(format_instant, when_used="json")]
Name = Annotated[str, Field(strict=True, min_length=0, max_length=MAX_NAME), _CLEAN_TEXT]
Notes = Annotated[str, Field(strict=True, min_length=0, max_length=MAX_NOTES), _CLEAN_TEXT]
Reason = Annotated[str, Field(strict=True, min_length=0, max_length=MAX_REASON), _CLEAN_TEXT]
Resolution = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_RESOLUTION), _CLEAN_TEXT]
Phone = Annotated[str, Field(strict=True, max_length=16), AfterValidator(_phone)]
Halalas = Annotated[StrictInt, Field(ge=0, le=MAX_HALALAS)]
PhaseMinutes = Annotated[StrictInt, Field(ge=1, le=MAX_PHASE_MINUTES)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True, frozen=True)


class Phase(Strict):
    minutes: PhaseMinutes
    staff_busy: StrictBool


def _check_times(start: datetime, end: datetime, busy_until: datetime) -> None:
    if not start < end <= busy_until:
        raise ValueError("an item must end after it starts and be busy at least until it ends")
    if busy_until - start > MAX_ITEM_SPAN:
        raise ValueError("an item lasts at most 24 hours")



# ---------------------------------------------------------------------------------------------- scrubbing
def scrub_text(value: str, limit: int = 2000) -> str:
    """Text safe to store and send back: no NUL, no lone surrogate, bounded length."""
    value = value[:limit].replace("\x00", "\ufffd")
    if not _has_surrogate(value):
        return value
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def scrub(value: Any, depth: int = 0) -> Any:
    """A refused mutation's args made safe to keep on its conflict card: bounded depth and size, only JSON
    types, text without NUL or lone surrogates. Integers beyond 64 bits become text."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if depth >= MAX_DEPTH:
        return "…"
    if isinstance(value, dict):
        return {scrub_text(str(k), 100): scrub(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [scrub(v, depth + 1) for v in list(value)[:50]]
    return scrub_text(str(value))
