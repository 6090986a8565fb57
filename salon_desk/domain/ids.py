"""UUIDv7 identifiers (RFC 9562 §5.7), created offline on the desk.

48 bits of Unix milliseconds then random bits: time-ordered keys keep B-tree inserts local and two desks
never collide. The clock and the randomness are injectable so tests are deterministic.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable


def uuid7(now_ms: int | None = None, random_bytes: Callable[[int], bytes] = os.urandom) -> uuid.UUID:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    if not 0 <= ms < 1 << 48:
        raise ValueError("timestamp out of range for UUIDv7")
    rand = int.from_bytes(random_bytes(10), "big")
    rand_a = rand >> 68 & 0xFFF  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def new_id(now_ms: int | None = None) -> str:
    """A new entity id in canonical text form (as stored on the desk's SQLite)."""
    return str(uuid7(now_ms))


def uuid7_time_ms(value: str | uuid.UUID) -> int:
    return uuid.UUID(str(value)).int >> 80
