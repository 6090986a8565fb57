"""The operator's pages, `/metrics` and `/openapi.json`, kept off the public internet (issue #14 item 5).

In development without `SALON_OPS_TOKEN` they are open (and `/docs` exists). Otherwise each answers only to
`Authorization: Bearer $SALON_OPS_TOKEN` (compared in constant time); without the token, or with none set
(production's default), the page does not exist (404, like any unknown address): nothing to probe.
Prometheus scrapes each `serve` process with `authorization: {credentials_file: …}` (docs/deploy.md).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request

from salon_desk.domain.errors import NotFound

from .deps import Services

router = APIRouter(tags=["operations"])


async def ops_access(request: Request, services: Services) -> None:
    settings = services.settings
    if settings.ops_pages_public:
        return
    expected = settings.ops_token.get_secret_value().encode() if settings.ops_token is not None else b""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise NotFound("not_found")


OpsAccess = Annotated[None, Depends(ops_access)]


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _access: OpsAccess) -> dict[str, Any]:
    """Served here, not by FastAPI, whenever the ops pages are closed (see create_app)."""
    app: FastAPI = request.app
    return app.openapi()
