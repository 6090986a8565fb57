"""`/v1/provisioning/*`: a manager desk issues, lists and revokes provisioning codes; a new desk enrols with one.

    POST /v1/provisioning/codes               (manager) {role, max_desks, valid_days, label} -> the code, once
    GET  /v1/provisioning/codes               (manager) the salon's codes, never the codes themselves
    POST /v1/provisioning/codes/{id}/revoke   (manager)
    POST /v1/provisioning/enrol               {salon_id, code, device_name, app_version, schema_version}
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from salon_desk.sync.protocol import EnrolAnswer

from ..deps import ClientIp, Services
from .api import UUID_PATTERN, enrol_answer
from .auth import ManagerDevice
from .provisioning import (
    DEFAULT_DAYS,
    DEFAULT_DESKS,
    MAX_DAYS,
    MAX_DESKS,
    MIN_DAYS,
    MIN_DESKS,
    ProvisioningCodeSummary,
    ProvisioningService,
    ProvisionRequest,
)

router = APIRouter(prefix="/v1/provisioning", tags=["provisioning"])


class IssueBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["receptionist", "manager"] = "receptionist"
    max_desks: int = Field(DEFAULT_DESKS, ge=MIN_DESKS, le=MAX_DESKS)
    valid_days: int = Field(DEFAULT_DAYS, ge=MIN_DAYS, le=MAX_DAYS)
    label: str = Field("", max_length=100)


class IssuedAnswer(BaseModel):
    id: str
    code: str
    salon_id: str
    role: str
    max_desks: int
    expires_at: datetime


class CodeSummaryAnswer(BaseModel):
    id: str
    label: str
    role: str
    max_desks: int
    used_desks: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, summary: ProvisioningCodeSummary) -> CodeSummaryAnswer:
        return cls.model_validate(summary, from_attributes=True)


class ProvisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    salon_id: str = Field(pattern=UUID_PATTERN)
    code: str = Field(min_length=1, max_length=64)
    device_name: str = Field(min_length=1, max_length=100)
    app_version: str = Field(min_length=1, max_length=40)
    schema_version: int = Field(ge=0, le=1_000_000)


def _service(services: Services) -> ProvisioningService:
    return ProvisioningService(services.db, services.clock)


@router.post("/codes", status_code=201, response_model=IssuedAnswer)
def issue_code(body: IssueBody, device: ManagerDevice, services: Services) -> IssuedAnswer:
    issued = _service(services).issue(
        device.salon_id,
        body.role,
        max_desks=body.max_desks,
        valid_days=body.valid_days,
        label=body.label,
        created_by_device_id=device.device_id,
    )
    return IssuedAnswer(
        id=issued.id,
        code=issued.code,
        salon_id=issued.salon_id,
        role=issued.role,
        max_desks=issued.max_desks,
        expires_at=issued.expires_at,
    )


@router.get("/codes", response_model=list[CodeSummaryAnswer])
def list_codes(device: ManagerDevice, services: Services) -> list[CodeSummaryAnswer]:
    return [CodeSummaryAnswer.of(s) for s in _service(services).list_codes(device.salon_id)]


@router.post("/codes/{code_id}/revoke", response_model=CodeSummaryAnswer)
def revoke_code(code_id: str, device: ManagerDevice, services: Services) -> CodeSummaryAnswer:
    return CodeSummaryAnswer.of(_service(services).revoke(device.salon_id, code_id))


@router.post("/enrol", status_code=201, response_model=EnrolAnswer)
def provision(body: ProvisionBody, services: Services, ip: ClientIp) -> EnrolAnswer:
    request = ProvisionRequest(
        body.salon_id, body.code, body.device_name.strip() or "Desk", body.app_version, body.schema_version
    )
    return enrol_answer(_service(services).enrol(request, ip=ip), services)  # with the salon's PIN pepper
