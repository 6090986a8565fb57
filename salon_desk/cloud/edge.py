"""The cloud's front door, as ASGI middleware: who the client is, how much it may send, HTTPS only.

- `ClientAddressMiddleware`: `X-Forwarded-For` / `X-Forwarded-Proto` are believed only from a peer in
  SALON_TRUSTED_PROXIES; otherwise the TCP peer is the client, so nobody picks the address their per-IP
  limits count against. (`salon-cloud serve` runs uvicorn with proxy_headers off: this is the only place.)
- `BodyLimitMiddleware`: a declared Content-Length over the limit answers 413 at once; a body without one
  is counted while it streams and answered 413 as soon as it passes the limit, never buffered whole.
- `HstsMiddleware`: Strict-Transport-Security on every answer when the public base URL is https.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon_desk.domain.i18n import N_

from .deps import request_language
from .metrics import CloudMetrics
from .web import error_response

log = logging.getLogger(__name__)

MESSAGES = {
    "request.too_large": N_("This request is larger than {max_bytes} bytes."),
}

Networks = Sequence[IPv4Network | IPv6Network]
HSTS = b"max-age=31536000; includeSubDomains"


def _is_trusted(address: str, trusted: Networks) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def forwarded_client(peer: str, forwarded_for: str | None, trusted: Networks) -> str:
    """The client's address: the peer itself unless it is a trusted proxy; then the nearest address in
    X-Forwarded-For (read right to left) that is not a trusted proxy. An unreadable hop stops the walk at
    the last trusted address seen (limits then count against a proxy: too strict, never spoofable)."""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ip_address(hop)
        except ValueError:
            return client
        client = hop
        if not _is_trusted(hop, trusted):
            return hop
    return client


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted: Networks) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and self.trusted and client and _is_trusted(client[0], self.trusted):
            headers = _headers(scope, {b"x-forwarded-for", b"x-forwarded-proto"})
            forwarded = headers.get(b"x-forwarded-for")
            scope = dict(scope)
            scope["client"] = (forwarded_client(client[0], forwarded, self.trusted), client[1])
            proto = headers.get(b"x-forwarded-proto", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def _headers(scope: Scope, wanted: set[bytes]) -> dict[bytes, str]:
    found: dict[bytes, str] = {}
    for name, value in scope.get("headers", []):
        name = name.lower()
        if name in wanted:  # repeated headers join with commas, as RFC 9110 says they may
            text = value.decode("latin-1")
            found[name] = f"{found[name]}, {text}" if name in found else text
    return found


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int
    code: str = "request.too_large"


class BodyLimitMiddleware:
    """`default` for every path, or the limit of the longest matching prefix in `by_prefix`."""

    def __init__(
        self,
        app: ASGIApp,
        default: BodyLimit,
        metrics: CloudMetrics,
        by_prefix: Mapping[str, BodyLimit] | None = None,
    ) -> None:
        self.app = app
        self.default = default
        self.metrics = metrics
        self.by_prefix = sorted((by_prefix or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> BodyLimit:
        return next((limit for prefix, limit in self.by_prefix if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _headers(scope, {b"content-length"}).get(b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit.max_bytes):
            self.metrics.bodies_too_large.labels("declared").inc()
            await _refuse(scope, send, limit)
            return
        state = {"received": 0, "refused": False, "started": False}

        async def counting_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit.max_bytes:
                    state["refused"] = True
                    self.metrics.bodies_too_large.labels("streamed").inc()
                    log.info(
                        "request body too large",
                        extra={"fields": {"received_bytes": state["received"], "max_bytes": limit.max_bytes}},
                    )
                    if not state["started"]:
                        await _refuse(scope, send, limit)
                    return {"type": "http.disconnect"}  # the app stops reading; nothing more is buffered
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"] and not state["started"]:
                return  # our 413 went first: whatever the app answers after the disconnect is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise  # the app's own failure: the observability middleware answers 500


async def _refuse(scope: Scope, send: Send, limit: BodyLimit) -> None:
    request = Request(scope)
    response = error_response(
        limit.code,
        413,
        request_language(request),
        {"max_bytes": limit.max_bytes},
        headers={"Connection": "close"},
    )
    await send(
        {"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers}
    )
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


class HstsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"strict-transport-security", HSTS))
            await send(message)

        await self.app(scope, receive, with_hsts)
