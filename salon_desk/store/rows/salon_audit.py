"""The other desks' audit events (issue #10), pulled from the cloud: read-only here, shown beside this desk's
own chain (`audit_event`) on the audit page. Keyed by the desk that wrote them and their seq in its chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant, Json

from .base import Base


class SalonAuditEventRow(Base):
    __tablename__ = "salon_audit_event"
    __table_args__ = (Index(None, "at"), Index(None, "actor_id"), Index(None, "entity", "entity_id"))
    desk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36))
    salon_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))  # as hashed into the event ("local" before enrolment)
    actor_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    at: Mapped[datetime] = mapped_column(Instant)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditDeskRow(Base):
    """The salon's desks by name, as the cloud last listed them (this desk's own included)."""

    __tablename__ = "audit_desk"
    desk_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
