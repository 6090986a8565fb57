"""Public codes are handed to the provider after the answer, on a few background threads: a request for a
customer's phone and one for any other phone answer alike and at once, whatever the provider's latency.

    queue.submit(lambda: send(...))     # never raises into the request
    queue.wait_idle(timeout=10)         # tests, and shutdown, wait for what is queued
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class DeliveryQueue:
    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otp-send")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, job: Callable[[], None]) -> None:
        with self._idle:
            self._pending += 1
        try:
            self._pool.submit(self._run, job)
        except RuntimeError:  # shutting down: the code is not sent; the customer asks again
            self._done()
            log.warning("otp delivery refused: shutting down")

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("otp delivery failed")
        finally:
            self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()
