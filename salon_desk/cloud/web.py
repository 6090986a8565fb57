"""The HTTP edge: JSON error bodies, exception handlers and the metrics/access-log middleware.

Every error answer is `{"code": "...", "detail": "<translated>", "params": {...}}` with the status the
error kind maps to (errors.http_status); 429 answers carry Retry-After, 401 answers WWW-Authenticate.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon_desk.domain.errors import DomainError

from .deps import request_language
from .errors import RateLimited, http_status
from .i18n import translate
from .metrics import CloudMetrics

log = logging.getLogger("salon_desk.cloud.access")

_CODE_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 422: "invalid_request", 503: "unavailable"}


def error_response(
    code: str,
    status: int,
    lang: str,
    params: Mapping[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    params = dict(params or {})
    body = {"code": code, "detail": translate(code, params, lang), "params": _jsonable(params), **extra}
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(body, status_code=status, headers=headers)


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, bool | int | float | str) or value is None else str(value)
        for key, value in params.items()
    }


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return error_response(exc.code, http_status(exc), request_language(request), exc.params, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = sorted(
        {".".join(str(part) for part in error.get("loc", ())[1:]) for error in exc.errors()} - {""}
    )
    return error_response("invalid_request", 422, request_language(request), fields=fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _CODE_BY_STATUS.get(exc.status_code, "invalid_request" if exc.status_code < 500 else "internal")
    return error_response(
        code, exc.status_code, request_language(request), headers=dict(exc.headers or {}) or None
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    _document_error_bodies(app)


# The error body as the handlers above really answer it (422 included: not FastAPI's HTTPValidationError).
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "detail", "params"],
    "properties": {
        "code": {"type": "string", "description": "stable, for programs (e.g. invalid_request)"},
        "detail": {"type": "string", "description": "translated for people (Accept-Language: ar or en)"},
        "params": {"type": "object", "additionalProperties": True},
        "fields": {"type": "array", "items": {"type": "string"}, "description": "422: the fields refused"},
    },
}


def _document_error_bodies(app: FastAPI) -> None:
    """The OpenAPI document describes every 422 with ERROR_SCHEMA (issue #14)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        components["Error"] = ERROR_SCHEMA
        refused = {
            "description": "Refused request (validation): the error body, with the refused fields",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "422" in operation.get("responses", {}):
                    operation["responses"]["422"] = refused
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


class ObservabilityMiddleware:
    """Times and counts every request by route template, writes one access-log line (never the raw path
    or query, which may carry link tokens) and turns an unhandled exception into a JSON 500."""

    def __init__(self, app: ASGIApp, metrics: CloudMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        state = {"status": 500, "sent": False}

        async def send_with_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        except Exception:
            log.exception(
                "unhandled error", extra={"fields": {"request_id": request_id, "route": _route(scope)}}
            )
            if state["sent"]:
                raise
            request = Request(scope)
            await error_response("internal", 500, request_language(request))(scope, receive, send_with_status)
        finally:
            self._observe(scope, int(state["status"]), time.perf_counter() - started, request_id)

    def _observe(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        route, method = _route(scope), scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        fields = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        device_id = scope.get("state", {}).get("device_id")
        if device_id:
            fields["device_id"] = device_id
        log.info("request", extra={"fields": fields})


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"
