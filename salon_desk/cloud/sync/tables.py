"""Cloud tables of the sync protocol (specs/sync.md §3.3): one table per replicated entity, built from the
wire field list in `salon_desk.sync.protocol`, plus `change_index` and `mutation_receipt`.

Replicated tables carry the desk's columns plus `server_seq` and the server-only `field_meta`
(`{field: {"seq", "hlc", "device"}}` for last-writer-wins). The replicated salon lives in
`salon_profile`, because `salon` is the tenant table of `cloud.salons`.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from salon_desk.sync.protocol import ENTITY_FIELDS, Kind, fields_of

from ..db import Base, JsonValue, UtcDateTime, UuidText


class WallTimeText(TypeDecorator[time]):
    """A wall-clock time as "HH:MM" text (availability rules), a `time` in Python."""

    impl = String(5)
    cache_ok = True

    def process_bind_param(self, value: time | None, dialect: Any) -> str | None:
        return None if value is None else value.strftime("%H:%M")

    def process_result_value(self, value: str | None, dialect: Any) -> time | None:
        return None if value is None else time.fromisoformat(value)


def _column_type(name: str, kind: Kind) -> TypeEngine[Any] | type[TypeEngine[Any]]:
    if name in {"id", "salon_id"}:
        return UuidText
    types: dict[Kind, TypeEngine[Any] | type[TypeEngine[Any]]] = {
        "text": Text,
        "int": BigInteger,
        "bool": Boolean,
        "instant": UtcDateTime,
        "day": Date,
        "time": WallTimeText,
        "json": JsonValue,
    }
    return types[kind]


# `salon` is the tenant table of cloud.salons; `online_payment` is cloud/payments' own working table, of which
# the replicated row is the desk-visible summary (issue #12).
TABLE_NAMES = {entity: entity for entity in ENTITY_FIELDS} | {"salon": "salon_profile",
                                                              "online_payment": "online_payment_replica"}
NOT_NULL = {"id", "salon_id", "created_at", "updated_at"}


def _replicated_table(entity: str) -> Table:
    """Keyed by (salon_id, id) (issue #14): every key of a salon-owned table leads with the salon, so the
    database can be distributed by salon (Citus) and one salon's ids never meet another's."""
    columns = [
        Column(name, _column_type(name, kind), nullable=name not in NOT_NULL)
        for name, kind in fields_of(entity).items()
    ]
    columns += [
        Column("server_seq", BigInteger, nullable=False),
        Column("field_meta", JsonValue, nullable=True),
    ]
    name = TABLE_NAMES[entity]
    return Table(
        name,
        Base.metadata,
        *columns,
        PrimaryKeyConstraint("salon_id", "id"),
        Index(f"ix_{name}_salon_id", "salon_id"),
    )


REPLICATED_TABLES: dict[str, Table] = {entity: _replicated_table(entity) for entity in ENTITY_FIELDS}
Index(
    "ix_booking_item_salon_staff_start",
    REPLICATED_TABLES["booking_item"].c.salon_id,
    REPLICATED_TABLES["booking_item"].c.staff_id,
    REPLICATED_TABLES["booking_item"].c.start_at,
)
Index("ix_booking_item_booking_id", REPLICATED_TABLES["booking_item"].c.booking_id)
# Checkout (issue #11, migration c0015): uniques lead with the salon; a desk's invoice numbers are kept as issued.
for _entity, _columns in (("payment", ("salon_id", "idempotency_key")), ("invoice", ("salon_id", "series", "number")),
                          ("credit_note", ("salon_id", "series", "number")),
                          ("daily_close", ("salon_id", "device_id", "business_day"))):
    REPLICATED_TABLES[_entity].append_constraint(UniqueConstraint(*_columns))
for _entity, _column in (("checkout", "booking_id"), ("payment", "checkout_id"), ("refund", "payment_id"),
                         ("credit_note", "invoice_id")):
    Index(f"ix_{_entity}_salon_id_{_column}", REPLICATED_TABLES[_entity].c.salon_id,
          REPLICATED_TABLES[_entity].c[_column])

# Server-only: the stylist's busy segments of each booking item (cloud/sync/segments.py keeps them). The
# overlap invariant (EXCLUDE constraint / trigger, migration c0005) is on this table, so a colour's
# processing phase leaves the stylist free, as on the desk.
BOOKING_ITEM_BUSY = Table(
    "booking_item_busy",
    Base.metadata,
    Column("id", UuidText, nullable=False),
    Column("salon_id", UuidText, nullable=False),
    Column("booking_item_id", UuidText, nullable=False),
    Column("staff_id", Text, nullable=True),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("deleted_at", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("salon_id", "id"),
    ForeignKeyConstraint(
        ["salon_id", "booking_item_id"],
        ["booking_item.salon_id", "booking_item.id"],
        name="fk_booking_item_busy_booking_item_id_booking_item",
        ondelete="CASCADE",
    ),
    Index("ix_booking_item_busy_salon_staff_start", "salon_id", "staff_id", "start_at"),
    Index("ix_booking_item_busy_booking_item_id", "booking_item_id"),
)
Index(
    "ix_customer_salon_phone", REPLICATED_TABLES["customer"].c.salon_id, REPLICATED_TABLES["customer"].c.phone
)


class ChangeIndexRow(Base):
    """The latest change per row: pull reads this by seq, then joins the entity table."""

    __tablename__ = "change_index"
    __table_args__ = (Index("ix_change_index_salon_seq", "salon_id", "seq"),)

    salon_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    entity: Mapped[str] = mapped_column(String(30), primary_key=True)
    entity_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class MutationReceiptRow(Base):
    """Idempotency: the stored answer to every mutation id a desk pushed (kept >= 180 days). Keyed by salon
    (migration c0010): one salon's ids never answer, reveal or block another salon's pushes."""

    __tablename__ = "mutation_receipt"

    salon_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    mutation_id: Mapped[str] = mapped_column(UuidText, primary_key=True)
    device_id: Mapped[str] = mapped_column(UuidText)
    device_seq: Mapped[int] = mapped_column(BigInteger)
    payload_sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    status: Mapped[str] = mapped_column(
        String(10)
    )  # pending (inside its own transaction) | applied | conflict | refused
    code: Mapped[str | None] = mapped_column(String(60))
    result: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
