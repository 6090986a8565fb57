"""The one interface a payment provider implements (Moyasar today), what it answers, and its errors.

Every call takes the salon's own secret key: one salon's money can never be asked for with another's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from salon_desk.domain.payments import PaymentState, PaymentStatus

from ..errors import Unavailable


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    id: str
    status: PaymentStatus
    amount_halalas: int
    refunded_halalas: int
    invoice_id: str | None
    source_type: str | None
    company: str | None
    message: str | None
    live: bool | None = None

    @property
    def state(self) -> PaymentState:
        return PaymentState(self.status, self.amount_halalas, self.refunded_halalas)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ProviderPayment:
        source = body.get("source") or {}
        return cls(
            id=str(body["id"]),
            status=PaymentStatus(body["status"]),
            amount_halalas=int(body["amount"]),
            refunded_halalas=int(body.get("refunded") or 0),
            invoice_id=body.get("invoice_id"),
            source_type=source.get("type"),
            company=source.get("company"),
            message=source.get("message"),
        )


@dataclass(frozen=True, slots=True)
class ProviderInvoice:
    id: str
    status: str
    amount_halalas: int
    url: str
    metadata: dict[str, str]
    payments: tuple[ProviderPayment, ...]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ProviderInvoice:
        return cls(
            id=str(body["id"]),
            status=str(body["status"]),
            amount_halalas=int(body["amount"]),
            url=str(body["url"]),
            metadata={str(k): str(v) for k, v in (body.get("metadata") or {}).items()},
            payments=tuple(ProviderPayment.from_json(p) for p in body.get("payments") or ()),
        )


@dataclass(frozen=True, slots=True)
class NewInvoice:
    amount_halalas: int
    description: str
    success_url: str
    back_url: str | None
    callback_url: str | None
    expires_at: datetime | None
    metadata: dict[str, str]


class ProviderError(Unavailable):
    """Moyasar could not be reached, timed out or answered 429/5xx: trying again later may work.
    `timed_out`: the request may have been applied (an invoice may exist)."""

    def __init__(self, code: str, *, status: int | None = None, timed_out: bool = False, **params: Any) -> None:
        super().__init__(code, **params)
        self.status = status
        self.timed_out = timed_out


class ProviderRefused(Exception):
    """Moyasar answered 4xx: retrying the same request will not help. Carries Moyasar's own error shape."""

    def __init__(self, status: int, kind: str, message: str, errors: Any = None) -> None:
        super().__init__(f"{status} {kind}: {message}")
        self.status = status
        self.kind = kind
        self.message = message
        self.errors = errors

    @property
    def not_found(self) -> bool:
        return self.status == 404


class PaymentProvider(Protocol):
    name: str

    def create_invoice(self, secret_key: str, invoice: NewInvoice) -> ProviderInvoice: ...

    def find_invoices(self, secret_key: str, metadata: dict[str, str]) -> list[ProviderInvoice]:
        """Invoices whose metadata holds these pairs (a timed-out create looks for what it may have made)."""
        ...

    def fetch_invoice(self, secret_key: str, invoice_id: str) -> ProviderInvoice: ...

    def cancel_invoice(self, secret_key: str, invoice_id: str) -> ProviderInvoice: ...

    def fetch_payment(self, secret_key: str, payment_id: str) -> ProviderPayment: ...

    def refund(self, secret_key: str, payment_id: str, amount_halalas: int | None) -> ProviderPayment: ...

    def void(self, secret_key: str, payment_id: str) -> ProviderPayment: ...

    def close(self) -> None: ...
