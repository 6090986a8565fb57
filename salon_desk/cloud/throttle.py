"""Sliding-window rate limits whose answer is exact: how many seconds until one more event would pass.

Events live in the database (any number of workers and hosts share them). `wait_seconds` is the pure rule,
also used by the OTP service on its own request rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from salon_desk.domain.ids import new_id

from .clock import Clock
from .db import Base, UtcDateTime, UuidText, lock_key


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` events in any `window_seconds` (count=1 is a cooldown)."""

    count: int
    window_seconds: int

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


def wait_seconds(recent_newest_first: Sequence[datetime], limit: Limit, now: datetime) -> int:
    """0 when one more event fits now; else the whole seconds until it does.

    An event at t counts while t > now - window. With `count` events in the window the next one fits when
    the count-th newest leaves it, at that event + window.
    """
    if limit.count <= 0:
        raise ValueError("a limit allows at least one event")
    if len(recent_newest_first) < limit.count:
        return 0
    frees_at = recent_newest_first[limit.count - 1] + limit.window
    return max(0, math.ceil((frees_at - now).total_seconds()))


class ThrottleEventRow(Base):
    __tablename__ = "throttle_event"
    __table_args__ = (Index("ix_throttle_event_scope_key_created_at", "scope", "key", "created_at"),)

    id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # e.g. "enrol.failed_ip"
    key: Mapped[str] = mapped_column(String(100))  # e.g. an IP address or a device id
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Throttle:
    """Counts events per (scope, key) in the caller's write transaction."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def wait(self, session: Session, scope: str, key: str, limit: Limit) -> int:
        lock_key(session, f"throttle:{scope}:{key}")
        now = self._clock.now()
        recent = session.scalars(
            select(ThrottleEventRow.created_at)
            .where(
                ThrottleEventRow.scope == scope,
                ThrottleEventRow.key == key,
                ThrottleEventRow.created_at > now - limit.window,
            )
            .order_by(ThrottleEventRow.created_at.desc())
            .limit(limit.count)
        ).all()
        return wait_seconds(recent, limit, now)

    def record(self, session: Session, scope: str, key: str, limit: Limit) -> None:
        now = self._clock.now()
        session.execute(
            delete(ThrottleEventRow).where(
                ThrottleEventRow.scope == scope,
                ThrottleEventRow.key == key,
                ThrottleEventRow.created_at <= now - limit.window,
            )
        )
        session.add(ThrottleEventRow(id=new_id(), scope=scope, key=key, created_at=now))
