"""GET /v1/sync/pull (specs/sync.md §3.7): state-based pages read from change_index in seq order.

A page never splits one seq (one server transaction): the rows of the page's last seq are all included,
so `next_cursor` never skips a row. Rows of one seq come parents first (protocol.ENTITY_RANK).
With `priority` (a new desk's initial sync) the same paging reads one phase's rows only (phases.py).

Performance (year-scale salon, ~240k rows): rows are read by primary key and only their wire columns
(not `field_meta`), and the Change models are built without re-validating what was just encoded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from salon_desk.clock import utc_now
from salon_desk.domain.errors import Conflict, NotFound
from salon_desk.sync.protocol import (
    ENTITY_RANK,
    MAX_SEQ,
    Change,
    PullResponse,
    fields_of,
    format_cursor,
    format_phase_cursor,
    parse_cursor,
    parse_phase_cursor,
)

from ..errors import BadRequest, Gone
from ..salons.rows import SalonRow, SalonSyncRow
from .phases import CHANGE_INDEX, CalendarWindow, anchor_day, phase_source
from .tables import REPLICATED_TABLES

IN_CHUNK = 500
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # protocol.format_instant
PG_INSTANT_FORMAT = """'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""  # the same, as PostgreSQL's to_char writes it
DEFAULT_TIMEZONE = "Asia/Riyadh"
MAX_CURSOR_LENGTH = 100
ANCHOR_RANGE = (date(2000, 1, 1), date(2099, 12, 31))
ID_ARRAY = ARRAY(UUID(as_uuid=False))


def resolve_cursor(session: Session, salon_id: str, cursor: str | None) -> tuple[SalonSyncRow, int]:
    counter, seq, _ = _resolve(session, salon_id, cursor, parse_cursor)
    return counter, seq


def resolve_phase_cursor(
    session: Session, salon_id: str, cursor: str | None
) -> tuple[SalonSyncRow, int, date | None]:
    # A phase reads the rows as they are now (not the change history), so the tombstone purge horizon does
    # not apply: a desk re-bootstrapping after 410 starts its phases at seq 0 (issue #14).
    return _resolve(session, salon_id, cursor, parse_phase_cursor, horizon=False)


def _resolve(
    session: Session,
    salon_id: str,
    cursor: str | None,
    parse: Callable[[str], tuple[Any, ...]],
    *,
    horizon: bool = True,
) -> tuple[SalonSyncRow, int, date | None]:
    counter = session.get(SalonSyncRow, salon_id)
    if counter is None:
        raise NotFound("salon.not_found")
    if not cursor:
        return counter, 0, None
    try:
        epoch, seq, *anchor = parse(cursor)
    except ValueError as exc:
        raise BadRequest("sync.bad_cursor") from exc
    if len(cursor) > MAX_CURSOR_LENGTH or seq > MAX_SEQ or not all(map(_sane_anchor, anchor)):
        raise BadRequest("sync.bad_cursor")  # never a bigint overflow or a calendar window past year 9999
    if epoch != counter.epoch:
        raise Conflict("epoch_changed", epoch=counter.epoch)
    if horizon and seq < counter.min_retained_seq:
        raise Gone("resync_required", min_cursor=format_cursor(counter.epoch, counter.min_retained_seq))
    return counter, seq, anchor[0] if anchor else None


def _recheck_horizon(session: Session, salon_id: str, counter: SalonSyncRow, after: int) -> None:
    """The purge (cloud/sync/tombstones.py) may have committed between the cursor check and the index read
    (PostgreSQL reads each statement's own snapshot): a tombstone it removed would then be missing from this
    page with nothing to say so. Read the horizon again, after the index: if it passed the cursor, 410."""
    horizon = session.scalar(select(SalonSyncRow.min_retained_seq).where(SalonSyncRow.salon_id == salon_id))
    if horizon is not None and after < horizon:
        raise Gone("resync_required", min_cursor=format_cursor(counter.epoch, horizon))


def _sane_anchor(anchor: date | None) -> bool:
    """A phase cursor's anchor day is the day its phase began: never outside 2000-2099."""
    return anchor is None or ANCHOR_RANGE[0] <= anchor <= ANCHOR_RANGE[1]


def read_page(
    session: Session,
    salon_id: str,
    cursor: str | None,
    limit: int,
    priority: int | None = None,
    now: datetime | None = None,
) -> PullResponse:
    """One page after `cursor`: every change (priority None), or one initial-sync phase's (1, 2 or 3)."""
    if priority is None:
        counter, after = resolve_cursor(session, salon_id, cursor)
        anchor = None
    else:
        counter, after, anchor = resolve_phase_cursor(session, salon_id, cursor)
    window = None
    if priority in {2, 3}:
        salon = session.get(SalonRow, salon_id)
        timezone = salon.timezone if salon is not None else DEFAULT_TIMEZONE
        anchor = anchor or anchor_day(now or utc_now(), timezone)
        window = CalendarWindow.around(anchor, timezone)
    source, wanted = phase_source(priority, salon_id, window)
    index, has_more = _index(session, salon_id, source, wanted, after, limit)
    if priority is None and after > 0:
        _recheck_horizon(session, salon_id, counter, after)
    changes = _changes(session, salon_id, index)
    next_seq = index[-1][2] if index else max(after, 0)
    return PullResponse(
        epoch=counter.epoch,
        changes=changes,
        next_cursor=format_phase_cursor(counter.epoch, next_seq, anchor if window is not None else None),
        has_more=has_more,
        head_seq=counter.last_seq,
    )


def _index(
    session: Session,
    salon_id: str,
    source: FromClause,
    wanted: ColumnElement[bool],
    after: int,
    limit: int,
) -> tuple[list[tuple[str, str, int]], bool]:
    """(entity, id, seq) of the next `limit` wanted changes, plus every other one of the last seq."""
    index_columns = select(CHANGE_INDEX.c.entity, CHANGE_INDEX.c.entity_id, CHANGE_INDEX.c.seq).select_from(
        source
    )
    mine = and_(CHANGE_INDEX.c.salon_id == salon_id, wanted)
    index = [
        (e, i, s)
        for e, i, s in session.execute(
            index_columns.where(mine, CHANGE_INDEX.c.seq > after)
            .order_by(CHANGE_INDEX.c.seq)
            .limit(limit + 1)
        )
    ]
    has_more = len(index) > limit
    index = index[:limit]
    if has_more and index:
        last = index[-1][2]
        seen = {(e, i) for e, i, s in index if s == last}
        index += [
            (e, i, s)
            for e, i, s in session.execute(index_columns.where(mine, CHANGE_INDEX.c.seq == last))
            if (e, i) not in seen
        ]
    return index, has_more


def _changes(session: Session, salon_id: str, index: list[tuple[str, str, int]]) -> list[Change]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for entity, entity_id, _ in index:
        wanted[entity].append(entity_id)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, ids in wanted.items():
        rows.update(_rows_by_id(session, salon_id, entity, ids))
    ordered = sorted(index, key=lambda e: (e[2], ENTITY_RANK[e[0]], e[1]))
    # The rows were just read and encoded from the wire field list: no second validation per row.
    return [
        Change.model_construct(
            seq=seq, entity=entity, id=entity_id, op="upsert", row=rows[(entity, entity_id)]
        )
        for entity, entity_id, seq in ordered
        if (entity, entity_id) in rows
    ]


def _rows_by_id(session: Session, salon_id: str, entity: str, ids: list[str]) -> dict[tuple[str, str], Any]:
    """Wire rows by primary key, (salon_id, id) since issue #14: the filter names the salon and walks the
    key's index (before, with `id` alone as the key, SQLite preferred the salon index and scanned the salon).
    The salon is still checked in Python, belt and braces."""
    table = REPLICATED_TABLES[entity]
    names, columns, encoders = _wire_select(entity, session.get_bind().dialect)
    salon_column = names.index("salon_id")
    found: dict[tuple[str, str], Any] = {}
    for key in _id_filters(session, table, ids):
        for fetched in session.execute(select(*columns).where(table.c.salon_id == salon_id, key)).all():
            if str(fetched[salon_column]) != salon_id:
                continue
            values = list(fetched)
            for i, encode in encoders:
                if values[i] is not None:
                    values[i] = encode(values[i])
            row = dict(zip(names, values, strict=True))
            found[(entity, str(row["id"]))] = row
    return found


@cache
def _wire_select(
    entity: str, dialect: Dialect
) -> tuple[list[str], list[ColumnElement[Any]], list[tuple[int, Callable[[Any], Any]]]]:
    """The entity's wire fields, the columns to select for them and the encoders still to run in Python.
    On PostgreSQL the database writes instants and uuids as their wire text: building a datetime, moving it
    to UTC and formatting it again in Python was a quarter of a pull page's CPU (issue #14)."""
    table = REPLICATED_TABLES[entity]
    names, encoders = _wire_encoders(entity)
    if dialect.name != "postgresql":
        return names, [table.c[name] for name in names], encoders
    kinds = fields_of(entity)
    as_text: list[ColumnElement[Any]] = []
    for name in names:
        column = table.c[name]
        if kinds[name] == "instant":
            in_utc = func.timezone(literal_column("'UTC'"), column)
            as_text.append(func.to_char(in_utc, literal_column(PG_INSTANT_FORMAT)).label(name))
        elif isinstance(column.type.dialect_impl(dialect), UUID):
            as_text.append(cast(column, Text).label(name))
        else:
            as_text.append(column)
    return names, as_text, [(i, encode) for i, encode in encoders if kinds[names[i]] != "instant"]


def _id_filters(session: Session, table: Table, ids: list[str]) -> Iterator[ColumnElement[bool]]:
    """`id` among `ids`, IN_CHUNK at a time (more, and PostgreSQL may prefer scanning the salon to the key). On
    PostgreSQL one array parameter (`= ANY`): the same statement text every time, where a 500-parameter IN
    list is rendered, parsed and cast parameter by parameter by the driver for each chunk."""
    array = session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        yield table.c.id == any_(bindparam("ids", chunk, type_=ID_ARRAY)) if array else table.c.id.in_(chunk)


@cache
def _wire_encoders(entity: str) -> tuple[list[str], list[tuple[int, Callable[[Any], Any]]]]:
    """The entity's wire fields and, by position, the encoders of those that are not already JSON values
    (protocol.encode_value, specialised: instants come out of UtcDateTime already in UTC)."""
    kinds = fields_of(entity)
    encoders: dict[str, Callable[[Any], Any]] = {
        "instant": lambda v: v.strftime(INSTANT_FORMAT),
        "day": lambda v: v.isoformat(),
        "time": lambda v: v.strftime("%H:%M"),
        "bool": bool,
    }
    return list(kinds), [(i, encoders[k]) for i, k in enumerate(kinds.values()) if k in encoders]
