"""The few threads that run the hot database work (issue #14): authenticating a desk, applying its push,
and showing a customer their booking page.

    device = await run_hot(request, services.devices.authenticate, token)

FastAPI runs every plain `def` endpoint and dependency on one shared pool of 40 threads. A push makes a
dozen short round trips to the database, letting go of the GIL at each and taking it back after; with
dozens of threads doing that at once on two cores, every take-back queues behind the others (the convoy
effect), so under load a push cost more CPU and waited far longer: measured on this 2-core machine, two
`serve` processes answered 148 single pushes/s with the 40 threads and 277/s with 2 threads each. So this
work has its own small limiter per process (SALON_HOT_THREADS, default 2). Work that waits on someone
else (Moyasar, Authentica, a long pull page) stays on the shared pool, and never holds these threads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Request

from .deps import CloudServices

T = TypeVar("T")

_LIMITER: RunVar[CapacityLimiter] = RunVar("salon_hot_threads")  # one per event loop


def _limiter(services: CloudServices) -> CapacityLimiter:
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(services.settings.hot_threads)
        _LIMITER.set(limiter)
        return limiter


async def run_hot(request: Request, function: Callable[..., T], *args: object) -> T:
    services: CloudServices = request.app.state.services
    return await to_thread.run_sync(partial(function, *args), limiter=_limiter(services))
