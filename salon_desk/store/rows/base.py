"""Declarative base with a naming convention (SQLite batch migrations need named constraints)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from salon_desk.store.types import Instant

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Replicated:
    """Columns every replicated row carries (DESIGN §3). Rows are never hard-deleted: `deleted_at` is the
    tombstone. `server_seq` is the last server version pulled (NULL until synced); `sync_status` is local."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)

    @declared_attr
    def salon_id(cls) -> Mapped[str]:  # noqa: N805
        return mapped_column(String(36), index=False)

    created_at: Mapped[datetime] = mapped_column(Instant)
    updated_at: Mapped[datetime] = mapped_column(Instant)
    deleted_at: Mapped[datetime | None] = mapped_column(Instant, default=None)
    server_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    sync_status: Mapped[str] = mapped_column(String(10), default="synced")
