"""Schemas of the desk-user commands (issue #10). The PIN never travels: only its peppered hash."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, model_validator

from .fields import Name, Strict

# domain.pin: "pin3$<pepper id>$n$r$p$<salt hex>$<digest hex>" (or the older "pin2$…" untagged and
# "scrypt$…" unpeppered forms, rewritten at the next sign-in).
PinHash = Annotated[
    str,
    Field(
        strict=True,
        max_length=200,
        pattern=r"^(pin3\$[0-9a-f]{8}|pin2|scrypt)\$[0-9]{1,8}\$[0-9]{1,3}\$[0-9]{1,3}\$[0-9a-f]{16,64}"
        r"\$[0-9a-f]{32,128}$",
    ),
]
DeskRole = Literal["receptionist", "manager", "owner"]
UserName = Annotated[Name, Field(min_length=1)]


class DeskUserCreateArgs(Strict):
    name: UserName
    role: DeskRole
    pin_hash: PinHash


class DeskUserFields(Strict):
    name: UserName = None  # type: ignore[assignment]
    role: DeskRole = None  # type: ignore[assignment]
    pin_hash: PinHash = None  # type: ignore[assignment]
    active: StrictBool = None  # type: ignore[assignment]


class DeskUserPatch(Strict):
    fields: DeskUserFields

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        fields = data.get("fields") if isinstance(data, dict) else None
        if isinstance(fields, dict):
            if not fields:
                raise ValueError("a patch names at least one field")
            if any(v is None for v in fields.values()):
                raise ValueError("a desk user's fields cannot be empty")
        return data
