"""Conflict cards (cloud-owned `sync_conflict` replicas): reads for the Conflicts page, and the local mark a
resolution leaves until the server's version of the card arrives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.model import SyncStatus
from salon_desk.sync.schemas.names import MutationName

from .rows import OutboxRow, SyncConflictRow

RESOLVE_MUTATION = MutationName.CONFLICT_RESOLVE


@dataclass(frozen=True, slots=True)
class ConflictRecord:
    id: str
    kind: str
    entity: str
    entity_id: str
    device_id: str | None
    actor: dict[str, Any]
    attempted: dict[str, Any]
    current: dict[str, Any]
    params: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    resolving: bool  # a local resolution waits in the outbox


class ConflictRepository:
    def __init__(self, session: Session):
        self._s = session

    def _resolving_ids(self) -> set[str]:
        return set(
            self._s.scalars(
                select(OutboxRow.entity_id).where(
                    OutboxRow.name == RESOLVE_MUTATION, OutboxRow.status == "pending"
                )
            )
        )

    def _record(self, row: SyncConflictRow, resolving: set[str]) -> ConflictRecord:
        return ConflictRecord(
            row.id,
            row.kind,
            row.entity,
            row.entity_id,
            row.device_id,
            dict(row.actor or {}),
            dict(row.attempted or {}),
            dict(row.current or {}),
            dict(row.params or {}),
            row.created_at,
            row.resolved_at,
            row.resolved_by,
            row.resolution,
            row.id in resolving,
        )

    def get(self, conflict_id: str) -> ConflictRecord | None:
        row = self._s.get(SyncConflictRow, conflict_id)
        if row is None or row.deleted_at is not None:
            return None
        return self._record(row, self._resolving_ids())

    def open_conflicts(self) -> list[ConflictRecord]:
        """Unresolved cards, oldest first. A card whose resolution is still in the outbox is not open, even if
        a pulled version of it (older than the resolution) says so."""
        resolving = self._resolving_ids()
        rows = self._s.scalars(
            select(SyncConflictRow)
            .where(SyncConflictRow.resolved_at.is_(None), SyncConflictRow.deleted_at.is_(None))
            .order_by(SyncConflictRow.created_at, SyncConflictRow.id)
        )
        return [self._record(r, resolving) for r in rows if r.id not in resolving]

    def mark_resolved(self, conflict_id: str, resolution: str, resolved_by: str, now: datetime) -> None:
        row = self._s.get(SyncConflictRow, conflict_id)
        assert row is not None
        row.resolved_at, row.resolved_by, row.resolution = now, resolved_by, resolution
        row.updated_at, row.sync_status = now, SyncStatus.PENDING.value
        self._s.flush()
