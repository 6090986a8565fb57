"""`/v1/sync/push` and `/v1/sync/pull` (specs/sync.md §3.6-§3.7). Responses are gzip-compressed when the
desk accepts it (pull pages are large JSON that compresses ~6x)."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from salon_desk.sync.protocol import (
    MAX_AUDIT_PAGE,
    MAX_PULL_LIMIT,
    MAX_WAIT_SECONDS,
    MIN_SCHEMA_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuditAnchors,
    AuditHead,
    AuditUpload,
    AuditUploadAnswer,
    PullResponse,
    PushRequest,
    PushResponse,
)

from ..deps import CloudServices, Language, Services
from ..devices.auth import CurrentDevice, DeskToken
from ..errors import BadRequest
from ..hot_threads import run_hot
from ..web import error_response
from . import audit_trail, users
from .limits import LimitedBodyRoute
from .notify import SalonNotifier, make_wakeups
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
    return build_sync_services(request.app, services)


def build_sync_services(app: FastAPI, services: CloudServices) -> SyncServices:
    state = app.state
    with _build_lock:
        if getattr(state, "sync", None) is None:
            notifier = make_wakeups(services.db, services.metrics)  # LISTEN/NOTIFY on PostgreSQL
            push = PushService(services.db, services.clock, notifier, services.metrics)
            state.sync = SyncServices(push, notifier)
    sync: SyncServices = state.sync
    return sync


async def start_wakeups(app: FastAPI, services: CloudServices) -> None:
    """From the app's lifespan: this process's one LISTEN connection opens before the first request."""
    await build_sync_services(app, services).notifier.start()


def drain_long_polls(app: FastAPI) -> None:
    """Thread-safe: the server is stopping; waiting long-polls answer now (SalonNotifier.drain)."""
    sync: SyncServices | None = getattr(app.state, "sync", None)
    if sync is not None:
        sync.notifier.drain()


async def stop_wakeups(app: FastAPI) -> None:
    sync: SyncServices | None = getattr(app.state, "sync", None)
    if sync is not None:
        await sync.notifier.stop()


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
async def push(body: PushRequest, request: Request, token: DeskToken, services: Services, lang: Language) -> Response:
    refusal = _version_refusal(request, lang, body.schema_version)
    if refusal is not None:
        return refusal
    answer = await run_hot(request, _push_as_desk, request, services, token, body)
    return _json(request, answer)


def _push_as_desk(request: Request, services: CloudServices, token: str, body: PushRequest) -> PushResponse:
    """The desk's lookup and its push in one trip to a hot thread (issue #14: a second trip cost ~5 % of a
    push's CPU, and each trip waits for the GIL again). So a body that is not a push answers 422 before an
    unknown token of the right form is looked up (a missing or malformed token still answers 401 first)."""
    device = services.devices.authenticate(token)
    request.state.device_id = device.device_id  # named in the access log line
    if body.device_id != device.device_id:
        raise BadRequest("sync.device_mismatch")
    return sync_services(request, services).push.push(device, body)


@router.get("/audit-anchors")
def audit_anchors(request: Request, device: CurrentDevice, services: Services) -> Response:
    """This device's anchored audit chain heads (issue #10): `salon-desk audit verify --cloud-anchors`."""
    with services.db.reader() as session:
        anchors = users.anchors(session, device.salon_id, device.device_id)
    return _json(request, AuditAnchors(anchors=[AuditHead(seq=seq, hash=h) for seq, h in anchors]))


@router.post("/audit")
def upload_audit(body: AuditUpload, request: Request, device: CurrentDevice, services: Services) -> Response:
    """This desk's own audit events for the salon-wide trail (issue #10, audit_trail.py)."""
    if body.device_id != device.device_id:
        raise BadRequest("sync.device_mismatch")
    with services.db.session() as session:
        stored = audit_trail.store_events(session, device, body.events, services.clock.now())
        session.commit()
    return _json(request, AuditUploadAnswer(stored_seq=stored))


@router.get("/audit/own")
def own_audit(
    request: Request,
    device: CurrentDevice,
    services: Services,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(MAX_AUDIT_PAGE, ge=1, le=MAX_AUDIT_PAGE),
) -> Response:
    """This desk's own audit events the cloud holds after `after` (issue #14): a re-linked desk's catch-up."""
    with services.db.reader() as session:
        return _json(request, audit_trail.own_page(session, device, after, limit))


@router.get("/audit")
def salon_audit(
    request: Request,
    device: CurrentDevice,
    services: Services,
    after: list[str] = Query([]),
    limit: int = Query(MAX_AUDIT_PAGE, ge=1, le=MAX_AUDIT_PAGE),
) -> Response:
    """The salon's other desks' audit events after the desk's cursor for each (issue #10)."""
    cursors = audit_trail.parse_after(after)
    with services.db.reader() as session:
        return _json(request, audit_trail.read_page(session, device, cursors, limit))


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
    notifier, salon_id = sync_services(request, services).notifier, device.salon_id
    event = notifier.subscribe(salon_id)  # before reading: a change in between still wakes us
    page = await _page(services, notifier, salon_id, cursor, limit, priority)
    if not page.changes and wait > 0 and priority is None:  # an initial-sync phase never long-polls
        # Waiting holds a socket and an event: no thread, no database connection (both returned above).
        await notifier.wait(event, wait)
        page = await _page(services, notifier, salon_id, cursor, limit, None)
    return _json(request, page)


async def _page(
    services: CloudServices,
    notifier: SalonNotifier,
    salon_id: str,
    cursor: str | None,
    limit: int,
    priority: int | None,
) -> PullResponse:
    """An idle desk's pull at the head is answered from memory while nothing woke its salon (notify.py)."""
    if priority is None:
        quiet = notifier.quiet_page(salon_id, cursor)
        if quiet is not None:
            return quiet
    mark = notifier.mark(salon_id)
    page = await run_in_threadpool(_read, services, salon_id, cursor, limit, priority)
    if priority is None:
        notifier.remember_quiet(salon_id, mark, page)
    return page


def _read(
    services: CloudServices, salon_id: str, cursor: str | None, limit: int, priority: int | None
) -> PullResponse:
    with services.db.reader() as session:
        return read_page(session, salon_id, cursor, limit, priority, services.clock.now())
