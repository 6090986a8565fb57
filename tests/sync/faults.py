"""A fault injector around the real HTTP transport (specs/sync.md §3.17): not a mock of the server.

The inner transport is the real one: a socket to uvicorn by default, or the in-process ASGI transport of
a Starlette TestClient (the convergence state machine runs the real app in-process that way).
"""

from __future__ import annotations

import httpx


class FaultyTransport(httpx.BaseTransport):
    """`drop_requests` next requests fail before the server sees them; `drop_responses` next pushes reach
    the server (which commits) but the desk sees a timeout; `duplicates` next requests are sent twice (the
    desk sees the second answer); `offline` fails every request before it leaves."""

    def __init__(
        self, inner: httpx.BaseTransport | None = None, *, drop_pull_responses: bool = False
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self.drop_requests = 0
        self.drop_responses = 0
        self.duplicates = 0
        self.offline = False
        self.drop_pull_responses = drop_pull_responses  # drop_responses also applies to pulls
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.path)
        if self.offline:
            raise httpx.ConnectError("injected: desk offline", request=request)
        if self.drop_requests:
            self.drop_requests -= 1
            raise httpx.ConnectError("injected: request dropped", request=request)
        if self.duplicates:
            self.duplicates -= 1
            request.read()
            first = self._inner.handle_request(request)
            first.read()
            first.close()
        response = self._inner.handle_request(request)
        if self.drop_responses and (self.drop_pull_responses or request.url.path.endswith("/push")):
            self.drop_responses -= 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("injected: response lost", request=request)
        return response

    def clear(self) -> None:
        self.drop_requests = self.drop_responses = self.duplicates = 0
        self.offline = False

    def close(self) -> None:
        self._inner.close()
