"""`/v1/dev/*`: development only (mounted only outside production and with the console provider).

`GET /v1/dev/messages` lists what the console provider "sent", newest first, with text, links and codes:
the demo's message panel and end-to-end tests read it.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from salon_desk.domain.phone import normalize_mobile

from ..deps import ReadSession
from ..messaging.rows import SmsMessageLogRow
from ..messaging.texts import links_in

router = APIRouter(prefix="/v1/dev", tags=["development"])


class DevMessage(BaseModel):
    id: str
    created_at: datetime
    phone_number: str
    channel: str
    kind: str
    text: str
    links: list[str]
    code: str | None
    salon_id: str | None


class DevMessages(BaseModel):
    messages: list[DevMessage]


@router.get("/messages", response_model=DevMessages)
def list_messages(
    session: ReadSession,
    phone: str | None = Query(None, max_length=40, description="only messages to this number (any form)"),
    limit: int = Query(50, ge=1, le=500),
) -> DevMessages:
    query = select(SmsMessageLogRow).order_by(SmsMessageLogRow.created_at.desc(), SmsMessageLogRow.id.desc())
    if phone:
        query = query.where(SmsMessageLogRow.phone_e164 == normalize_mobile(phone))
    rows = session.scalars(query.limit(limit))
    return DevMessages(messages=[_message(row) for row in rows])


def _message(row: SmsMessageLogRow) -> DevMessage:
    return DevMessage(
        id=row.id,
        created_at=row.created_at,
        phone_number=row.phone_e164,
        channel=row.channel,
        kind=row.kind,
        text=row.body,
        links=links_in(row.body),
        code=row.code,
        salon_id=row.salon_id,
    )
