"""Desks' authentication, their pushes and the booking page run on the hot threads (hot_threads.py, issue
#14): never more at once than SALON_HOT_THREADS, and never waiting for the shared pool that slow provider
calls may fill. A real app and a real event loop."""

from __future__ import annotations

import threading
import time

import anyio
from anyio import to_thread
from fastapi import FastAPI
from starlette.requests import Request

from salon_desk.cloud.app import create_app
from salon_desk.cloud.hot_threads import run_hot
from tests.helpers import run_in_own_loop

from .conftest import cloud_backend, cloud_database_url, cloud_settings  # noqa: F401 - fixtures


def _request(app: FastAPI) -> Request:
    return Request({"type": "http", "app": app, "method": "GET", "path": "/", "headers": []})


def test_at_most_the_configured_number_run_at_once(cloud_database_url: str) -> None:  # noqa: F811
    app = create_app(cloud_settings(cloud_database_url, hot_threads=2))
    running, most, lock = [0], [0], threading.Lock()

    def work() -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return threading.current_thread().name

    async def main() -> list[str]:
        names: list[str] = []

        async def one() -> None:
            names.append(await run_hot(_request(app), work))

        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(one)
        return names

    names = run_in_own_loop(main())
    app.state.services.db.dispose()

    assert len(names) == 8 and most[0] == 2


def test_they_answer_while_the_shared_pool_is_full(cloud_database_url: str) -> None:  # noqa: F811
    app = create_app(cloud_settings(cloud_database_url))

    async def main() -> str:
        shared = to_thread.current_default_thread_limiter()
        shared.total_tokens = 1
        await shared.acquire()  # every shared thread busy, as with slow provider calls
        try:
            with anyio.fail_after(5):
                return await run_hot(_request(app), lambda: "answered")
        finally:
            shared.release()

    assert run_in_own_loop(main()) == "answered"
    app.state.services.db.dispose()
