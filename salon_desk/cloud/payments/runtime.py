"""Building the payments service, and the job that applies webhook events and reconciles.

The job runs inside the API process when SALON_PAYMENTS_IN_PROCESS is set (the demo does), or as
`salon-cloud payments work`; `salon-cloud payments reconcile` runs one reconciliation pass. Several may run at
once: every step re-reads and merges forward, and leases keep two from creating one invoice twice.
"""

from __future__ import annotations

import logging
import threading

from ..clock import Clock
from ..db import Database
from ..settings import CloudSettings
from .keys import KeyBox
from .moyasar import MoyasarClient
from .provider import PaymentProvider
from .service import PaymentsService

log = logging.getLogger(__name__)


def build_payments(
    settings: CloudSettings, db: Database, clock: Clock, *, provider: PaymentProvider | None = None
) -> PaymentsService:
    keybox = KeyBox(settings.payments_key.get_secret_value()) if settings.payments_key is not None else None
    provider = provider or MoyasarClient(settings.moyasar_base_url, timeout_seconds=settings.payments_timeout_seconds)
    return PaymentsService(db, clock, provider, keybox, public_base_url=settings.public_base_url)


class PaymentsRunner:
    """Applies stored webhook events as soon as they arrive, and reconciles every `reconcile_every` seconds."""

    def __init__(self, payments: PaymentsService, *, poll_seconds: float = 5.0, reconcile_every: float = 300.0):
        self._payments = payments
        self._poll = poll_seconds
        self._reconcile_every = reconcile_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="payments-job", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._payments.wakeup.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        since_reconcile = 0.0
        while not self._stop.is_set():
            self._payments.wakeup.wait(self._poll)
            self._payments.wakeup.clear()
            if self._stop.is_set():
                return
            try:
                while self._payments.apply_pending() and not self._stop.is_set():
                    pass
                self._payments.run_deposit_refunds()  # the deposit policy's refunds (cancel, no-show)
                since_reconcile += self._poll
                if since_reconcile >= self._reconcile_every:
                    since_reconcile = 0.0
                    self._payments.reconcile()
            except Exception:  # the job must outlive one bad pass; the next pass retries
                log.exception("payments job pass failed")
