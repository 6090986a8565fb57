"""A raw asyncio HTTP/1.1 load client, run in its own process (tests/benchmarks/test_scale_bench.py).

    python tests/benchmarks/http_load.py longpoll SPEC.json   # hold idle long-polls until stdin closes
    python tests/benchmarks/http_load.py rate SPEC.json       # N concurrent clients for S seconds, latencies
    python tests/benchmarks/http_load.py paced SPEC.json      # N clients, each one request every I seconds
    python tests/benchmarks/http_load.py schedule SPEC.json   # given requests at a steady rate (open loop)

No HTTP library: one small coroutine per connection reading and writing bytes, so the client itself costs
little and thousands of sockets fit in one process. It raises its own RLIMIT_NOFILE to the hard limit.
`longpoll` SPEC: {"targets": [[host, port], ...], "polls": [[path, token], ...], "connect_at_once": 200}.
It prints `{"event": "ready", ...}` once every poll has been sent, and a summary when stdin closes.
`rate` SPEC: {"targets": [[host, port], ...], "path": "/b/…", "connections": 200, "seconds": 5, "headers": {}}.
It prints one JSON summary with the p50/p99 latencies in ms and the requests per second: a closed loop,
so with 200 clients its latency is mostly the queue (Little's law: 200 / requests per second).
`paced` SPEC: as `rate` plus "interval" (each client's seconds between its requests, its start staggered) and
"probe": {"path": "/healthz", "interval": 0.02, "connections": 10} (more clients, measured apart, on the same
servers: together one request every "interval" seconds). Each
request is timed from when it was due, so a slow answer also counts against the ones queued behind it.
`schedule` SPEC: {"targets": [...], "rate": 300, "connections": 64, "requests": [[key, method, path,
headers, body], ...]}: request k is due at k / rate; requests of the same key (one desk) go one after the
other, as a desk sends them; timed from when each was due. It prints p50/p99/max, the answers' statuses and
how far the last answer came after the last request was due.
"""

from __future__ import annotations

import asyncio
import gc
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


def request(host: str, path: str, headers: dict[str, str], method: str = "GET", body: str = "") -> bytes:
    payload = body.encode()
    fields = {**headers, "Content-Length": str(len(payload))} if method != "GET" else headers
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in fields.items()), "", ""]
    return "\r\n".join(lines).encode() + payload


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


def percentile(latencies: list[float], p: float) -> float:
    """The p-quantile of `latencies` (seconds, sorted) in ms."""
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0


# ---------------------------------------------------------------- paced clients (think time), with a probe


class Paced:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.failures: dict[str, int] = {}

    def summary(self, elapsed: float) -> dict[str, Any]:
        self.latencies.sort()
        return {"requests": len(self.latencies), "rps": len(self.latencies) / elapsed,
                "p50_ms": percentile(self.latencies, 0.5), "p99_ms": percentile(self.latencies, 0.99),
                "max_ms": percentile(self.latencies, 1.0), "failures": self.failures}


async def paced_client(target: tuple[str, int], message: bytes, first_due: float, interval: float,
                       deadline: float, out: Paced) -> None:
    host, port = target
    await asyncio.sleep(max(0.0, first_due - time.perf_counter()))
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        out.failures[type(exc).__name__] = out.failures.get(type(exc).__name__, 0) + 1
        return
    due = first_due
    try:
        while due < deadline:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            writer.write(message)
            await writer.drain()
            status = await read_response(reader)
            if status != 200:
                out.failures[str(status)] = out.failures.get(str(status), 0) + 1
            out.latencies.append(time.perf_counter() - due)
            due += interval
    except (OSError, asyncio.IncompleteReadError) as exc:
        out.failures[type(exc).__name__] = out.failures.get(type(exc).__name__, 0) + 1
    finally:
        writer.close()


async def paced(spec: dict[str, Any]) -> None:
    targets = [tuple(t) for t in spec["targets"]]
    n, interval, seconds = spec["connections"], spec["interval"], spec["seconds"]
    start = time.perf_counter() + 0.5  # every connection scheduled before the first is due
    deadline = start + seconds
    pages, probe = Paced(), Paced()
    tasks = []
    for k in range(n):
        host, port = targets[k % len(targets)]
        message = request(f"{host}:{port}", spec["path"], spec.get("headers", {}))
        tasks.append(paced_client((host, port), message, start + interval * k / n, interval, deadline, pages))
    probe_spec = spec.get("probe")
    if probe_spec:  # several connections, each with slack, so the probe itself never queues
        count = probe_spec.get("connections", 10)
        each = probe_spec["interval"] * count
        for k in range(count):
            host, port = targets[k % len(targets)]
            message = request(f"{host}:{port}", probe_spec["path"], {})
            tasks.append(paced_client((host, port), message, start + each * k / count, each, deadline, probe))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    print(json.dumps({"pages": pages.summary(elapsed), "probe": probe.summary(elapsed)}), flush=True)


# ---------------------------------------------------------------- a request schedule at a steady rate


async def schedule(spec: dict[str, Any]) -> None:
    targets = [tuple(t) for t in spec["targets"]]
    rate, requests = spec["rate"], spec["requests"]
    idle: list[asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = [
        asyncio.Queue() for _ in targets
    ]
    opened = [0] * len(targets)
    per_target = max(1, spec.get("connections", 64) // len(targets))
    keys: dict[str, asyncio.Lock] = {}
    out = Paced()
    statuses: dict[int, int] = {}
    last_answer = 0.0

    async def connection(t: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if idle[t].empty() and opened[t] < per_target:
            opened[t] += 1
            return await asyncio.open_connection(*targets[t])
        return await idle[t].get()

    async def one(k: int, due: float, key: str, method: str, path: str, headers: dict[str, str],
                  body: str) -> None:
        nonlocal last_answer
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        t = hash(key) % len(targets)  # one desk keeps one server process, as behind a sticky proxy
        host, port = targets[t]
        lock = keys.setdefault(key, asyncio.Lock())
        async with lock:
            reader, writer = await connection(t)
            try:
                writer.write(request(f"{host}:{port}", path, headers, method, body))
                await writer.drain()
                status = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError) as exc:
                out.failures[type(exc).__name__] = out.failures.get(type(exc).__name__, 0) + 1
                writer.close()
                opened[t] -= 1
                return
            idle[t].put_nowait((reader, writer))
        statuses[status] = statuses.get(status, 0) + 1
        last_answer = time.perf_counter()
        out.latencies.append(last_answer - due)

    start = time.perf_counter() + 0.5
    await asyncio.gather(*(one(k, start + k / rate, *r) for k, r in enumerate(requests)))
    last_due = start + (len(requests) - 1) / rate
    summary = out.summary(last_answer - start)
    summary.update({"statuses": {str(k): v for k, v in statuses.items()}, "offered_rps": rate,
                    "lag_after_last_due_ms": (last_answer - last_due) * 1000})
    for queue in idle:
        while not queue.empty():
            queue.get_nowait()[1].close()
    print(json.dumps(summary), flush=True)


MODES = {"longpoll": longpoll, "rate": rate, "paced": paced, "schedule": schedule}


def main() -> None:
    mode, spec_path = sys.argv[1], sys.argv[2]
    limit = raise_limit()
    spec = json.loads(open(spec_path).read())  # noqa: SIM115, PTH123 - a tiny script
    # The instrument must not pause on its own: a collection pass over thousands of pending requests would
    # count against the server. A short-lived process; what cycles it leaves die with it.
    gc.disable()
    print(json.dumps({"event": "start", "open_files_limit": limit}), file=sys.stderr, flush=True)
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(MODES[mode](spec))


if __name__ == "__main__":
    main()
