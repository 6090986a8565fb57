"""Request size limit for /v1/sync (specs/sync.md §3.6 item 6-7): a body over MAX_BODY_BYTES answers
413 `sync.too_large` before it is parsed, so the desk halves its batch instead of the server buffering it.

Used as the sync router's route class: the check runs before FastAPI reads and validates the body.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ..deps import request_language
from ..web import error_response

MAX_BODY_BYTES = 1024 * 1024  # a batch of 100 mutations is ~100 KB; the spec asks desks for <= 256 KB


def too_large(request: Request) -> Response:
    return error_response("sync.too_large", 413, request_language(request), {"max_bytes": MAX_BODY_BYTES})


class LimitedBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            declared = request.headers.get("content-length")
            if declared is not None:
                if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    return too_large(request)
            elif request.method in {"POST", "PUT", "PATCH"}:  # chunked: count while reading
                body = bytearray()
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        return too_large(request)
                request._body = bytes(body)  # noqa: SLF001 - Starlette's own cache of the read body
            return await handler(request)

        return limited
