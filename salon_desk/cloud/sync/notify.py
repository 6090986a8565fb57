"""Long-poll wake-ups: one asyncio event per salon in this process (specs/sync.md §3.7).

A pull subscribes *before* it reads, so a push committing in between still wakes it. Push handlers run in
FastAPI's thread pool, so `notify` hands the wake-up to the event loop thread-safely. Several processes
would use PostgreSQL LISTEN/NOTIFY instead (DESIGN §5b); not built yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class SalonNotifier:
    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def subscribe(self, salon_id: str) -> asyncio.Event:
        """Call from the event loop; the event is set by the salon's next change."""
        self._loop = asyncio.get_running_loop()
        with self._lock:
            event = self._events.get(salon_id)
            if event is None:
                event = self._events[salon_id] = asyncio.Event()
            return event

    @staticmethod
    async def wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def notify(self, salon_id: str) -> None:
        with self._lock:
            event = self._events.pop(salon_id, None)  # later subscribers get a fresh event
        if event is None:
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)
        else:
            event.set()
