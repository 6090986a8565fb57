"""A raw asyncio HTTP/1.1 load client, run in its own process (tests/benchmarks/test_scale_bench.py).

    python tests/benchmarks/http_load.py longpoll SPEC.json   # hold idle long-polls until stdin closes
    python tests/benchmarks/http_load.py rate SPEC.json       # N concurrent clients for S seconds, latencies

No HTTP library: one small coroutine per connection reading and writing bytes, so the client itself costs
little and thousands of sockets fit in one process. It raises its own RLIMIT_NOFILE to the hard limit.
`longpoll` SPEC: {"targets": [[host, port], ...], "polls": [[path, token], ...], "connect_at_once": 200}.
It prints `{"event": "ready", ...}` once every poll has been sent, and a summary when stdin closes.
`rate` SPEC: {"targets": [[host, port], ...], "path": "/b/…", "connections": 200, "seconds": 5, "headers": {}}.
It prints one JSON summary with the p50/p99 latencies in ms and the requests per second.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from typing import Any


def raise_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def request(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


async def read_response(reader: asyncio.StreamReader) -> int:
    """Reads one response (Content-Length or chunked body); returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    fields = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
    }
    if b"content-length" in fields:
        await reader.readexactly(int(fields[b"content-length"]))
    elif fields.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


# ---------------------------------------------------------------- idle long-polls


class Polls:
    def __init__(self) -> None:
        self.sent = 0
        self.answered = 0
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}


async def one_poll(target: tuple[str, int], path: str, token: str, polls: Polls, gate: asyncio.Semaphore,
                   first: asyncio.Event) -> None:
    host, port = target
    message = request(f"{host}:{port}", path, {"Authorization": f"Bearer {token}", "Salon-Sync-Protocol": "1"})
    async with gate:  # do not open thousands of connections in the same instant
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(message)
            await writer.drain()
        except OSError as exc:
            polls.errors[type(exc).__name__] = polls.errors.get(type(exc).__name__, 0) + 1
            return
    polls.sent += 1
    first.set()
    try:
        while True:  # when a poll ends (its timeout), poll again: the desk's steady state
            status = await read_response(reader)
            polls.statuses[status] = polls.statuses.get(status, 0) + 1
            polls.answered += 1
            writer.write(message)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError) as exc:
        polls.errors[type(exc).__name__] = polls.errors.get(type(exc).__name__, 0) + 1
    finally:
        writer.close()


async def longpoll(spec: dict[str, Any]) -> None:
    targets = [tuple(t) for t in spec["targets"]]
    polls, gate, first = Polls(), asyncio.Semaphore(spec.get("connect_at_once", 200)), asyncio.Event()
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(one_poll(targets[i % len(targets)], path, token, polls, gate, first))  # type: ignore[arg-type]
        for i, (path, token) in enumerate(spec["polls"])
    ]
    while polls.sent + sum(polls.errors.values()) < len(tasks):
        await asyncio.sleep(0.05)
    print(json.dumps({"event": "ready", "sent": polls.sent, "errors": polls.errors,
                      "seconds": time.perf_counter() - started}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"event": "done", "sent": polls.sent, "answered": polls.answered,
                      "statuses": polls.statuses, "errors": polls.errors}), flush=True)


# ---------------------------------------------------------------- request rate and latency


async def rate(spec: dict[str, Any]) -> None:
    targets = [tuple(t) for t in spec["targets"]]
    latencies: list[float] = []
    failures: dict[str, int] = {}
    deadline = time.perf_counter() + spec["seconds"]

    async def client(k: int) -> None:
        host, port = targets[k % len(targets)]
        message = request(f"{host}:{port}", spec["path"], spec.get("headers", {}))
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(message)
                await writer.drain()
                status = await read_response(reader)
                if status != 200:
                    failures[str(status)] = failures.get(str(status), 0) + 1
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    results = await asyncio.gather(*(client(k) for k in range(spec["connections"])), return_exceptions=True)
    elapsed = time.perf_counter() - started
    for result in results:
        if isinstance(result, BaseException):
            failures[type(result).__name__] = failures.get(type(result).__name__, 0) + 1
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    print(json.dumps({"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": pct(0.5),
                      "p99_ms": pct(0.99), "failures": failures}), flush=True)


def main() -> None:
    mode, spec_path = sys.argv[1], sys.argv[2]
    limit = raise_limit()
    spec = json.loads(open(spec_path).read())  # noqa: SIM115, PTH123 - a tiny script
    print(json.dumps({"event": "start", "open_files_limit": limit}), file=sys.stderr, flush=True)
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(longpoll(spec) if mode == "longpoll" else rate(spec))


if __name__ == "__main__":
    main()
