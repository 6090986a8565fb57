"""A fake Authentica (specs/providers.md §2) speaking real HTTP on 127.0.0.1, for provider tests.

What it enforces, as the spec documents it:
- `X-Authorization: <api key>` on every request (401 `{"success": false, "message": "Unauthenticated."}`);
  `Accept: application/json` (406 otherwise) and, on POST, `Content-Type: application/json` (415).
- `POST /api/v2/send-otp`: `method` sms|whatsapp|email (required: the fake has no dashboard default),
  `phone` E.164 with '+' (`^\\+[1-9]\\d{1,14}$`) for sms/whatsapp, `email` for email, optional integer
  `template_id`, optional string `otp` (the custom OTP), optional `fallback_email`; unknown fields are
  refused. Answers `{"success": true, "data": null, "message": "OTP send successfully"}`.
- `POST /api/v2/verify-otp {"otp", "phone"|"email"}`: `{"status": true, ...}` when it matches the last code
  sent to that recipient, else 400 `{"status": false, "message": "Invalid OTP"}`.
- `POST /api/v2/send-sms {"phone", "message", "sender_name"}` (all required): answers
  `{"success": true, "message": "SMS queued", "data": {"id": "<uuid>"}}` (the real body is UNCONFIRMED).
- `GET /api/v2/balance`: `{"success": true, "data": {"balance": <int>}}`.
- Validation errors: 422 `{"success": false, "message": "...", "errors": {field: ["..."]}}`.

Tests steer it: `fail_next(503, times=2)`, `stall_next(seconds)` (answers late, for client timeouts),
and read what it received in `received` (method, path, headers, parsed JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SEND_OTP_FIELDS = {"method", "phone", "email", "template_id", "otp", "fallback_email", "fallback_phone"}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None


@dataclass
class _Faults:
    statuses: list[int] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)


class FakeAuthentica:
    def __init__(self, api_key: str = "$2y$10$fake-authentica-key", balance: int = 21934) -> None:
        self.api_key = api_key
        self.balance = balance
        self.received: list[ReceivedRequest] = []
        self.sent_codes: dict[str, str] = {}  # recipient -> last OTP sent to it
        self._faults = _Faults()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAuthentica:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-authentica", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- steering

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        with self._lock:
            self._faults.statuses += [status] * times

    def stall_next(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._faults.stalls += [seconds] * times

    def requests_to(self, path: str) -> list[ReceivedRequest]:
        return [r for r in self.received if r.path == path]

    # -- used by the handler

    def _record(self, request: ReceivedRequest) -> tuple[int | None, float]:
        with self._lock:
            self.received.append(request)
            status = self._faults.statuses.pop(0) if self._faults.statuses else None
            stall = self._faults.stalls.pop(0) if self._faults.stalls else 0.0
            return status, stall

    def answer(self, request: ReceivedRequest) -> tuple[int, dict[str, Any]]:
        headers = request.headers
        if headers.get("x-authorization") != self.api_key:
            return 401, {"success": False, "message": "Unauthenticated."}
        if "application/json" not in headers.get("accept", ""):
            return 406, {"success": False, "message": "Accept must be application/json"}
        if request.method == "GET":
            if request.path == "/api/v2/balance":
                return 200, {"success": True, "data": {"balance": self.balance}}
            return 404, {"success": False, "message": "Not found"}
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return 415, {"success": False, "message": "Content-Type must be application/json"}
        if not isinstance(request.body, dict):
            return 422, _invalid({"body": ["The body must be a JSON object."]})
        routes = {
            "/api/v2/send-otp": self._send_otp,
            "/api/v2/verify-otp": self._verify_otp,
            "/api/v2/send-sms": self._send_sms,
        }
        route = routes.get(request.path)
        return route(request.body) if route else (404, {"success": False, "message": "Not found"})

    def _send_otp(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        errors = {name: ["Unknown field."] for name in body.keys() - SEND_OTP_FIELDS}
        method = body.get("method")
        if method not in {"sms", "whatsapp", "email"}:
            errors["method"] = ["The method must be one of sms, whatsapp, email."]
        recipient = body.get("email") if method == "email" else body.get("phone")
        if method in {"sms", "whatsapp"} and not (isinstance(recipient, str) and E164.fullmatch(recipient)):
            errors["phone"] = ["The phone must be in E.164 format, e.g. +966551234567."]
        if method == "email" and not isinstance(recipient, str):
            errors["email"] = ["The email field is required."]
        if "template_id" in body and (type(body["template_id"]) is not int or body["template_id"] < 1):
            errors["template_id"] = ["The template id must be a positive integer."]
        if "otp" in body and not (isinstance(body["otp"], str) and body["otp"].isdigit()):
            errors["otp"] = ["The otp must be a string of digits."]
        if errors:
            return 422, _invalid(errors)
        with self._lock:
            self.sent_codes[str(recipient)] = body.get("otp") or f"{uuid.uuid4().int % 10**6:06d}"
        return 200, {"success": True, "data": None, "message": "OTP send successfully"}

    def _verify_otp(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        recipient = body.get("phone") or body.get("email")
        if not isinstance(body.get("otp"), str) or not isinstance(recipient, str):
            return 422, _invalid({"otp": ["The otp and the phone or email are required."]})
        with self._lock:
            expected = self.sent_codes.get(recipient)
        if expected is None or expected != body["otp"]:
            return 400, {"status": False, "message": "Invalid OTP"}
        return 200, {"status": True, "message": "OTP verified successfully"}

    def _send_sms(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        errors: dict[str, list[str]] = {
            name: ["Unknown field."] for name in body.keys() - {"phone", "message", "sender_name"}
        }
        if not (isinstance(body.get("phone"), str) and E164.fullmatch(body["phone"])):
            errors["phone"] = ["The phone must be in E.164 format, e.g. +966551234567."]
        for name in ("message", "sender_name"):
            if not (isinstance(body.get(name), str) and body[name].strip()):
                errors[name] = [f"The {name} field is required."]
        if errors:
            return 422, _invalid(errors)
        return 200, {"success": True, "message": "SMS queued", "data": {"id": str(uuid.uuid4())}}


def _invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {"success": False, "message": "The given data was invalid.", "errors": errors}


def _handler_for(fake: FakeAuthentica) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._handle()

        def do_POST(self) -> None:  # noqa: N802
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            request = ReceivedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            injected_status, stall = fake._record(request)
            if stall:
                time.sleep(stall)
            if injected_status is not None:
                status, payload = injected_status, {"success": False, "message": "Injected failure"}
            else:
                status, payload = fake.answer(request)
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def running_fake_authentica(api_key: str = "$2y$10$fake-authentica-key") -> Iterator[FakeAuthentica]:
    fake = FakeAuthentica(api_key).start()
    try:
        yield fake
    finally:
        fake.stop()
