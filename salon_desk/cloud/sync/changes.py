"""The one server write path (specs/sync.md §3.3): every change of a replicated row goes through a ChangeSet.

A ChangeSet belongs to one transaction. Its first write takes the next seq of the salon with
`UPDATE salon_sync SET last_seq = last_seq + 1 ... RETURNING last_seq`; the counter row stays locked until
the transaction ends, so the next writer of the salon waits and cursor order equals commit order. Every
row written in the transaction carries that seq, and `change_index` points at it.

The push hot path (issue #14): rows the ChangeSet has read or written are kept for the rest of the
transaction (a handler that checks a service exists and then reads its name asks the database once, and
an upsert after `get` does not read the row again); a row known to be new is inserted without a read;
and the `change_index` entries of the whole transaction are written as ONE upsert (an executemany) just
before it commits (a session `before_commit` hook), instead of one UPDATE-or-INSERT per row. A savepoint
rolled back (`rewind`) or a refused mutation (`discard`) forgets what was written inside it, the cache
included.

A batch transaction (push's fast path, issue #14) holds several mutations in one ChangeSet: `prefetch`
reads the rows they name in one statement per entity, and `next_mutation` gives each its own seq and its
own result rows. Only the first seq is taken from the counter (`UPDATE ... RETURNING`, which locks it);
the next ones are counted here while the lock is held, and the counter is set to the last one just
before the commit, in the same hook as the index (failing the commit if anything else took a seq of the
salon in this transaction meanwhile: the caller then runs the mutations one transaction each). A batched
ChangeSet has no savepoints (`savepoint`): a constraint violation there raises NeedsOwnTransaction, and
the caller runs that mutation again alone.

Whoever writes (a push, the notification worker or scheduler in their own process, a customer's action on
the booking page), the commit wakes the salon's long-polling desks in every server process
(`notify.announce`: `pg_notify` in the same transaction on PostgreSQL, in-process wake-ups after commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Insert, Select, Table, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from salon_desk.sync.protocol import RowChange, encode_row, fields_of

from ..session_hooks import add_hook
from .notify import announce, notified_by_statement, notify_params
from .segments import insert_busy_segments, sync_busy_segments
from .tables import REPLICATED_TABLES, ChangeIndexRow

CHANGE_INDEX = cast(Table, ChangeIndexRow.__table__)


def allocate_seq(session: Session, salon_id: str) -> int:
    return _allocate(session, salon_id)[0]


_NEXT_SEQ = text("UPDATE salon_sync SET last_seq = last_seq + 1 WHERE salon_id = :salon RETURNING last_seq, epoch")
_NEXT_SEQ_NOTIFYING = text(
    "UPDATE salon_sync SET last_seq = last_seq + 1 WHERE salon_id = :salon "
    "RETURNING last_seq, epoch, pg_notify(:channel, :payload)"
)


def _allocate(session: Session, salon_id: str, *, notifying: bool = False) -> tuple[int, str]:
    """The salon's next seq and its epoch; the counter row stays locked until the transaction ends.
    `notifying` (PostgreSQL, outside a savepoint): the same statement queues the salon's wake-up for the
    commit (`notify.announce` then sends no pg_notify of its own)."""
    if notifying:
        row = session.execute(_NEXT_SEQ_NOTIFYING, {"salon": salon_id, **notify_params(salon_id)}).one_or_none()
    else:
        row = session.execute(_NEXT_SEQ, {"salon": salon_id}).one_or_none()
    if row is None:
        raise LookupError(f"salon {salon_id} has no sync counter")
    if notifying:
        notified_by_statement(session, salon_id)
    return int(row[0]), str(row[1])


class NeedsOwnTransaction(Exception):  # noqa: N818 - a signal to the caller, not an error
    """A batched ChangeSet met a write that needs a savepoint (e.g. an overlap to answer): the batch's
    transaction must be rolled back and the mutation run again in a transaction of its own."""


class ChangeSet:
    """The rows one transaction writes, all at one seq. `rows` is what a push result sends back."""

    def __init__(
        self,
        session: Session,
        salon_id: str,
        *,
        carried: tuple[int, dict[tuple[str, str], dict[str, Any] | None]] | None = None,
    ) -> None:
        """`carried`: (seq, rows) of the ChangeSet of the salon's previous transaction (`known_rows`),
        reused only if this transaction's seq comes right after it: no other writer committed between."""
        self.session = session
        self._carried = carried
        self.salon_id = salon_id
        self._seq: int | None = None
        self._stored_seq: int | None = None  # what the counter row holds in this transaction
        self.epoch: str | None = None  # the salon's epoch, read with the seq
        self.batched = False  # several mutations in this transaction (push's fast path): no savepoints
        self.rows: list[RowChange] = []
        self._known: dict[tuple[str, str], dict[str, Any] | None] = {}  # read or written in this transaction
        self._indexed: list[tuple[str, str, int]] = []  # every row written and its seq, in order
        self._row_marks: dict[int, int] = {}  # mark (length of _indexed) -> length of rows then
        self._savepoints: dict[int, int] = {}  # id(savepoint) -> length of _indexed when it began
        add_hook(session, "before_commit", self._write_index)
        add_hook(session, "after_transaction_create", self._began)
        add_hook(session, "after_soft_rollback", self._rolled_back)

    @property
    def seq(self) -> int:
        if self._seq is None:
            # A seq is taken only to write: its wake-up rides on the same statement (a notification for a
            # write that ends up indexing nothing wakes pulls that then find nothing; rolled back, none).
            notifying = self.session.get_bind().dialect.name == "postgresql" and not self.session.in_nested_transaction()
            self._seq, self.epoch = _allocate(self.session, self.salon_id, notifying=notifying)
            self._stored_seq = self._seq
            if self._carried is not None and self._carried[0] + 1 == self._seq:
                self._known.update(self._carried[1])
            self._carried = None
        return self._seq

    def next_mutation(self) -> None:
        """The next mutation of a batch transaction: the next seq (the counter row is already locked by
        this transaction; it is set to the last seq before the commit) and a fresh list of result rows.
        What is known stays known: this transaction wrote it or read it under the lock."""
        if self._seq is not None:
            self._seq += 1
        self.rows = []

    def prefetch(self, entity: str, entity_ids: Iterable[str]) -> None:
        """Reads these rows (those not known yet) in one statement; their `get` then answers from memory.
        Ids must be canonical (lower-case UUID text, as the envelope checks): the form the database
        returns."""
        wanted = [i for i in dict.fromkeys(entity_ids) if (entity, i) not in self._known]
        if not wanted:
            return
        found = self.session.execute(*rows_by_id(entity, self.salon_id, wanted)).mappings()
        rows = {str(row["id"]): dict(row) for row in found}
        for entity_id in wanted:
            self._known[(entity, entity_id)] = rows.get(entity_id)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Writes whose constraint violation the caller answers (an overlap): in a savepoint, and what they
        wrote is forgotten when it rolls back. A batched ChangeSet has none (a savepoint per mutation costs
        round trips and subtransactions): a violation raises NeedsOwnTransaction instead."""
        if self.batched:
            try:
                yield
            except IntegrityError as error:
                raise NeedsOwnTransaction() from error
            return
        mark = self.mark()
        try:
            with self.session.begin_nested():
                yield
        except IntegrityError:
            self.rewind(mark)
            raise

    def known_rows(self) -> tuple[int, dict[tuple[str, str], dict[str, Any] | None]] | None:
        """(seq, rows read or written) for the ChangeSet of the salon's next transaction, once this one
        has committed; None if it wrote nothing at a seq."""
        return (self._seq, dict(self._known)) if self._seq is not None else None

    def mark(self) -> int:
        """Where a savepoint starts: pass it to `rewind` if the savepoint is rolled back. (The write log
        only grows, so two marks with the same value have nothing written between them.)"""
        self._row_marks[len(self._indexed)] = len(self.rows)
        return len(self._indexed)

    def rewind(self, mark: int) -> None:
        """Forget rows written inside a savepoint that was rolled back."""
        del self.rows[self._row_marks.get(mark, len(self.rows)) :]
        del self._indexed[mark:]
        self._known.clear()  # read again what the savepoint may have changed

    def discard(self) -> None:
        """Forget every row written so far: the savepoint holding them was rolled back (a refusal)."""
        self.rows.clear()
        self._indexed.clear()
        self._known.clear()

    def _began(self, _session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            self._savepoints[id(transaction)] = len(self._indexed)

    def _rolled_back(self, _session: Session, transaction: SessionTransaction) -> None:
        """A savepoint or the transaction rolled back: its writes are gone, so are their index entries
        (a savepoint that began before this ChangeSet held all of them). The cache is read again."""
        self._known.clear()
        if transaction.nested:
            del self._indexed[self._savepoints.pop(id(transaction), 0) :]
        elif transaction.parent is None:
            self._indexed.clear()
            self._row_marks.clear()
            self._seq = self._stored_seq = self.epoch = None  # the counter update is gone with it

    def get(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        key = (entity, entity_id)
        if key in self._known:
            known = self._known[key]
            return dict(known) if known is not None else None
        found = self.session.execute(*rows_by_id(entity, self.salon_id, [entity_id])).mappings().first()
        row = dict(found) if found is not None else None
        self._known[key] = row
        return dict(row) if row is not None else None

    def assume_new(self, entity: str, entity_ids: list[str]) -> None:
        """Rows the caller is about to create: written without reading them first. Should one exist after
        all, the INSERT fails on the primary key (an IntegrityError, as for any id already taken)."""
        for entity_id in entity_ids:
            self._known.setdefault((entity, entity_id), None)

    def upsert(
        self, entity: str, values: dict[str, Any], field_meta: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Writes the full or partial row `values` (must hold `id`) at this transaction's seq."""
        table = REPLICATED_TABLES[entity]
        seq = self.seq
        current = self.get(entity, values["id"])
        known = {k: v for k, v in values.items() if k in fields_of(entity)}
        known["salon_id"] = self.salon_id
        extra: dict[str, Any] = {"server_seq": seq}
        if field_meta is not None:
            extra["field_meta"] = field_meta
        if current is None:
            self.session.execute(_insert(entity), {**known, **extra})
        else:
            self.session.execute(
                update(table)
                .where(table.c.salon_id == self.salon_id, table.c.id == values["id"])
                .values(**known, **extra)
            )
        self._indexed.append((entity, str(values["id"]), seq))
        row = {**(current or {}), **known}
        if entity == "booking_item":  # the overlap invariant lives on these segments
            if current is None:
                insert_busy_segments(self.session, [row])  # a new item has none to replace
            else:
                sync_busy_segments(self.session, row)
        base = current if current is not None else dict.fromkeys(table.c.keys())
        self._known[(entity, str(values["id"]))] = {**base, **known, **extra}
        self._remember(entity, seq, row)
        return row

    def _write_index(self, _session: Session) -> None:
        """The transaction's change_index entries, one statement: every row written points at its (last)
        seq; and the counter, if a batch counted seqs past it. Race-free: the salon's counter row lock
        serialises every writer of this salon."""
        if self._seq is None or self.session.in_nested_transaction():
            return  # a savepoint's release fires this hook too: the index is written at the real commit
        if self._stored_seq is not None and self._seq > self._stored_seq:
            counted = self.session.execute(
                text("UPDATE salon_sync SET last_seq = :seq WHERE salon_id = :salon AND last_seq = :stored"),
                {"seq": self._seq, "salon": self.salon_id, "stored": self._stored_seq},
            )
            if cast(CursorResult[Any], counted).rowcount != 1:  # another ChangeSet of this transaction
                raise LookupError("the salon's seq counter moved under a batch: its seqs may repeat")
            self._stored_seq = self._seq
        if not self._indexed:
            return
        latest = {(entity, entity_id): seq for entity, entity_id, seq in self._indexed}
        entries = [
            {"salon_id": self.salon_id, "entity": entity, "entity_id": entity_id, "seq": seq}
            for (entity, entity_id), seq in latest.items()
        ]
        self._indexed.clear()
        self._row_marks.clear()
        self.session.execute(_index_upsert(self.session.get_bind().dialect.name), entries)
        announce(self.session, self.salon_id)  # wakes the salon's pulls, every process, once committed

    def _remember(self, entity: str, seq: int, row: dict[str, Any]) -> None:
        self.rows = [r for r in self.rows if not (r.entity == entity and r.row["id"] == row["id"])]
        self.rows.append(RowChange(entity=entity, seq=seq, row=encode_row(entity, row)))


_BY_ID: dict[tuple[str, bool], Select[Any]] = {}
_INSERTS: dict[str, Insert] = {}


def _insert(entity: str) -> Insert:
    """The entity's INSERT, built once (its columns come from each call's parameters)."""
    if entity not in _INSERTS:
        _INSERTS[entity] = REPLICATED_TABLES[entity].insert()
    return _INSERTS[entity]


def rows_by_id(entity: str, salon_id: str, entity_ids: list[str]) -> tuple[Select[Any], dict[str, Any]]:
    """A salon's rows of `entity` by id: a statement built once per entity (building and keying a new one
    per call cost more than running it, issue #14) and its parameters."""
    many = len(entity_ids) != 1
    statement = _BY_ID.get((entity, many))
    if statement is None:
        table = REPLICATED_TABLES[entity]
        wanted = table.c.id.in_(bindparam("ids", expanding=True)) if many else table.c.id == bindparam("id")
        statement = _BY_ID[(entity, many)] = select(table).where(table.c.salon_id == bindparam("salon"), wanted)
    ids: dict[str, Any] = {"ids": entity_ids} if many else {"id": entity_ids[0]}
    return statement, {"salon": salon_id, **ids}


_INDEX_UPSERTS: dict[str, Any] = {}


def _index_upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of one change_index entry, run once per entry in one executemany (a
    round trip; a multi-VALUES statement would be compiled and parsed afresh for every count of entries)."""
    if dialect not in _INDEX_UPSERTS:
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(CHANGE_INDEX)
        _INDEX_UPSERTS[dialect] = upsert.on_conflict_do_update(
            index_elements=["salon_id", "entity", "entity_id"], set_={"seq": upsert.excluded.seq}
        )
    return _INDEX_UPSERTS[dialect]


def current_rows(session: Session, salon_id: str, entity: str, entity_ids: list[str]) -> list[RowChange]:
    """The server's present rows (at their own seq), e.g. to undo a desk's refused optimistic change."""
    table = REPLICATED_TABLES[entity]
    found = session.execute(
        select(table).where(table.c.salon_id == salon_id, table.c.id.in_(entity_ids))
    ).mappings()
    return [
        RowChange(entity=entity, seq=int(r["server_seq"]), row=encode_row(entity, dict(r))) for r in found
    ]
