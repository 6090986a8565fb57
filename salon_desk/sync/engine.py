"""The desk's sync engine (Qt-free): push the outbox, pull pages, apply them with rebase, report status.

    engine = SyncEngine(make_sync_engine(db_path), SyncApi(url, token), device_id=...)
    report = engine.sync_once()          # push until empty or retry, then pull until caught up
    engine.status()                      # pending count, oldest pending age, last sync, open conflicts

A new desk's first pull runs in priority phases (reference data, the calendar window, the rest; specs/sync.md
§3.7): `SyncReport.calendar_usable`, `SyncHealth.calendar_usable` and `on_calendar_usable` say when the
calendar can be shown; then the desk continues on the incremental cursor from the head seen before phase 1.

One writing transaction per push batch result and per pull page (cursor included), so a crash anywhere
leaves a state the next run continues from (specs/sync.md §3.13). Nothing here ever deletes the outbox:
pushed mutations become `acked` with the server's result. A Qt controller calls `sync_once` on its own
thread, schedules the next call after `report.next_delay` seconds and forwards the report as signals.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Engine, Table, event, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from salon_desk.clock import Clock, utc_now
from salon_desk.store.engine import make_engine
from salon_desk.store.rows import REPLICATED, AuditEventRow, OutboxRow, SyncConflictRow

from . import state as keys
from .api import SyncApi, SyncHttpError
from .apply import install_rows, pending_fields
from .audit_trail import RELINK as AUDIT_RELINK
from .audit_trail import AuditTrailSync
from .protocol import (
    MAX_BATCH,
    AuditHead,
    Mutation,
    MutationActor,
    PullResponse,
    PushRequest,
    PushResponse,
    format_cursor,
    format_phase_cursor,
    parse_cursor,
    parse_instant,
    parse_phase_cursor,
)
from .state import SyncState

log = logging.getLogger(__name__)
DESK_SCHEMA_VERSION = 1
INVALID_ENVELOPE = "invalid_request"  # an outbox row that is no valid protocol.Mutation (never sent)
RESULT_COUNTERS = {"applied": "applied", "conflict": "conflicts", "refused": "refused"}
# sync_state keys of a new desk's initial sync (specs/sync.md §3.7): the phase running ("1", "2", "3"; "done"
# once finished; empty = not started), its cursor, and the incremental cursor to switch to afterwards.
INITIAL_PHASE, PHASE_CURSOR, INITIAL_BASE = "initial_phase", "phase_cursor", "initial_base"
PHASES_DONE = "done"
# "1" while a full resync (410 resync_required: the desk's cursor is older than the server's tombstone purge
# horizon) re-bootstraps from the server; cleared once caught up, when rows the server no longer has go.
RESYNC = "resync"
RESYNC_CHUNK = 500
# What a full resync may tombstone when the server no longer has it (a purged tombstone). Money rows,
# the salon and desk users are never deleted on the server, so never here either.
RESYNC_SWEPT = (
    "staff", "service", "staff_service", "availability_rule", "availability_exception", "customer",
    "booking", "booking_item", "walk_in", "waitlist_entry", "notification", "sync_conflict", "superseded_edit",
)  # fmt: skip


def make_sync_engine(path: Path | str) -> Engine:
    """The worker's own engine. Foreign keys are off on its connections: pulled rows arrive in server
    (seq) order, not parent-first, and the server already guarantees the references."""
    engine = make_engine(path)

    @event.listens_for(engine, "connect")
    def _replica_mode(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    return engine


class Backoff:
    """1 s doubling to 5 min with ±20 % jitter; Retry-After wins when it is longer (specs/sync.md §3.12)."""

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        jitter: float = 0.2,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.base, self.cap, self.jitter, self._rng = base, cap, jitter, rng
        self.failures = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        delay = min(self.cap, self.base * 2.0**self.failures) * (1 + self.jitter * (2 * self._rng() - 1))
        self.failures += 1
        return max(delay, retry_after or 0.0)

    def reset(self) -> None:
        self.failures = 0


@dataclass
class SyncReport:
    pushed: int = 0
    applied: int = 0
    conflicts: int = 0
    refused: int = 0
    retried: int = 0
    pulled: int = 0
    error: str | None = None  # SyncHttpError.kind, or "retry" when the server asked to retry a mutation
    blocked_code: str | None = None  # a blocking answer's code (device_revoked, update_required, ...)
    next_delay: float | None = None  # seconds until the next attempt after an error; None = normal schedule
    entities_changed: set[str] = field(default_factory=set)
    calendar_usable: bool = False  # reference data and the calendar window are in (initial phase 2 done)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class SyncHealth:
    pending: int
    oldest_pending_age: timedelta | None
    last_sync_at: datetime | None
    open_conflicts: int
    stuck_attempts: int  # the most attempts any pending mutation has had
    initial_phase: int | None = None  # the initial-sync phase still running (1-3), None once it finished

    @property
    def calendar_usable(self) -> bool:
        return self.initial_phase is None or self.initial_phase >= 3


class SyncEngine:
    def __init__(
        self,
        engine: Engine,
        api: SyncApi,
        *,
        device_id: str,
        clock: Clock = utc_now,
        batch_size: int = MAX_BATCH,
        page_limit: int = 1000,
        backoff: Backoff | None = None,
    ) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._api = api
        self.device_id = device_id
        self._clock = clock
        self._batch_size = min(batch_size, MAX_BATCH)
        self._page_limit = page_limit
        self.backoff = backoff or Backoff()
        self.on_calendar_usable: Callable[[], None] | None = None  # called once phase 2 has been applied
        self._audit = AuditTrailSync(self._sessions, api, device_id)

    # ---------------------------------------------------------------- the loop

    def sync_once(self, wait: float = 0) -> SyncReport:
        """Push until the outbox is empty (or the server says retry), then pull until caught up."""
        report = SyncReport()
        try:
            rejected = self._push_all(report)
            if report.error is None:
                if rejected is None:  # a desk blocked on a refused batch sends nothing until unblocked
                    self._share_audit(upload=True)  # before a long-poll: the other desks see it as they wake
                self.pull_all(report, wait)
                if self._share_audit(upload=False):
                    report.entities_changed.add("audit_event")
            if rejected is not None:
                raise rejected  # blocked, visibly, after the pull: reads never wait for a refused batch
        except SyncHttpError as error:
            report.error = error.kind
            report.blocked_code = None if error.transient else (error.code or error.kind)
            if error.kind == "epoch_changed":
                self._recover_epoch(str(error.params.get("epoch", "")), error.params.get("restored_seq"))
                report.blocked_code = None  # recovered: the next run re-pushes and pulls the new epoch
            elif error.kind == "resync_required":
                self._start_resync()
                report.blocked_code = None  # recovered: the next run pushes the outbox, then re-bootstraps
            report.next_delay = self.backoff.next_delay(error.retry_after)
            report.calendar_usable = self._calendar_usable()
            return report
        report.calendar_usable = self._calendar_usable()
        if report.error is None:
            self.backoff.reset()
        else:
            report.next_delay = self.backoff.next_delay()
        return report

    def _share_audit(self, *, upload: bool) -> int:
        """The salon-wide audit trail (issue #10, audit_trail.py): never fails or blocks the sync itself;
        what it could not do now it does on a later run."""
        try:
            return self._audit.upload() if upload else self._audit.pull()
        except SyncHttpError as error:
            log.info("audit trail not shared this time", extra={"fields": {"kind": error.kind, "code": error.code}})
            return 0

    # ---------------------------------------------------------------- push

    def _push_all(self, report: SyncReport) -> SyncHttpError | None:
        """Pushes until the outbox is empty or the server says retry. A batch the cloud refuses for a reason
        the desk cannot fix (4xx `rejected`: a malformed envelope) is returned, not raised: the outbox is
        kept, the first row records the code, and the desk shows itself blocked with that reason."""
        try:
            while self.push_batch(report):
                pass
        except SyncHttpError as error:
            if error.kind != "rejected":
                raise
            return error
        return None

    def push_batch(self, report: SyncReport) -> bool:
        """Pushes one batch; True when another batch may follow."""
        with self._sessions() as session:
            rows = session.scalars(
                select(OutboxRow)
                .where(OutboxRow.status == "pending")
                .order_by(OutboxRow.device_seq)
                .limit(self._batch_size)
            ).all()
            epoch = SyncState(session).get(keys.EPOCH) or None
            relinking = bool(SyncState(session).get(AUDIT_RELINK))  # its chain head is re-chained first
            head = session.execute(
                select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc()).limit(1)
            ).first()
        mutations = self._envelopes(rows)
        if not mutations:
            return False
        request = PushRequest(
            device_id=self.device_id,
            schema_version=DESK_SCHEMA_VERSION,
            client_time=self._clock().isoformat(),
            epoch=epoch,
            mutations=mutations,
            audit_head=AuditHead(seq=head[0], hash=head[1]) if head and not relinking else None,  # anchored (#10)
        )
        try:
            response = self._api.push(request)
        except SyncHttpError as error:
            if error.kind == "too_large" and len(mutations) > 1:
                self._batch_size = len(mutations) // 2  # 413: halve the batch and go on (specs/sync.md §3.6)
                return True
            if error.kind in {"transient", "rejected"}:
                self._note_failure([rows[0].mutation_id], error.code or error.kind)
            raise
        self._store_push(response, report)
        held_back = len(mutations) < len(rows)  # an invalid envelope follows: the next batch starts with it
        return report.error is None and (held_back or len(rows) == self._batch_size)

    def _envelopes(self, rows: Sequence[OutboxRow]) -> list[Mutation]:
        """The rows as wire mutations, up to the first one that is not a valid envelope (never sent: the
        cloud would refuse the whole batch). That row alone blocks the queue, visibly, with its code."""
        mutations = []
        for row in rows:
            try:
                mutations.append(_mutation(row))
            except PydanticValidationError:
                if mutations:
                    break  # send the valid ones before it first
                self._note_failure([row.mutation_id], INVALID_ENVELOPE)
                raise SyncHttpError("rejected", code=INVALID_ENVELOPE) from None
        return mutations

    def _store_push(self, response: PushResponse, report: SyncReport) -> None:
        now = self._clock()
        with self._sessions() as session:
            by_id = {
                r.mutation_id: r
                for r in session.scalars(
                    select(OutboxRow).where(
                        OutboxRow.mutation_id.in_([res.mutation_id for res in response.results])
                    )
                )
            }
            rows = []
            for result in response.results:
                row = by_id.get(result.mutation_id)
                if row is None or row.status != "pending":
                    continue
                if result.status == "retry":
                    _failed(row, result.code or "retry", now)
                    report.retried += 1
                    report.error = "retry"
                    break
                row.status, row.result_status, row.server_seq = "acked", result.status, result.server_seq
                row.acked_at, row.last_error = now, result.code if result.status != "applied" else None
                report.pushed += 1
                counter = RESULT_COUNTERS[result.status]
                setattr(report, counter, getattr(report, counter) + 1)
                rows += [(c.entity, c.seq, c.row) for c in result.rows]
            session.flush()
            report.entities_changed |= install_rows(session, rows)
            sync_state = SyncState(session)
            sync_state.set_instant(keys.LAST_PUSH_OK, now)
            self._note_server_time(sync_state, response.server_time, now)
            session.commit()

    def _note_failure(self, mutation_ids: list[str], code: str) -> None:
        with self._sessions() as session:
            for row in session.scalars(select(OutboxRow).where(OutboxRow.mutation_id.in_(mutation_ids))):
                _failed(row, code, self._clock())
            session.commit()

    # ---------------------------------------------------------------- pull

    def pull_all(self, report: SyncReport, wait: float = 0) -> None:
        if self.pull_phases(report):
            wait = 0  # the initial sync just ended: catch up on what changed meanwhile, no long-poll
        while True:
            page = self.pull_page(report, wait)
            wait = 0  # only the first request long-polls
            if not page.has_more:
                self._finish_resync(report)
                return

    def pull_page(self, report: SyncReport, wait: float = 0) -> PullResponse:
        with self._sessions() as session:
            cursor = SyncState(session).get(keys.CURSOR)
        page = self._api.pull(cursor, self._page_limit, wait)  # parsed before the write lock is taken
        changes = [(c.entity, c.seq, c.row) for c in page.changes]
        with self._sessions() as session:
            report.entities_changed |= install_rows(session, changes)
            sync_state = SyncState(session)
            sync_state.set(keys.CURSOR, page.next_cursor)
            sync_state.set(keys.EPOCH, page.epoch)
            sync_state.set(keys.HEAD_SEQ, str(page.head_seq))
            sync_state.set_instant(keys.LAST_PULL_OK, self._clock())
            session.commit()
        report.pulled += len(changes)
        return page

    # ---------------------------------------------------------------- initial sync in priority phases

    def pull_phases(self, report: SyncReport) -> bool:
        """A new desk's initial sync (specs/sync.md §3.7): phases 1, 2 and 3 until each is caught up, then
        the incremental cursor. Resumes where it stopped (phase and cursor commit with each page). True when
        it ran.

        Pages are read one ahead: the next page's request leaves (on a single reader thread, so requests
        still go one at a time) as soon as this page's answer names its cursor, and runs while this page is
        applied. What is committed is unchanged (each page with the cursor after it, in order); a failed
        request surfaces when its page is due, after every earlier page was applied, and a page read ahead
        of a failed apply is dropped."""
        with self._sessions() as session:
            sync_state = SyncState(session)
            phase, cursor = _initial_phase(sync_state), sync_state.get(PHASE_CURSOR)
        if phase is None:
            return False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read-ahead") as reader:
            due = reader.submit(self._api.pull_phase, cursor, self._page_limit, phase)
            while phase is not None:
                page = due.result()
                following = phase if page.has_more else (phase + 1 if phase < 3 else None)
                if following is not None:
                    cursor = _phase_cursor(page, phase, following)
                    due = reader.submit(self._api.pull_phase, cursor, self._page_limit, following)
                self._apply_phase_page(report, page, phase, following)
                if phase == 2 and following != 2 and self.on_calendar_usable is not None:
                    self.on_calendar_usable()
                phase = following
        return True

    def _apply_phase_page(
        self, report: SyncReport, page: PullResponse, phase: int, following: int | None
    ) -> None:
        """Applies one page of `phase` with the sync state that resumes at `following` (None: all done)."""
        changes = [(c.entity, c.seq, c.row) for c in page.changes]
        with self._sessions() as session:
            report.entities_changed |= install_rows(session, changes)
            sync_state = SyncState(session)
            if not sync_state.get(INITIAL_BASE):  # the head before phase 1 read anything
                sync_state.set(INITIAL_BASE, format_cursor(page.epoch, page.head_seq))
            if following is None:
                sync_state.set(keys.CURSOR, sync_state.get(INITIAL_BASE))
                sync_state.set(INITIAL_PHASE, PHASES_DONE)
            else:
                sync_state.set(INITIAL_PHASE, str(following))
                sync_state.set(PHASE_CURSOR, _phase_cursor(page, phase, following))
            sync_state.set(keys.EPOCH, page.epoch)
            sync_state.set(keys.HEAD_SEQ, str(page.head_seq))
            sync_state.set_instant(keys.LAST_PULL_OK, self._clock())
            session.commit()
        report.pulled += len(changes)

    def _calendar_usable(self) -> bool:
        with self._sessions() as session:
            sync_state = SyncState(session)
            phase = _initial_phase(sync_state)
            resyncing = bool(sync_state.get(RESYNC))  # the desk's rows are all there meanwhile
        return phase is None or phase >= 3 or resyncing

    def _start_resync(self) -> None:
        """410 resync_required (specs/sync.md §3.6): the desk missed changes the server no longer keeps
        (purged tombstones), so it re-bootstraps, in one transaction: keep the outbox (pending mutations are
        pushed first on every run, and their rows keep their local values by rebase); forget every row's
        server_seq, so each row the server sends is installed again; pull the salon again in phases. Rows the
        server did not send again by the time the desk is caught up are gone there (`_finish_resync`)."""
        with self._sessions() as session:
            for row_class in REPLICATED.values():
                session.execute(update(row_class).values(server_seq=None))
            sync_state = SyncState(session)
            sync_state.set(keys.CURSOR, "")
            for key in (INITIAL_PHASE, PHASE_CURSOR, INITIAL_BASE):
                sync_state.set(key, "")
            sync_state.set(RESYNC, "1")
            session.commit()

    def _finish_resync(self, report: SyncReport) -> None:
        """Once a resync has pulled every phase and caught up incrementally (a row changed during the phases
        arrives on the incremental cursor, so not before): rows still without a server_seq and with no
        pending local mutation were deleted on the server and their tombstones purged: tombstoned here."""
        with self._sessions() as session:
            sync_state = SyncState(session)
            if not sync_state.get(RESYNC) or _initial_phase(sync_state) is not None:
                return
            pending, now = pending_fields(session), self._clock()
            for entity in RESYNC_SWEPT:
                table = cast(Table, REPLICATED[entity].__table__)
                ids = session.scalars(
                    select(table.c.id).where(table.c.server_seq.is_(None), table.c.deleted_at.is_(None))
                ).all()
                gone = [row_id for row_id in ids if not pending.of(entity, row_id)]
                for start in range(0, len(gone), RESYNC_CHUNK):
                    session.execute(
                        update(table)
                        .where(table.c.id.in_(gone[start : start + RESYNC_CHUNK]))
                        .values(deleted_at=now, updated_at=now, sync_status="synced")
                    )
                if gone:
                    report.entities_changed.add(entity)
            sync_state.set(RESYNC, "")
            session.commit()

    def _recover_epoch(self, epoch: str, restored_seq: object) -> None:
        """The server was restored from a backup (specs/sync.md §3.15), in one transaction: keep the outbox;
        queue again the acknowledged mutations the backup may lack (all of them when the server did not say
        `restored_seq`: those it still knows are answered from their receipts); forget every row's
        server_seq, since seqs of the new epoch restart below them; pull the new epoch from its start."""
        with self._sessions() as session:
            lost = OutboxRow.status == "acked"
            if isinstance(restored_seq, int):
                lost &= OutboxRow.server_seq > restored_seq
            session.execute(update(OutboxRow).where(lost).values(status="pending"))
            for row_class in REPLICATED.values():
                session.execute(update(row_class).values(server_seq=None))
            sync_state = SyncState(session)
            sync_state.set(keys.CURSOR, f"{epoch}.0" if epoch else "")
            sync_state.set(keys.EPOCH, epoch)
            for key in (INITIAL_PHASE, PHASE_CURSOR, INITIAL_BASE):  # pull the new epoch in phases again
                sync_state.set(key, "")
            session.commit()

    def _note_server_time(self, sync_state: SyncState, server_time: str, now: datetime) -> None:
        offset = parse_instant(server_time) - now
        sync_state.set(keys.CLOCK_OFFSET_MS, str(int(offset.total_seconds() * 1000)))

    # ---------------------------------------------------------------- a desk restored from a backup

    def rebind(self, code: str) -> str:
        """After 409 device_rewound (specs/sync.md §3.15): with a manager's code for this desk, the server
        rotates the token (returned: the caller stores it in the keyring) and says the last device_seq it
        saw; the pending outbox is renumbered above it, in order, mutation ids kept (a change the server
        already has is answered from its receipt), and later changes number on from there. The next run
        pushes them, then pulls from the desk's cursor (idempotent upserts catch it up)."""
        token, last_seq = self._api.rebind(code)
        with self._sessions() as session:
            pending = session.scalars(
                select(OutboxRow.device_seq).where(OutboxRow.status == "pending").order_by(OutboxRow.device_seq)
            ).all()
            highest = session.scalar(select(func.max(OutboxRow.device_seq))) or 0
            parked = max(highest, last_seq + len(pending)) + 1  # above every number in use or wanted
            for offset, old_seq in enumerate(pending):  # two passes: no target is ever taken
                session.execute(
                    update(OutboxRow).where(OutboxRow.device_seq == old_seq).values(device_seq=parked + offset)
                )
            for offset in range(len(pending)):
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.device_seq == parked + offset)
                    .values(device_seq=last_seq + 1 + offset, attempts=0, first_failed_at=None, last_error=None)
                )
            session.execute(  # AUTOINCREMENT: the next change numbers after the renumbered ones
                text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = :table"),
                {"seq": last_seq + len(pending), "table": OutboxRow.__tablename__},
            )
            SyncState(session).set(AUDIT_RELINK, "1")  # the audit chain catches up before its next upload
            session.commit()
        return token

    # ---------------------------------------------------------------- status

    def status(self) -> SyncHealth:
        with self._sessions() as session:
            return _status(session, self._clock())


def _status(session: Session, now: datetime) -> SyncHealth:
    pending = OutboxRow.status == "pending"
    count, oldest, attempts = session.execute(
        select(func.count(), func.min(OutboxRow.created_at), func.max(OutboxRow.attempts)).where(pending)
    ).one()
    conflicts = (
        session.scalar(
            select(func.count())
            .select_from(SyncConflictRow)
            .where(SyncConflictRow.resolved_at.is_(None), SyncConflictRow.deleted_at.is_(None))
        )
        or 0
    )
    sync_state = SyncState(session)
    times = [
        t for t in (sync_state.get_instant(keys.LAST_PULL_OK), sync_state.get_instant(keys.LAST_PUSH_OK)) if t
    ]
    oldest_at = parse_instant(oldest) if isinstance(oldest, str) else oldest
    return SyncHealth(
        count,
        now - oldest_at if oldest_at else None,
        max(times) if times else None,
        conflicts,
        attempts or 0,
        None if sync_state.get(RESYNC) else _initial_phase(sync_state),  # a resyncing desk has its rows
    )


def _initial_phase(sync_state: SyncState) -> int | None:
    """The phase to run: the one in progress; 1 for a desk that never pulled; None once done."""
    phase = sync_state.get(INITIAL_PHASE)
    if phase == PHASES_DONE:
        return None
    if phase:
        return int(phase)
    cursor = sync_state.get(keys.CURSOR)
    return 1 if not cursor or parse_cursor(cursor)[1] == 0 else None


def _phase_cursor(page: PullResponse, phase: int, following: int) -> str:
    """Where `following` continues: this phase's next cursor, phase 2 from the start (the server anchors
    the calendar window), phase 3 from the start with phase 2's anchor."""
    if following == phase:
        return page.next_cursor
    if following == 2:
        return ""
    epoch, _, anchor = parse_phase_cursor(page.next_cursor)
    return format_phase_cursor(epoch, 0, anchor)


def _failed(row: OutboxRow, code: str, now: datetime) -> None:
    row.attempts += 1
    row.first_failed_at = row.first_failed_at or now
    row.last_error = code


def _mutation(row: OutboxRow) -> Mutation:
    return Mutation(
        mutation_id=row.mutation_id,
        device_seq=row.device_seq,
        name=row.name,
        v=row.v,
        entity=row.entity,
        entity_id=row.entity_id,
        base_seq=row.base_seq,
        hlc=row.hlc,
        actor=MutationActor(desk_user_id=row.actor_id, role=row.actor_role),
        args=row.args,
    )
