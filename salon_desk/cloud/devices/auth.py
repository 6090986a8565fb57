"""The dependencies that authenticate a desk: `CurrentDevice` (any enrolled desk) and `ManagerDevice`.

    @router.post("/v1/sync/push")
    def push(device: CurrentDevice, ...): ...   # device.salon_id scopes every query

A missing, malformed or unknown bearer token answers 401 `token_invalid`; a revoked desk 401
`device_revoked`.
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


async def manager_device(device: CurrentDevice) -> AuthenticatedDevice:
    if not device.is_manager:
        raise Forbidden("device.manager_required")
    return device


ManagerDevice = Annotated[AuthenticatedDevice, Depends(manager_device)]
