"""A fault injector around the real HTTP transport (specs/sync.md §3.17): not a mock of the server."""

from __future__ import annotations

import httpx


class FaultyTransport(httpx.BaseTransport):
    """`drop_requests` next requests fail before the server sees them; `drop_responses` next pushes reach
    the server (which commits) but the desk sees a timeout."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.drop_requests = 0
        self.drop_responses = 0
        self.seen: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.path)
        if self.drop_requests:
            self.drop_requests -= 1
            raise httpx.ConnectError("injected: request dropped", request=request)
        response = self._inner.handle_request(request)
        if self.drop_responses and request.url.path.endswith("/push"):
            self.drop_responses -= 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("injected: response lost", request=request)
        return response

    def close(self) -> None:
        self._inner.close()
