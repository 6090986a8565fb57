"""FastAPI dependencies shared by every feature router (Annotated aliases, one per concern).

    def endpoint(services: Services, session: DbSession, lang: Language, device: CurrentDevice): ...

`CurrentDevice` / `ManagerDevice` live in `devices.auth`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from .clock import Clock
from .db import Database
from .devices.enrolment import EnrolmentService
from .devices.service import DeviceService
from .i18n import negotiate_language
from .messaging.base import MessageSender
from .metrics import CloudMetrics
from .otp.service import OtpService
from .payments.service import PaymentsService
from .settings import CloudSettings


@dataclass(frozen=True)
class CloudServices:
    """Everything a request handler may need, built once by `create_app` (the composition root)."""

    settings: CloudSettings
    db: Database
    clock: Clock
    metrics: CloudMetrics
    sender: MessageSender
    otp: OtpService
    enrolment: EnrolmentService
    devices: DeviceService
    payments: PaymentsService  # Moyasar online payments (#12)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its threadpool, a
# thread hop per dependency per request (issue #14: a single push paid four).


async def get_services(request: Request) -> CloudServices:
    services: CloudServices = request.app.state.services
    return services


Services = Annotated[CloudServices, Depends(get_services)]


def get_session(services: Services) -> Iterator[Session]:
    """A writing session for the request; rolled back at the end unless the handler committed."""
    with services.db.session() as session:
        yield session


def get_read_session(services: Services) -> Iterator[Session]:
    """A reading session (DEFERRED on SQLite: never waits behind writers)."""
    with services.db.reader() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]
ReadSession = Annotated[Session, Depends(get_read_session)]


def request_language(request: Request) -> str:
    return negotiate_language(request.headers.get("accept-language"))


async def _request_language(request: Request) -> str:
    return request_language(request)


Language = Annotated[str, Depends(_request_language)]


async def client_ip(request: Request) -> str | None:
    """The client's address: the TCP peer, or what a proxy in SALON_TRUSTED_PROXIES forwarded
    (edge.ClientAddressMiddleware; uvicorn's own proxy handling is off)."""
    return request.client.host if request.client else None


ClientIp = Annotated[str | None, Depends(client_ip)]
