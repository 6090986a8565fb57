"""Operations endpoints: `GET /healthz` (answers 200 only when the database answers) and `GET /metrics`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError

from .deps import Services
from .errors import Unavailable
from .metrics import CONTENT_TYPE_LATEST
from .ops import OpsAccess

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(services: Services) -> dict[str, str]:
    try:
        services.db.ping()
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable", extra={"fields": {"error": type(exc).__name__}})
        raise Unavailable("unavailable") from exc
    return {"status": "ok", "database": "ok"}


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format",
            "content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
        }
    },
)
def metrics(services: Services, _access: OpsAccess) -> Response:
    """Prometheus text format, this process only. Closed in production: see ops.py."""
    return Response(services.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
