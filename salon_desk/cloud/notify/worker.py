"""The notification worker: claim due jobs, send them, record the outcome; also runs the reminder scheduler.

    worker = NotificationWorker(db, notifier, clock, settings, public_base_url=...)
    worker.run_once()        # one claim-send-record round; returns how many jobs it sent or failed
    worker.start() / stop()  # a background thread (`salon-cloud worker`, or inside `serve`)

Delivery is at most once per job: a job is sent only by the worker holding its lease. A worker that dies
mid-send leaves the job `sending`; when the lease runs out the job becomes `dead` with `outcome_unknown`
(the customer may have it already, and neither provider takes an idempotency key), never resent blindly.
Retryable failures wait `backoff(attempts)` and become `dead` after `max_attempts`.
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
from .claim import Claimed, LinkIssuer, Preparer, due_jobs, expired_leases
from .events import JobStatus
from .outbox import publish
from .providers import Delivery, DeliveryFailed, Notifier
from .rows import NotificationJobRow
from .scheduler import schedule_reminders
from .settings import NotifySettings

log = logging.getLogger(__name__)


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
        with self._db.session() as session:
            changed: dict[str, list[NotificationJobRow]] = defaultdict(list)
            for job in expired_leases(session, now, self._settings.batch_size):
                job.status, job.error, job.updated_at = JobStatus.DEAD.value, "outcome_unknown", now
                changed[job.salon_id].append(job)
            claimed, due = [], due_jobs(session, now, self._settings.batch_size)
            for job in due:
                found = self._preparer.prepare(session, job, now)
                if found is not None:
                    claimed.append(found)
                elif job.status != JobStatus.PENDING:
                    changed[job.salon_id].append(job)  # skipped: desks see why
            _publish_all(session, changed)
            session.commit()
        self._announce(changed)
        return claimed, len(due)

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
        return SendOutcome(claimed, delivery=delivery)

    def _record(self, outcomes: list[SendOutcome]) -> None:
        now = self._clock.now()
        with self._db.session() as session:
            changed: dict[str, list[NotificationJobRow]] = defaultdict(list)
            for outcome in sorted(outcomes, key=lambda o: o.claimed.salon_id):
                job = session.get(NotificationJobRow, outcome.claimed.job_id)
                assert job is not None
                self._apply_outcome(job, outcome, now)
                changed[job.salon_id].append(job)
            _publish_all(session, changed)
            session.commit()
        self._announce(changed)

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
