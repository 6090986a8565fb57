"""`/v1/sync/push` and `/v1/sync/pull` (specs/sync.md §3.6-§3.7). Responses are gzip-compressed when the
desk accepts it (pull pages are large JSON that compresses ~6x)."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from salon_desk.sync.protocol import (
    MAX_PULL_LIMIT,
    MAX_WAIT_SECONDS,
    MIN_SCHEMA_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PullResponse,
    PushRequest,
)

from ..deps import CloudServices, Language, Services
from ..devices.auth import CurrentDevice
from ..errors import BadRequest
from ..web import error_response
from .limits import LimitedBodyRoute
from .notify import SalonNotifier
from .pull import read_page
from .push import PushService

router = APIRouter(prefix="/v1/sync", tags=["sync"], route_class=LimitedBodyRoute)
GZIP_MIN_BYTES = 1024
_build_lock = threading.Lock()


@dataclass(frozen=True)
class SyncServices:
    push: PushService
    notifier: SalonNotifier


def sync_services(request: Request, services: Services) -> SyncServices:
    """Built once per app, beside the shared CloudServices (which stays the other features' contract)."""
    state = request.app.state
    with _build_lock:
        if getattr(state, "sync", None) is None:
            notifier = SalonNotifier()
            push = PushService(services.db, services.clock, notifier, services.metrics)
            state.sync = SyncServices(push, notifier)
    sync: SyncServices = state.sync
    return sync


def _json(request: Request, model: BaseModel) -> Response:
    body = model.model_dump_json().encode()
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            gzip.compress(body, 6),
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(body, media_type="application/json")


def _version_refusal(request: Request, lang: str, schema_version: int | None) -> JSONResponse | None:
    protocol = request.headers.get(PROTOCOL_HEADER, str(PROTOCOL_VERSION))
    if protocol != str(PROTOCOL_VERSION) or (
        schema_version is not None and schema_version < MIN_SCHEMA_VERSION
    ):
        return error_response(
            "update_required",
            426,
            lang,
            {"min_schema_version": MIN_SCHEMA_VERSION, "protocol": PROTOCOL_VERSION},
        )
    return None


@router.post("/push")
def push(
    body: PushRequest, request: Request, device: CurrentDevice, services: Services, lang: Language
) -> Response:
    refusal = _version_refusal(request, lang, body.schema_version)
    if refusal is not None:
        return refusal
    if body.device_id != device.device_id:
        raise BadRequest("sync.device_mismatch")
    return _json(request, sync_services(request, services).push.push(device, body))


@router.get("/pull")
async def pull(
    request: Request,
    device: CurrentDevice,
    services: Services,
    lang: Language,
    cursor: str | None = None,
    limit: int = Query(1000, ge=1, le=MAX_PULL_LIMIT),
    wait: float = Query(0, ge=0, le=MAX_WAIT_SECONDS),
    priority: int | None = Query(None, ge=1, le=3),
) -> Response:
    refusal = _version_refusal(request, lang, None)
    if refusal is not None:
        return refusal
    sync = sync_services(request, services)
    event = sync.notifier.subscribe(device.salon_id)  # before reading: a change in between still wakes us
    page = await run_in_threadpool(_read, services, device.salon_id, cursor, limit, priority)
    if not page.changes and wait > 0 and priority is None:  # an initial-sync phase never long-polls
        await sync.notifier.wait(event, wait)
        page = await run_in_threadpool(_read, services, device.salon_id, cursor, limit, None)
    return _json(request, page)


def _read(
    services: CloudServices, salon_id: str, cursor: str | None, limit: int, priority: int | None
) -> PullResponse:
    with services.db.reader() as session:
        return read_page(session, salon_id, cursor, limit, priority, services.clock.now())
