"""Sync bookkeeping (outbox, state), cloud-owned replicas (notifications, conflicts) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salon_desk.store.types import Instant, Json

from .base import Base, Replicated


class OutboxRow(Base):
    """A local change waiting for (or acknowledged by) the server. Written in the change's transaction."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status", "device_seq"), {"sqlite_autoincrement": True})
    device_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    v: Mapped[int] = mapped_column(Integer, default=1)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    base_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    hlc: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(Json)
    actor_id: Mapped[str] = mapped_column(String(36))
    actor_role: Mapped[str] = mapped_column(String(20), default="receptionist")
    created_at: Mapped[datetime] = mapped_column(Instant)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | acked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    result_status: Mapped[str | None] = mapped_column(String(10), default=None)  # applied | conflict | refused
    server_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    acked_at: Mapped[datetime | None] = mapped_column(Instant, default=None)


class SyncStateRow(Base):
    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEventRow(Base):
    """Append-only and hash-chained: each event's hash covers the previous one's, so edits are detectable.
    Personal data is kept by reference (ids and field names), never by value."""

    __tablename__ = "audit_event"
    __table_args__ = (Index(None, "entity", "entity_id"), {"sqlite_autoincrement": True})
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    salon_id: Mapped[str] = mapped_column(String(36))
    actor_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    at: Mapped[datetime] = mapped_column(Instant)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class NotificationRow(Replicated, Base):
    """Cloud-owned, read-only on desks: a customer message and its delivery status."""

    __tablename__ = "notification"
    __table_args__ = (Index(None, "booking_id"),)
    booking_id: Mapped[str | None] = mapped_column(String(36), default=None)
    recipient: Mapped[str] = mapped_column(String(32))  # masked phone
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_id: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class SyncConflictRow(Replicated, Base):
    """Cloud-owned, salon-wide card for a refused or quarantined change; never dismissed automatically."""

    __tablename__ = "sync_conflict"
    kind: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    mutation_id: Mapped[str | None] = mapped_column(String(36), default=None)
    device_id: Mapped[str | None] = mapped_column(String(36), default=None)
    actor: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    attempted: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    current: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    params: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(36), default=None)
    resolution: Mapped[str | None] = mapped_column(String(40), default=None)


class SupersededEditRow(Replicated, Base):
    """A field value that lost a last-writer-wins race: kept so no edit disappears silently."""

    __tablename__ = "superseded_edit"
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(40))
    lost_value: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    lost_by_device: Mapped[str | None] = mapped_column(String(36), default=None)
    lost_hlc: Mapped[str | None] = mapped_column(String(32), default=None)
    won_value: Mapped[dict[str, Any] | None] = mapped_column(Json, default=None)
    won_by: Mapped[str | None] = mapped_column(String(36), default=None)
    at: Mapped[datetime] = mapped_column(Instant)
