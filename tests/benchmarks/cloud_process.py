"""The cloud in a process of its own, as it is deployed: a desk never shares an interpreter (or its GIL) with
the cloud it syncs with. A benchmark that times a desk against the cloud serves it from here, on the test's
database and on a clock fixed at the instant the test gives (the same app and settings as the in-thread test
server, only in a child process).

    with cloud_process(database_url, at=DEMO_NOW) as base_url:
        ...   # enrol through the in-thread server (same database), sync against base_url
"""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import httpx


def _serve(database_url: str, at: str, listener: socket.socket) -> None:
    import uvicorn

    from salon_desk.cloud.app import create_app
    from salon_desk.cloud.clock import ManualClock
    from tests.cloud.conftest import cloud_settings

    app = create_app(cloud_settings(database_url), clock=ManualClock(datetime.fromisoformat(at)))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", ws="none", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[listener])


@contextlib.contextmanager
def cloud_process(database_url: str, at: datetime) -> Iterator[str]:
    """Serves the cloud from a spawned child process on 127.0.0.1; yields its base URL, stops it after."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    child = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(database_url, at.isoformat(), listener), name="cloud-process", daemon=True
    )
    child.start()
    try:
        wait_until_serving(
            base, lambda: None if child.is_alive() else f"the cloud process exited with {child.exitcode}"
        )
        yield base
    finally:
        child.terminate()
        child.join(15)
        if child.is_alive():
            child.kill()  # the process this context started, by its own handle
            child.join(5)
        listener.close()


def wait_until_serving(base: str, exited: Callable[[], str | None], seconds: float = 30) -> None:
    """Polls `base`/healthz until it answers 200; `exited()` describes the server's death (None: alive)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (death := exited()) is not None:
            raise AssertionError(death)
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the cloud at {base} did not start")
