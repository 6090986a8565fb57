"""Development provider: stores each message so `GET /v1/dev/messages` and the demo panel can show it.

Refused in production (settings). Its log line names the message, never its text or code.
"""

from __future__ import annotations

import logging

from salon_desk.domain.ids import new_id
from salon_desk.domain.phone import mask_phone

from ..clock import Clock
from ..db import Database
from .base import Channel, MessageKind, ProviderResult
from .rows import SmsMessageLogRow
from .texts import otp_text

log = logging.getLogger(__name__)


class ConsoleSender:
    name = "console"

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def send_otp(
        self, phone: str, code: str, channel: Channel, lang: str, *, salon_id: str | None = None
    ) -> ProviderResult:
        return self._store(
            phone, otp_text(code, lang), channel, MessageKind.OTP, code=code, salon_id=salon_id
        )

    def send_text(
        self,
        phone: str,
        body: str,
        channel: Channel,
        *,
        salon_id: str | None = None,
        sender_name: str | None = None,
    ) -> ProviderResult:
        return self._store(phone, body, channel, MessageKind.TEXT, code=None, salon_id=salon_id)

    def close(self) -> None:
        pass

    def _store(
        self,
        phone: str,
        body: str,
        channel: Channel,
        kind: MessageKind,
        *,
        code: str | None,
        salon_id: str | None,
    ) -> ProviderResult:
        row = SmsMessageLogRow(
            id=new_id(),
            salon_id=salon_id,
            phone_e164=phone,
            channel=Channel(channel).value,
            kind=kind.value,
            body=body,
            code=code,
            created_at=self._clock.now(),
        )
        with self._db.session() as session:
            session.add(row)
            session.commit()
        log.info(
            "console message stored",
            extra={
                "fields": {
                    "message_id": row.id,
                    "kind": kind.value,
                    "channel": row.channel,
                    "phone": mask_phone(phone),
                }
            },
        )
        return ProviderResult(provider_id=row.id, status="stored")
