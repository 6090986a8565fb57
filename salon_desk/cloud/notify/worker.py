"""The notification worker: claim due jobs, send them, record the outcome; also runs the reminder scheduler.

    worker = NotificationWorker(db, notifier, clock, settings, public_base_url=...)
    worker.run_once()        # one claim-send-record round; returns how many jobs it sent or failed
    worker.start() / stop()  # a background thread (`salon-cloud worker`, or inside `serve`)

Delivery is at most once per job: a job is sent only by the worker holding its lease. A worker that dies
mid-send leaves the job `sending`; when the lease runs out the job becomes `dead` with `outcome_unknown`
(the customer may have it already, and neither provider takes an idempotency key), never resent blindly.
Retryable failures wait `backoff(attempts)` and become `dead` after `max_attempts`.

Poison-proof: each job is prepared inside its own savepoint and each outcome is recorded in its own
transaction, so a job that raises (bad data, a bug) rolls back only itself. It is recorded as failed
(`prepare_failed`), retried after the same backoff and dead-lettered after `max_attempts`, while the rest
of the round goes on. Rounds are fair across salons (see `claim.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from salon_desk.domain.phone import mask_phone

from ..clock import Clock
from ..db import Database
from ..links.service import issue_link
from ..sync.changes import ChangeSet
from .claim import Claimed, LinkIssuer, Preparer, due_jobs, due_salons, expired_leases, plan_round
from .events import JobStatus
from .outbox import publish
from .providers import Delivery, DeliveryFailed, Notifier
from .rows import NotificationJobRow
from .scheduler import schedule_reminders
from .settings import NotifySettings

log = logging.getLogger(__name__)

PREPARE_FAILED = "prepare_failed"  # the job's own data or code raised while it was prepared
OUTCOME_UNKNOWN = "outcome_unknown"  # sending raised, or a lease ran out: the customer may have it


@dataclass(frozen=True)
class SendOutcome:
    claimed: Claimed
    delivery: Delivery | None = None
    failure: DeliveryFailed | None = None


class NotificationWorker:
    def __init__(
        self,
        db: Database,
        notifier: Notifier,
        clock: Clock,
        settings: NotifySettings,
        *,
        public_base_url: str | None = None,
        link_issuer: LinkIssuer | None = None,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self._db, self._notifier, self._clock, self._settings = db, notifier, clock, settings
        self._preparer = Preparer(settings, link_issuer or _links(public_base_url))
        self._on_change = on_change or (lambda _salon_id: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_schedule: float | None = None
        self._after_salon: str | None = None  # round-robin position over salons with due jobs

    # -- one round

    def run_once(self) -> int:
        """One round; returns how many due jobs it handled (sent, failed, skipped or deferred)."""
        claimed, touched = self._claim()
        outcomes = [self._send(c) for c in claimed]
        if outcomes:
            self._record(outcomes)
        return touched

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            total += done
            if not done:
                break
        return total

    def schedule(self) -> int:
        """Queues the reminders that are due now; returns how many."""
        created = schedule_reminders(self._db, self._clock.now(), self._settings)
        for salon_id in created:
            self._on_change(salon_id)
        return sum(created.values())

    def claim(self) -> list[Claimed]:
        """Leases due jobs to this worker and returns what to send (tests call it to play a crash)."""
        return self._claim()[0]

    def _claim(self) -> tuple[list[Claimed], int]:
        now = self._clock.now()
        self._expire_leases(now)
        claimed: list[Claimed] = []
        touched = 0
        with self._db.session() as session:
            salons = due_salons(session, now, self._after_salon, self._settings.batch_size)
            plan, last = plan_round(salons, self._settings.batch_size, self._settings.per_salon)
            self._after_salon = last or self._after_salon  # the next round starts with the salon after it
            changed: dict[str, list[NotificationJobRow]] = defaultdict(list)
            for salon_id, limit in plan:
                jobs = due_jobs(session, now, limit, salon_id=salon_id)
                if not jobs:
                    continue
                changes = ChangeSet(session, salon_id)
                changes.seq  # noqa: B018 - the salon's counter lock, taken outside every job's savepoint
                for job in jobs:
                    touched += 1
                    found = self._prepare_one(session, changes, job, now)
                    if found is not None:
                        claimed.append(found)
                    else:
                        changed[salon_id].append(job)  # skipped, deferred or failed
            session.commit()
        self._announce(changed)
        return claimed, touched

    def _expire_leases(self, now: datetime) -> None:
        with self._db.session() as session:
            changed: dict[str, list[NotificationJobRow]] = defaultdict(list)
            for job in expired_leases(session, now, self._settings.batch_size):
                job.status, job.error, job.updated_at = JobStatus.DEAD.value, OUTCOME_UNKNOWN, now
                changed[job.salon_id].append(job)
            if changed:
                _publish_all(session, changed)
                session.commit()
        self._announce(changed)

    def _prepare_one(
        self, session: Session, changes: ChangeSet, job: NotificationJobRow, now: datetime
    ) -> Claimed | None:
        """Prepares one job in its own savepoint; a job that raises is recorded as failed on its own."""
        job_id, mark = job.id, changes.mark()
        try:
            with session.begin_nested():
                found = self._preparer.prepare(session, job, now)
                if found is None and job.status != JobStatus.PENDING:
                    publish(changes, job)  # skipped: desks see why
                return found
        except Exception:  # noqa: BLE001 - any fault of this one job stays with this job
            changes.rewind(mark)
            log.exception("notification job could not be prepared", extra={"fields": {"job": job_id}})
        self._fail_preparation(session, changes, job_id, now)
        return None

    def _fail_preparation(self, session: Session, changes: ChangeSet, job_id: str, now: datetime) -> None:
        """Counts the failed attempt: retried after the backoff, dead after `max_attempts`."""
        mark = changes.mark()
        try:
            with session.begin_nested():
                job = session.get(NotificationJobRow, (changes.salon_id, job_id), populate_existing=True)
                assert job is not None
                self._count_failure(job, now)
                publish(changes, job)
            return
        except Exception:  # noqa: BLE001 - even its desk-visible copy cannot be written: the job alone
            changes.rewind(mark)
            log.exception("failed notification job not published", extra={"fields": {"job": job_id}})
        with session.begin_nested():
            job = session.get(NotificationJobRow, (changes.salon_id, job_id), populate_existing=True)
            assert job is not None
            self._count_failure(job, now)

    def _count_failure(self, job: NotificationJobRow, now: datetime) -> None:
        job.attempts += 1
        job.error, job.lease_until, job.updated_at = PREPARE_FAILED, None, now
        if job.attempts >= self._settings.max_attempts:
            job.status = JobStatus.DEAD.value
        else:
            job.status = JobStatus.FAILED.value
            job.next_attempt_at = now + self._settings.backoff(job.attempts)

    def _send(self, claimed: Claimed) -> SendOutcome:
        try:
            delivery = self._notifier.send(
                claimed.channel,
                claimed.phone,
                claimed.body,
                key=claimed.job_id,
                salon_id=claimed.salon_id,
                sender_name=claimed.sender_name,
            )
        except DeliveryFailed as failure:
            log.warning(
                "notification not delivered",
                extra={
                    "fields": {
                        "job": claimed.job_id,
                        "code": failure.code,
                        "phone": mask_phone(claimed.phone),
                    }
                },
            )
            return SendOutcome(claimed, failure=failure)
        except Exception:  # noqa: BLE001 - a provider bug on one message: the others still go out
            log.exception("notification send raised", extra={"fields": {"job": claimed.job_id}})
            # The provider may have taken it: never resent blindly (as for an expired lease).
            return SendOutcome(claimed, failure=DeliveryFailed(OUTCOME_UNKNOWN, retryable=False))
        return SendOutcome(claimed, delivery=delivery)

    def _record(self, outcomes: list[SendOutcome]) -> None:
        """Each outcome in its own transaction: one that cannot be written never loses the others (its job
        stays `sending` until the lease runs out, then is dead with `outcome_unknown`)."""
        for outcome in sorted(outcomes, key=lambda o: o.claimed.salon_id):
            try:
                self._record_one(outcome)
            except Exception:  # noqa: BLE001 - the next outcome is still recorded
                log.exception(
                    "notification outcome not recorded", extra={"fields": {"job": outcome.claimed.job_id}}
                )

    def _record_one(self, outcome: SendOutcome) -> None:
        now = self._clock.now()
        with self._db.session() as session:
            job = session.get(NotificationJobRow, (outcome.claimed.salon_id, outcome.claimed.job_id))
            assert job is not None
            self._apply_outcome(job, outcome, now)
            _publish_all(session, {job.salon_id: [job]})
            session.commit()
        self._on_change(outcome.claimed.salon_id)

    def _apply_outcome(self, job: NotificationJobRow, outcome: SendOutcome, now: datetime) -> None:
        job.lease_until, job.updated_at = None, now
        if outcome.delivery is not None:
            job.status, job.error = JobStatus.SENT.value, None
            job.provider, job.provider_id = outcome.delivery.provider, outcome.delivery.provider_id
            job.sent_channel = outcome.delivery.channel.value
            return
        assert outcome.failure is not None
        job.error = outcome.failure.code
        if outcome.failure.retryable and job.attempts < self._settings.max_attempts:
            job.status, job.next_attempt_at = (
                JobStatus.FAILED.value,
                now + self._settings.backoff(job.attempts),
            )
        else:
            job.status = JobStatus.DEAD.value

    def _announce(self, changed: dict[str, list[NotificationJobRow]]) -> None:
        for salon_id in changed:
            self._on_change(salon_id)

    # -- the background loop

    def start(self) -> NotificationWorker:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="notification-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._maybe_schedule()
                busy = self.run_once()
            except Exception:  # a database hiccup must not end the worker; the next round retries
                log.exception("notification round failed")
                busy = 0
            if not busy:
                self._stop.wait(self._settings.poll_seconds)

    def _maybe_schedule(self) -> None:
        tick = time.monotonic()
        if self._last_schedule is None or tick - self._last_schedule >= self._settings.scheduler_seconds:
            self._last_schedule = tick
            self.schedule()


def _publish_all(session: Session, changed: dict[str, list[NotificationJobRow]]) -> None:
    for salon_id, jobs in sorted(changed.items()):  # one lock order for every worker: no deadlocks
        changes = ChangeSet(session, salon_id)
        for job in jobs:
            publish(changes, job)


def _links(public_base_url: str | None) -> LinkIssuer:
    def issue(session: Session, salon_id: str, booking_id: str, now: datetime) -> str:
        return issue_link(session, salon_id, booking_id, now, base_url=public_base_url)

    return issue
