"""The cloud's copy of the salon's desk users (issue #10): created and patched by desks through sync, read by
`authority` to check every pushed mutation, and pulled by every desk of the salon (a newly enrolled desk
signs its people in; a revoked person is refused on each desk from its next sync).

Also `audit_anchor`: each desk's audit chain head (seq, hash) as pushed with sync, so a chain rewritten and
re-hashed on one desk no longer matches what the cloud anchored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CursorResult, String, Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from salon_desk.domain.errors import DomainError
from salon_desk.domain.users import check_name, check_role

from ..db import Base, UtcDateTime, UuidText
from .context import CommandContext, Outcome, Refusal
from .records import create_record, decode_args, patch_record
from .tables import REPLICATED_TABLES

ENTITY = "desk_user"
FIELDS = frozenset({"name", "role", "pin_hash", "active"})


class AuditAnchorRow(Base):
    """One desk's audit chain head as it pushed it: the event at `seq` had `hash` then, and must keep it."""

    __tablename__ = "audit_anchor"

    salon_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    device_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    anchored_at: Mapped[datetime] = mapped_column(UtcDateTime)


def desk_user(session: Session, salon_id: str, user_id: str) -> dict[str, Any] | None:
    table = REPLICATED_TABLES[ENTITY]
    if not user_id:
        return None
    found = session.execute(
        select(table.c.id, table.c.role, table.c.active, table.c.deleted_at).where(
            table.c.salon_id == salon_id, table.c.id == user_id
        )
    ).mappings().first()
    return dict(found) if found is not None else None


def has_users(session: Session, salon_id: str) -> bool:
    table = REPLICATED_TABLES[ENTITY]
    return session.scalar(select(table.c.id).where(table.c.salon_id == salon_id).limit(1)) is not None


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The same rules as the desk (domain.users): a name, a desk role."""
    try:
        if "name" in values:
            values["name"] = check_name(values["name"])
        if "role" in values:
            values["role"] = check_role(values["role"]).value
    except DomainError as error:
        raise Refusal("invalid", error.code, **error.params) from None
    return values


def handle_create(ctx: CommandContext) -> Outcome:
    values = _checked(decode_args(ENTITY, ctx.args, FIELDS))
    create_record(ctx, ENTITY, {**values, "active": True, "id": ctx.mutation.entity_id})
    return Outcome()


def handle_patch(ctx: CommandContext) -> Outcome:
    fields = ctx.args.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise Refusal("invalid", "sync.invalid", reason="fields")
    _checked(decode_args(ENTITY, fields, FIELDS))
    return patch_record(ctx, ENTITY, fields)


_NEW_ANCHOR: dict[str, Any] = {}


def _new_anchor(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING of one anchor, built once per dialect (building it per push cost
    more than running it)."""
    if dialect not in _NEW_ANCHOR:
        table: Table = AuditAnchorRow.__table__  # type: ignore[assignment]
        insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
        # preserve_rowcount: SQLAlchemy reads an INSERT's rowcount only when asked (else -1 on psycopg).
        _NEW_ANCHOR[dialect] = insert.on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    return _NEW_ANCHOR[dialect]


def anchor(session: Session, salon_id: str, device_id: str, seq: int, chain_hash: str, now: datetime) -> bool:
    """Keeps the desk's chain head. False when that (seq) was anchored before with another hash: the desk's
    chain was rewritten. One statement (INSERT ... ON CONFLICT DO NOTHING), so it rides in a push's own
    write transaction (issue #14) and a concurrent push anchoring the same head never fails it; only a head
    anchored before is read back, to compare."""
    values = {"salon_id": salon_id, "device_id": device_id, "seq": seq, "hash": chain_hash, "anchored_at": now}
    inserted = session.execute(_new_anchor(session.get_bind().dialect.name), values)
    if isinstance(inserted, CursorResult) and inserted.rowcount == 1:
        return True
    kept = session.scalar(
        select(AuditAnchorRow.hash).where(
            AuditAnchorRow.salon_id == salon_id, AuditAnchorRow.device_id == device_id, AuditAnchorRow.seq == seq
        )
    )
    return kept is None or kept == chain_hash


def drop_anchors(session: Session, salon_id: str, device_id: str, seqs: list[int]) -> int:
    """Forgets these chain heads (a re-linked desk's unbacked anchors, audit_trail.release_unheld_anchors)."""
    if not seqs:
        return 0
    session.execute(
        delete(AuditAnchorRow).where(
            AuditAnchorRow.salon_id == salon_id, AuditAnchorRow.device_id == device_id, AuditAnchorRow.seq.in_(seqs)
        )
    )
    return len(seqs)


def anchors(session: Session, salon_id: str, device_id: str) -> list[tuple[int, str]]:
    rows = session.execute(
        select(AuditAnchorRow.seq, AuditAnchorRow.hash)
        .where(AuditAnchorRow.salon_id == salon_id, AuditAnchorRow.device_id == device_id)
        .order_by(AuditAnchorRow.seq)
    ).all()
    return [(int(s), str(h)) for s, h in rows]
