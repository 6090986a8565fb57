"""The cloud as users deploy it, for tests and benchmarks (issue #14 item 5): a PRIVATE PostgreSQL cluster
made with `initdb` on its own port (so a test may restart it; the machine's shared 5432 is never touched),
`salon-cloud serve` processes on their own ports, a `salon-cloud worker` process, and a tiny TCP balancer.

    with PrivateCluster.create(tmp) as pg:                       # initdb + start, stopped and removed after
        pg.restart()                                             # pg_ctl restart -m fast
        server = CloudProcess.serve(pg.url, log_dir)             # python -m salon_desk.cloud.cli serve --port …
        server.kill()                                            # SIGKILL: no goodbye to its clients
    balancer = Balancer([server2.port, server1.port]).start()    # first backend that accepts a connection

Why a balancer and not two base URLs in the desk: in production a desk knows one address (the salon's
cloud URL) and the load balancer in front of the `serve` processes moves it when one dies; the desk's
code under test stays exactly what ships, and its retry on a dropped connection does the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import httpx

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def raise_open_files_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (for many sockets in one process); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- PostgreSQL


def _pg_bin(name: str) -> str | None:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@dataclass
class PrivateCluster:
    folder: Path
    port: int
    _as_postgres: list[str]

    @classmethod
    def available(cls) -> bool:
        return _pg_bin("initdb") is not None and _pg_bin("pg_ctl") is not None

    @classmethod
    def create(cls) -> PrivateCluster:
        """initdb in a fresh folder under /tmp (readable by the postgres user when we run as root)."""
        folder = Path(tempfile.mkdtemp(prefix="salon-pg-"))
        as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(folder, "postgres", "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
        cluster = cls(folder, free_port(), as_postgres)
        cluster._run(str(_pg_bin("initdb")), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--no-sync")
        cluster.start()
        return cluster

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(str(_pg_bin("pg_ctl")), "-D", str(self.folder / "data"), "-o", options,
                  "-l", str(self.folder / "postgres.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(str(_pg_bin("pg_ctl")), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """A fast restart: every connection is cut, as when PostgreSQL is upgraded or fails over."""
        self.stop()
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *command: str) -> None:
        # PostgreSQL runs on the real clock, like the machine's own cluster (scripts/shifted-clock.sh).
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        subprocess.run([*self._as_postgres, *command], check=True, capture_output=True, timeout=120, env=env)

    def __enter__(self) -> PrivateCluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.destroy()


# ---------------------------------------------------------------- salon-cloud processes


def cloud_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The machine's environment without any SALON_*/DATABASE_URL a developer may have set, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALON_", "DATABASE_URL", "MOYASAR", "AUTHENTICA"))}
    env.update({"DATABASE_URL": database_url, "SALON_ENV": "development", "SALON_SMS_PROVIDER": "console"})
    env.update(extra)
    return env


@dataclass
class CloudProcess:
    process: subprocess.Popen[bytes]
    port: int | None
    log: Path

    @classmethod
    def serve(cls, database_url: str, log_dir: Path, *, workers: int = 1, **env: str) -> CloudProcess:
        port = free_port()
        command = ["serve", "--port", str(port), "--workers", str(workers)]
        server = cls._spawn(command, database_url, log_dir / f"serve-{port}.log", port, env)
        server.wait_healthy()
        return server

    @classmethod
    def worker(cls, database_url: str, log_dir: Path, **env: str) -> CloudProcess:
        return cls._spawn(["worker"], database_url, log_dir / "worker.log", None, env)

    @classmethod
    def _spawn(
        cls, command: list[str], database_url: str, log: Path, port: int | None, env: dict[str, str]
    ) -> CloudProcess:
        out = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "salon_desk.cloud.cli", *command],
            env=cloud_environment(database_url, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_open_files_limit,  # many idle long-polls: many sockets
        )
        out.close()
        return cls(process, port, log)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"salon-cloud exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"salon-cloud did not answer /healthz:\n{self.log.read_text()[-3000:]}")

    def metric(self, name: str) -> float:
        """One sample's value from this process's /metrics (summed over labels)."""
        text = httpx.get(f"{self.base_url}/metrics", timeout=60).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith(name) and line[len(name) : len(name) + 1] in {" ", "{"}
        )

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL: the process vanishes mid-request, as on a crash or an OOM kill."""
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@contextlib.contextmanager
def stopping(*processes: CloudProcess) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.stop()


# ---------------------------------------------------------------- the load balancer


class Balancer:
    """A TCP balancer on 127.0.0.1: each new connection goes to the first backend port that accepts it."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.port = free_port()
        self.routed: dict[int, int] = dict.fromkeys(backends, 0)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="balancer", daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Balancer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for port in self.backends:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that backend is down: the next one
            self.routed[port] += 1
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
            return
        writer.close()


async def _pipe(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            target.write(data)
            await target.drain()
    finally:
        target.close()
