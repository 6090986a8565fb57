"""The cloud's composition root: `create_app(settings)` builds the database, provider, services and routes.

    app = create_app(CloudSettings())                       # production: everything from the environment
    app = create_app(settings, clock=ManualClock(t0))       # tests: exact time
    uvicorn.run("salon_desk.cloud.app:app_from_environment", factory=True, workers=4)

Feature routers (`devices`, `otp`, later `sync`, `links`, `payments`) are plain APIRouters using the
dependencies in `deps` and `devices.auth`; add them in `_routers`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import make_url
from sqlalchemy.orm import configure_mappers

from .clock import Clock, SystemClock
from .db import Database
from .deps import CloudServices
from .dev import api as dev_api
from .devices import api as devices_api
from .devices.enrolment import EnrolmentService
from .devices.provisioning_api import router as provisioning_router
from .devices.service import DeviceService
from .edge import BodyLimit, BodyLimitMiddleware, ClientAddressMiddleware, HstsMiddleware
from .health import router as health_router
from .links import api as links_api  # customer booking pages /b/{token}
from .logs import configure_logging
from .messaging.base import MessageSender
from .messaging.registry import build_sender
from .metrics import CloudMetrics
from .notify.runtime import in_process_worker
from .ops import router as ops_router
from .otp import api as otp_api
from .otp.service import OtpPolicy, OtpService
from .payments import api as payments_api  # Moyasar pay links, webhooks, /p/{token} (#12)
from .payments.deposits import deposit_hook
from .payments.runtime import PaymentsRunner, build_payments
from .settings import CloudSettings
from .shutdown import drain_on_exit_signals
from .sync import api as sync_api  # sync protocol router (owned by the sync engineer)
from .sync.limits import MAX_BODY_BYTES as SYNC_MAX_BODY_BYTES
from .web import ObservabilityMiddleware, install_error_handlers

log = logging.getLogger(__name__)


def build_services(
    settings: CloudSettings,
    *,
    clock: Clock | None = None,
    sender: MessageSender | None = None,
    db: Database | None = None,
) -> CloudServices:
    clock = clock or SystemClock()
    db = db or Database.from_url(settings.database_url)
    sender = sender or build_sender(settings, db, clock)
    metrics = CloudMetrics()
    return CloudServices(
        settings=settings,
        db=db,
        clock=clock,
        metrics=metrics,
        sender=sender,
        otp=OtpService(db, sender, OtpPolicy.from_settings(settings), clock, metrics),
        enrolment=EnrolmentService(db, clock),
        devices=DeviceService(db, clock),
        payments=build_payments(settings, db, clock),
    )


def create_app(
    settings: CloudSettings,
    *,
    clock: Clock | None = None,
    sender: MessageSender | None = None,
    db: Database | None = None,
) -> FastAPI:
    services = build_services(settings, clock=clock, sender=sender, db=db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "cloud starting",
            extra={
                "fields": {
                    "environment": settings.environment.value,
                    "sms_provider": services.sender.name,
                    "database": make_url(settings.database_url).render_as_string(hide_password=True),
                }
            },
        )
        worker = in_process_worker(_app, services)  # notifications, when configured to run in-process
        if worker is not None:
            worker.start()
        await sync_api.start_wakeups(_app, services)  # PostgreSQL: this process's one LISTEN connection
        runner = PaymentsRunner(_app.state.payments) if settings.payments_in_process else None
        if runner is not None:
            runner.start()
        loop = asyncio.get_running_loop()
        with drain_on_exit_signals(loop, lambda: sync_api.drain_long_polls(_app)):
            yield
        if runner is not None:
            runner.stop()
        await sync_api.stop_wakeups(_app)
        if worker is not None:
            worker.stop()
        services.otp.close()  # lets queued codes go out first
        services.sender.close()
        services.db.dispose()

    public = settings.ops_pages_public  # else /openapi.json answers only to SALON_OPS_TOKEN (ops.py)
    app = FastAPI(
        title="Salon Desk cloud",
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if public else None,
        redoc_url=None,
        openapi_url="/openapi.json" if public else None,
    )
    app.state.services = services
    app.state.payments = services.payments
    services.payments.on_paid = deposit_hook(
        services.db, services.clock, lambda salon_id: sync_api.build_sync_services(app, services).notifier.notify(salon_id)
    )
    install_error_handlers(app)
    _add_edge_middleware(app, services)
    for router in _routers(settings):
        app.include_router(router)
    return app


def _add_edge_middleware(app: FastAPI, services: CloudServices) -> None:
    """Outermost last: client address -> HSTS -> observability (sees every status) -> body limit -> routes."""
    settings = services.settings
    app.add_middleware(
        BodyLimitMiddleware,
        default=BodyLimit(settings.max_body_bytes),
        metrics=services.metrics,
        by_prefix={"/v1/sync/": BodyLimit(SYNC_MAX_BODY_BYTES, "sync.too_large")},
    )
    app.add_middleware(ObservabilityMiddleware, metrics=services.metrics)
    if settings.uses_https:
        app.add_middleware(HstsMiddleware)
    app.add_middleware(ClientAddressMiddleware, trusted=settings.trusted_networks)


def _routers(settings: CloudSettings) -> list[APIRouter]:
    # Matched in this order: sync first, the routes desks call all day (issue #14).
    routers = [sync_api.router, health_router, devices_api.router, otp_api.router, links_api.router]
    routers.append(provisioning_router)  # unattended desk enrolment (#13)
    routers.append(payments_api.router)  # online payments (#12)
    if settings.dev_endpoints_enabled:
        routers.append(dev_api.router)
    if not settings.ops_pages_public:
        routers.append(ops_router)  # /openapi.json behind SALON_OPS_TOKEN
    return routers


def app_from_environment() -> FastAPI:
    """The factory uvicorn workers call (`salon-cloud serve`): settings from the environment, JSON logs."""
    configure_logging()
    app = create_app(CloudSettings())
    _freeze_startup_heap()
    return app


def _freeze_startup_heap() -> None:
    """Moves what startup built (modules, classes, the app, the mappers) out of the garbage collector's
    sight: it lives as long as the process. A full collection then scans only what requests made since:
    measured under push load, 4-7 ms instead of 80-100 ms during which the process answered nobody (issue
    #14: every request held then landed in the push p99's tail). A server process only: tests build many
    apps in one process."""
    configure_mappers()  # else built at the first request, and scanned by every full collection after
    gc.collect()
    gc.freeze()
