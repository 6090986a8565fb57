"""POST /v1/sync/push (specs/sync.md §3.6): mutations in order, each with a receipt, as if each had its own
transaction.

The batch is checked whole before anything applies (`check_batch`, `_check_receipts`): duplicate mutation ids,
device_seq gaps or disorder answer 422; a known id with a different payload 409 idempotency_key_reuse; an
unknown id at or below the device's last device_seq 409 device_rewound. Nothing is written then.

Receipts are the salon's own: looked up and keyed by (salon_id, mutation_id), so a desk never sees, learns of
or blocks another salon's mutations. Each mutation then ends `applied`, `conflict` or `refused`; `retry` only
for a transient fault (faults.is_transient), for that mutation and every later one, so order is kept. An
unexpected error is tried ATTEMPTS times in fresh transactions, then answered `refused` `server_error` with a
conflict card, and the next mutation still applies.

The fast path (issue #14): consecutive mutations without a receipt are applied BATCH_TRANSACTION at a
time in ONE transaction, with no savepoint per mutation (two round trips each, and past 64
subtransactions PostgreSQL's snapshots slow down for every session). Each still gets its own seq and its
own result; the rows they name (and their actors) are read in one statement per entity, their receipts
are one INSERT, the device's last device_seq one UPDATE. The batch commits only if every mutation in it
applied (`applied` or `conflict`, e.g. an overlapping booking kept in quarantine). Anything else at
mutation k (a refusal, an id taken, an overlap to refuse, an unexpected or a transient error) rolls the
whole batch back; then mutations 0..k-1 are applied again as a smaller batch, and mutation k takes the
careful path: transactions of its own, as described above (an unexpected error there continues at
attempt 2, the batch was attempt 1; a transient fault answers `retry` for k and every later one, as
before). A failure after the last mutation (the receipts' INSERT meeting a concurrent push of the same
ids, the device moved, the commit) sends the rest of the request down the careful path (a transient one
answers `retry` for the whole batch and the rest). Wake-ups and queued notifications leave only with a
commit, as before. The salon's counter lock is held for the batch: the salon's other writers wait that
long; other salons never wait for it (on SQLite every writer does: one database lock, hence a smaller
batch there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Select, Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from salon_desk.domain.errors import Conflict, DomainError, ValidationError
from salon_desk.sync import schemas
from salon_desk.sync.protocol import (
    ENTITY_FIELDS,
    Mutation,
    MutationResult,
    PushRequest,
    PushResponse,
    RowChange,
    format_instant,
)
from salon_desk.sync.schemas.names import MutationName

from ..clock import Clock
from ..db import Database
from ..devices.rows import DeviceRow
from ..devices.service import AuthenticatedDevice
from ..metrics import CloudMetrics
from ..salons.rows import SalonSyncRow
from . import authority, bookings, catalogue, checkout, records, resolve, users
from .changes import ChangeSet, NeedsOwnTransaction, current_rows
from .context import CommandContext, Outcome, Refusal
from .faults import is_transient, is_unique_violation
from .notify import SalonNotifier
from .tables import REPLICATED_TABLES, MutationReceiptRow

log = logging.getLogger(__name__)
RECEIPTS = cast(Table, MutationReceiptRow.__table__)
_NEW_RECEIPTS = RECEIPTS.insert()  # built once
DEVICES = cast(Table, DeviceRow.__table__)

ATTEMPTS = 3  # tries of one mutation that fails unexpectedly, each in a fresh transaction
# Mutations per transaction on the fast path. Bounded: the salon's writers wait for it (on SQLite, every
# writer: one database lock), and a refusal in it applies the ones before it a second time. Past ~25 the
# batch's own statements (~8) cost next to nothing per mutation.
BATCH_TRANSACTION = {"postgresql": 25, "sqlite": 10}
SERVER_ERROR = "server_error"

Handler = Callable[[CommandContext], Outcome]
HANDLERS: dict[str, Handler] = {  # keyed by MutationName; a wire string (a str) looks up the same entry
    MutationName.BOOKING_CREATE: bookings.handle_create,
    MutationName.BOOKING_RESCHEDULE: bookings.handle_reschedule,
    MutationName.BOOKING_TRANSITION: bookings.handle_transition,
    MutationName.BOOKING_CANCEL: bookings.handle_cancel,
    MutationName.BOOKING_PATCH_NOTES: records.handle_patch("booking"),
    MutationName.CUSTOMER_CREATE: records.handle_customer_create,
    MutationName.CUSTOMER_PATCH: records.handle_patch("customer"),
    MutationName.WALK_IN_CREATE: records.handle_create("walk_in"),
    MutationName.WALK_IN_PATCH: records.handle_patch("walk_in"),
    MutationName.WALK_IN_SEAT: records.handle_walkin_seat,
    MutationName.WAITLIST_CREATE: records.handle_create("waitlist_entry"),
    MutationName.WAITLIST_PATCH: records.handle_patch("waitlist_entry"),
    MutationName.CONFLICT_RESOLVE: resolve.handle_resolve,
    MutationName.DESK_USER_CREATE: users.handle_create,
    MutationName.DESK_USER_PATCH: users.handle_patch,
    MutationName.CHECKOUT_SAVE: checkout.handle_checkout_save,  # issue #11
    MutationName.PAYMENT_RECORD: checkout.handle_payment_record,
    MutationName.INVOICE_ISSUE: checkout.handle_invoice_issue,
    MutationName.CREDIT_NOTE_ISSUE: checkout.handle_credit_note_issue,
    MutationName.REFUND_RECORD: checkout.handle_refund_record,
    MutationName.DAILY_CLOSE_RECORD: checkout.handle_daily_close,
    MutationName.STAFF_CREATE: catalogue.handle_staff_create,  # issue #10
    MutationName.STAFF_PATCH: catalogue.handle_staff_patch,
    MutationName.STAFF_SET_SERVICES: catalogue.handle_set_services,
    MutationName.AVAILABILITY_SET_WEEK: catalogue.handle_set_week,
    MutationName.SERVICE_CREATE: catalogue.handle_service_create,
    MutationName.SERVICE_PATCH: catalogue.handle_service_patch,
    MutationName.EXCEPTION_CREATE: catalogue.handle_exception_create,
    MutationName.EXCEPTION_DELETE: catalogue.handle_exception_delete,
    MutationName.SALON_PATCH: catalogue.handle_salon_patch,
}

# Mutations whose handler creates their own entity without reading it (records.ensure_new): their row is
# not prefetched (issue #14: one statement less per create; a taken id fails on the primary key).
UNREAD_CREATES = frozenset({
    MutationName.BOOKING_CREATE, MutationName.CUSTOMER_CREATE, MutationName.WALK_IN_CREATE,
    MutationName.WAITLIST_CREATE, MutationName.DESK_USER_CREATE, MutationName.STAFF_CREATE,
    MutationName.SERVICE_CREATE, MutationName.EXCEPTION_CREATE,
})


class Carry:
    """What one push request carries from a mutation's transaction to the next (issue #14): the rows its
    ChangeSet read or wrote, reused by the next mutation when no other writer of the salon committed in
    between (the next seq is exactly one more, and every write of a replicated row takes a seq)."""

    def __init__(self) -> None:
        self._current: ChangeSet | None = None
        self._kept: tuple[int, dict[tuple[str, str], dict[str, Any] | None]] | None = None
        self.head: tuple[str, int] | None = None  # (epoch, seq) the last commit left the salon at
        self.anchor: tuple[int, str] | None = None  # the desk's audit chain head, until a commit keeps it
        self._anchoring = False  # the current transaction writes it

    def change_set(self, session: Session, salon_id: str) -> ChangeSet:
        self._current = ChangeSet(session, salon_id, carried=self._kept)
        return self._current

    def committed(self) -> None:
        """The current mutation's transaction committed: what its ChangeSet knows is now the salon's."""
        current, self._current = self._current, None
        self._kept = current.known_rows() if current is not None else None
        if self._anchoring:
            self.anchor, self._anchoring = None, False
        if current is not None and current.epoch is not None and self._kept is not None:
            self.head = (current.epoch, self._kept[0])  # it held the counter lock: nothing was later

    def dropped(self) -> None:
        self._current, self._kept = None, None
        self._anchoring = False

    def write_anchor(self, session: Session, device: AuthenticatedDevice, now: datetime) -> None:
        """The desk's audit chain head, in this write transaction (kept if it commits)."""
        if self.anchor is None:
            return
        seq, chain_hash = self.anchor
        if not users.anchor(session, device.salon_id, device.device_id, seq, chain_hash, now):
            log.warning("audit chain head contradicts its anchor", extra={"fields": {"seq": seq}})
        self._anchoring = True


Step = Callable[[Session, AuthenticatedDevice, Mutation, Carry], MutationResult]


class _Stopped(Exception):  # noqa: N818 - the fast path's control flow
    """The fast path's transaction was rolled back because of mutation `index` of its batch (`at_end`: after
    the last one, e.g. the receipts or the commit)."""

    def __init__(self, index: int, error: BaseException, *, at_end: bool = False) -> None:
        super().__init__(index)
        self.index, self.error, self.at_end = index, error, at_end
        self.transient = is_transient(error)
        expected = isinstance(error, Refusal | DomainError | NeedsOwnTransaction) or (
            isinstance(error, IntegrityError) and is_unique_violation(error)
        )
        self.unexpected = not (expected or self.transient or at_end)


class _Plan:
    """Where the request's loop goes next: how many mutations the next batch may hold, and what the careful
    path owes the mutation that stopped a batch (its first attempt number, or `retry`)."""

    def __init__(self, size: int) -> None:
        self.size, self.limit, self.careful_only = size, size, False
        self.stopped_at: str | None = None  # mutation id the last stop was about
        self.first_attempt = 1
        self.transient: BaseException | None = None  # the fault that stopped the batch: answer retry

    def stop(self, batch: list[Mutation], stopped: _Stopped) -> None:
        self.transient = stopped.error if stopped.transient else None
        if stopped.at_end:
            self.careful_only = True  # a race with another push, or the database failing: one at a time
            self.stopped_at, self.first_attempt = batch[0].mutation_id, 1
            return
        self.limit = stopped.index  # the ones before it, again, as a smaller batch; then it, carefully
        self.stopped_at = batch[stopped.index].mutation_id
        self.first_attempt = 2 if stopped.unexpected else 1

    def careful(self, mutation: Mutation, receipted: bool) -> bool:
        return receipted or self.careful_only or self.limit == 0 or mutation.mutation_id == self.stopped_at

    def done_careful(self) -> None:
        self.limit, self.stopped_at, self.first_attempt, self.transient = self.size, None, 1, None


def _batch(mutations: list[Mutation], position: int, limit: int, receipted: set[str]) -> list[Mutation]:
    """The next fast-path batch: up to `limit` mutations from `position`, none with a receipt."""
    batch = []
    for mutation in mutations[position : position + limit]:
        if mutation.mutation_id in receipted:
            break
        batch.append(mutation)
    return batch


def check_batch(mutations: list[Mutation]) -> None:
    """Rules of the batch as a whole (each envelope was validated by protocol.Mutation): distinct ids and
    device_seq increasing by one, as a desk's outbox sends them. Raises 422 before anything applies."""
    seen: set[str] = set()
    previous: int | None = None
    for mutation in mutations:
        if mutation.mutation_id in seen:
            raise ValidationError("sync.duplicate_mutation", mutation_id=mutation.mutation_id)
        seen.add(mutation.mutation_id)
        if previous is not None and mutation.device_seq != previous + 1:
            raise ValidationError("sync.bad_sequence", device_seq=mutation.device_seq, expected=previous + 1)
        previous = mutation.device_seq


class PushService:
    def __init__(
        self, db: Database, clock: Clock, notifier: SalonNotifier, metrics: CloudMetrics | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._notifier = notifier
        self._metrics = metrics or CloudMetrics()

    def push(self, device: AuthenticatedDevice, request: PushRequest) -> PushResponse:
        check_batch(request.mutations)
        plan = _Plan(BATCH_TRANSACTION.get(self._db.engine.dialect.name, 1))
        if request.epoch and device.salon_epoch is not None and device.salon_epoch != request.epoch:
            raise Conflict("epoch_changed", epoch=device.salon_epoch)  # read with the desk's token
        checked = not _receipts_can_wait(device, request.mutations, plan.size)
        receipted: set[str] = set()
        if checked or (request.epoch and device.salon_epoch is None):
            receipted = self._request_checks(device, request, receipts=checked)
        results: list[MutationResult] = []
        carry = Carry()
        if request.audit_head is not None:  # written by the first write transaction (or below)
            carry.anchor = (request.audit_head.seq, request.audit_head.hash)
        mutations, position = request.mutations, 0
        while position < len(mutations):
            mutation = mutations[position]
            if not plan.careful(mutation, mutation.mutation_id in receipted):
                batch = _batch(mutations, position, plan.limit, receipted)
                try:
                    results += self._batched(device, batch, carry)
                except _Stopped as stopped:
                    if not checked:  # the request's first transaction, rolled back: nothing is written yet
                        receipted, checked = self._request_checks(device, request, epoch=False), True
                    if stopped.unexpected:  # attempt 1 of ATTEMPTS; the careful path makes the others
                        self._failed_attempt(device, batch[stopped.index], 1, stopped.error)
                    plan.stop(batch, stopped)
                    continue
                position += len(batch)
                plan.limit = plan.size
                continue
            try:
                stopped_here = mutation.mutation_id == plan.stopped_at
                if stopped_here and plan.transient is not None:
                    raise plan.transient  # seen by the batch: not tried again in this request
                first = plan.first_attempt if stopped_here else 1
                results.append(
                    self._attempts(device, mutation, mutation.mutation_id in receipted, carry, first=first)
                )
            except DomainError:
                raise  # request-level answers (409 idempotency_key_reuse, device_rewound) after a race
            except Exception:  # transient (faults.is_transient): order is kept, the desk sends it again
                log.warning(
                    "mutation hit a transient fault; it and the rest of the batch answer retry",
                    exc_info=True,
                    extra={"fields": _log_fields(device, mutation)},
                )
                self._metrics.sync_errors.labels("transient").inc()
                results += [
                    MutationResult(mutation_id=m.mutation_id, status="retry", code="unavailable")
                    for m in mutations[position:]
                ]
                break
            plan.done_careful()
            position += 1
        for result in results:
            self._metrics.sync_mutations.labels(result.status).inc()
        if carry.anchor is not None:  # no write transaction of this request committed: one of its own
            with self._db.session() as session:
                carry.write_anchor(session, device, self._clock.now())
                session.commit()
        # No wake-up call here: each ChangeSet announced its own commit (notify.announce), in every process.
        epoch, head = self._head(device.salon_id, results, carry)
        return PushResponse(
            epoch=epoch, results=results, head_seq=head, server_time=format_instant(self._clock.now())
        )

    def _head(self, salon_id: str, results: list[MutationResult], carry: Carry) -> tuple[str, int]:
        """The salon's epoch and head seq for the answer. When the last answer is this request's own last
        commit, that commit's seq was the head when it committed (it held the counter lock), so no read is
        needed (issue #14: a statement less per push); otherwise it is read."""
        if carry.head is not None and results and results[-1].server_seq == carry.head[1]:
            return carry.head
        with self._db.lookup() as connection:
            epoch, head = connection.execute(_HEAD, {"salon": salon_id}).one()
            return str(epoch), int(head)

    def _request_checks(
        self, device: AuthenticatedDevice, request: PushRequest, *, epoch: bool = True, receipts: bool = True
    ) -> set[str]:
        """The request-level answers (409 epoch_changed, idempotency_key_reuse, device_rewound) before
        anything of the request is written; returns the mutation ids that already have a receipt."""
        with self._db.lookup() as connection:  # no transaction
            if epoch and request.epoch:
                _check_epoch(connection, device.salon_id, request.epoch)
            return _check_receipts(connection, device, request.mutations) if receipts else set()

    def _batched(
        self, device: AuthenticatedDevice, batch: list[Mutation], carry: Carry
    ) -> list[MutationResult]:
        """The fast path: `batch` in one transaction, committed only if every mutation applied; raises
        _Stopped (everything rolled back) otherwise."""
        with self._db.session() as session:
            changes = carry.change_set(session, device.salon_id)
            changes.batched = True
            results: list[MutationResult] = []
            receipts: list[dict[str, Any]] = []
            index = 0
            try:
                changes.seq  # noqa: B018 - the salon's counter lock, first
                _prefetch(changes, batch)
                for index, mutation in enumerate(batch):
                    if index:
                        changes.next_mutation()
                    now = self._clock.now()
                    ctx = CommandContext(mutation, device.device_id, device.name, changes, now)
                    results.append(_result(mutation.mutation_id, _apply(ctx), changes))
                    receipts.append(_receipt(device, mutation, results[-1], now, mutation.payload_sha256()))
            except Exception as error:
                session.rollback()
                carry.dropped()
                raise _Stopped(index, error) from error
            try:
                carry.write_anchor(session, device, receipts[-1]["received_at"])
                session.execute(_NEW_RECEIPTS, receipts)
                advanced = session.execute(
                    _ADVANCE_DEVICE, _advance(device, batch[0].device_seq, batch[-1].device_seq)
                )
                if isinstance(advanced, CursorResult) and advanced.rowcount == 0:
                    raise LookupError("the device's last device_seq moved: another push of this desk")
                session.commit()
            except Exception as error:
                session.rollback()
                carry.dropped()
                raise _Stopped(0, error, at_end=True) from error
            carry.committed()
            return results

    def _failed_attempt(
        self, device: AuthenticatedDevice, mutation: Mutation, attempt: int, error: BaseException
    ) -> None:
        log.error(
            "mutation failed unexpectedly (attempt %d of %d)",
            attempt,
            ATTEMPTS,
            exc_info=error,
            extra={"fields": _log_fields(device, mutation)},
        )
        self._metrics.sync_errors.labels("attempt_failed").inc()

    def _attempts(
        self,
        device: AuthenticatedDevice,
        mutation: Mutation,
        receipted: bool,
        carry: Carry,
        *,
        first: int = 1,
    ) -> MutationResult:
        """The mutation's answer; raises only request-level DomainErrors and transient faults. `first`: the
        fast path already made the attempts before it."""
        for attempt in range(first, ATTEMPTS + 1):
            try:
                return self._one(device, mutation, self._run, carry, receipted=receipted)
            except DomainError:
                raise
            except Exception as error:
                if is_transient(error):
                    raise
                self._failed_attempt(device, mutation, attempt, error)
        log.error(
            "mutation refused as server_error after %d attempts",
            ATTEMPTS,
            extra={"fields": _log_fields(device, mutation)},
        )
        self._metrics.sync_errors.labels(SERVER_ERROR).inc()
        try:
            return self._one(device, mutation, self._server_error, carry, receipted=receipted)
        except DomainError:
            raise
        except Exception as error:
            if is_transient(error):
                raise
            log.exception("server_error could not be stored", extra={"fields": _log_fields(device, mutation)})
            return MutationResult(mutation_id=mutation.mutation_id, status="refused", code=SERVER_ERROR)

    def _one(
        self,
        device: AuthenticatedDevice,
        mutation: Mutation,
        step: Step,
        carry: Carry,
        *,
        receipted: bool = True,
    ) -> MutationResult:
        digest = mutation.payload_sha256()
        with self._db.session() as session:
            if receipted:  # the batch check saw a receipt: answer what was stored
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is not None:
                    return stored
            # No receipt when the batch was checked. A concurrent push of the same mutation waits on the
            # salon's counter lock (taken first by every writer), then fails on the receipt's primary key
            # below and answers the stored result; a rewound desk fails on its device_seq. Either way the
            # transaction, the handler's work included, is rolled back. (Issue #14: one statement for the
            # receipt and one for the device, no reads, on the happy path.)
            result = step(session, device, mutation, carry)
            receipt = _receipt(device, mutation, result, self._clock.now(), digest)
            try:
                carry.write_anchor(session, device, receipt["received_at"])
                session.execute(_NEW_RECEIPTS, receipt)
            except IntegrityError:
                session.rollback()
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is None:
                    raise
                return stored
            advanced = session.execute(
                _ADVANCE_DEVICE, _advance(device, mutation.device_seq, mutation.device_seq)
            )
            if isinstance(advanced, CursorResult) and advanced.rowcount == 0:
                session.rollback()
                stored = _stored_result(session, device.salon_id, mutation, digest)
                if stored is not None:
                    return stored
                raise Conflict("device_rewound", last_device_seq=session.scalar(_last_device_seq(device)))
            session.commit()
            carry.committed()
            return result

    def _run(
        self, session: Session, device: AuthenticatedDevice, mutation: Mutation, carry: Carry
    ) -> MutationResult:
        """The handler runs in the mutation's own transaction, with no savepoint around it (issue #14: two
        statements less per mutation): a refusal rolls the whole transaction back and records its conflict
        card in a fresh one. That is possible because the receipt is written after the handler."""
        changes = carry.change_set(session, device.salon_id)
        changes.seq  # noqa: B018 - take the salon's counter lock before anything else
        ctx = CommandContext(mutation, device.device_id, device.name, changes, self._clock.now())
        try:
            outcome = _apply(ctx)
        except Refusal as refusal:
            return _refused(_afresh(ctx, carry), refusal)
        except DomainError as error:  # a domain rule refused the arguments
            return _refused(_afresh(ctx, carry), Refusal("invalid", error.code, **error.params))
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            # An id the salon already uses (keys are (salon_id, id): another salon's ids never collide).
            # Said without any detail of that row, and never `retry` (it would fail the same way for ever).
            return _refused(_afresh(ctx, carry), Refusal("invalid", "sync.id_taken", entity=mutation.entity))
        return _result(mutation.mutation_id, outcome, changes)

    def _server_error(
        self, session: Session, device: AuthenticatedDevice, mutation: Mutation, carry: Carry
    ) -> MutationResult:
        """The answer to a mutation that failed ATTEMPTS times: refused, with a card every desk sees."""
        changes = carry.change_set(session, device.salon_id)
        kept = mutation.model_copy(update={"args": schemas.scrub(mutation.args)})  # storable on any database
        ctx = CommandContext(kept, device.device_id, device.name, changes, self._clock.now())
        return _refused(ctx, Refusal("invalid", SERVER_ERROR), best_effort=True)


# Built once: a push runs them every time (issue #14).
_SALON_SYNC = cast(Table, SalonSyncRow.__table__)
_EPOCH = select(_SALON_SYNC.c.epoch).where(_SALON_SYNC.c.salon_id == bindparam("salon"))
_HEAD = select(_SALON_SYNC.c.epoch, _SALON_SYNC.c.last_seq).where(_SALON_SYNC.c.salon_id == bindparam("salon"))
_RECEIPT_DIGESTS = select(RECEIPTS.c.mutation_id, RECEIPTS.c.payload_sha256).where(
    RECEIPTS.c.salon_id == bindparam("salon"), RECEIPTS.c.mutation_id.in_(bindparam("ids", expanding=True))
)


# The device's last device_seq moves forward only: 0 rows when another push of this desk got there first.
_ADVANCE_DEVICE = (
    update(DEVICES)
    .where(
        DEVICES.c.salon_id == bindparam("salon"),
        DEVICES.c.id == bindparam("device"),
        DEVICES.c.last_device_seq < bindparam("first_seq"),
    )
    .values(last_device_seq=bindparam("last_seq"))
)


def _advance(device: AuthenticatedDevice, first_seq: int, last_seq: int) -> dict[str, Any]:
    return {"salon": device.salon_id, "device": device.device_id, "first_seq": first_seq, "last_seq": last_seq}


def _receipts_can_wait(device: AuthenticatedDevice, mutations: list[Mutation], batch_size: int) -> bool:
    """Whether the receipts need not be read before the first transaction (issue #14: a statement and a
    connection less per push). True when every mutation comes after the desk's last device_seq and all fit
    in one transaction: then a receipt can exist only for an id the desk used before at a lower seq (or one
    a concurrent push of this desk just wrote), and the first transaction's receipt INSERT meets it, rolls
    back whole, and the receipts are read then, before anything of the request is written."""
    return len(mutations) <= batch_size and all(m.device_seq > device.last_device_seq for m in mutations)


def _check_epoch(connection: Connection, salon_id: str, epoch: str) -> None:
    """A desk still on an older epoch must recover first (specs/sync.md §3.15): re-push its recent
    acknowledged mutations before newer ones, or their device_seq order would break."""
    current = connection.scalar(_EPOCH, {"salon": salon_id})
    if current is not None and current != epoch:
        raise Conflict("epoch_changed", epoch=current)


def _check_receipts(
    connection: Connection, device: AuthenticatedDevice, mutations: list[Mutation]
) -> set[str]:
    """The request-level answers, before the first mutation runs: a batch is never half-written.
    Returns the mutation ids that already have a receipt (their stored answer is read again later)."""
    if not mutations:
        return set()
    ids = [m.mutation_id for m in mutations]
    digests = dict(connection.execute(_RECEIPT_DIGESTS, {"salon": device.salon_id, "ids": ids}).all())
    # As read when the desk was authenticated, just before. A push of this desk committing since is
    # caught where it matters: its receipts' keys and the device_seq update of the write transaction.
    last_seq = device.last_device_seq
    for mutation in mutations:
        digest = digests.get(mutation.mutation_id)
        if digest is not None and digest != mutation.payload_sha256():
            raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
        if digest is None and mutation.device_seq <= (last_seq or 0):
            raise Conflict("device_rewound", last_device_seq=last_seq)
    return {str(mutation_id) for mutation_id in digests}


def _apply(ctx: CommandContext) -> Outcome:
    """Checks and runs the mutation's handler; a refusal raises."""
    records.validate(ctx)  # the mutation's schema (sync/schemas.py), before any handler reads it
    authority.check(ctx)  # the actor's role in the cloud's copy of the salon's users (issue #10)
    handler = HANDLERS.get(ctx.mutation.name)
    if handler is None:
        raise Refusal("invalid", "sync.unknown_mutation", name=ctx.mutation.name)
    return handler(ctx)


def _prefetch(changes: ChangeSet, batch: list[Mutation]) -> None:
    """What the batch's handlers read first, one statement per entity: the rows its mutations name, and
    their actors' desk users (the authority check). Ids are canonical: the envelope checked them."""
    wanted: dict[str, list[str]] = {}
    for mutation in batch:
        if mutation.entity in REPLICATED_TABLES and mutation.name not in UNREAD_CREATES:
            wanted.setdefault(mutation.entity, []).append(mutation.entity_id)
        if mutation.actor.desk_user_id:
            wanted.setdefault(users.ENTITY, []).append(mutation.actor.desk_user_id)
    for entity, entity_ids in wanted.items():
        changes.prefetch(entity, entity_ids)


def _result(mutation_id: str, outcome: Outcome, changes: ChangeSet) -> MutationResult:
    return MutationResult(
        mutation_id=mutation_id,
        status=outcome.status,
        code=outcome.code,
        params=outcome.params,
        server_seq=changes.seq,
        conflict_id=outcome.conflict_id,
        rows=changes.rows,
    )


def _receipt(
    device: AuthenticatedDevice, mutation: Mutation, result: MutationResult, now: datetime, digest: bytes
) -> dict[str, Any]:
    """The mutation's receipt row; `digest`: of the mutation as sent (`payload_sha256`)."""
    return {
        "salon_id": device.salon_id,
        "mutation_id": mutation.mutation_id,
        "device_id": device.device_id,
        "device_seq": mutation.device_seq,
        "payload_sha256": digest,
        "status": result.status,
        "code": result.code,
        "result": result.model_dump(mode="json"),
        "received_at": now,
    }


def _last_device_seq(device: AuthenticatedDevice) -> Select[int]:
    return select(DeviceRow.last_device_seq).where(
        DeviceRow.salon_id == device.salon_id, DeviceRow.id == device.device_id
    )


def _stored_result(
    session: Session, salon_id: str, mutation: Mutation, digest: bytes
) -> MutationResult | None:
    receipt = session.scalars(
        select(MutationReceiptRow).where(
            MutationReceiptRow.salon_id == salon_id, MutationReceiptRow.mutation_id == mutation.mutation_id
        )
    ).first()
    if receipt is None:
        return None
    if receipt.payload_sha256 != digest:
        raise Conflict("idempotency_key_reuse", mutation_id=mutation.mutation_id)
    return MutationResult.model_validate(receipt.result)


def _afresh(ctx: CommandContext, carry: Carry) -> CommandContext:
    """The mutation's transaction rolled back, and a new one (holding the salon's counter lock again) for
    its conflict card: the context now writes through a ChangeSet of the new transaction."""
    session = ctx.changes.session
    session.rollback()
    carry.dropped()
    ctx.changes = carry.change_set(session, ctx.salon_id)
    ctx.changes.seq  # noqa: B018 - the counter lock, first
    return ctx


def _refused(ctx: CommandContext, refusal: Refusal, *, best_effort: bool = False) -> MutationResult:
    ctx.changes.discard()  # nothing the handler wrote is kept
    mutation = ctx.mutation
    conflict_id = ctx.record_conflict(
        refusal.kind, mutation.entity, mutation.entity_id, code=refusal.code, params=_jsonable(refusal.params)
    )
    return MutationResult(
        mutation_id=mutation.mutation_id,
        status="refused",
        code=refusal.code,
        params=_jsonable(refusal.params),
        server_seq=ctx.changes.seq,
        conflict_id=conflict_id,
        rows=[*ctx.changes.rows, *(_entity_rows_if_readable(ctx) if best_effort else _entity_rows(ctx))],
    )


def _entity_rows_if_readable(ctx: CommandContext) -> list[RowChange]:
    """_entity_rows for a mutation that made the server fail: best effort, in a savepoint of its own."""
    try:
        with ctx.changes.session.begin_nested():
            return _entity_rows(ctx)
    except Exception as error:
        if is_transient(error):
            raise
        log.warning("the refused mutation's rows could not be read", exc_info=True)
        return []


def _entity_rows(ctx: CommandContext) -> list[RowChange]:
    """The server's present version of what the desk changed optimistically, so the desk can undo it."""
    entity, entity_id = ctx.mutation.entity, ctx.mutation.entity_id
    if entity not in ENTITY_FIELDS:
        return []
    rows = current_rows(ctx.changes.session, ctx.salon_id, entity, [entity_id])
    if entity == "booking":
        item_ids = [i["id"] for i in bookings.booking_items(ctx, entity_id)]
        rows += current_rows(ctx.changes.session, ctx.salon_id, "booking_item", item_ids)
    return rows


def _jsonable(params: dict[str, object]) -> dict[str, object]:
    return {
        k: v if isinstance(v, bool | int | float | str) or v is None else str(v) for k, v in params.items()
    }


def _log_fields(device: AuthenticatedDevice, mutation: Mutation) -> dict[str, object]:
    return {
        "mutation_id": mutation.mutation_id,
        "mutation": mutation.name,
        "device_id": device.device_id,
        "salon_id": device.salon_id,
    }
