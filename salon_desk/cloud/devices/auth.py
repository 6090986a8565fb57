"""The dependencies that authenticate a desk: `CurrentDevice` (any enrolled desk) and `ManagerDevice`.

    @router.post("/v1/sync/push")
    def push(device: CurrentDevice, ...): ...   # device.salon_id scopes every query

A missing, malformed or unknown bearer token answers 401 `token_invalid`; a revoked desk 401
`device_revoked`. `DeskToken` checks only the token's form, with no database: for the one route that looks
the desk up together with its own work, in one trip to a hot thread (`/v1/sync/push`, issue #14).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from salon_desk.domain.errors import Forbidden
from salon_desk.domain.i18n import N_

from ..deps import Services
from ..errors import Unauthorized
from ..hot_threads import run_hot
from .service import AuthenticatedDevice
from .tokens import has_device_token_form

MESSAGES = {
    "device.manager_required": N_("Only a manager desk can do this."),
}


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("token_invalid")
    return token.strip()


async def current_device(request: Request, services: Services) -> AuthenticatedDevice:
    device = await run_hot(request, services.devices.authenticate, bearer_token(request))
    request.state.device_id = device.device_id  # named in the access log line
    return device


CurrentDevice = Annotated[AuthenticatedDevice, Depends(current_device)]


async def desk_token(request: Request) -> str:
    """The bearer token if it has a desk token's form (401 `token_invalid` if not); not yet looked up."""
    token = bearer_token(request)
    if not has_device_token_form(token):
        raise Unauthorized("token_invalid")
    return token


DeskToken = Annotated[str, Depends(desk_token)]


async def manager_device(device: CurrentDevice) -> AuthenticatedDevice:
    if not device.is_manager:
        raise Forbidden("device.manager_required")
    return device


ManagerDevice = Annotated[AuthenticatedDevice, Depends(manager_device)]
