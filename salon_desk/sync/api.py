"""The desk's HTTP client for /v1/sync (the only sync module that knows httpx).

Every failure becomes a SyncHttpError with a `kind` the engine acts on (specs/sync.md §3.6 item 6):
offline / transient (retry on the timer, honouring Retry-After) or a blocking kind that stops syncing but
keeps the outbox: auth, update_required, epoch_changed, device_rewound, resync_required, too_large, rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from .protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuditAnchors,
    AuditUpload,
    AuditUploadAnswer,
    PullResponse,
    PushRequest,
    PushResponse,
    SalonAuditPage,
)

CONNECT_TIMEOUT = 5.0
READ_MARGIN = 10.0  # the read timeout is the long-poll wait plus this
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BLOCKING_CODES = {401: "auth", 426: "update_required", 410: "resync_required", 413: "too_large"}
CONFLICT_KINDS = {"epoch_changed": "epoch_changed", "device_rewound": "device_rewound"}


@dataclass
class SyncHttpError(Exception):
    kind: str  # offline | transient | auth | update_required | epoch_changed | device_rewound | ...
    status: int | None = None
    code: str | None = None
    retry_after: float | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def transient(self) -> bool:
        return self.kind in {"offline", "transient"}

    def __str__(self) -> str:
        return f"{self.kind} ({self.status} {self.code})"


class SyncApi:
    """`client` may be given (tests pass a client with a fault-injecting transport); otherwise one is made."""

    def __init__(
        self, base_url: str, token: str, *, client: httpx.Client | None = None, user_agent: str = "salon-desk"
    ) -> None:
        self._token = token
        self._client = client or httpx.Client(
            base_url=base_url, timeout=httpx.Timeout(30.0, connect=CONNECT_TIMEOUT)
        )
        self._priority: int | None = None  # set only while pull_phase runs (see there)
        self._headers = {
            "Authorization": f"Bearer {token}",
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            "User-Agent": user_agent,
            "Accept-Encoding": "gzip",
        }

    def close(self) -> None:
        self._client.close()

    def push(self, request: PushRequest) -> PushResponse:
        response = self._send(
            "POST",
            "/v1/sync/push",
            content=request.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )
        return PushResponse.model_validate_json(response.content)

    def audit_anchors(self) -> list[tuple[int, str]]:
        """The chain heads the cloud anchored for this desk (issue #10), oldest first."""
        response = self._send("GET", "/v1/sync/audit-anchors")
        return [(a.seq, a.hash) for a in AuditAnchors.model_validate_json(response.content).anchors]

    def upload_audit(self, upload: AuditUpload) -> AuditUploadAnswer:
        """`POST /v1/sync/audit`: this desk's audit events for the salon-wide trail (issue #10)."""
        response = self._send(
            "POST", "/v1/sync/audit", content=upload.model_dump_json(), headers={"Content-Type": "application/json"}
        )
        return AuditUploadAnswer.model_validate_json(response.content)

    def salon_audit(self, after: dict[str, int], limit: int) -> SalonAuditPage:
        """`GET /v1/sync/audit`: the other desks' audit events after each desk's cursor (issue #10)."""
        params = [("limit", str(limit)), *(("after", f"{desk}:{seq}") for desk, seq in sorted(after.items()))]
        response = self._send("GET", "/v1/sync/audit", params=params)
        return SalonAuditPage.model_validate_json(response.content)

    def own_audit(self, after: int, limit: int) -> SalonAuditPage:
        """`GET /v1/sync/audit/own`: this desk's own events the cloud holds after `after` (issue #14)."""
        response = self._send("GET", "/v1/sync/audit/own", params={"after": str(after), "limit": str(limit)})
        return SalonAuditPage.model_validate_json(response.content)

    def rebind(self, code: str) -> tuple[str, int]:
        """`POST /v1/devices/rebind` (a desk restored from a backup, 409 device_rewound): a manager's code
        for this desk; returns (the new token, the last device_seq the server has seen). The new token is
        used from the next request on."""
        response = self._send("POST", "/v1/devices/rebind", json={"code": code})
        body = response.json()
        self.use_token(str(body["token"]))
        return str(body["token"]), int(body["last_device_seq"])

    def use_token(self, token: str) -> None:
        self._token = token
        self._headers["Authorization"] = f"Bearer {token}"

    def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A device call beside sync (issue #12: pay links, refunds): JSON in, the JSON object answered out."""
        answer = self._send("POST", path, json=body).json()
        if not isinstance(answer, dict):
            raise SyncHttpError("rejected", code="not_an_object")
        return answer

    def pull(self, cursor: str, limit: int = 1000, wait: float = 0) -> PullResponse:
        params: dict[str, Any] = {"limit": limit, "wait": wait}
        if cursor:
            params["cursor"] = cursor
        if self._priority is not None:
            params["priority"] = self._priority
        timeout = httpx.Timeout(wait + READ_MARGIN, connect=CONNECT_TIMEOUT)
        response = self._send("GET", "/v1/sync/pull", params=params, timeout=timeout)
        return PullResponse.model_validate_json(response.content)

    def pull_phase(self, cursor: str, limit: int, priority: int) -> PullResponse:
        """One page of an initial-sync phase (specs/sync.md §3.7). Goes through `pull`, so a subclass that
        wraps `pull` (progress, interruption) sees phase pages too."""
        self._priority = priority
        try:
            return self.pull(cursor, limit, 0)
        finally:
            self._priority = None

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise SyncHttpError("offline", code=type(exc).__name__) from exc
        if response.status_code >= 400:
            raise classify(response)
        return response


def classify(response: httpx.Response) -> SyncHttpError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("code") if isinstance(body, dict) else None
    params = body.get("params") or {} if isinstance(body, dict) else {}
    retry_after = _retry_after(response.headers.get("retry-after"))
    if status in TRANSIENT_STATUSES:
        kind = "transient"
    elif status == 409:
        kind = CONFLICT_KINDS.get(code or "", "rejected")
    else:
        kind = BLOCKING_CODES.get(status, "rejected")
    return SyncHttpError(kind, status, code, retry_after, params)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: treat as unknown and use the backoff
