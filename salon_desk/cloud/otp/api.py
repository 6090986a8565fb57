"""`/v1/otp/request` and `/v1/otp/verify`: public phone verification with limits (see otp.service).

`/v1/otp/request` answers 201 alike for every valid phone; a code is sent only to a phone the cloud has a
reason to message (a customer behind a live booking link). `/v1/otp/verify` answers an unknown request
exactly like a wrong code.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..deps import ClientIp, Language, Services
from ..messaging.base import Channel

router = APIRouter(prefix="/v1/otp", tags=["otp"])


class OtpRequestBody(BaseModel):
    phone_number: str = Field(min_length=1, max_length=40)  # any common form: 05…, +9665…, Arabic digits
    channel: Channel = Channel.SMS


class OtpRequestAnswer(BaseModel):
    request_id: str
    expires_at: datetime


class OtpVerifyBody(BaseModel):
    request_id: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=20)


class OtpVerifyAnswer(BaseModel):
    verified: bool
    phone_number: str


@router.post("/request", status_code=201, response_model=OtpRequestAnswer)
def request_code(body: OtpRequestBody, services: Services, lang: Language, ip: ClientIp) -> OtpRequestAnswer:
    issued = services.otp.request_code(body.phone_number, body.channel, lang=lang, ip=ip)
    return OtpRequestAnswer(request_id=issued.request_id, expires_at=issued.expires_at)


@router.post("/verify", response_model=OtpVerifyAnswer)
def verify_code(body: OtpVerifyBody, services: Services, ip: ClientIp) -> OtpVerifyAnswer:
    verified = services.otp.verify(body.request_id, body.code, ip=ip)
    return OtpVerifyAnswer(verified=True, phone_number=verified.phone_e164)
