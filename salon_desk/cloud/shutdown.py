"""A `salon-cloud serve` process told to stop (SIGTERM from systemd or a rolling deploy, Ctrl-C) first ends its
long-polls, so it stops at once instead of after the longest wait (uvicorn finishes running requests before
it shuts the app down), and its desks reconnect — behind the proxy, to a process that is staying.

uvicorn installs its own handlers for these signals before the app starts; ours runs first and hands over.
The drain itself goes to the event loop (a signal may arrive while the loop thread holds a lock).
An embedded server (the demo, the tests' threads) has no signals: it calls `sync.api.drain_long_polls` itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def drain_on_exit_signals(loop: asyncio.AbstractEventLoop, drain: Callable[[], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}

    def on_exit_signal(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop already closed: nothing waits any more
            loop.call_soon_threadsafe(drain)
        chained = previous[signum]
        if callable(chained):
            chained(signum, frame)
        else:  # nobody else was listening: the signal's own default, as if we had not been here
            signal.signal(signum, chained if chained is not None else signal.SIG_DFL)
            signal.raise_signal(signum)

    for sig in EXIT_SIGNALS:
        signal.signal(sig, on_exit_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if signal.getsignal(signum) is on_exit_signal and handler is not None:
                signal.signal(signum, handler)
