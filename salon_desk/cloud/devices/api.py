"""`/v1/devices/*`: enrol a desk, issue enrolment codes, rotate a token, list and revoke desks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from salon_desk.sync.protocol import EnrolAnswer

from ..deps import ClientIp, CloudServices, Services
from .auth import CurrentDevice, ManagerDevice
from .enrolment import EnrolledDevice, EnrolRequest
from .pepper import salon_pin_pepper
from .service import DeviceSummary

router = APIRouter(prefix="/v1/devices", tags=["devices"])

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class EnrolBody(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    device_name: str = Field(min_length=1, max_length=100)
    app_version: str = Field(min_length=1, max_length=40)
    schema_version: int = Field(ge=0)
    device_id: str | None = Field(None, pattern=UUID_PATTERN)  # re-enrolling: the desk's id so far
    device_token: str | None = Field(None, max_length=200)  # its current or last token (the proof)


def enrol_answer(enrolled: EnrolledDevice, services: CloudServices) -> EnrolAnswer:
    """The answer to a successful enrolment, with the salon's PIN pepper (devices/pepper.py): the only answer
    that carries it, built after the enrolment committed."""
    pepper = salon_pin_pepper(services.settings.pin_pepper_key_bytes, enrolled.salon_id)
    return EnrolAnswer(
        device_id=enrolled.device_id,
        token=enrolled.token,
        salon_id=enrolled.salon_id,
        epoch=enrolled.epoch,
        role=enrolled.role,
        replaces_device_id=enrolled.replaces_device_id,
        pin_pepper=pepper.hex(),
    )


class CodeBody(BaseModel):
    role: Literal["receptionist", "manager"] = "receptionist"
    rebind_device_id: str | None = Field(None, pattern=UUID_PATTERN)  # approve re-enrolling this desk


class CodeAnswer(BaseModel):
    code: str
    salon_id: str
    role: str
    expires_at: datetime


class TokenAnswer(BaseModel):
    device_id: str
    token: str


class DeviceAnswer(BaseModel):
    device_id: str
    name: str
    role: str
    app_version: str
    schema_version: int
    enrolled_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, summary: DeviceSummary) -> DeviceAnswer:
        return cls.model_validate(summary, from_attributes=True)


class MeAnswer(BaseModel):
    device_id: str
    salon_id: str
    name: str
    role: str


@router.post("/enrol", status_code=201, response_model=EnrolAnswer)
def enrol(body: EnrolBody, services: Services, ip: ClientIp) -> EnrolAnswer:
    request = EnrolRequest(
        body.code,
        body.device_name.strip(),
        body.app_version,
        body.schema_version,
        body.device_id,
        body.device_token,
    )
    return enrol_answer(services.enrolment.enrol(request, ip=ip), services)


@router.post("/enrolment-codes", status_code=201, response_model=CodeAnswer)
def create_enrolment_code(body: CodeBody, device: ManagerDevice, services: Services) -> CodeAnswer:
    issued = services.enrolment.issue_code(
        device.salon_id,
        body.role,
        created_by_device_id=device.device_id,
        rebind_device_id=body.rebind_device_id,
    )
    return CodeAnswer(
        code=issued.code, salon_id=issued.salon_id, role=issued.role, expires_at=issued.expires_at
    )


class RebindBody(BaseModel):
    code: str = Field(min_length=1, max_length=32)  # a manager's code for this desk (rebind_device_id)


class RebindAnswer(BaseModel):
    device_id: str
    token: str
    last_device_seq: int
    epoch: str


@router.post("/rebind", response_model=RebindAnswer)
def rebind_device(body: RebindBody, device: CurrentDevice, services: Services, ip: ClientIp) -> RebindAnswer:
    """A desk restored from a backup (409 device_rewound) goes on as the same device, manager-approved."""
    rebound = services.enrolment.rebind(device.salon_id, device.device_id, body.code, ip=ip)
    return RebindAnswer(
        device_id=rebound.device_id,
        token=rebound.token,
        last_device_seq=rebound.last_device_seq,
        epoch=rebound.epoch,
    )


@router.post("/rotate", response_model=TokenAnswer)
def rotate_token(device: CurrentDevice, services: Services) -> TokenAnswer:
    return TokenAnswer(device_id=device.device_id, token=services.devices.rotate(device))


@router.get("/me", response_model=MeAnswer)
def who_am_i(device: CurrentDevice) -> MeAnswer:
    return MeAnswer(device_id=device.device_id, salon_id=device.salon_id, name=device.name, role=device.role)


@router.get("", response_model=list[DeviceAnswer])
def list_devices(device: ManagerDevice, services: Services) -> list[DeviceAnswer]:
    return [DeviceAnswer.of(summary) for summary in services.devices.list_devices(device.salon_id)]


@router.post("/{device_id}/revoke", response_model=DeviceAnswer)
def revoke_device(device_id: str, device: ManagerDevice, services: Services) -> DeviceAnswer:
    return DeviceAnswer.of(services.devices.revoke(device.salon_id, device_id))
