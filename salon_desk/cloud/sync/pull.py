"""GET /v1/sync/pull (specs/sync.md §3.7): state-based pages read from change_index in seq order.

A page never splits one seq (one server transaction): the rows of the page's last seq are all included,
so `next_cursor` never skips a row. Rows of one seq come parents first (protocol.ENTITY_RANK).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, NotFound
from salon_desk.sync.protocol import (
    ENTITY_RANK,
    Change,
    PullResponse,
    encode_row,
    format_cursor,
    parse_cursor,
)

from ..errors import BadRequest, Gone
from ..salons.rows import SalonSyncRow
from .tables import REPLICATED_TABLES, ChangeIndexRow

IN_CHUNK = 500


def resolve_cursor(session: Session, salon_id: str, cursor: str | None) -> tuple[SalonSyncRow, int]:
    counter = session.get(SalonSyncRow, salon_id)
    if counter is None:
        raise NotFound("salon.not_found")
    if not cursor:
        return counter, 0
    try:
        epoch, seq = parse_cursor(cursor)
    except ValueError as exc:
        raise BadRequest("sync.bad_cursor") from exc
    if epoch != counter.epoch:
        raise Conflict("epoch_changed", epoch=counter.epoch)
    if seq < counter.min_retained_seq:
        raise Gone("resync_required", min_cursor=format_cursor(counter.epoch, counter.min_retained_seq))
    return counter, seq


def read_page(session: Session, salon_id: str, cursor: str | None, limit: int) -> PullResponse:
    counter, after = resolve_cursor(session, salon_id, cursor)
    index = session.execute(
        select(ChangeIndexRow.entity, ChangeIndexRow.entity_id, ChangeIndexRow.seq)
        .where(ChangeIndexRow.salon_id == salon_id, ChangeIndexRow.seq > after)
        .order_by(ChangeIndexRow.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(index) > limit
    index = index[:limit]
    if has_more and index:
        last = index[-1].seq
        seen = {(e, i) for e, i, s in index if s == last}
        index += [
            r
            for r in session.execute(
                select(ChangeIndexRow.entity, ChangeIndexRow.entity_id, ChangeIndexRow.seq).where(
                    ChangeIndexRow.salon_id == salon_id, ChangeIndexRow.seq == last
                )
            ).all()
            if (r.entity, r.entity_id) not in seen
        ]
    changes = _changes(session, salon_id, [(e, i, s) for e, i, s in index])
    next_seq = index[-1][2] if index else max(after, 0)
    return PullResponse(
        epoch=counter.epoch,
        changes=changes,
        next_cursor=format_cursor(counter.epoch, next_seq),
        has_more=has_more,
        head_seq=counter.last_seq,
    )


def _changes(session: Session, salon_id: str, index: list[tuple[str, str, int]]) -> list[Change]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for entity, entity_id, _ in index:
        wanted[entity].append(entity_id)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for entity, ids in wanted.items():
        table = REPLICATED_TABLES[entity]
        for start in range(0, len(ids), IN_CHUNK):
            found = session.execute(
                select(table).where(
                    table.c.salon_id == salon_id, table.c.id.in_(ids[start : start + IN_CHUNK])
                )
            ).mappings()
            rows.update({(entity, str(r["id"])): dict(r) for r in found})
    ordered = sorted(index, key=lambda e: (e[2], ENTITY_RANK[e[0]], e[1]))
    return [
        Change(seq=seq, entity=entity, id=entity_id, row=encode_row(entity, rows[(entity, entity_id)]))
        for entity, entity_id, seq in ordered
        if (entity, entity_id) in rows
    ]
