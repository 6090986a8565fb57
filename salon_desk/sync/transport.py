"""The desk's HTTP transport to its cloud: the enrol call and an interruptible httpx client.

The client's transport keeps the sockets it opened so `abort_all()` can shut them down from another thread: a
blocked long-poll read returns immediately instead of holding shutdown or a fresh local change for up to
`wait` seconds (specs/sync.md §3.12).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from salon_desk import __version__
from salon_desk.sync.api import CONNECT_TIMEOUT
from salon_desk.usecases.enrolment import MESSAGES as ENROL_MESSAGES
from salon_desk.usecases.enrolment import EnrolmentError

ENROL_TIMEOUT = 20.0
USER_AGENT = f"salon-desk/{__version__}"


def post_enrol(cloud_url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/devices/enrol; a refusal becomes EnrolmentError with the cloud's code when it sent one."""
    try:
        with httpx.Client(
            base_url=cloud_url, timeout=ENROL_TIMEOUT, headers={"User-Agent": USER_AGENT}
        ) as http:
            answer = http.post("/v1/devices/enrol", json=body)
    except httpx.TransportError:
        raise EnrolmentError("enrol.unreachable") from None
    if answer.status_code != 201:
        try:
            code = answer.json().get("code")
        except ValueError:
            code = None
        if code in ENROL_MESSAGES:
            raise EnrolmentError(code)
        raise EnrolmentError("enrol.refused", reason=code or str(answer.status_code))
    enrolled: dict[str, Any] = answer.json()
    return enrolled


class TrackedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, owner: TrackingBackend) -> None:
        self._inner, self._owner = inner, owner
        owner.track(self)

    def socket(self) -> socket.socket | None:
        sock = self._inner.get_extra_info("socket")
        return sock if isinstance(sock, socket.socket) else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._owner.untrack(self)
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        self._owner.untrack(self)
        return TrackedStream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._owner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class TrackingBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._streams: set[TrackedStream] = set()
        self._lock = threading.Lock()

    def track(self, stream: TrackedStream) -> None:
        with self._lock:
            self._streams.add(stream)

    def untrack(self, stream: TrackedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return TrackedStream(stream, self)

    def abort_all(self) -> None:
        """Shuts every open socket down: a read blocked in another thread returns at once."""
        with self._lock:
            sockets = [s.socket() for s in self._streams]
        for sock in sockets:
            try:
                if sock is not None:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed


def interruptible_client(base_url: str) -> tuple[httpx.Client, TrackingBackend]:
    backend = TrackingBackend()
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(network_backend=backend, max_connections=4)  # noqa: SLF001
    client = httpx.Client(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(30.0, connect=CONNECT_TIMEOUT)
    )
    return client, backend


